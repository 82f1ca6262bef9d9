import DeliverySpec
import Foundation
import XCTest

/// Issue 11 "Tools: kill test": the real `dspec deliver` binary delivers 20,000 events to an
/// in-process mock vendor, is killed with SIGKILL five times at different points (after the
/// mock has received a given number of events: no timing involved) and resumed with its
/// checkpoint each time. Nothing is lost, only events not durably acknowledged at a kill are
/// sent again, and the last run's tallies balance.
final class KillResumeTests: XCTestCase {
    static let eventCount = 20_000
    static let maxEvents = 50
    static let concurrency = 8

    /// Event ids the mock received, in order of arrival (duplicates included).
    final class Received: @unchecked Sendable {
        private let lock = NSLock()
        private var ids: [Int] = []
        func add(_ new: [Int]) { lock.lock(); ids += new; lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return ids.count }
        var all: [Int] { lock.lock(); defer { lock.unlock() }; return ids }
    }

    func testKilledFiveTimesAndResumedLosesNothing() throws {
        guard let exe = CLIRunner.executable else { throw XCTSkip("dspec executable not found next to the test bundle") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let received = Received()
        let server = try MockServer(configuration: MockServerConfiguration(journalLimit: 10, onRequest: { entry in
            // The batch body is a JSON array of {"id": N}.
            guard case .array(let items)? = try? JSONParser().parseValue(entry.request.body) else { return }
            received.add(items.compactMap { $0["id"]?.numberValue?.intValue })
        }), scenario: try MockScenario(json: #"{"routes": [{"path": "/v1/events", "response": {"status": 200}}]}"#))
        defer { server.stop() }

        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let url = dir.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url.path
        }
        let spec = try write("kill.json", Array("""
        {"dspec": 1, "name": "kill", "secrets": {"token": {}},
         "endpoint": {"url": "http://127.0.0.1:\(server.port)/v1/events", "timeout_ms": 5000},
         "auth": {"type": "bearer", "token": "{{@secrets.token}}"},
         "payload": {"format": "json", "mapping": {"id": {"@path": "properties.n"}}},
         "batching": {"max_events": \(Self.maxEvents), "max_wait_ms": 20}}
        """.utf8))
        let secrets = try write("secrets.json", Array(#"{"token": "t-1"}"#.utf8))
        var events: [UInt8] = []
        for n in 1...Self.eventCount { events += Array(#"{"type": "track", "event": "E", "event_id": "e\#(n)", "properties": {"n": \#(n)}}"#.utf8) + [0x0A] }
        let eventsPath = try write("events.ndjson", events)
        let checkpoint = dir.appendingPathComponent("run.ckpt").path
        let summaryPath = dir.appendingPathComponent("summary.json").path

        func launch() throws -> Process {
            let p = Process()
            p.executableURL = exe
            p.arguments = ["deliver", spec, "--events", eventsPath, "--secrets", secrets, "--checkpoint", checkpoint,
                           "--concurrency", String(Self.concurrency), "--format", "json"]
            p.currentDirectoryURL = CLIRunner.repositoryRoot
            FileManager.default.createFile(atPath: summaryPath, contents: nil)
            p.standardOutput = FileHandle(forWritingAtPath: summaryPath)
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }

        // Kill points, in events received by the mock (duplicates included).
        let killPoints = [1_500, 5_000, 8_500, 12_000, 16_000]
        var ackedAtKill: [Set<Int>] = []
        var restartAt: [Int] = []
        var inFlightAtKill: [Int] = []
        for point in killPoints {
            let p = try launch()
            while received.count < point && p.isRunning { usleep(500) }
            XCTAssertTrue(p.isRunning, "the run ended before the kill point \(point)")
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .uncaughtSignal)
            let acked = try Self.acknowledgedEvents(checkpoint)
            ackedAtKill.append(acked)
            restartAt.append(received.count)
            inFlightAtKill.append(Set(received.all).subtracting(acked).count)
        }
        // The last run finishes.
        let last = try launch()
        last.waitUntilExit()
        XCTAssertEqual(last.terminationStatus, 0)
        let summary = try JSONParser().parseValue(Array(try Data(contentsOf: URL(fileURLWithPath: summaryPath))))
        let tally = ["delivered", "dead_lettered", "filtered", "already_acknowledged"].map { summary[$0]?.numberValue?.intValue ?? -1 }
        XCTAssertEqual(summary["input"]?.numberValue?.intValue, Self.eventCount, "\(summary)")
        XCTAssertEqual(tally.reduce(0, +), Self.eventCount, "delivered + dead-lettered + filtered + already acknowledged = input: \(summary)")
        XCTAssertEqual(tally[1], 0)
        XCTAssertEqual(try Self.acknowledgedEvents(checkpoint), Set(1...Self.eventCount), "every line acknowledged at the end")

        // 0 missing at the mock.
        let all = received.all
        let unique = Set(all)
        XCTAssertEqual(unique.count, Self.eventCount, "missing: \(Set(1...Self.eventCount).subtracting(unique).sorted().prefix(20))")
        // Nothing acknowledged at a kill is sent again after the restart that follows it.
        for (k, acked) in ackedAtKill.enumerated() {
            let resent = Set(all[restartAt[k]...]).intersection(acked)
            XCTAssertTrue(resent.isEmpty, "kill \(k + 1): \(resent.count) events acknowledged in the checkpoint were sent again")
        }
        // Duplicates are bounded by what was received but not durably acknowledged at the kills.
        let duplicates = all.count - unique.count
        XCTAssertLessThanOrEqual(duplicates, inFlightAtKill.reduce(0, +))
        print("kill test: \(Self.eventCount) events, \(killPoints.count) SIGKILLs at \(killPoints) events received; "
              + "received \(all.count), duplicates \(duplicates), not durably acknowledged at each kill \(inFlightAtKill)")
    }

    /// The event numbers (= input lines) a checkpoint file acknowledges (complete records only).
    static func acknowledgedEvents(_ path: String) throws -> Set<Int> {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var set = Set<Int>()
        for record in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().dropFirst() {
            let parts = record.split(separator: "-").compactMap { Int($0) }
            if parts.count == 1 { set.insert(parts[0]) } else if parts.count == 2 { set.formUnion(parts[0]...parts[1]) }
        }
        return set
    }
}
