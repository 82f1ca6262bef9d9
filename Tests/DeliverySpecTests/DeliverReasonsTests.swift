import DeliverySpec
import Foundation
import XCTest

/// The end of every `dspec deliver` run says why events failed: dead-letter and retry reasons
/// grouped with counts, with or without `--dead-letter`, and where the dead letters went.
final class DeliverReasonsTests: ScratchDirectoryTestCase {
    private func spec(port: Int) throws -> String {
        try write("spec.json", """
        {"dspec": 1, "name": "reasons", "secrets": {"token": {}},
         "endpoint": {"url": "http://127.0.0.1:\(port)/v1/events?key={{@secrets.token}}", "timeout_ms": 5000},
         "auth": {"type": "bearer", "token": "{{@secrets.token}}"},
         "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}}},
         "response": {"error_message": "/error/message", "retry": {"max_attempts": 3, "initial_backoff_ms": 1, "max_backoff_ms": 2}}}
        """)
    }

    private func events(_ n: Int) throws -> String {
        try write("events.ndjson", (1...n).map { #"{"type": "track", "event": "E", "event_id": "e\#($0)"}"# }.joined(separator: "\n") + "\n")
    }

    /// A loopback port with nothing listening: bound, then closed.
    private func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw XCTSkip("cannot bind a loopback port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func testClosedPortGroupsConnectionRefusedWithoutADeadLetterFile() throws {
        let port = try closedPort()
        let r = try CLIRunner.run(["deliver", try spec(port: port), "--events", try events(3), "--secrets", try write("secrets.json", #"{"token": "tok-SECRET-1"}"#)])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("""
            dead-letter reasons:
              3 x connection refused (127.0.0.1:\(port))
            retry reasons:
              6 x connection refused (127.0.0.1:\(port))
            dead letters not kept (pass --dead-letter FILE to keep them)

            """), r.stdout)
        XCTAssertFalse(r.stdout.contains("tok-SECRET-1"), "the URL's query (a secret here) is never shown")
    }

    func testHTTP400IsGroupedWithTheVendorMessageAndTheDeadLetterFileIsNamed() throws {
        let server = try MockServer.start(scenario: MockScenario(json: #"{"routes": [{"response": {"status": 400, "body": {"error": {"message": "payload rejected"}}}}]}"#))
        defer { server.stop() }
        let deadLetters = dir.appendingPathComponent("dead.ndjson").path
        let args = ["deliver", try spec(port: server.port), "--events", try events(2), "--secrets", try write("secrets.json", #"{"token": "t-1"}"#),
                    "--dead-letter", deadLetters]
        let r = try CLIRunner.run(args)
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("dead-letter reasons:\n  2 x HTTP 400: payload rejected\ndead letters written to \(deadLetters)\n"), r.stdout)
        XCTAssertFalse(r.stdout.contains("retry reasons"), "a drop is not retried: \(r.stdout)")

        let json = try CLIRunner.run(args + ["--format", "json"])
        let summary = try JSONParser().parseValue(json.stdout)
        XCTAssertEqual(summary["dead_letter_reasons"], .array([.object(JSONObject([("reason", "HTTP 400: payload rejected"), ("count", 2)]))]), json.stdout)
        XCTAssertEqual(summary["retry_reasons"], .array([]), json.stdout)
        XCTAssertEqual(summary["dead_letter_file"], .string(deadLetters), json.stdout)
    }

    func testRetriedThenDeliveredShowsOnlyRetryReasons() throws {
        let server = try MockServer.start(scenario: MockScenario(json: #"{"routes": [{"responses": [{"status": 503, "body": {"error": {"message": "try later"}}}, {"status": 200}]}]}"#))
        defer { server.stop() }
        let r = try CLIRunner.run(["deliver", try spec(port: server.port), "--events", try events(1), "--secrets", try write("secrets.json", #"{"token": "t-1"}"#)])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasSuffix("retry reasons:\n  1 x HTTP 503: try later\n"), r.stdout)
    }
}
