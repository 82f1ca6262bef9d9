import DSJSON
import DSRender
@testable import DSRuntime
import XCTest

/// ``DispatchState``'s last-partition cache and single-lookup ``DispatchState/add(_:to:at:)``
/// against a reference model of plain dictionary lookups: the same partition objects, every
/// payload out exactly once, in order per partition.
final class DispatchStateTests: XCTestCase {
    private func makeState(maxEvents: Int) throws -> (DispatchState, RequestRenderer) {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": \#(maxEvents), "max_wait_ms": 1000}"#)
        let renderer = try RuntimeTestSupport.renderer(plan)
        return (DispatchState(options: DeliveryOptions(), template: renderer.makeBatchGrouper(), maxWait: .milliseconds(1000)), renderer)
    }

    func testForgottenPartitionIsNotReturnedFromTheCache() throws {
        var (s, _) = try makeState(maxEvents: 3)
        let p1 = s.partition(for: "a")
        XCTAssertTrue(s.partition(for: "a") === p1)
        _ = s.flushAll()
        s.forgetIdlePartitions()
        XCTAssertEqual(s.openPartitionCount, 0)
        let p2 = s.partition(for: "a")
        XCTAssertFalse(p2 === p1, "a forgotten partition is created afresh, as without the cache")
        XCTAssertEqual(s.openPartitionCount, 1)
    }

    func testRandomKeysMatchTheDictionaryModelAndLoseNothing() throws {
        var seed: UInt64 = 7
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        for maxEvents in [1, 2, 5] {
            var (s, renderer) = try makeState(maxEvents: maxEvents)
            var model: [String: Partition] = [:]
            var buffered: [String: Int] = [:]
            var sent: [String: [String]] = [:]
            var added: [String: [String]] = [:]
            func take(_ events: [BatchGroupingEvent], _ p: Partition) {
                for case .batch(let b) in events {
                    XCTAssertTrue(model[p.key] === p)
                    sent[p.key, default: []] += b.payloads.map(\.eventID)
                    buffered[p.key, default: 0] -= b.payloads.count
                }
            }
            for i in 0..<600 {
                let key = ["", "a", "b", "c"][Int(next() % (next() % 3 == 0 ? 4 : 1))]
                let p = s.partition(for: key)
                if let known = model[key] { XCTAssertTrue(p === known, "event \(i): key \(key)") } else { model[key] = p }
                let id = "e\(i)"
                var payload = try renderer.payload(for: .object(JSONObject([("type", "track"), ("event", "E"), ("event_id", .string(id))])))
                payload.tag = i
                added[key, default: []].append(id)
                buffered[key, default: 0] += 1
                take(try s.add(payload, to: p, at: RuntimeInstant(offset: .milliseconds(i))), p)
                switch next() % 25 {
                case 0:
                    for (fp, events) in s.flushAll() { take(events, fp) }
                case 1:
                    for (fp, events) in s.flushAll() { take(events, fp) }
                    s.forgetIdlePartitions()
                    model = [:]   // every partition is idle after a full flush
                case 2:
                    for (fp, events) in s.flushDue(at: RuntimeInstant(offset: .milliseconds(i + 1000))) { take(events, fp) }
                default: break
                }
            }
            for (fp, events) in s.flushAll() { take(events, fp) }
            XCTAssertEqual(sent, added, "max_events \(maxEvents): every payload once, in order per partition")
            XCTAssertTrue(buffered.values.allSatisfy { $0 == 0 })
        }
    }
}
