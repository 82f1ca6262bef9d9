import Foundation
import XCTest

/// Package.swift, the `import` lines under Sources and the imports column of docs/architecture.md
/// must agree exactly (issue 11, "Structure"): no declared-but-unused dependency, no import of a
/// target that is not declared, and a doc that says what the code does.
///
/// Only imports of the package's own targets count (Foundation, Glibc, XCTest... are not
/// dependencies in Package.swift). Each mismatch is reported on its own, naming the target, the
/// module and what to change, so after a merge the fix is mechanical.
final class PackageStructureTests: XCTestCase {
    private let root = CLIRunner.repositoryRoot

    func testPackageDependenciesImportsAndArchitectureDocAgree() throws {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let declared = Self.sourceTargetDependencies(manifest: manifest)
        XCTAssertGreaterThan(declared.count, 10, "could not read the targets of Package.swift")
        let packageModules = Set(declared.keys)

        // Every folder under Sources is a declared (non-test) target and the other way round.
        let sources = root.appendingPathComponent("Sources")
        let folders = Set(try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !$0.hasPrefix(".") })
        for missing in folders.subtracting(packageModules).sorted() {
            XCTFail("Sources/\(missing) has no target in Package.swift")
        }
        for missing in packageModules.subtracting(folders).sorted() {
            XCTFail("Package.swift declares target \(missing) but there is no Sources/\(missing)")
        }

        let used = try Self.importedPackageModules(sources: sources, targets: folders.intersection(packageModules), packageModules: packageModules)
        let doc = try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let documented = Self.documentedImports(architecture: doc)

        for target in packageModules.sorted() {
            let declaredDeps = declared[target] ?? []
            let usedDeps = Set((used[target] ?? [:]).keys)
            for module in declaredDeps.subtracting(usedDeps).sorted() {
                XCTFail("Package.swift: target \(target) declares dependency \(module), but no file under Sources/\(target) imports it: remove \"\(module)\" from its dependencies")
            }
            for module in usedDeps.subtracting(declaredDeps).sorted() {
                let file = used[target]?[module] ?? "?"
                XCTFail("\(file) imports \(module), but Package.swift does not declare \(target) -> \(module): add \"\(module)\" to the dependencies of \(target) (and to its imports column in docs/architecture.md)")
            }
            guard let docDeps = documented[target] else {
                XCTFail("docs/architecture.md: the stage table has no row for target \(target) (imports: \(Self.list(usedDeps)))")
                continue
            }
            for module in usedDeps.subtracting(docDeps).sorted() {
                XCTFail("docs/architecture.md: the imports column of \(target) misses \(module), which \(used[target]?[module] ?? "?") imports: set it to \(Self.list(usedDeps))")
            }
            for module in docDeps.subtracting(usedDeps).sorted() {
                XCTFail("docs/architecture.md: the imports column of \(target) lists \(module), but no file under Sources/\(target) imports it: set it to \(Self.list(usedDeps))")
            }
        }
        for extra in Set(documented.keys).subtracting(packageModules).sorted() {
            XCTFail("docs/architecture.md: the stage table has a row for \(extra), which is not a target in Package.swift")
        }
    }

    /// The parsers below are strict enough to notice when they read nothing.
    func testParsersReadTheFormsThePackageUses() {
        let manifest = """
            .target(name: "A"),
            .target(name: "B", dependencies: ["A"]),
            .target(
                name: "C",
                linkerSettings: [.linkedLibrary(":libx.so.1", .when(platforms: [.linux]))]
            ),
            .target(name: "D", dependencies: [
                "A", "B",
            ]),
            .executableTarget(name: "e", dependencies: ["D"]),
            .testTarget(name: "DTests", dependencies: ["D"]),
            """
        XCTAssertEqual(Self.sourceTargetDependencies(manifest: manifest),
                       ["A": [], "B": ["A"], "C": [], "D": ["A", "B"], "e": ["D"]])
        let doc = """
            | Stage / target | Layer type(s) | What it owns | Imports |
            |---|---|---|---|
            | `A` | `X` | things \\| more | — |
            | `B` | — | stuff | A |
            | `D` | — | stuff | A, B |
            """
        XCTAssertEqual(Self.documentedImports(architecture: doc), ["A": [], "B": ["A"], "D": ["A", "B"]])
        let swift = """
            import Foundation
            @_exported import A
            #if canImport(B)
            public import struct B.Thing
            #endif
            let python = \"\"\"
            import C
            \"\"\"
            """
        XCTAssertEqual(Self.importedModules(swiftSource: swift), ["Foundation", "A", "B"])
    }

    /// Platform C modules are imported only under `#if canImport(...)` of the same module, so the
    /// package is not Glibc-only by accident (issue 11: an unconditional `import Glibc`).
    func testPlatformModulesAreImportedOnlyUnderCanImport() throws {
        var checked = 0
        for folder in ["Sources", "Tests"] {
            let base = root.appendingPathComponent(folder)
            guard let files = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let relative as String in files where relative.hasSuffix(".swift") {
                let text = try String(contentsOf: base.appendingPathComponent(relative), encoding: .utf8)
                for problem in Self.unguardedPlatformImports(swiftSource: text) {
                    XCTFail("\(folder)/\(relative):\(problem.line): `import \(problem.module)` must be inside `#if canImport(\(problem.module))` (then `#elseif canImport(Darwin)` / `import Darwin`)")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 50)
        XCTAssertEqual(Self.unguardedPlatformImports(swiftSource: "import Foundation\nimport Glibc\n").map(\.line), [2])
        XCTAssertEqual(Self.unguardedPlatformImports(swiftSource: "#if os(Linux)\nimport Glibc\n#endif\n").map(\.line), [2])
        XCTAssertEqual(Self.unguardedPlatformImports(swiftSource: "#if canImport(Glibc)\nimport Glibc\n#elseif canImport(Darwin)\nimport Darwin\n#endif\nimport Glibc\n").map(\.line), [6])
    }

    /// `import Glibc` / `Musl` / `Darwin` lines that are not under `#if`/`#elseif canImport` of that module.
    static func unguardedPlatformImports(swiftSource: String) -> [(line: Int, module: String)] {
        let platformModules: Set<String> = ["Glibc", "Musl", "Darwin", "WinSDK", "Android", "Bionic"]
        var conditions: [String] = []
        var problems: [(line: Int, module: String)] = []
        for (index, raw) in swiftSource.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#if ") {
                conditions.append(line)
            } else if line.hasPrefix("#elseif ") || line == "#else" {
                if !conditions.isEmpty { conditions[conditions.count - 1] = line }
            } else if line.hasPrefix("#endif") {
                _ = conditions.popLast()
            } else if line.hasPrefix("import ") {
                let module = String(line.dropFirst("import ".count)).trimmingCharacters(in: .whitespaces)
                guard platformModules.contains(module) else { continue }
                if !(conditions.last?.contains("canImport(\(module))") ?? false) {
                    problems.append((index + 1, module))
                }
            }
        }
        return problems
    }

    // MARK: - Parsers

    /// Non-test targets of Package.swift and the target names in their `dependencies:` lists.
    static func sourceTargetDependencies(manifest: String) -> [String: Set<String>] {
        let start = try! NSRegularExpression(pattern: #"\.(target|executableTarget|testTarget|systemLibrary|binaryTarget|plugin|macro)\(\s*name:\s*"([^"]+)""#)
        let text = manifest as NSString
        let matches = start.matches(in: manifest, range: NSRange(location: 0, length: text.length))
        var result: [String: Set<String>] = [:]
        for (index, match) in matches.enumerated() {
            let kind = text.substring(with: match.range(at: 1))
            guard kind != "testTarget" else { continue }
            let name = text.substring(with: match.range(at: 2))
            let end = index + 1 < matches.count ? matches[index + 1].range.location : text.length
            let body = text.substring(with: NSRange(location: match.range.upperBound, length: end - match.range.upperBound))
            var dependencies = Set<String>()
            if let list = body.range(of: #"dependencies:\s*\[[^\]]*\]"#, options: .regularExpression) {
                let quoted = try! NSRegularExpression(pattern: #""([^"]+)""#)
                let listText = String(body[list])
                for item in quoted.matches(in: listText, range: NSRange(listText.startIndex..., in: listText)) {
                    dependencies.insert((listText as NSString).substring(with: item.range(at: 1)))
                }
            }
            result[name] = dependencies
        }
        return result
    }

    /// Rows of the stage table in docs/architecture.md: target (first column, in backticks) ->
    /// modules in the last column ("—" for none).
    static func documentedImports(architecture: String) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for line in architecture.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.replacingOccurrences(of: #"\|"#, with: "\u{1}")
                .split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            // "| a | b | c | d |" splits into ["", a, b, c, d, ""].
            guard cells.count >= 4, let last = cells.dropLast().last else { continue }
            let target = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let modules = last == "—" || last.isEmpty ? [] : last.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            result[target] = Set(modules)
        }
        return result
    }

    /// Modules named by `import` declarations in Swift source, in order, skipping multi-line
    /// string literals (which hold Python and shell snippets in some files).
    static func importedModules(swiftSource: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern:
            #"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+(?:(?:class|struct|enum|func|protocol|typealias|var|let)\s+)?([A-Za-z_][A-Za-z0-9_]*)"#)
        var modules: [String] = []
        var inMultilineString = false
        for line in swiftSource.split(separator: "\n", omittingEmptySubsequences: false) {
            let delimiters = line.components(separatedBy: "\"\"\"").count - 1
            if !inMultilineString {
                let text = String(line)
                if let match = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) {
                    modules.append((text as NSString).substring(with: match.range(at: 1)))
                }
            }
            if delimiters % 2 == 1 { inMultilineString.toggle() }
        }
        return modules
    }

    /// For each target, the package modules its Swift files import, with the first file that does.
    static func importedPackageModules(sources: URL, targets: Set<String>, packageModules: Set<String>) throws -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for target in targets.sorted() {
            var imports: [String: String] = [:]
            let folder = sources.appendingPathComponent(target)
            guard let files = FileManager.default.enumerator(atPath: folder.path) else { continue }
            for case let relative as String in files where relative.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(relative), encoding: .utf8)
                for module in importedModules(swiftSource: text) where packageModules.contains(module) && module != target {
                    if imports[module] == nil { imports[module] = "Sources/\(target)/\(relative)" }
                }
            }
            result[target] = imports
        }
        return result
    }

    private static func list(_ modules: Set<String>) -> String {
        modules.isEmpty ? "—" : modules.sorted().joined(separator: ", ")
    }
}
