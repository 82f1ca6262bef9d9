import DeliverySpec
import Foundation
import XCTest

/// `dspec diff` says when it did not compare requests, and reads NDJSON like every command.
final class DiffWireNoteTests: ScratchDirectoryTestCase {
    private let examples = CLIRunner.repositoryRoot.appendingPathComponent("specs/examples")

    override func setUpWithError() throws {
        try super.setUpWithError()
        // The spec alone: no companion events file to fall back on.
        try FileManager.default.copyItem(at: examples.appendingPathComponent("custom-webhook.json"), to: dir.appendingPathComponent("cw.json"))
    }

    func testEveryFormatSaysTheWireDiffWasSkippedWithoutEvents() throws {
        let spec = dir.appendingPathComponent("cw.json").path
        for format in ["text", "json", "markdown", "github"] {
            let r = try CLIRunner.run(["diff", spec, spec, "--format", format])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("wire diff skipped: no events; pass --events FILE"), "\(format): \(r.stdout)")
        }
        let json = try JSONParser().parseValue(try CLIRunner.run(["diff", spec, spec, "--format", "json"]).stdout)
        XCTAssertEqual(json["wire_diff"], "skipped")
        let markdown = try CLIRunner.run(["diff", spec, spec, "--format", "markdown"]).stdout
        XCTAssertFalse(markdown.contains("No changes on the wire"), "the wire was not compared: \(markdown)")
        let withEvents = try CLIRunner.run(["diff", spec, spec, "--format", "json", "--events", "specs/examples/custom-webhook.events.ndjson",
                                            "--secrets", "specs/examples/custom-webhook.secrets.json"])
        XCTAssertEqual(try JSONParser().parseValue(withEvents.stdout)["wire_diff"], "compared", withEvents.stdout + withEvents.stderr)
        XCTAssertFalse(withEvents.stdout.contains("wire diff skipped"))
    }

    /// U+2028, U+2029 and U+0085 are legal raw in JSON strings; only \n ends an NDJSON line.
    func testUnicodeLineSeparatorsInsideStringsAreData() throws {
        let event = #"{"type": "track", "event": "Order Completed", "event_id": "e1", "user_id": "u1", "context": {"consent": {"categories": ["analytics"]}}, "properties": {"total": 1, "note": "a\#u{2028}b\#u{2029}c\#u{85}d"}}"#
        let events = dir.appendingPathComponent("sep.ndjson")
        try Data((event + "\r\n" + event.replacingOccurrences(of: "e1", with: "e2") + "\n").utf8).write(to: events)
        let spec = dir.appendingPathComponent("cw.json").path
        let secrets = "specs/examples/custom-webhook.secrets.json"
        let diff = try CLIRunner.run(["diff", spec, spec, "--events", events.path, "--secrets", secrets, "--format", "json"])
        XCTAssertEqual(diff.status, 0, diff.stderr)
        XCTAssertEqual(try JSONParser().parseValue(diff.stdout)["wire_diff"], "compared", diff.stdout)
        let render = try CLIRunner.run(["render", spec, "--events", events.path, "--secrets", secrets, "-o", dir.appendingPathComponent("out").path])
        XCTAssertEqual(render.status, 0, render.stderr)
        let deliver = try CLIRunner.run(["deliver", spec, "--events", events.path, "--secrets", secrets, "--dry-run"])
        XCTAssertEqual(deliver.status, 0, deliver.stderr)
        XCTAssertTrue(deliver.stdout.contains("2 events rendered"), deliver.stdout)
    }
}
