import DSCore
import DSJSON
import DSRender
@testable import DSRuntime
import Foundation
import XCTest

/// The deliverer's worker queue (`UnitQueue`): every unit put is taken exactly once, in the
/// order put, by whichever worker waits; takers end only once the queue is closed and empty.
/// And a cancelled run with more units than workers leaves no event without an account.
final class UnitQueueTests: XCTestCase {
    private static func item(_ i: Int, _ partition: Partition) -> UnitQueue.Item {
        UnitQueue.Item(unit: DeliveryUnit(single: EncodedPayload(eventID: "e\(i)", event: .null, value: nil, bytes: [], tag: i)),
                       partition: partition, chain: nil)
    }

    func testItemsPutBeforeCloseAreAllTakenInOrderThenTakersEnd() async {
        let queue = UnitQueue()
        let partition = Partition(key: "")
        for i in 0..<5 { queue.put(Self.item(i, partition)) }
        queue.close()
        var tags: [Int] = []
        while let item = await queue.take() { tags.append(item.unit.payloads[0].tag) }
        XCTAssertEqual(tags, [0, 1, 2, 3, 4])
        let after = await queue.take()
        XCTAssertNil(after, "a closed, empty queue ends its takers")
    }

    /// Four workers take while a producer puts 2,000 items at random moments (yielding in
    /// between, so takers wait and are woken): each item is taken exactly once, each
    /// worker sees its items in the order put, and every worker ends after the close.
    func testConcurrentTakersGetEveryItemOnceInOrder() async {
        var rng = SplitMix64(seed: 21)
        let queue = UnitQueue()
        let partition = Partition(key: "")
        let n = 2_000
        let taken = await withTaskGroup(of: [Int].self) { group -> [[Int]] in
            for _ in 0..<4 {
                group.addTask {
                    var mine: [Int] = []
                    while let item = await queue.take() {
                        mine.append(item.unit.payloads[0].tag)
                        if mine.count % 7 == 0 { await Task.yield() }
                    }
                    return mine
                }
            }
            for i in 0..<n {
                queue.put(Self.item(i, partition))
                if rng.next() % 3 == 0 { await Task.yield() }
            }
            queue.close()
            var all: [[Int]] = []
            for await part in group { all.append(part) }
            return all
        }
        XCTAssertEqual(taken.count, 4, "every worker ended")
        XCTAssertEqual(taken.flatMap { $0 }.sorted(), Array(0..<n), "each item taken exactly once")
        for part in taken { XCTAssertEqual(part, part.sorted(), "a worker takes items in the order they were put") }
    }

    /// Cancelled while its workers are busy and the dispatcher waits for a slot: every
    /// event read is accounted for (delivered, dead-lettered, filtered or interrupted),
    /// none is delivered, and nothing is acknowledged.
    func testACancelledRunWithQueuedUnitsAccountsForEveryEvent() async throws {
        let plan = try RuntimeTestSupport.plan(response: RuntimeTestSupport.fastRetry())
        let transport = BlockingTransport(expected: 3)
        let deliverer = Deliverer(renderer: try RuntimeTestSupport.renderer(plan), transport: transport, clock: VirtualClock(),
                                  ledger: DeliveryLedger(), options: DeliveryOptions(concurrency: 3))
        let input = EventInputQueue(capacity: 8)
        for (i, e) in RuntimeTestSupport.events(6).enumerated() { input.put(.event(line: i + 1, event: e)) }
        let run = Task { await deliverer.run(input) }
        await transport.allStarted.wait()
        run.cancel()
        let counts = await run.value
        XCTAssertEqual(counts.delivered, 0)
        XCTAssertGreaterThanOrEqual(counts.interrupted, 3)
        XCTAssertEqual(counts.input, counts.delivered + counts.deadLettered + counts.filtered + counts.interrupted,
                       "every event read has an outcome or is interrupted: \(counts)")
    }
}
