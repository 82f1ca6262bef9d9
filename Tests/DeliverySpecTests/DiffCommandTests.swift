import DeliverySpec
import Foundation
import XCTest

final class DiffCommandTests: XCTestCase {
    func examples() throws -> [String] {
        let dir = CLIRunner.repositoryRoot.appendingPathComponent("specs/examples")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter(SpecFileDiscovery.isSpecFile).sorted().map { "specs/examples/" + $0 }
    }

    func testEveryExampleAgainstItselfReportsNothing() throws {
        let specs = try examples()
        XCTAssertGreaterThanOrEqual(specs.count, 9)
        for spec in specs {
            let r = try CLIRunner.run(["diff", spec, spec, "--fail-on", "any"])
            XCTAssertEqual(r.status, 0, "\(spec): \(r.stdout)\(r.stderr)")
            XCTAssertTrue(r.stdout.hasPrefix("no changes"), "\(spec): \(r.stdout)")
        }
    }

    func testBreakingChangeFailsTheGateInEveryFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try String(contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("specs/examples/custom-webhook.json"), encoding: .utf8)
        let edited = dir.appendingPathComponent("custom-webhook.json")
        try original.replacingOccurrences(of: "X-Signature-256", with: "X-Sig").write(to: edited, atomically: true, encoding: .utf8)
        for format in ["text", "json", "markdown", "github"] {
            let r = try CLIRunner.run(["diff", "specs/examples/custom-webhook.json", edited.path, "--format", format,
                                       "--events", "specs/examples/custom-webhook.events.ndjson", "--secrets", "specs/examples/custom-webhook.secrets.json"])
            XCTAssertEqual(r.status, 1, "\(format): \(r.stdout)\(r.stderr)")
            XCTAssertTrue(r.stdout.contains("signing.scheme-changed"), "\(format): \(r.stdout)")
        }
        let json = try JSONParser().parseValue(try CLIRunner.run(["diff", "specs/examples/custom-webhook.json", edited.path, "--format", "json",
                                                                  "--events", "specs/examples/custom-webhook.events.ndjson", "--secrets", "specs/examples/custom-webhook.secrets.json"]).stdout)
        XCTAssertEqual(json["highest"], "breaking")
        XCTAssertTrue(json["changes"]?.arrayValue?.contains { $0["rule"] == "wire.header-removed" } ?? false, "wire diff sees the old header gone")
        XCTAssertEqual(try CLIRunner.run(["diff", "specs/examples/custom-webhook.json", edited.path, "--fail-on", "never"]).status, 0)
    }

    func testGitRevisionInputs() throws {
        let head = try CLIRunner.run(["diff", "git:HEAD:specs/examples/custom-webhook.json", "specs/examples/custom-webhook.json"])
        guard !head.stderr.contains("git show failed") && !head.stderr.contains("cannot run git") else { throw XCTSkip("no git history here: \(head.stderr)") }
        XCTAssertEqual(head.status, 0, head.stdout + head.stderr)
        let bad = try CLIRunner.run(["diff", "git:no-such-rev:specs/examples/custom-webhook.json", "specs/examples/custom-webhook.json"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("git show failed"), bad.stderr)
    }

    func testUsageErrors() throws {
        XCTAssertEqual(try CLIRunner.run(["diff", "specs/examples/custom-webhook.json"]).status, 2)
        XCTAssertEqual(try CLIRunner.run(["diff", "a.json", "b.json"]).status, 2)
        XCTAssertEqual(try CLIRunner.run(["diff", "specs/examples/custom-webhook.json", "specs/invalid/http-endpoint.json"]).status, 2)
        XCTAssertEqual(try CLIRunner.run(["diff", "specs/examples/custom-webhook.json", "specs/examples/custom-webhook.json", "--fail-on", "maybe"]).status, 2)
    }

    func testDiffRulesDocCoversEveryRule() throws {
        let doc = try String(contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("docs/diff-rules.md"), encoding: .utf8)
        for id in DiffRuleTable.ids { XCTAssertTrue(doc.contains("`\(id)`"), "docs/diff-rules.md lacks \(id)") }
    }
}
