import DSJSON
@testable import DSRuntime
@testable import DSRuntimePOSIX
import Foundation
import XCTest

/// Issue 11 defect 10: event input has a documented size limit and the input queue a byte
/// budget, so large events cannot multiply into unbounded memory.
final class InputBoundsTests: XCTestCase {
    private func drain(_ queue: EventInputQueue) async -> [InputRecord] {
        var out: [InputRecord] = []
        while case .record(let r) = await queue.next(deadline: nil, clock: VirtualClock()) { out.append(r) }
        return out
    }

    func testAnEventLineOverTheLimitIsMalformedWithTheLimitNamed() async throws {
        let path = NSTemporaryDirectory() + "dspec-input-bounds-\(getpid()).ndjson"
        defer { unlink(path) }
        let big = #"{"type":"track","pad":""# + String(repeating: "p", count: 1_500_000) + "\"}\n"
        try Data((big + #"{"type":"track","event_id":"ok"}"# + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let queue = EventInputQueue()
        NDJSONReader.start(fd: fd, into: queue, closeWhenDone: true)
        let records = await drain(queue)
        XCTAssertEqual(records.count, 2)
        guard case .malformed(let line, _, let message)? = records.first else { return XCTFail("\(records)") }
        XCTAssertEqual(line, 1)
        XCTAssertEqual(message, "line longer than 1048576 bytes")
        guard case .event(2, _)? = records.last else { return XCTFail("\(records)") }
    }

    func testQueueHoldsAtMostItsByteBudget() async {
        let queue = EventInputQueue(capacity: 1_000, byteBudget: 100)
        let producer = Thread {
            for i in 1...50 { queue.put(.event(line: i, event: .object(JSONObject())), bytes: 30) }
            queue.finish()
        }
        producer.start()
        let records = await drain(queue)
        XCTAssertEqual(records.count, 50)
        XCTAssertLessThanOrEqual(queue.queuedBytesHighWater, 100, "never more than the budget waits")
    }
}
