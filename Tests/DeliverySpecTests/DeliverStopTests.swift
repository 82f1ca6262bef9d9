import DeliverySpec
import Foundation
import XCTest

/// SIGINT / SIGTERM during a real `dspec deliver` process against a slow mock: the run stops
/// reading, lets the requests in flight finish, prints its summary, exits 130 / 143, and a
/// rerun with the same checkpoint delivers the rest with nothing lost.
final class DeliverStopTests: ScratchDirectoryTestCase {
    /// One event per request, so every acknowledged line is one request the mock answered.
    private func spec(port: Int) throws -> String {
        try write("slow.json", """
        {"dspec": 1, "name": "slow", "secrets": {"token": {}},
         "endpoint": {"url": "http://127.0.0.1:\(port)/v1/events", "timeout_ms": 60000},
         "auth": {"type": "bearer", "token": "{{@secrets.token}}"},
         "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}}},
         "response": {"retry": {"max_attempts": 2, "initial_backoff_ms": 10, "max_backoff_ms": 20}}}
        """)
    }

    private static let count = 200

    private func events() throws -> String {
        try write("events.ndjson", (1...Self.count).map { #"{"type": "track", "event": "E", "event_id": "e\#($0)"}"# }.joined(separator: "\n") + "\n")
    }

    private static func scenario(delayMs: Int) throws -> MockScenario {
        try MockScenario(json: #"{"routes": [{"path": "/v1/events", "response": {"status": 200, "delay_ms": \#(delayMs)}}]}"#)
    }

    /// Collects a pipe's output as it arrives, so a test can wait for a line.
    final class Collector: @unchecked Sendable {
        private let lock = NSCondition()
        private var data = Data()
        private var closed = false

        /// Reads on a thread of its own with blocking reads, so the end of the output is seen
        /// for certain (an empty read), which a readability handler does not promise.
        init(_ pipe: Pipe) {
            let handle = pipe.fileHandleForReading
            Thread { [self] in
                while true {
                    let chunk = handle.availableData
                    lock.lock()
                    if chunk.isEmpty { closed = true } else { data.append(chunk) }
                    lock.broadcast()
                    lock.unlock()
                    if chunk.isEmpty { return }
                }
            }.start()
        }

        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }

        /// Waits until the output contains `needle` (or ends); the deadline is a watchdog.
        func wait(for needle: String) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            let watchdog = Date().addingTimeInterval(60)
            while !String(decoding: data, as: UTF8.self).contains(needle) {
                if closed || !lock.wait(until: watchdog) { return false }
            }
            return true
        }

        /// Waits for the end of the output.
        func waitForEnd() -> String {
            lock.lock()
            defer { lock.unlock() }
            while !closed { lock.wait() }
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// Starts `dspec deliver` with its output on pipes.
    private func start(_ args: [String]) throws -> (Process, Pipe, Pipe) {
        guard let exe = CLIRunner.executable else { throw XCTSkip("dspec executable not found next to the test bundle") }
        let process = Process()
        process.executableURL = exe
        process.arguments = args
        process.currentDirectoryURL = CLIRunner.repositoryRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    private func finish(_ p: (Process, Pipe, Pipe)) -> CLIRunner.Result {
        let stdout = p.1.fileHandleForReading.readDataToEndOfFile()
        let stderr = p.2.fileHandleForReading.readDataToEndOfFile()
        p.0.waitUntilExit()
        return CLIRunner.Result(status: p.0.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// The event ids of every request the mock received.
    private func receivedIDs(_ server: MockServer) -> [String] {
        server.journal.compactMap { (try? JSONParser().parseValue($0.request.body))?["id"]?.stringValue }
    }

    private func stopAndResume(signal: Int32, expectedExit: Int32, format: String) throws {
        let server = try MockServer.start(scenario: try Self.scenario(delayMs: 200))
        defer { server.stop() }
        let checkpoint = dir.appendingPathComponent("run.ckpt").path
        let args = ["deliver", try spec(port: server.port), "--events", try events(), "--secrets", try write("secrets.json", #"{"token": "t-1"}"#),
                    "--checkpoint", checkpoint, "--concurrency", "2", "--format", format]
        let first = try start(args)
        // State, not time: the signal goes once requests are arriving (the signal sources are
        // installed before the first event is read). 200 events at 200 ms, 2 at a time, would
        // take 20 s; the watchdog only guards against a hang.
        XCTAssertTrue(server.waitForRequests(2, timeoutMs: 60_000), "deliver never sent a request")
        kill(first.0.processIdentifier, signal)
        let r = finish(first)
        XCTAssertEqual(first.0.terminationReason, .exit, "the process ends by itself, not by the signal")
        XCTAssertEqual(r.status, expectedExit, r.stdout + r.stderr)
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        XCTAssertTrue(r.stderr.contains("\(name): no more events are read"), r.stderr)
        let delivered: Int
        if format == "json" {
            let summary = try JSONParser().parseValue(r.stdout)
            XCTAssertEqual(summary["stopped_by"], .string(name), r.stdout)
            XCTAssertEqual(summary["interrupted"], 0, "every request in flight finished within the grace period: \(r.stdout)")
            XCTAssertEqual(summary["dead_lettered"], 0, r.stdout)
            delivered = try XCTUnwrap(summary["delivered"]?.numberValue?.intValue, r.stdout)
        } else {
            XCTAssertTrue(r.stdout.contains("stopped by \(name): input not read to the end; every request in flight finished; rerun with the same --checkpoint"), r.stdout)
            let match = try XCTUnwrap(r.stdout.range(of: #"delivered \d+"#, options: .regularExpression), r.stdout)
            delivered = Int(r.stdout[match].dropFirst("delivered ".count))!
            XCTAssertTrue(r.stdout.contains("dead-lettered 0"), r.stdout)
        }
        XCTAssertGreaterThan(delivered, 0)
        XCTAssertLessThan(delivered, Self.count, "stopped before the end")
        // Every request the mock received was answered before the exit: in-flight requests
        // finished, so each received event is one the run counted as delivered.
        XCTAssertEqual(Set(receivedIDs(server)).count, delivered)

        // The rerun, against a fast mock, delivers the rest: nothing lost, nothing sent twice.
        server.reset(to: try Self.scenario(delayMs: 0))
        let rerun = try CLIRunner.run(Array(args.dropLast(2)) + ["--format", "json"])
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        let summary = try JSONParser().parseValue(rerun.stdout)
        XCTAssertEqual(summary["already_acknowledged"]?.numberValue?.intValue, delivered, rerun.stdout)
        XCTAssertEqual(summary["delivered"]?.numberValue?.intValue, Self.count - delivered, rerun.stdout)
        XCTAssertEqual(Set(receivedIDs(server)).count, Self.count - delivered)
    }

    func testSIGINTStopsGracefullyExits130AndTheRerunFinishes() throws {
        try stopAndResume(signal: SIGINT, expectedExit: 130, format: "text")
    }

    func testSIGTERMStopsGracefullyExits143AndTheRerunFinishes() throws {
        try stopAndResume(signal: SIGTERM, expectedExit: 143, format: "json")
    }

    func testGracePeriodCancelsStalledRequestsAndASecondSIGINTAborts() throws {
        // The mock never answers within the run: the grace period (0 s) runs out and the
        // requests in flight are cancelled, unacknowledged.
        let server = try MockServer.start(scenario: try Self.scenario(delayMs: 600_000))
        defer { server.stop() }
        let checkpoint = dir.appendingPathComponent("stalled.ckpt").path
        let args = ["deliver", try spec(port: server.port), "--events", try events(), "--secrets", try write("secrets.json", #"{"token": "t-1"}"#),
                    "--checkpoint", checkpoint, "--concurrency", "2"]
        let first = try start(args + ["--grace-period", "0"])
        XCTAssertTrue(server.waitForRequests(2, timeoutMs: 60_000), "deliver never sent a request")
        kill(first.0.processIdentifier, SIGINT)
        let r = finish(first)
        XCTAssertEqual(r.status, 130, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("delivered 0, dead-lettered 0"), r.stdout)
        // The two requests on the wire, and the event that waited for a slot when the run was cancelled.
        XCTAssertNotNil(r.stdout.range(of: #"stopped by SIGINT: input not read to the end; [23] events not finished when the grace period ended \(not acknowledged\)"#,
                                       options: .regularExpression), r.stdout)

        // A long grace period, and a second SIGINT: abort at once, still 130.
        let second = try start(args + ["--grace-period", "600"])
        let errors = Collector(second.2)
        XCTAssertTrue(server.waitForRequests(4, timeoutMs: 60_000), "deliver never sent a request")
        kill(second.0.processIdentifier, SIGINT)
        // Two signals sent back to back may merge into one pending signal: send the second
        // once the first was handled.
        XCTAssertTrue(errors.wait(for: "SIGINT: no more events are read"), errors.text)
        kill(second.0.processIdentifier, SIGINT)
        _ = second.1.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.waitForEnd()
        second.0.waitUntilExit()
        XCTAssertEqual(second.0.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("SIGINT again: aborting now"), stderr)

        // Neither stopped run acknowledged anything: a rerun against a fast mock delivers all.
        server.reset(to: try Self.scenario(delayMs: 0))
        let rerun = try CLIRunner.run(args + ["--format", "json"])
        XCTAssertEqual(rerun.status, 0, rerun.stdout + rerun.stderr)
        let summary = try JSONParser().parseValue(rerun.stdout)
        XCTAssertEqual(summary["already_acknowledged"], 0, rerun.stdout)
        XCTAssertEqual(summary["delivered"]?.numberValue?.intValue, Self.count, rerun.stdout)
    }
}
