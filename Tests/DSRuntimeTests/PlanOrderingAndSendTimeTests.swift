import DSJSON
import DSPlan
import DSRender
@testable import DSRuntime
import XCTest

/// The plan's `ordering` (overridable by the options) and `@sent_at` on retries.
final class PlanOrderingAndSendTimeTests: XCTestCase {
    func testOptionsOverrideThePlansOrdering() throws {
        let strict = try RuntimeTestSupport.renderer(try RuntimeTestSupport.plan(ordering: "strict"))
        let none = try RuntimeTestSupport.renderer(try RuntimeTestSupport.plan())
        func ordered(_ r: RequestRenderer, _ override: Bool?) -> Bool {
            Deliverer(renderer: r, transport: ScriptedTransport(answers: []), clock: VirtualClock(), ledger: DeliveryLedger(), options: DeliveryOptions(orderedPartitions: override)).ordered
        }
        XCTAssertEqual(strict.plan.ordering, "strict")
        XCTAssertEqual(none.plan.ordering, "none")
        XCTAssertTrue(ordered(strict, nil))
        XCTAssertFalse(ordered(none, nil))
        XCTAssertFalse(ordered(strict, false))
        XCTAssertTrue(ordered(none, true))
    }

    func testStrictPlanHoldsTheNextRequestUntilTheRetryEnds() async throws {
        // Concurrency 2, one partition: e2 is sent only after e1's retry has its outcome.
        let plan = try RuntimeTestSupport.plan(response: RuntimeTestSupport.fastRetry(), ordering: "strict")
        let clock = VirtualClock(autoAdvance: true)
        let transport = EventScriptedTransport(clock: clock) { id, attempt in
            .init(RuntimeTestSupport.response(id == "e1" && attempt == 1 ? 503 : 200))
        }
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(2), transport: transport,
                                                           clock: clock, options: DeliveryOptions(concurrency: 2))
        XCTAssertEqual(counts.delivered, 2)
        XCTAssertEqual(transport.sent.map(\.id), ["e1", "e1", "e2"])
    }

    func testUnorderedPlanLetsTheNextRequestOvertake() async throws {
        // e1's first attempt is answered only once e2 has been sent: that completes only
        // when the plan's ordering (none) lets e2 start while e1 is in flight.
        let plan = try RuntimeTestSupport.plan(response: RuntimeTestSupport.fastRetry())
        let clock = VirtualClock(autoAdvance: true)
        let transport = EventScriptedTransport(clock: clock) { id, attempt in
            id == "e1" && attempt == 1 ? .init(RuntimeTestSupport.response(503), after: "e2") : .init(RuntimeTestSupport.response(200))
        }
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(2), transport: transport,
                                                           clock: clock, options: DeliveryOptions(concurrency: 2))
        XCTAssertEqual(counts.delivered, 2)
        // e1 and e2 start together (concurrency 2, nothing holds e2 back), so either may reach
        // the transport first; e1's retry comes only after e2 was sent.
        let sent = transport.sent.map(\.id)
        XCTAssertEqual(sent.prefix(2).sorted(), ["e1", "e2"], "\(sent)")
        XCTAssertEqual(sent.dropFirst(2), ["e1"], "\(sent)")
    }

    func testARetryCarriesItsOwnSendTime() async throws {
        let plan = try RuntimeTestSupport.plan(response: RuntimeTestSupport.fastRetry(),
                                               payload: #"{"format": "json", "mapping": {"id": {"@path": "event_id"}, "sent_at": {"@path": "@sent_at"}}}"#)
        let transport = ScriptedTransport(answers: [RuntimeTestSupport.response(503), RuntimeTestSupport.response(200)])
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(1), transport: transport,
                                                           clock: VirtualClock(autoAdvance: true))
        XCTAssertEqual(counts.delivered, 1)
        // The virtual wall clock starts at 2026-01-01T00:00:00Z; the retry waits 100 ms.
        XCTAssertEqual(transport.requests.map { String(decoding: $0.body, as: UTF8.self) },
                       [#"{"id":"e1","sent_at":"2026-01-01T00:00:00.000Z"}"#, #"{"id":"e1","sent_at":"2026-01-01T00:00:00.100Z"}"#])
    }
}
