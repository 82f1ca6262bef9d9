import DSJSON
import DSRender
@testable import DSRuntime
import XCTest

/// `DeliveryOptions.eventCheck`, the hook the driver's tracking-plan gate uses: a reason
/// dead-letters the event before it is rendered or batched; filtered events are never checked.
final class EventCheckTests: XCTestCase {
    func testACheckReasonDeadLettersTheEventAndOthersAreBatchedWithoutIt() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 10, "max_wait_ms": 1000}"#, events: #"{"types": ["track"]}"#)
        var options = DeliveryOptions(concurrency: 1)
        let checked = Locked<[String]>([])
        options.eventCheck = { event in
            let id = event["event_id"]?.stringValue ?? ""
            checked.withLock { $0.append(id) }
            return id == "e2" ? "tracking plan plan.json: /properties/total: must be at least 0; got -1" : nil
        }
        let page: JSONValue = ["type": "page", "event_id": "p1"]
        let transport = ScriptedTransport { _, _ in RuntimeTestSupport.response(200) }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(3) + [page],
                                                               transport: transport, options: options)
        XCTAssertEqual(counts.delivered, 2)
        XCTAssertEqual(counts.deadLettered, 1)
        XCTAssertEqual(counts.filtered, 1)
        XCTAssertEqual(fates.deadLetters.map(\.eventID), ["e2"])
        XCTAssertEqual(fates.deadLetters.first?.reason, "tracking plan plan.json: /properties/total: must be at least 0; got -1")
        XCTAssertEqual(transport.requests.map(\.eventIDs), [["e1", "e3"]])
        XCTAssertEqual(checked.withLock { $0 }, ["e1", "e2", "e3"], "filtered events are not checked")
        XCTAssertTrue(fates.duplicates.isEmpty)
    }
}
