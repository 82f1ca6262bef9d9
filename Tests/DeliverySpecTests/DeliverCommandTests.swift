import DeliverySpec
import Foundation
import XCTest

/// `dspec deliver` end to end: the CLI, the real URLSession transport and the mock vendor on loopback.
final class DeliverCommandTests: ScratchDirectoryTestCase {
    /// A spec aimed at the mock (http is allowed for loopback hosts).
    func spec(port: Int) throws -> String {
        try write("loopback.json", """
        {"dspec": 1, "name": "loopback", "secrets": {"token": {}, "signing_key": {}},
         "endpoint": {"url": "http://127.0.0.1:\(port)/v1/events", "timeout_ms": 2000},
         "auth": {"type": "bearer", "token": "{{@secrets.token}}"},
         "signing": {"preset": "github", "secret": "{{@secrets.signing_key}}"},
         "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}, "name": {"@path": "event"}}},
         "batching": {"max_events": 2, "max_wait_ms": 50},
         "response": {"error_message": "/error/message", "retry": {"max_attempts": 2, "initial_backoff_ms": 10, "max_backoff_ms": 20}}}
        """)
    }

    func events(_ n: Int) throws -> String {
        try write("events.ndjson", (1...n).map { #"{"type": "track", "event": "E\#($0)", "event_id": "e\#($0)"}"# }.joined(separator: "\n") + "\n")
    }

    func testDeliversEverythingToTheMockWithValidAuthAndSignatures() throws {
        let secrets: [String: String] = ["token": "tok-123456", "signing_key": "key-123456"]
        let server = try MockServer.start(scenario: MockScenario(json: #"{"routes": [{"path": "/v1/events", "response": {"status": 200}}]}"#))
        defer { server.stop() }
        let specPath = try spec(port: server.port)
        let source = try SourceLoader.load(specPath)
        let plan = try XCTUnwrap(SpecCompiler().compile(source, diagnostics: DiagnosticCollector(source: source)).plan)
        server.reset(to: try MockScenario(json: #"{"routes": [{"path": "/v1/events", "response": {"status": 200}}]}"#),
                     verifier: MockVerifier(plan: plan, secrets: secrets, settings: [:]))
        let secretsPath = try write("secrets.json", #"{"token": "tok-123456", "signing_key": "key-123456"}"#)
        let r = try CLIRunner.run(["deliver", specPath, "--events", try events(5), "--secrets", secretsPath, "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let summary = try JSONParser().parseValue(r.stdout)
        XCTAssertEqual(summary["delivered"], 5, r.stdout)
        let journal = server.journal
        XCTAssertEqual(journal.count, 3, "5 events in batches of at most 2")
        XCTAssertTrue(journal.allSatisfy { $0.failedChecks.isEmpty }, "\(journal.map(\.failedChecks))")
        XCTAssertFalse(r.stdout.contains("tok-123456") || r.stderr.contains("tok-123456"), "no secret in output")
    }

    func testDeadLettersCarryStatusAndParsedErrorAndExitOne() throws {
        let server = try MockServer.start(scenario: MockScenario(json: #"{"routes": [{"response": {"status": 400, "body": {"error": {"message": "bad field"}}}}]}"#))
        defer { server.stop() }
        let deadLetters = dir.appendingPathComponent("dead.ndjson").path
        let r = try CLIRunner.run(["deliver", try spec(port: server.port), "--events", try events(3),
                                   "--secrets", try write("secrets.json", #"{"token": "t-1", "signing_key": "k-1"}"#), "--dead-letter", deadLetters])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        let lines = try String(contentsOfFile: deadLetters, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        let first = try JSONParser().parseValue(String(lines[0]))
        XCTAssertEqual(first["status"], 400)
        XCTAssertTrue(JSONWriter.string(first).contains("bad field"), "parsed error message kept: \(first)")
        XCTAssertEqual(server.journal.count, 2, "400 is dropped, not retried")
    }

    func testDryRunPrintsRequestsWithoutSending() throws {
        let r = try CLIRunner.run(["deliver", "specs/examples/custom-webhook.json", "--events", "specs/examples/custom-webhook.events.ndjson",
                                   "--secrets", "specs/examples/custom-webhook.secrets.json", "--dry-run"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("POST https://hooks.example.com/events"), r.stdout)
        XCTAssertTrue(r.stdout.contains("X-Signature-256: sha256="), r.stdout)
    }

    func testUsageErrors() throws {
        XCTAssertEqual(try CLIRunner.run(["deliver", "specs/examples/custom-webhook.json"]).status, 2)
        XCTAssertEqual(try CLIRunner.run(["deliver", "specs/examples/custom-webhook.json", "--events", "no-such.ndjson"]).status, 2)
        XCTAssertEqual(try CLIRunner.run(["deliver", "specs/invalid/http-endpoint.json", "--events", "specs/examples/custom-webhook.events.ndjson"]).status, 2)
        let base = ["deliver", "specs/examples/custom-webhook.json", "--events", "specs/examples/custom-webhook.events.ndjson",
                    "--secrets", "specs/examples/custom-webhook.secrets.json", "--dry-run"]
        let unknown = try CLIRunner.run(base + ["--ordering", "sometimes"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("expected strict or none"), unknown.stderr)
        XCTAssertEqual(try CLIRunner.run(base + ["--ordering", "none", "--ordered"]).status, 2)
        XCTAssertEqual(try CLIRunner.run(base + ["--ordering", "strict"]).status, 0)
    }

    /// The send time in a dry run is the attempt's, not the fixture clock's.
    func testDryRunSendsTheCurrentSendTime() throws {
        let r = try CLIRunner.run(["deliver", "specs/examples/acme-conversions.json", "--events", "specs/examples/acme-conversions.events.ndjson",
                                   "--settings", "specs/examples/acme-conversions.settings.json", "--secrets", "specs/examples/acme-conversions.secrets.json",
                                   "--dry-run", "--ordering", "none"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains(#""event_name":"Purchase""#), r.stdout)
        XCTAssertFalse(r.stdout.contains("2026-01-01T00:00:00.000Z"), "a live run carries the real send time: \(r.stdout)")
        XCTAssertTrue(r.stdout.range(of: #""sent_at":"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z""#, options: .regularExpression) != nil, r.stdout)
    }
}
