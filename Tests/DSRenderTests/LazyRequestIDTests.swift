import DSCore
import DSCrypto
import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// The request id is derived only when read (``RenderEnvironment/derivesRequestIDFromEventIDs(_:)``):
/// differential tests against an environment that never lets it be deferred, so the renderer
/// takes the old path of asking the environment on every render.
final class LazyRequestIDTests: XCTestCase {
    /// ``FixedRenderEnvironment`` with the deferral switched off: every render asks for the id.
    private struct EagerEnvironment: RenderEnvironment {
        var base = FixedRenderEnvironment()
        func unixTime() -> Int64 { base.unixTime() }
        func unixTimeMilliseconds() -> Int64 { base.unixTimeMilliseconds() }
        func requestID(forEventIDs eventIDs: [String]) -> String { base.requestID(forEventIDs: eventIDs) }
        func nonce(forRequestID requestID: String, timestamp: Int64) -> String { base.nonce(forRequestID: requestID, timestamp: timestamp) }
    }

    /// A small deterministic generator (SplitMix64), so a failure reproduces.
    private typealias Generator = SplitMix64

    private let mapping = TestPlans.event(#"{"id":{"@path":"event_id"},"name":{"@path":"event"}}"#)

    private func plans() -> [(String, DeliveryPlan)] {
        let batching = PlanBatching(enabled: true, maxEvents: 7, maxBytes: 0, maxWaitMs: 1000, format: "json_array", envelope: nil)
        let single = TestPlans.plan(body: .mapping(mapping), secrets: ["signing_secret"])
        let batched = TestPlans.plan(body: .mapping(mapping), batching: batching, secrets: ["signing_secret"])
        var keyed = batched
        keyed.response.idempotencyKeyHeader = "Idempotency-Key"
        var keyedSingle = single
        keyedSingle.response.idempotencyKeyHeader = "Idempotency-Key"
        let signed = TestPlans.plan(body: .mapping(mapping), batching: batching, signing: TestPlans.preset("standard-webhooks"), secrets: ["signing_secret"])
        return [("single", single), ("batched", batched), ("keyed", keyed), ("keyed single", keyedSingle), ("signed", signed)]
    }

    private func events(_ g: inout Generator, count: Int) -> [JSONValue] {
        (0..<count).map { i in
            switch g.next() % 10 {
            case 0: return TestPlans.event(#"{"type":"track","event":"E\#(i)"}"#)   // no id
            case 1: return TestPlans.event(#"{"type":"track","event":"E\#(i)","event_id":""}"#)
            default: return TestPlans.event(#"{"type":"track","event":"E\#(i)","event_id":"evt-\#(g.next() % 1000)-\#(i)"}"#)
            }
        }
    }

    private func configuration() -> RenderConfiguration {
        RenderConfiguration(secrets: JSONObject([("signing_secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]))
    }

    /// Random event lists (ids present, missing and empty) through five plans: the deferred
    /// path gives the same requests, the same wire bytes and the same id when read.
    func testDeferredIDMatchesTheEnvironmentsOnRandomEvents() throws {
        var g = Generator(seed: 16)
        var deferred = 0
        for (name, plan) in plans() {
            let renderer = try RequestRenderer(plan: plan, configuration: configuration())
            for round in 0..<40 {
                let evs = events(&g, count: 1 + Int(g.next() % 30))
                let lazy = renderer.renderAll(evs, environment: FixedRenderEnvironment())
                let eager = renderer.renderAll(evs, environment: EagerEnvironment())
                XCTAssertEqual(lazy.requests.count, eager.requests.count, "\(name) round \(round)")
                XCTAssertEqual(lazy.outcomes, eager.outcomes, "\(name) round \(round)")
                for (l, e) in zip(lazy.requests, eager.requests) {
                    XCTAssertEqual(l, e, "\(name) round \(round)")
                    XCTAssertEqual(l.requestID, e.requestID, "\(name) round \(round)")
                    XCTAssertEqual(l.body, e.body)
                    XCTAssertEqual(l.headers, e.headers)
                    XCTAssertEqual(l.url, e.url)
                    XCTAssertEqual(l.signingString, e.signingString)
                    XCTAssertEqual(FixtureEncoder.json(l), FixtureEncoder.json(e), "\(name) round \(round)")
                    XCTAssertEqual(FixtureEncoder.http(l), FixtureEncoder.http(e), "\(name) round \(round)")
                    if RequestIdentity.hasID(l.eventIDs) {
                        XCTAssertEqual(l.requestID, RequestIdentity.id(forEventIDs: l.eventIDs))
                        deferred += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(deferred, 100, "the generator must produce requests whose events all have ids")
    }

    /// Chosen cases: one event, two events, an empty id, and the id in the idempotency header.
    func testChosenCases() throws {
        let plan = plans()[1].1
        let renderer = try RequestRenderer(plan: plan, configuration: configuration())
        let two = [TestPlans.event(#"{"type":"track","event":"A","event_id":"a"}"#), TestPlans.event(#"{"type":"track","event":"B","event_id":"b"}"#)]
        let r = try XCTUnwrap(renderer.renderAll(two, environment: FixedRenderEnvironment()).requests.first)
        XCTAssertEqual(r.requestID, "batch_" + Hex.encode(Digest.hash(.sha256, "a\nb".utf8).prefix(16)))
        XCTAssertEqual(r.requestID, FixedRenderEnvironment().requestID(forEventIDs: ["a", "b"]))
        let one = try XCTUnwrap(renderer.renderAll([two[0]], environment: FixedRenderEnvironment()).requests.first)
        XCTAssertEqual(one.requestID, "a")
        let noID = try XCTUnwrap(renderer.renderAll([TestPlans.event(#"{"type":"track","event":"A"}"#), two[1]], environment: FixedRenderEnvironment()).requests.first)
        XCTAssertTrue(noID.requestID.hasPrefix("msg_"), noID.requestID)
        var keyedPlan = plan
        keyedPlan.response.idempotencyKeyHeader = "Idempotency-Key"
        let keyed = try XCTUnwrap(try RequestRenderer(plan: keyedPlan, configuration: configuration()).renderAll(two, environment: FixedRenderEnvironment()).requests.first)
        XCTAssertEqual(keyed.header("Idempotency-Key"), r.requestID)
        // Setting the id stores it; equality compares the id however it is held.
        var changed = r
        XCTAssertEqual(changed, r)
        changed.requestID = "other"
        XCTAssertEqual(changed.requestID, "other")
        XCTAssertNotEqual(changed, r)
        changed.requestID = r.requestID
        XCTAssertEqual(changed, r)
    }
}
