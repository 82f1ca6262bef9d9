import DSCore
@testable import DeliverySpec
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Differential tests of `dspec lint`'s fast paths (issue 16): each is compared with the general
/// path it replaces, on chosen and on many random inputs, so a fast path cannot silently diverge.
final class LintFastPathTests: XCTestCase {
    private var root: String { CLIRunner.repositoryRoot.path }

    // MARK: - Text report formed per file on the worker threads

    /// The text report as formatted before per-file parts existed (the oracle), verbatim.
    private func wholeRunText(_ results: [LintFileResult], _ reporter: TextReporter) -> String {
        var out = ""
        var errors = 0, warnings = 0, suppressed = 0
        for r in results {
            var shown = 0
            for d in r.diagnostics.filter({ $0.location != nil }) + r.diagnostics.filter({ $0.location == nil }) {
                if shown < TextReporter.maxDiagnosticsPerFile { out += reporter.format(d, source: r.source) }
                shown += 1
                if d.suppression != nil { suppressed += 1 } else if d.severity == .error { errors += 1 } else if d.severity == .warning { warnings += 1 }
            }
            if shown > TextReporter.maxDiagnosticsPerFile {
                out += "\(r.path): \(shown - TextReporter.maxDiagnosticsPerFile) more diagnostics not shown (the first \(TextReporter.maxDiagnosticsPerFile) are; --format json lists all)\n"
            }
        }
        let files = results.count
        var summary = "\(files) file\(files == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        if suppressed > 0 { summary += ", \(suppressed) suppressed" }
        out += summary + "\n"
        return out
    }

    private func assertPartsMatchWholeRun(_ results: [LintFileResult], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        for color in [false, true] {
            let reporter = TextReporter(color: color)
            let expected = wholeRunText(results, reporter)
            XCTAssertEqual(reporter.format(results), expected, "\(label), color \(color): format(results)", file: file, line: line)
            XCTAssertEqual(reporter.format(results.map { TextReporter.FilePart($0, reporter: reporter) }), expected,
                           "\(label), color \(color): joined parts", file: file, line: line)
        }
    }

    func testTextPartsJoinToTheWholeRunReportOnTheRepositorySpecs() {
        let (results, _) = LintRunner().lint(paths: [root + "/specs/examples", root + "/specs/invalid", root + "/specs/auth"])
        XCTAssertGreaterThan(results.count, 30)
        XCTAssertTrue(results.contains { $0.diagnostics.contains { $0.suppression != nil } })
        XCTAssertTrue(results.contains { $0.diagnostics.contains { $0.severity == .error } })
        assertPartsMatchWholeRun(results, "specs")
        assertPartsMatchWholeRun([], "no files")
        assertPartsMatchWholeRun(Array(results.prefix(1)), "one file")
    }

    func testTextPartsJoinToTheWholeRunReportOnRandomFindings() {
        var rng = SplitMix(seed: 16)
        let text = "{\n\t\"a\": [1, 2, \"\u{00E9}x\"],\r\n  \"b\": {\"c\": null}\n}\n" + String(repeating: "x", count: 300)
        let source = SourceFile(path: "r.json", text: text)
        let severities: [Severity] = [.error, .warning, .note]
        for round in 0..<300 {
            var results: [LintFileResult] = []
            for f in 0..<Int(rng.next() % 4) {
                // Now and then a file past the per-file cap of printed findings.
                let count = rng.next() % 40 == 0 ? TextReporter.maxDiagnosticsPerFile + Int(rng.next() % 5) : Int(rng.next() % 6)
                var diagnostics: [Diagnostic] = []
                for i in 0..<count {
                    var location: SourceLocation?
                    var end: SourceLocation?
                    if rng.next() % 4 != 0 {
                        let offset = Int(rng.next() % UInt64(source.bytes.count))
                        location = source.location(ofOffset: offset)
                        if rng.next() % 2 == 0 { end = source.location(ofOffset: min(source.bytes.count, offset + Int(rng.next() % 8))) }
                    }
                    var d = Diagnostic(code: "DS\(1000 + i % 7)", severity: severities[Int(rng.next() % 3)], message: "finding \(i) of round \(round)",
                                       path: "f\(f).json", location: location, endLocation: end,
                                       pointer: rng.next() % 2 == 0 ? "/a/\(i)" : nil, hint: rng.next() % 3 == 0 ? "a hint" : nil,
                                       suggestion: rng.next() % 3 == 0 ? "b" : nil)
                    if rng.next() % 4 == 0 { d.suppression = "known" }
                    diagnostics.append(d)
                }
                results.append(LintFileResult(path: "f\(f).json", diagnostics: diagnostics, source: rng.next() % 5 == 0 ? nil : source, document: nil))
            }
            assertPartsMatchWholeRun(results, "round \(round)")
        }
    }

    /// `dspec lint` in text format forms the report on the worker threads; with a baseline it
    /// takes the general path (every result kept, formatted at the end). An empty baseline
    /// filters nothing, so both must print the same bytes and exit alike.
    func testLintTextCommandPrintsWhatTheGeneralPathPrints() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lint-fast-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let baseline = dir.appendingPathComponent("empty-baseline.json").path
        try Baseline(fingerprints: []).fileContents.write(toFile: baseline, atomically: true, encoding: .utf8)
        for (paths, extra) in [(["specs/examples"], [String]()), (["specs/invalid", "specs/auth"], []), (["specs/examples"], ["--quiet"]),
                               (["specs/invalid"], ["--strict"]), (["specs/examples", "specs/no-such-dir"], [])] {
            let fast = try CLIRunner.run(["lint"] + paths + extra)
            let general = try CLIRunner.run(["lint"] + paths + extra + ["--baseline", baseline])
            XCTAssertEqual(fast.stdout, general.stdout, "\(paths) \(extra)")
            XCTAssertEqual(fast.status, general.status, "\(paths) \(extra)")
            XCTAssertEqual(fast.stderr, general.stderr, "\(paths) \(extra)")
        }
    }

    // MARK: - Files read with POSIX calls

    private func assertSameLoad(_ path: String, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let fast: Result<SourceFile, SourceLoader.Failure> = Result { () throws(SourceLoader.Failure) in try SourceLoader.load(path) }
        let general: Result<SourceFile, SourceLoader.Failure> = Result { () throws(SourceLoader.Failure) in try SourceLoader.loadGeneral(path) }
        switch (fast, general) {
        case (.success(let a), .success(let b)):
            XCTAssertEqual(a.bytes, b.bytes, label, file: file, line: line)
            XCTAssertEqual(a.path, b.path, label, file: file, line: line)
        case (.failure(let a), .failure(let b)):
            XCTAssertEqual(a.description, b.description, label, file: file, line: line)
        default:
            XCTFail("\(label): fast \(fast), general \(general)", file: file, line: line)
        }
    }

    func testSourceLoaderFastPathReadsWhatTheGeneralPathReads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Chosen: empty, one byte, invalid UTF-8, a real spec, a directory, a missing file,
        // symbolic links to a file and to nothing.
        let chosen: [(String, [UInt8])] = [("empty.json", []), ("one.json", [0x7B]), ("bad-utf8.json", [0xFF, 0xFE, 0x00, 0x80]),
                                           ("spec.json", Array(try Data(contentsOf: URL(fileURLWithPath: root + "/specs/examples/custom-webhook.json"))))]
        for (name, bytes) in chosen {
            let path = dir.appendingPathComponent(name).path
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            XCTAssertEqual(SourceLoader.readRegularFile(path), bytes, name)
            assertSameLoad(path, name)
        }
        assertSameLoad(dir.path, "a directory")
        XCTAssertNil(SourceLoader.readRegularFile(dir.path))
        assertSameLoad(dir.appendingPathComponent("missing.json").path, "a missing file")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link.json").path, withDestinationPath: dir.appendingPathComponent("spec.json").path)
        assertSameLoad(dir.appendingPathComponent("link.json").path, "a link to a file")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("dangling.json").path, withDestinationPath: dir.appendingPathComponent("nothing").path)
        assertSameLoad(dir.appendingPathComponent("dangling.json").path, "a dangling link")
        assertSameLoad("/dev/null", "a device")
        XCTAssertNil(SourceLoader.readRegularFile("/dev/null"), "not a regular file: the general path reads it")
        // Random: sizes around the read sizes and buffer boundaries, random bytes.
        var rng = SplitMix(seed: 42)
        for i in 0..<300 {
            let size = i < 20 ? [0, 1, 2, 4095, 4096, 4097, 65535, 65536, 65537, 131_072, 7, 8, 9, 15, 16, 17, 255, 256, 257, 1000][i] : Int(rng.next() % 20_000)
            var bytes = [UInt8](repeating: 0, count: size)
            for j in 0..<size { bytes[j] = UInt8(truncatingIfNeeded: rng.next()) }
            let path = dir.appendingPathComponent("r\(i).json").path
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            XCTAssertEqual(SourceLoader.readRegularFile(path), bytes, "random file \(i), \(size) bytes")
            assertSameLoad(path, "random file \(i)")
        }
    }

    // MARK: - Text report pieces

    /// Tabs replaced by bytes against the Character map written first, on chosen and random
    /// text (a tab before a combining mark, CR LF, emoji, no tab at all).
    func testReplacingTabsByBytesMatchesTheCharacterMap() {
        func reference(_ s: String) -> String { String(s.map { $0 == "\t" ? " " : $0 }) }
        for s in ["", "\t", "a\tb", "\t\u{301}", "\u{301}\t", "\r\n\t\r\n", "é\t😀\t", "no tab", "\t\t\t"] {
            XCTAssertEqual(s.replacingTabs(), reference(s), s.debugDescription)
        }
        var rng = SplitMix(seed: 31)
        let pieces = ["a", "\t", "\u{301}", "\r", "\n", "é", "😀", "\u{0600}", " ", "~", "\u{200D}"]
        for _ in 0..<5_000 {
            let s = (0..<Int(rng.next() % 12)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            XCTAssertEqual(s.replacingTabs(), reference(s), s.debugDescription)
        }
    }

    func testRepeatedBytesMatchStringRepeating() {
        for count in -2..<300 {
            XCTAssertEqual(TextReporter.repeated(UInt8(ascii: " "), count), String(repeating: " ", count: max(0, count)))
            XCTAssertEqual(TextReporter.repeated(UInt8(ascii: "~"), count), String(repeating: "~", count: max(0, count)))
        }
    }

    // MARK: - Discovery

    /// Names ordered by bytes (all ASCII) against `String <`, on chosen and random name lists
    /// (shared 8-byte prefixes, control characters, a non-ASCII name that takes the general sort).
    func testEntriesSortedByNameMatchStringOrder() {
        func check(_ names: [String], file: StaticString = #filePath, line: UInt = #line) {
            let entries = names.map { DirectoryEntries.Entry(name: $0, kind: .other) }
            XCTAssertEqual(DirectoryEntries.sortedByName(entries).map(\.name), entries.sorted { $0.name < $1.name }.map(\.name), "\(names)", file: file, line: line)
        }
        check([])
        check(["b", "a", "ab", "a\u{1}", "abcdefgh", "abcdefghi", "abcdefgg", "abcdefgh0", "ABCDEFGH", "~", " ", "0001-x.json", "0001-x.jso"])
        check(["é.json", "e\u{301}.json", "z", "a"])
        var rng = SplitMix(seed: 41)
        let pieces = ["a", "b", "0001", "0002", "-", ".json", "abcdefgh", "\r", "\n", "~", " ", "Z", "é", "\u{212A}"]
        for _ in 0..<3_000 {
            var names = Set<String>()
            for _ in 0..<Int(rng.next() % 30) { names.insert((0..<(1 + Int(rng.next() % 4))).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()) }
            check(Array(names))
        }
    }

    /// The file-name test as written before the byte path (the oracle).
    private func characterIsSpecFile(_ name: String) -> Bool {
        name.hasSuffix(".json") && !SpecFileDiscovery.companionSuffixes.contains { name.hasSuffix($0) } && !name.hasPrefix(".")
    }

    /// Discovery as written before: names sorted by String order, FileManager throughout.
    private func referenceSpecs(in directory: String, depth: Int) -> [String] {
        let fm = FileManager.default
        if depth > 32 { return [] }
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return [] }
        var found: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let full = FilePaths.join(directory, name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDir) else { continue }
            if isDir.boolValue { found += referenceSpecs(in: full, depth: depth + 1) } else if characterIsSpecFile(name) { found.append(full) }
        }
        return found
    }

    private static let namePieces = ["a", "B", "0001", "-", "_", ".", "json", ".json", ".secrets.json", ".settings.json", ".suite.json", ".schema.json",
                                     ".plan.json", ".expected.json", ".events.json", ".JSON", "é", "e\u{301}", "\u{0600}", "\u{212A}", "\r", "\n", " ", "~"]

    private func randomName(_ rng: inout SplitMix) -> String {
        var name = ""
        for _ in 0..<(1 + Int(rng.next() % 4)) { name += Self.namePieces[Int(rng.next() % UInt64(Self.namePieces.count))] }
        return name
    }

    func testSpecFileNamesByBytesMatchTheCharacterTest() {
        let chosen = ["", ".json", "a.json", ".a.json", "a.secrets.json", "a.Secrets.json", "a.json.json", "json", "a.jso", "x\u{0600}.json",
                      "x\u{301}.json", "x.json\u{301}", "é.json", "é.events.json", "a.events.ndjson", "a.suite.json", "\r\n.json", "a\r.json"]
        for name in chosen { XCTAssertEqual(SpecFileDiscovery.isSpecFile(name), characterIsSpecFile(name), name.debugDescription) }
        var rng = SplitMix(seed: 7)
        for _ in 0..<20_000 {
            let name = randomName(&rng)
            XCTAssertEqual(SpecFileDiscovery.isSpecFile(name), characterIsSpecFile(name), name.debugDescription)
        }
    }

    /// Directory discovery finds the same paths in the same order as before, on the repository's
    /// specs and on random trees (names of every kind, nested directories, hidden entries).
    func testDiscoveryFindsWhatTheReferenceFinds() throws {
        for dir in ["specs", "specs/examples", "specs/invalid"] {
            let path = root + "/" + dir
            XCTAssertEqual(SpecFileDiscovery.candidates([path]).files.map(\.path), referenceSpecs(in: path, depth: 0).sorted(), dir)
        }
        var rng = SplitMix(seed: 11)
        for round in 0..<40 {
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("discovery-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: base) }
            var dirs = [base.path]
            try FileManager.default.createDirectory(atPath: base.path, withIntermediateDirectories: true)
            for _ in 0..<(5 + Int(rng.next() % 60)) {
                let parent = dirs[Int(rng.next() % UInt64(dirs.count))]
                let name = randomName(&rng)
                guard !name.contains("/"), name != ".", name != ".." else { continue }
                let path = FilePaths.join(parent, name)
                if FileManager.default.fileExists(atPath: path) { continue }
                if rng.next() % 5 == 0 {
                    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
                    dirs.append(path)
                } else {
                    XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("{}".utf8)))
                }
            }
            let found = SpecFileDiscovery.candidates([base.path])
            XCTAssertEqual(found.files.map(\.path), referenceSpecs(in: base.path, depth: 0).sorted(), "round \(round)")
            XCTAssertTrue(found.files.allSatisfy { !$0.named })
        }
    }

    /// The `readdir` walk against the FileManager reference where entry types matter: symbolic
    /// links to files and to directories, dangling links, one link loop, FIFOs, hidden entries.
    func testDiscoveryFollowsLinksAndTypesLikeTheReference() throws {
        var rng = SplitMix(seed: 23)
        let fm = FileManager.default
        for round in 0..<30 {
            let base = fm.temporaryDirectory.appendingPathComponent("discovery-links-\(UUID().uuidString)")
            let outside = fm.temporaryDirectory.appendingPathComponent("discovery-targets-\(UUID().uuidString)")
            defer {
                try? fm.removeItem(at: base)
                try? fm.removeItem(at: outside)
            }
            // Link targets outside the tree (no loops through them): a directory with a spec
            // and a nested directory, and a file.
            try fm.createDirectory(atPath: outside.path + "/inner", withIntermediateDirectories: true)
            XCTAssertTrue(fm.createFile(atPath: outside.path + "/t.json", contents: Data("{}".utf8)))
            XCTAssertTrue(fm.createFile(atPath: outside.path + "/inner/u.json", contents: Data("{}".utf8)))
            let targets = [outside.path, outside.path + "/inner", outside.path + "/t.json"]
            var dirs = [base.path]
            var loopMade = false
            try fm.createDirectory(atPath: base.path, withIntermediateDirectories: true)
            for _ in 0..<(5 + Int(rng.next() % 40)) {
                let parent = dirs[Int(rng.next() % UInt64(dirs.count))]
                let name = randomName(&rng)
                guard !name.contains("/"), name != ".", name != ".." else { continue }
                let path = FilePaths.join(parent, name)
                if fm.fileExists(atPath: path) || (try? fm.destinationOfSymbolicLink(atPath: path)) != nil { continue }
                switch rng.next() % 8 {
                case 0:
                    try fm.createDirectory(atPath: path, withIntermediateDirectories: false)
                    dirs.append(path)
                case 1:
                    try fm.createSymbolicLink(atPath: path, withDestinationPath: targets[Int(rng.next() % UInt64(targets.count))])
                case 2:
                    try fm.createSymbolicLink(atPath: path, withDestinationPath: path + ".missing")
                case 3 where !loopMade:
                    // One loop only: the walk follows it to the depth limit, as the reference does.
                    try fm.createSymbolicLink(atPath: path, withDestinationPath: base.path)
                    loopMade = true
                case 4:
                    #if canImport(Glibc)
                    XCTAssertEqual(mkfifo(path, 0o600), 0)
                    #endif
                default:
                    XCTAssertTrue(fm.createFile(atPath: path, contents: Data("{}".utf8)))
                }
            }
            let found = SpecFileDiscovery.candidates([base.path])
            XCTAssertEqual(found.files.map(\.path), referenceSpecs(in: base.path, depth: 0).sorted(), "round \(round)")
        }
    }

    // MARK: - A spec's directory without Foundation

    /// The fast path (ASCII, nothing to normalize) against NSString's
    /// `deletingLastPathComponent`, the general path, on chosen and random paths. Only paths
    /// the fast path takes are handed to NSString: it traps on a one-character path and on
    /// some runs of slashes (swift-corelibs-foundation), which the other paths keep meeting.
    func testDeletingLastComponentFastPathMatchesNSString() {
        let chosen = ["", "/", "//", "a", ".", "..", "a/", "/a", "/a/", "a/b", "a//b", "/a/b/", "./x.json", "../x.json", "ab",
                      "specs/examples/custom.json", "/tmp/lt/in/lint/0001-amplitude-batch.json", "a b/c d.json", "a/./b", "a/../b",
                      "é/x", "e\u{301}/x", "/\u{301}", "a/\u{301}", "\r\n/x", "x/\r\n", "/\r\n", "日本/語.json", "a\u{0}/b"]
        var inputs = chosen
        var rng = SplitMix(seed: 1616)
        let alphabet = ["a", "b", "/", "/", "/", ".", "..", " ", "é", "e\u{301}", "\u{301}", "\r\n", "\r", "\n", "ß", "日", "\u{0}"]
        for _ in 0..<4000 {
            let length = Int(rng.next() % 9)
            inputs.append((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined())
        }
        var fastTaken = 0, compared = 0
        for path in inputs {
            guard let fast = FilePaths.deletingLastComponentFast(path) else { continue }
            fastTaken += 1
            XCTAssertFalse(path.utf8.contains { $0 >= 0x80 } || path.contains("//") || path.hasSuffix("/") || path.isEmpty, path.debugDescription)
            XCTAssertEqual(FilePaths.deletingLastComponent(path), fast, path.debugDescription)
            if path.utf16.count == 1 {
                XCTAssertEqual(fast, "", "a one-character path is a bare name: \(path.debugDescription)")
                continue
            }
            compared += 1
            XCTAssertEqual(fast, (path as NSString).deletingLastPathComponent, "NSString for \(path.debugDescription)")
        }
        XCTAssertGreaterThan(compared, 500, "the random inputs reach the fast path")
        XCTAssertNil(FilePaths.deletingLastComponentFast("é/x"))
        XCTAssertNil(FilePaths.deletingLastComponentFast("a//b"))
        XCTAssertNil(FilePaths.deletingLastComponentFast("a/"))
    }

    /// A spec named by a one-character path (`dspec lint x`) has the current directory as its
    /// directory; NSString's `deletingLastPathComponent` trapped on it.
    func testAOneCharacterSpecPathHasNoDirectoryPart() {
        XCTAssertEqual(FileContractLoader(specPath: "x").directory, "")
        XCTAssertEqual(FileContractLoader(specPath: "x").resolve("plan.json"), "./plan.json")
        XCTAssertEqual(FileContractLoader(specPath: "specs/x.json").directory, "specs")
        XCTAssertEqual(FileContractLoader(specPath: "/x.json").directory, "/")
    }

    // MARK: - Text reporter pieces

    /// `capped` (fast path: few enough UTF-8 bytes) against its general path, on texts around
    /// the limit in bytes and in scalars, ASCII and multi-byte.
    func testCappedFastPathMatchesGeneral() {
        let limit = TextReporter.maxMessageCharacters
        var inputs = ["", "a", "é", String(repeating: "a", count: limit), String(repeating: "a", count: limit + 1),
                      String(repeating: "é", count: limit / 2), String(repeating: "é", count: limit), String(repeating: "é", count: limit + 1),
                      String(repeating: "日", count: limit - 1) + "a", String(repeating: "e\u{301}", count: limit / 2 + 1)]
        var rng = SplitMix(seed: 1617)
        let pieces = ["a", "é", "日", "\u{301}", "😀", " ", "\n"]
        for _ in 0..<300 {
            let length = limit / 4 + Int(rng.next() % UInt64(limit))
            inputs.append((0..<length).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined())
        }
        for text in inputs {
            XCTAssertEqual(TextReporter.capped(text), TextReporter.cappedGeneral(text), "\(text.utf8.count) bytes")
        }
    }

    /// `repeated` (fast path: an ASCII byte written in place) against its general path.
    func testRepeatedFastPathMatchesGeneral() {
        var rng = SplitMix(seed: 1618)
        var cases: [(UInt8, Int)] = [(32, 0), (32, -3), (32, 1), (126, 1), (126, 200), (0, 3), (127, 5), (0x80, 2), (0xFF, 3)]
        for _ in 0..<500 { cases.append((UInt8(truncatingIfNeeded: rng.next()), Int(rng.next() % 300) - 5)) }
        for (byte, count) in cases {
            let fast = TextReporter.repeated(byte, count)
            XCTAssertEqual(fast, TextReporter.repeatedGeneral(byte, count), "byte \(byte) x \(count)")
            XCTAssertEqual(Array(fast.utf8), Array(TextReporter.repeatedGeneral(byte, count).utf8), "byte \(byte) x \(count)")
        }
    }
}

/// A small deterministic generator (SplitMix64) for the random inputs.
private typealias SplitMix = SplitMix64
