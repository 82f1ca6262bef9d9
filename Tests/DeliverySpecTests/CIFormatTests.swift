import DeliverySpec
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// The CI-facing formats: SARIF validates against the 2.1.0 schema and keeps fingerprints
/// across unrelated edits; GitHub annotations parse back; JUnit is well-formed XML.
final class CIFormatTests: XCTestCase {
    func lint(_ text: String, path: String = "specs/acme.json") -> [LintFileResult] {
        [LintRunner().lint(SourceFile(path: path, text: text))]
    }

    let broken = """
    {
      "dspec": 1,
      "name": "acme-events",
      "secrets": {"api_key": {}},
      "endpoint": {"url": "http://api.acme.example/v1/events"},
      "auth": {"type": "bearer", "token": "{{@secrets.api_kye}}"},
      "payload": {"format": "canonical"}
    }
    """

    func testSARIFValidatesAgainstTheOfficialSchema() throws {
        let schema = CLIRunner.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/sarif-2.1.0/sarif-schema-2.1.0.json")
        guard FileManager.default.fileExists(atPath: schema.path) else { throw XCTSkip("SARIF schema not found at \(schema.path)") }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", "import jsonschema"]
        try python.run()
        python.waitUntilExit()
        guard python.terminationStatus == 0 else { throw XCTSkip("python3 with jsonschema not available") }

        let sarif = SARIFReporter(toolVersion: "test").format(lint(broken))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-\(UUID().uuidString).sarif")
        try Data(sarif.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1])); log = json.load(open(sys.argv[2]))
            jsonschema.Draft4Validator.check_schema(schema)
            errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))
            for e in errors: print(list(e.path), e.message)
            sys.exit(1 if errors else 0)
            """, schema.path, file.path]
        let out = Pipe()
        check.standardOutput = out
        try check.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        XCTAssertEqual(check.terminationStatus, 0, text)

        let log = try JSONParser().parseValue(sarif)
        let run = try XCTUnwrap(log["runs"]?.arrayValue?.first)
        XCTAssertEqual(run["tool"]?["driver"]?["rules"]?.arrayValue?.count, RuleCatalog.all.count)
        let results = try XCTUnwrap(run["results"]?.arrayValue)
        XCTAssertEqual(Set(results.compactMap { $0["ruleId"]?.stringValue }), ["DS0201", "DS0301", "DS0302"])
        let region = results.first { $0["ruleId"] == "DS0201" }?["locations"]?.arrayValue?.first?["physicalLocation"]?["region"]
        XCTAssertEqual(region?["startLine"], 5)
        XCTAssertEqual(region?["startColumn"], 23)
        XCTAssertEqual(results.first?["locations"]?.arrayValue?.first?["physicalLocation"]?["artifactLocation"]?["uri"], "specs/acme.json")
    }

    /// SARIF 2.1.0 §3.4.3: a `uri` with a `uriBaseId` is a relative reference; a file outside
    /// the source root gets an absolute `file:///` URI and no base id. Checked with the official
    /// schema and, since jsonschema checks no URI format here, with Python's urllib.
    func testSARIFURIsAreRelativeUnderTheRootAndFileURIsOutsideIt() throws {
        let schema = CLIRunner.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/sarif-2.1.0/sarif-schema-2.1.0.json")
        guard FileManager.default.fileExists(atPath: schema.path) else { throw XCTSkip("SARIF schema not found at \(schema.path)") }
        // (path as given, the file's absolute path, expected uriBaseId)
        let cases: [(String, String, Bool)] = [
            ("specs/acme.json", "/work/repo/specs/acme.json", true),
            ("./specs/a b#1.json", "/work/repo/specs/a b#1.json", true),
            ("/work/repo/specs/in-tree.json", "/work/repo/specs/in-tree.json", true),
            ("/tmp/outside dir/caf\u{e9}?x:1%.json", "/tmp/outside dir/caf\u{e9}?x:1%.json", false),
            ("../other/spec.json", "/work/other/spec.json", false),
            ("a:b.json", "/work/repo/a:b.json", true),
        ]
        var results: [LintFileResult] = []
        for (path, _, _) in cases { results += lint(broken, path: path) }
        let sarif = SARIFReporter(toolVersion: "test", sourceRoot: "/work/repo").format(results)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-\(UUID().uuidString).sarif")
        try Data(sarif.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let expected = cases.map { "\($0.1)\t\($0.2 ? "base" : "absolute")" }.joined(separator: "\n")
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", """
            import json, sys, posixpath
            from urllib.parse import urlsplit, unquote
            try:
                import jsonschema
            except ImportError:
                sys.exit(3)
            schema = json.load(open(sys.argv[1])); log = json.load(open(sys.argv[2]))
            errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))
            for e in errors: print(list(e.path), e.message)
            expected = [l.split('\\t') for l in sys.argv[3].split('\\n')]
            seen = []
            for r in log['runs'][0]['results']:
                loc = r['locations'][0]['physicalLocation']['artifactLocation']
                uri = loc['uri']; parts = urlsplit(uri)
                if 'uriBaseId' in loc:
                    # A relative reference: no scheme, no authority, not an absolute path.
                    ok = loc['uriBaseId'] == '%SRCROOT%' and parts.scheme == '' and parts.netloc == '' and not uri.startswith('/') and parts.query == '' and parts.fragment == ''
                    resolved = posixpath.normpath('/work/repo/' + unquote(parts.path))
                    kind = 'base'
                else:
                    ok = parts.scheme == 'file' and parts.netloc == '' and uri.startswith('file:///') and parts.query == '' and parts.fragment == ''
                    resolved = unquote(parts.path)
                    kind = 'absolute'
                if not ok: print('not SARIF 3.4.3:', loc)
                if [resolved, kind] not in seen: seen.append([resolved, kind])
            if seen != expected: print('resolved', seen, 'expected', expected)
            sys.exit(1 if errors or seen != expected else 0)
            """, schema.path, file.path, expected]
        let out = Pipe()
        check.standardOutput = out
        try check.run()
        check.waitUntilExit()
        if check.terminationStatus == 3 { throw XCTSkip("python3 with jsonschema not available") }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(check.terminationStatus, 0, text)
        XCTAssertFalse(text.contains("not SARIF"), text)
    }

    func testFingerprintsSurviveAnUnrelatedLineInsertedAbove() throws {
        let shifted = broken.replacingOccurrences(of: "\"name\": \"acme-events\",", with: "\"name\": \"acme-events\",\n  \"description\": \"added later\",")
        func prints(_ text: String) -> [String: String] {
            let r = lint(text)[0]
            return Dictionary(uniqueKeysWithValues: r.diagnostics.map { ($0.code, Fingerprint.of($0, in: r.document)) })
        }
        let before = prints(broken), after = prints(shifted)
        XCTAssertEqual(before.count, 3)
        XCTAssertEqual(before, after)
        // Changing the offending value changes the fingerprint.
        let changed = prints(broken.replacingOccurrences(of: "http://api.acme", with: "http://api2.acme"))
        XCTAssertNotEqual(before["DS0201"], changed["DS0201"])
        XCTAssertEqual(before["DS0301"], changed["DS0301"])
    }

    func testGitHubAnnotationsParseBackWithEscapes() throws {
        let d = Diagnostic(code: "DS0201", severity: .error, message: "100% wrong: a, b\nnext line", path: "specs/a,b:c.json",
                           location: SourceLocation(line: 3, column: 7, offset: 20), endLocation: SourceLocation(line: 3, column: 12, offset: 25))
        let line = GitHubAnnotationReporter().command(d)
        // Parse the workflow command as the runner does.
        XCTAssertTrue(line.hasPrefix("::error "))
        let body = line.dropFirst("::error ".count)
        let split = try XCTUnwrap(body.range(of: "::"))
        let props = body[..<split.lowerBound].split(separator: ",").map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1)
            return (String(kv[0]), Self.unescape(String(kv[1])))
        }
        let fields = Dictionary(uniqueKeysWithValues: props)
        XCTAssertEqual(fields["file"], "specs/a,b:c.json")
        XCTAssertEqual(fields["line"], "3")
        XCTAssertEqual(fields["col"], "7")
        XCTAssertEqual(fields["endLine"], "3")
        XCTAssertEqual(fields["endColumn"], "12")
        XCTAssertEqual(fields["title"], "DS0201")
        XCTAssertEqual(Self.unescape(String(body[split.upperBound...])), "100% wrong: a, b\nnext line")
        XCTAssertFalse(line.contains("\n"), "one command per line")
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "%0A", with: "\n").replacingOccurrences(of: "%0D", with: "\r")
            .replacingOccurrences(of: "%3A", with: ":").replacingOccurrences(of: "%2C", with: ",").replacingOccurrences(of: "%25", with: "%")
    }

    func testGitHubAnnotationsAreCappedWithASummary() {
        let results = lint(broken)
        let out = GitHubAnnotationReporter(cap: 1).format(results)
        XCTAssertEqual(out.components(separatedBy: "\n").filter { $0.hasPrefix("::error") || $0.hasPrefix("::warning file") }.count, 1)
        XCTAssertTrue(out.contains("2 more findings not annotated"))
    }

    func testJUnitIsWellFormedWithOneCasePerSpecAndRule() throws {
        let results = lint(broken) + [LintRunner().lint(SourceFile(path: "specs/ok.json", text: """
        {"dspec": 1, "name": "ok", "endpoint": {"url": "https://a.example/e"}, "payload": {"format": "canonical"}}
        """))]
        let xml = JUnitReporter().format(results)
        final class Counter: NSObject, XMLParserDelegate {
            var cases: [String] = []
            var failures = 0
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if name == "testcase" { cases.append("\(attributes["classname"] ?? "")#\(attributes["name"] ?? "")") }
                if name == "failure" { failures += 1 }
            }
        }
        let parser = XMLParser(data: Data(xml.utf8))
        let counter = Counter()
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "JUnit output parses: \(parser.parserError.map { "\($0)" } ?? "")")
        XCTAssertEqual(counter.cases.sorted(), ["specs/acme.json#DS0201", "specs/acme.json#DS0301", "specs/acme.json#DS0302", "specs/ok.json#lint"])
        XCTAssertEqual(counter.failures, 2)
    }

    func testBaselineHidesOnlyRecordedFindings() throws {
        let first = lint(broken)
        let baseline = Baseline(results: first)
        XCTAssertEqual(baseline.fingerprints.count, 3)
        let reread = try JSONParser().parseValue(baseline.fileContents)
        XCTAssertEqual(reread["fingerprints"]?.arrayValue?.count, 3)
        // A new finding appears; the old ones stay hidden.
        let edited = broken.replacingOccurrences(of: "\"payload\": {\"format\": \"canonical\"}", with: "\"payload\": {\"format\": \"canonical\"},\n  \"rate_limit\": {\"rps\": 0}")
        let (kept, hidden) = baseline.filter(lint(edited))
        XCTAssertEqual(hidden, 3)
        XCTAssertEqual(kept[0].diagnostics.map(\.code), ["DS0501"])
    }

    func testLintCLIFormatsAndFailOn() throws {
        let sarif = try CLIRunner.run(["lint", "specs/invalid/http-endpoint.json", "--format", "sarif"])
        XCTAssertEqual(sarif.status, 1)
        XCTAssertNoThrow(try JSONParser().parseValue(sarif.stdout))
        XCTAssertEqual(sarif.stderr, "", "machine formats never mixed with progress output")
        XCTAssertEqual(try CLIRunner.run(["lint", "specs/invalid/http-endpoint.json", "--fail-on", "never"]).status, 0)
        XCTAssertEqual(try CLIRunner.run(["lint", "specs/invalid/unused-secret.json", "--fail-on", "warning"]).status, 1)
        XCTAssertEqual(try CLIRunner.run(["lint", "specs/invalid/unused-secret.json", "--fail-on", "error"]).status, 0)
        XCTAssertEqual(try CLIRunner.run(["lint", "specs", "--fail-on", "sometimes"]).status, 2)
        let junit = try CLIRunner.run(["lint", "specs/examples", "--format", "junit"])
        XCTAssertEqual(junit.status, 0)
        XCTAssertTrue(junit.stdout.contains("<testsuites"))
    }

    func testBaselineRoundTripThroughTheCLI() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("baseline-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let write = try CLIRunner.run(["lint", "specs/invalid/http-endpoint.json", "--write-baseline", file.path])
        XCTAssertEqual(write.status, 0, write.stderr)
        let again = try CLIRunner.run(["lint", "specs/invalid/http-endpoint.json", "--baseline", file.path])
        XCTAssertEqual(again.status, 0, again.stdout)
        XCTAssertTrue(again.stderr.contains("1 finding matched the baseline"), again.stderr)
    }
}
