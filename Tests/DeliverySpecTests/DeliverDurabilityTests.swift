import DeliverySpec
import Foundation
import XCTest

/// `dspec deliver` when its own files fail or do not match: issue 11 defects 1, 5 and 6.
final class DeliverDurabilityTests: ScratchDirectoryTestCase {
    /// A spec aimed at an in-process mock that answers 200 to everything.
    func spec(port: Int) throws -> String {
        try write("loopback.json", """
        {"dspec": 1, "name": "loopback", "secrets": {"token": {}},
         "endpoint": {"url": "http://127.0.0.1:\(port)/v1/events", "timeout_ms": 2000},
         "auth": {"type": "bearer", "token": "{{@secrets.token}}"},
         "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}}},
         "response": {"retry": {"max_attempts": 2, "initial_backoff_ms": 10, "max_backoff_ms": 20}}}
        """)
    }

    func startMock() throws -> MockServer {
        try MockServer.start(scenario: MockScenario(json: #"{"routes": [{"path": "/v1/events", "response": {"status": 200}}]}"#))
    }

    func testUnwritableDeadLetterFileStopsWithExitTwoAndTheRerunDeadLettersTheEventAgain() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("/dev/full is missing on this system") }
        let server = try startMock()
        defer { server.stop() }
        let specPath = try spec(port: server.port)
        let secrets = try write("secrets.json", #"{"token": "t-1"}"#)
        let events = try write("events.ndjson", #"{"type": "track", "event_id": "e1"}"# + "\n{oops\n" + #"{"type": "track", "event_id": "e3"}"# + "\n")
        let checkpoint = dir.appendingPathComponent("run.ckpt").path
        let first = try CLIRunner.run(["deliver", specPath, "--events", events, "--secrets", secrets, "--dead-letter", "/dev/full", "--checkpoint", checkpoint])
        XCTAssertEqual(first.status, 2, first.stdout + first.stderr)
        XCTAssertTrue(first.stderr.contains("dspec deliver: I/O error: /dev/full: cannot write the dead-letter file: No space left on device (errno 28)."), first.stderr)
        let deadLetters = dir.appendingPathComponent("dead.ndjson").path
        let second = try CLIRunner.run(["deliver", specPath, "--events", events, "--secrets", secrets, "--dead-letter", deadLetters, "--checkpoint", checkpoint])
        XCTAssertEqual(second.status, 1, second.stdout + second.stderr)
        let letters = try String(contentsOfFile: deadLetters, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(letters.count, 1, "the event whose dead letter was lost is dead-lettered by the rerun")
        XCTAssertTrue(letters.first?.hasPrefix(#"{"line":2,"#) ?? false, "\(letters)")
    }
}

extension DeliverDurabilityTests {
    func testACheckpointReusedWithAnotherEventsFileIsRefused() throws {
        let server = try startMock()
        defer { server.stop() }
        let specPath = try spec(port: server.port)
        let secrets = try write("secrets.json", #"{"token": "t-1"}"#)
        let a = try write("a.ndjson", (1...3).map { #"{"type": "track", "event_id": "a\#($0)"}"# }.joined(separator: "\n") + "\n")
        let b = try write("b.ndjson", (1...3).map { #"{"type": "track", "event_id": "b\#($0)"}"# }.joined(separator: "\n") + "\n")
        let checkpoint = dir.appendingPathComponent("run.ckpt").path
        let first = try CLIRunner.run(["deliver", specPath, "--events", a, "--secrets", secrets, "--checkpoint", checkpoint])
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        let second = try CLIRunner.run(["deliver", specPath, "--events", b, "--secrets", secrets, "--checkpoint", checkpoint, "--format", "json"])
        XCTAssertEqual(second.status, 2, second.stdout + second.stderr)
        XCTAssertTrue(second.stderr.contains("this checkpoint was written for the input"), second.stderr)
        XCTAssertEqual(server.journal.count, 3, "nothing of b was sent")
        // A corrupt record is refused too, instead of skipping everything.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: checkpoint))
        handle.seekToEndOfFile()
        handle.write(Data("1-99999999999\n".utf8))
        handle.closeFile()
        let third = try CLIRunner.run(["deliver", specPath, "--events", a, "--secrets", secrets, "--checkpoint", checkpoint])
        XCTAssertEqual(third.status, 2, third.stdout + third.stderr)
        XCTAssertTrue(third.stderr.contains("corrupt checkpoint record \"1-99999999999\""), third.stderr)
    }
}

extension DeliverDurabilityTests {
    func testADirectoryAsEventsIsAnIOErrorNotAnEmptyInput() throws {
        let server = try startMock()
        defer { server.stop() }
        let r = try CLIRunner.run(["deliver", try spec(port: server.port), "--events", dir.path, "--secrets", try write("secrets.json", #"{"token": "t-1"}"#)])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("dspec deliver: I/O error: \(dir.path): cannot read the events after line 0: Is a directory (errno 21)"), r.stderr)
    }
}
