import DSJSON
@testable import DSRuntime
@testable import DSRuntimePOSIX
import Foundation
import XCTest

/// An append file that fails every write (ENOSPC), as a full disk does.
final class FailingAppendFile: AppendFile {
    let path: String
    let appends = Locked(0)
    init(path: String = "injected-dead-letters.ndjson") { self.path = path }
    func append(_ bytes: [UInt8]) throws(RuntimeFileError) {
        appends.withLock { $0 += 1 }
        throw RuntimeFileError("\(path): cannot write the dead-letter file: No space left on device (errno 28)")
    }
    func sync() throws(RuntimeFileError) {}
    func close() {}
}

/// Defect 1 of issue 11: a dead-letter or checkpoint write that fails must stop the run
/// and leave the event unacknowledged, never drop it.
final class LedgerDurabilityTests: XCTestCase {
    var dir: String!

    override func setUp() {
        dir = NSTemporaryDirectory() + "dspec-durability-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// Six input records; line 2 is not JSON, so it is dead-lettered without any request.
    private func input() -> EventInputQueue {
        let events = RuntimeTestSupport.events(6)
        return .closed(events.enumerated().map { i, e in
            i == 1 ? .malformed(line: 2, raw: "{oops", message: "not valid JSON") : .event(line: i + 1, event: e)
        })
    }

    func testFailingDeadLetterWriteStopsTheRunAndLeavesTheEventUnacknowledged() async throws {
        let checkpointPath = dir + "/run.ckpt"
        let renderer = try RuntimeTestSupport.renderer(try RuntimeTestSupport.plan())
        let failing = FailingAppendFile()
        let checkpoint = try CheckpointLog(path: checkpointPath)
        let ledger = DeliveryLedger(deadLetters: DeadLetterFile(file: failing), checkpoint: checkpoint, writer: LedgerWriterThread())
        _ = await Deliverer(renderer: renderer, transport: ScriptedTransport(answers: []), clock: VirtualClock(autoAdvance: true), ledger: ledger,
                            options: DeliveryOptions(concurrency: 1)).run(input())
        let failure = ledger.close()
        XCTAssertEqual(failure?.message, "injected-dead-letters.ndjson: cannot write the dead-letter file: No space left on device (errno 28)")
        XCTAssertGreaterThan(failing.appends.withLock { $0 }, 0)
        // Nothing from line 2 on is acknowledged: the failed group and everything after it are dropped.
        let acknowledged = try CheckpointLog(path: checkpointPath).acknowledged
        XCTAssertFalse(acknowledged.contains(2), "a dead letter that is not on disk must not be acknowledged")
        XCTAssertTrue(acknowledged.ranges.allSatisfy { $0.upperBound < 2 }, "\(acknowledged.ranges)")

        // A rerun with a working dead-letter file dead-letters line 2 again.
        let deadLetterPath = dir + "/dead.ndjson"
        let second = try CheckpointLog(path: checkpointPath)
        let rerun = DeliveryLedger(deadLetters: try DeadLetterFile(path: deadLetterPath), checkpoint: second, writer: LedgerWriterThread())
        let queue = EventInputQueue(capacity: 16)
        let all = RuntimeTestSupport.events(6)
        for line in 1...6 {
            if second.acknowledged.contains(line) { queue.put(.acknowledged(line: line)) }
            else if line == 2 { queue.put(.malformed(line: 2, raw: "{oops", message: "not valid JSON")) }
            else { queue.put(.event(line: line, event: all[line - 1])) }
        }
        queue.finish()
        let counts = await Deliverer(renderer: renderer, transport: ScriptedTransport(answers: []), clock: VirtualClock(autoAdvance: true), ledger: rerun,
                                     options: DeliveryOptions(concurrency: 1)).run(queue)
        XCTAssertNil(rerun.close())
        XCTAssertEqual(counts.deadLettered, 1)
        XCTAssertEqual(counts.delivered + counts.alreadyAcknowledged, 5)
        let letters = try String(contentsOfFile: deadLetterPath, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(letters.count, 1)
        XCTAssertTrue(letters[0].hasPrefix(#"{"line":2,"#), String(letters[0]))
        XCTAssertEqual(try CheckpointLog(path: checkpointPath).acknowledged.ranges, [1...6])
    }

    func testFailingCheckpointWriteIsReportedAndStopsTheRun() async throws {
        let renderer = try RuntimeTestSupport.renderer(try RuntimeTestSupport.plan())
        let checkpoint = try CheckpointLog(path: dir + "/run.ckpt", file: FailingAppendFile(path: dir + "/run.ckpt"))
        let ledger = DeliveryLedger(deadLetters: DeadLetterCollector(), checkpoint: checkpoint, writer: LedgerWriterThread())
        ledger.filtered(line: 1, eventID: "e0", reason: "r")
        await ledger.flush()
        XCTAssertEqual(ledger.failure?.message, dir + "/run.ckpt: cannot write the dead-letter file: No space left on device (errno 28)")
        let transport = ScriptedTransport(answers: [])
        let counts = await Deliverer(renderer: renderer, transport: transport, clock: VirtualClock(autoAdvance: true), ledger: ledger,
                                     options: DeliveryOptions(concurrency: 1)).run(.closed(events: RuntimeTestSupport.events(500)))
        XCTAssertEqual(counts.input, 0, "no input is read once a write failed")
        XCTAssertTrue(transport.requests.isEmpty)
        XCTAssertNotNil(ledger.close())
    }

    func testDevFullAsDeadLetterFileFailsLoudly() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("/dev/full is missing on this system") }
        let file = try DeadLetterFile(path: "/dev/full")
        XCTAssertThrowsError(try file.write([DeadLetter(line: 1, eventID: "e1", reason: "r")])) { error in
            XCTAssertEqual((error as? RuntimeFileError)?.message, "/dev/full: cannot write the dead-letter file: No space left on device (errno 28)")
        }
    }

    func testTornLastDeadLetterRecordIsCutOffOnOpen() throws {
        let path = dir + "/dead.ndjson"
        try Data(#"{"line":1}"#.utf8 + [0x0A] + #"{"line":2,"ev"#.utf8).write(to: URL(fileURLWithPath: path))
        let file = try DeadLetterFile(path: path)
        try file.write([DeadLetter(line: 2, eventID: "e2", reason: "r")])
        file.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 3)
        XCTAssertEqual(lines[0], #"{"line":1}"#)
        XCTAssertTrue(lines[1].hasPrefix(#"{"line":2,"event_id":"e2""#), String(lines[1]))
        XCTAssertEqual(lines[2], "")
    }
}

/// Defect 5 of issue 11: a checkpoint is bound to its input and refuses anything else.
final class CheckpointBindingTests: XCTestCase {
    var dir: String!

    override func setUp() {
        dir = NSTemporaryDirectory() + "dspec-binding-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    private func input(_ name: String, _ text: String) throws -> CheckpointInput {
        let path = dir + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        return try CheckpointInput.identify(fd: fd, path: path)
    }

    private func refusal(_ path: String, _ input: CheckpointInput?) -> String? {
        do {
            _ = try CheckpointLog(path: path, input: input)
            return nil
        } catch {
            return error.message
        }
    }

    func testACheckpointResumesOnlyWithItsOwnInput() throws {
        let a = try input("a.ndjson", "{\"event_id\": \"a1\"}\n{\"event_id\": \"a2\"}\n")
        let ckpt = dir + "/run.ckpt"
        let first = try CheckpointLog(path: ckpt, input: a)
        try first.record([1, 2])
        first.close()
        XCTAssertEqual(try CheckpointLog(path: ckpt, input: a).acknowledged.ranges, [1...2])

        let b = try input("b.ndjson", "{\"event_id\": \"b1\"}\n{\"event_id\": \"b2\"}\n{\"event_id\": \"b3\"}\n")
        let message = try XCTUnwrap(refusal(ckpt, b))
        XCTAssertTrue(message.hasPrefix("\(ckpt): this checkpoint was written for the input \(dir!)/a.ndjson (38 bytes, SHA-256 of the first 64 KiB "), message)
        XCTAssertTrue(message.hasSuffix("resume it with the input it was written for, or delete it (or name a new --checkpoint file) to deliver this input from its first event"), message)
        // The same path with other content (same size) is another input too.
        let changed = try input("a.ndjson", "{\"event_id\": \"x1\"}\n{\"event_id\": \"x2\"}\n")
        XCTAssertEqual(changed.size, a.size)
        XCTAssertNotNil(refusal(ckpt, changed))
        // Standard input is not the file.
        XCTAssertNotNil(refusal(ckpt, CheckpointInput(path: "-", size: nil, headHash: nil)))
    }

    func testCorruptOrForeignRecordsAreRefusedNotSkipped() throws {
        let a = try input("a.ndjson", "{\"event_id\": \"a1\"}\n{\"event_id\": \"a2\"}\n")
        let ckpt = dir + "/run.ckpt"
        try CheckpointLog(path: ckpt, input: a).close()
        let header = try String(contentsOfFile: ckpt, encoding: .utf8)
        for (record, expected) in [
            ("1-99999999999", "line 2: corrupt checkpoint record \"1-99999999999\" (expected N or N-M, 1 <= N <= M <= 39)"),
            ("hello", "line 2: corrupt checkpoint record \"hello\""),
            ("", "line 2: corrupt checkpoint record \"\""),
            ("2-1", "line 2: corrupt checkpoint record \"2-1\""),
            ("-1", "line 2: corrupt checkpoint record \"-1\""),
            ("99999999999999999999999", "line 2: corrupt checkpoint record"),
        ] {
            try Data((header + record + "\n").utf8).write(to: URL(fileURLWithPath: ckpt))
            let message = refusal(ckpt, a)
            XCTAssertTrue(message?.hasPrefix("\(ckpt): \(expected)") ?? false, "\(record): \(message ?? "accepted")")
            XCTAssertTrue(message?.hasSuffix("delete it (or name a new --checkpoint file) to deliver the input from its first event, which sends events already delivered again") ?? false)
        }
        // A file without a header is not a checkpoint of this input.
        try Data("1\n2\n".utf8).write(to: URL(fileURLWithPath: ckpt))
        XCTAssertEqual(refusal(ckpt, a), "\(ckpt): not a dspec checkpoint (its first line does not name the input it belongs to); delete it (or name a new --checkpoint file) to deliver the input from its first event, which sends events already delivered again")
    }
}
