import DSJSON
import DSSchema
import Foundation
import XCTest

/// Runs the official JSON-Schema-Test-Suite (draft 2020-12) from the shared conformance folder.
/// Remotes are served from the suite's `remotes/` folder as `http://localhost:1234/...` through
/// the resolver; nothing touches the network.
final class JSONSchemaSuiteTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var suiteRoot: URL {
        if let env = ProcessInfo.processInfo.environment["DSPEC_JSON_SCHEMA_SUITE"] { return URL(fileURLWithPath: env) }
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/json-schema-test-suite")
    }

    /// Required cases this validator does not pass yet ("file: group / test"). Empty means 100%.
    static let knownRequiredFailures: Set<String> = []

    struct RemoteResolver: SchemaResolver {
        let root: URL
        func schemaDocument(for uri: String) -> JSONValue? {
            let prefix = "http://localhost:1234/"
            guard uri.hasPrefix(prefix) else { return nil }
            let rel = String(uri.dropFirst(prefix.count))
            guard !rel.contains(".."), let data = try? Data(contentsOf: root.appendingPathComponent("remotes").appendingPathComponent(rel)) else { return nil }
            return try? JSONParser().parseValue([UInt8](data))
        }
    }

    struct Outcome {
        var passed = 0
        var failures: [String] = []
    }

    static func run(file: URL, name: String, formatAssertion: Bool) throws -> Outcome {
        let data = try Data(contentsOf: file)
        guard case .array(let groups) = try JSONParser().parseValue([UInt8](data)) else { throw XCTSkip("bad suite file \(name)") }
        var outcome = Outcome()
        let resolver = RemoteResolver(root: suiteRoot)
        for group in groups {
            let description = group["description"]?.stringValue ?? "?"
            let schemaValue = group["schema"] ?? .bool(true)
            let schema: JSONSchema?
            var compileError = ""
            do {
                schema = try JSONSchema.compile(schemaValue, resolver: resolver, options: SchemaOptions(formatAssertion: formatAssertion))
            } catch {
                schema = nil
                compileError = "\(error)"
            }
            for test in group["tests"]?.arrayValue ?? [] {
                let label = "\(name): \(description) / \(test["description"]?.stringValue ?? "?")"
                let expected = test["valid"]?.boolValue ?? false
                guard let schema else {
                    outcome.failures.append(label + " (compile error: \(compileError))")
                    continue
                }
                let instance = test["data"] ?? .null
                let fast = schema.isValid(instance)
                let errors = schema.validate(instance)
                if fast == expected && errors.isEmpty == expected {
                    outcome.passed += 1
                } else {
                    outcome.failures.append(label + " (expected \(expected ? "valid" : "invalid"), isValid \(fast), errors \(errors.count))")
                }
            }
        }
        return outcome
    }

    func testEveryRequiredDraft202012Case() throws {
        let dir = Self.suiteRoot.appendingPathComponent("tests/draft2020-12")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
            throw XCTSkip("JSON-Schema-Test-Suite not found at \(Self.suiteRoot.path) (set DSPEC_JSON_SCHEMA_SUITE)")
        }
        var passed = 0
        var failures: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let o = try Self.run(file: dir.appendingPathComponent(name), name: name, formatAssertion: false)
            passed += o.passed
            failures += o.failures
        }
        XCTAssertGreaterThan(passed, 1000, "the suite should hold well over 1,000 required cases")
        let unexpected = failures.filter { f in !Self.knownRequiredFailures.contains(where: { f.hasPrefix($0) }) }
        XCTAssertEqual(unexpected, [], "required draft 2020-12 cases failing (\(failures.count) of \(passed + failures.count))")
        let fixed = Self.knownRequiredFailures.filter { k in !failures.contains(where: { $0.hasPrefix(k) }) }
        XCTAssertEqual(fixed.sorted(), [], "known failures that now pass: remove them from knownRequiredFailures")
        print("JSON-Schema-Test-Suite draft2020-12 required: \(passed) passed, \(failures.count) failed")
    }

    /// `isValid` (the yes/no fast path) and `validate` (the full evaluator) must agree, not only on
    /// each case's own instance: every schema of a suite file meets every instance of that file.
    func testFastPathAgreesWithFullEvaluatorAcrossEachFile() throws {
        let dir = Self.suiteRoot.appendingPathComponent("tests/draft2020-12")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
            throw XCTSkip("JSON-Schema-Test-Suite not found at \(Self.suiteRoot.path) (set DSPEC_JSON_SCHEMA_SUITE)")
        }
        let resolver = RemoteResolver(root: Self.suiteRoot)
        var pairs = 0
        var disagreements: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            guard case .array(let groups) = try JSONParser().parseValue([UInt8](Data(contentsOf: dir.appendingPathComponent(name)))) else { continue }
            let instances = groups.flatMap { $0["tests"]?.arrayValue ?? [] }.map { $0["data"] ?? .null }
            for group in groups {
                guard let schema = try? JSONSchema.compile(group["schema"] ?? .bool(true), resolver: resolver) else { continue }
                for (i, instance) in instances.enumerated() {
                    pairs += 1
                    if schema.isValid(instance) != schema.validate(instance).isEmpty {
                        disagreements.append("\(name): \(group["description"]?.stringValue ?? "?") with instance \(i)")
                    }
                }
            }
        }
        XCTAssertGreaterThan(pairs, 10_000)
        XCTAssertEqual(disagreements, [])
    }

    /// The optional cases as a pass/fail table in docs/contracts.md (between the markers).
    /// Run with DSPEC_UPDATE_DOCS=1 to rewrite the table after a change.
    func testOptionalTableInDocsIsCurrent() throws {
        let dir = Self.suiteRoot.appendingPathComponent("tests/draft2020-12/optional")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
            throw XCTSkip("JSON-Schema-Test-Suite not found at \(Self.suiteRoot.path) (set DSPEC_JSON_SCHEMA_SUITE)")
        }
        var rows: [String] = []
        var files: [(String, URL, Bool)] = names.filter { $0.hasSuffix(".json") }.sorted().map { ($0, dir.appendingPathComponent($0), false) }
        let formatNames = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("format").path)) ?? []
        files += formatNames.filter { $0.hasSuffix(".json") }.sorted().map { ("format/" + $0, dir.appendingPathComponent("format").appendingPathComponent($0), true) }
        var failureLines: [String] = []
        for (name, url, formatAssertion) in files {
            let o = try Self.run(file: url, name: name, formatAssertion: formatAssertion)
            let total = o.passed + o.failures.count
            rows.append("| `\(name)`\(formatAssertion ? " (format as assertion)" : "") | \(o.passed) / \(total) | \(o.failures.isEmpty ? "pass" : "fail (\(o.failures.count))") |")
            failureLines += o.failures.map { "- " + $0.replacingOccurrences(of: "|", with: "\\|") }
        }
        let commit = (try? String(contentsOf: Self.suiteRoot.appendingPathComponent("COMMIT"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        let table = (["<!-- optional-table:begin (generated by JSONSchemaSuiteTests; DSPEC_UPDATE_DOCS=1 swift test --filter JSONSchemaSuiteTests) -->",
                      "JSON-Schema-Test-Suite commit `\(commit)`, `tests/draft2020-12/optional`:", "",
                      "| File | Passed | Result |", "|---|---|---|"] + rows
                     + ["", "<details><summary>Failing optional cases</summary>", ""] + failureLines + ["", "</details>", "<!-- optional-table:end -->"]).joined(separator: "\n")
        let docURL = Self.repoRoot.appendingPathComponent("docs/contracts.md")
        let doc = (try? String(contentsOf: docURL, encoding: .utf8)) ?? ""
        guard let begin = doc.range(of: "<!-- optional-table:begin"), let end = doc.range(of: "<!-- optional-table:end -->") else {
            XCTFail("docs/contracts.md lacks the optional-table markers")
            return
        }
        let current = String(doc[begin.lowerBound..<end.upperBound])
        if current != table {
            if ProcessInfo.processInfo.environment["DSPEC_UPDATE_DOCS"] == "1" {
                try (doc.replacingCharacters(in: begin.lowerBound..<end.upperBound, with: table)).write(to: docURL, atomically: true, encoding: .utf8)
            } else {
                XCTFail("docs/contracts.md's optional table is out of date; rerun with DSPEC_UPDATE_DOCS=1")
            }
        }
    }
}
