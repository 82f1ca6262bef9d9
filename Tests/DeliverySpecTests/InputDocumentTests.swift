import DeliverySpec
import Foundation
import XCTest

/// One loader decides what a file is, for every command.
final class InputDocumentTests: ScratchDirectoryTestCase {
    func testKindsByTopLevelKeysOnly() {
        func kind(_ text: String, _ path: String = "x.json") -> InputKind { InputDocument.kind(of: Array(text.utf8), path: path) }
        XCTAssertEqual(kind(#"{"dspec": 1, "name": "a"}"#), .deliverySpec)
        XCTAssertEqual(kind(#"{"integration": "custom_webhook", "config": {}}"#), .customWebhook)
        XCTAssertEqual(kind(#"{"plan_version": 1, "name": "a"}"#), .plan)
        XCTAssertEqual(kind(#"{"dspec": 1, "x-history": {"plan_version": 3}, "description": "\"plan_version\""}"#), .deliverySpec)
        XCTAssertEqual(kind(#"{"spec": "a.json", "cases": []}"#), .suite)
        XCTAssertEqual(kind(#"{"method": "POST", "url": "https://x"}"#), .other)
        XCTAssertEqual(kind(#"{"dspec": 1,"#), .notJSON)
    }

    func testTestRefusesAPlanAndSaysWhatToPassInstead() throws {
        let plan = dir.appendingPathComponent("cw.plan.json").path
        XCTAssertEqual(try CLIRunner.run(["compile", "specs/examples/custom-webhook.json", "-o", plan]).status, 0)
        let r = try CLIRunner.run(["test", plan])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("is a compiled plan"), r.stderr)
        XCTAssertTrue(r.stderr.contains("not a suite or a spec"), r.stderr)
        XCTAssertTrue(r.stderr.contains("pass the spec this plan was compiled from"), r.stderr)
        XCTAssertFalse(r.stderr.contains("error["), "no misleading spec errors: \(r.stderr)")
        let lint = try CLIRunner.run(["lint", plan])
        XCTAssertEqual(lint.status, 1)
        XCTAssertTrue(lint.stdout.contains("this is a compiled plan"), lint.stdout)
        XCTAssertEqual(lint.stdout.components(separatedBy: "error[").count, 2, "exactly one finding: \(lint.stdout)")
    }

    /// `deliver` took any file containing the text "plan_version" for a plan.
    func testASpecMentioningPlanVersionIsASpecForEveryCommand() throws {
        let examples = CLIRunner.repositoryRoot.appendingPathComponent("specs/examples")
        var text = try String(contentsOf: examples.appendingPathComponent("custom-webhook.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"dspec\": 1,", with: "\"dspec\": 1,\n  \"x-history\": {\"plan_version\": 3},")
        let spec = dir.appendingPathComponent("cw.json")
        try Data(text.utf8).write(to: spec)
        for suffix in [".events.ndjson", ".secrets.json", ".settings.json"] {
            try FileManager.default.copyItem(at: examples.appendingPathComponent("custom-webhook" + suffix), to: dir.appendingPathComponent("cw" + suffix))
        }
        let deliver = try CLIRunner.run(["deliver", spec.path, "--events", dir.appendingPathComponent("cw.events.ndjson").path,
                                         "--secrets", dir.appendingPathComponent("cw.secrets.json").path, "--dry-run"])
        XCTAssertEqual(deliver.status, 0, deliver.stderr)
        XCTAssertTrue(deliver.stdout.contains("dry run:"), deliver.stdout)
        let diff = try CLIRunner.run(["diff", "specs/examples/custom-webhook.json", spec.path])
        XCTAssertEqual(diff.status, 0, diff.stderr)
        let lint = try CLIRunner.run(["lint", spec.path])
        XCTAssertEqual(lint.status, 0, lint.stdout)
    }
}
