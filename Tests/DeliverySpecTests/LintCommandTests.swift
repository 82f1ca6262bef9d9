import DeliverySpec
import Foundation
import XCTest

final class LintCommandTests: XCTestCase {
    func testExamplesLintCleanAndExitZero() throws {
        let r = try CLIRunner.run(["lint", "specs/examples"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("0 errors, 0 warnings"), r.stdout)
        XCTAssertFalse(r.stdout.contains("\u{1B}["), "no colour when not on a terminal")
    }

    /// The acceptance check: every invalid case prints its code at the right line and
    /// column and exits 1 (with --strict for warning-only cases).
    func testEveryInvalidSpecFailsWithItsCodeAtItsPosition() throws {
        let dir = CLIRunner.repositoryRoot.appendingPathComponent("specs/invalid")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".expected.json") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 30)
        for name in names {
            let expected = try JSONParser().parseValue([UInt8](Data(contentsOf: dir.appendingPathComponent(name))))
            let spec = "specs/invalid/" + name.replacingOccurrences(of: ".expected.json", with: ".json")
            var args = ["lint", spec]
            if expected["strict"]?.boolValue == true { args.append("--strict") }
            let r = try CLIRunner.run(args)
            // A hint case reports a note, which never fails lint.
            XCTAssertEqual(r.status, expected["hint"]?.boolValue == true ? 0 : 1, "\(spec): \(r.stdout)\(r.stderr)")
            for e in expected["expect"]?.arrayValue ?? [] {
                let line = e["line"]!.numberValue!.text, column = e["column"]!.numberValue!.text, code = e["code"]!.stringValue!
                XCTAssertTrue(r.stdout.contains("\(spec):\(line):\(column): "), "\(spec): expected position \(line):\(column) in\n\(r.stdout)")
                XCTAssertTrue(r.stdout.contains("[\(code)]"), "\(spec): expected \(code) in\n\(r.stdout)")
            }
            XCTAssertFalse(r.stderr.contains("Fatal error"), spec)
        }
    }

    func testTextOutputShowsSourceLineCaretHintAndSuggestion() throws {
        let r = try CLIRunner.run(["lint", "specs/invalid/invalid-method.json"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("specs/invalid/invalid-method.json:7:15: error[DS0104]:"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\"method\": \"POTS\""), "source line shown")
        XCTAssertTrue(r.stdout.contains("^~~~~"), "caret under the token")
        XCTAssertTrue(r.stdout.contains("= at: /endpoint/method"))
        XCTAssertTrue(r.stdout.contains("= did you mean: POST"))
    }

    func testJSONFormatIsParseableAndComplete() throws {
        let r = try CLIRunner.run(["lint", "specs/invalid/http-endpoint.json", "--format", "json"])
        XCTAssertEqual(r.status, 1)
        let doc = try JSONParser().parseValue(r.stdout)
        XCTAssertEqual(doc["summary"]?["errors"], 1)
        let d = try XCTUnwrap(doc["diagnostics"]?.arrayValue?.first)
        XCTAssertEqual(d["code"], "DS0201")
        XCTAssertEqual(d["rule"], "https-required")
        XCTAssertEqual(d["line"], 8)
        XCTAssertEqual(d["column"], 12)
        XCTAssertEqual(d["pointer"], "/endpoint/url")
        XCTAssertEqual(d["suggestion"], "https://api.acme.example/v1/events")
    }

    func testMissingPathIsAUsageError() throws {
        let r = try CLIRunner.run(["lint", "no/such/spec.json"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("no/such/spec.json: no such file or directory"), r.stderr)
    }

    func testNonJSONInputFailsCleanly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = dir.appendingPathComponent("garbage.json")
        try Data([0x7F, 0x45, 0x4C, 0x46, 0x00, 0xFF, 0xFE]).write(to: binary)
        let r = try CLIRunner.run(["lint", binary.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("error[DS0001]"), r.stdout)
        XCTAssertFalse((r.stdout + r.stderr).contains("Fatal error"))
        let yaml = dir.appendingPathComponent("spec.json")
        try Data("name: acme\nendpoint: {}\n".utf8).write(to: yaml)
        let y = try CLIRunner.run(["lint", yaml.path])
        XCTAssertEqual(y.status, 1)
        XCTAssertTrue(y.stdout.contains(":1:1: error[DS0001]"), y.stdout)
    }

    func testStrictTurnsWarningsIntoFailure() throws {
        XCTAssertEqual(try CLIRunner.run(["lint", "specs/invalid/unused-secret.json"]).status, 0)
        XCTAssertEqual(try CLIRunner.run(["lint", "specs/invalid/unused-secret.json", "--strict"]).status, 1)
    }

    func testUsageErrors() throws {
        let r = try CLIRunner.run(["lint", "--formt", "json", "specs/examples"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("unknown option --formt"), r.stderr)
        XCTAssertEqual(try CLIRunner.run(["lint"]).status, 2)
        XCTAssertEqual(try CLIRunner.run(["lint", "--format", "xml", "specs"]).status, 2)
        let unknown = try CLIRunner.run(["lnt"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("did you mean \"lint\""), unknown.stderr)
    }
}
