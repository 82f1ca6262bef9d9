import DSJSON
import DSRender
@testable import DSRuntime
import XCTest

/// The three batch triggers on virtual time, the encoded-size guarantee, and rebatching.
final class BatcherTests: XCTestCase {
    private func batcher(maxEvents: Int = 100, maxBytes: Int = 5_000_000, maxWaitMs: Int = 1000, envelope: Bool = false) throws -> (Batcher, RequestRenderer) {
        let format = envelope ? #""format": "json_object", "envelope": {"api_key": "{{@secrets.api_token}}", "events": {"@batch": true}}"# : #""format": "json_array""#
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": \#(maxEvents), "max_bytes": \#(maxBytes), "max_wait_ms": \#(maxWaitMs), \#(format)}"#)
        let renderer = try RuntimeTestSupport.renderer(plan)
        return (Batcher(grouper: renderer.makeBatchGrouper()!, maxWait: .milliseconds(maxWaitMs)), renderer)
    }

    private func payloads(_ renderer: RequestRenderer, _ n: Int) throws -> [EncodedPayload] {
        try RuntimeTestSupport.events(n).map { try renderer.payload(for: $0) }
    }

    private func batches(_ events: [BatchGroupingEvent]) -> [[String]] {
        events.compactMap { if case .batch(let b) = $0 { return b.payloads.map(\.eventID) }; return nil }
    }

    func testFlushesAtMaxEvents() throws {
        var (b, r) = try batcher(maxEvents: 3)
        var out: [[String]] = []
        for p in try payloads(r, 7) { out += batches(try b.add(p, at: .zero)) }
        XCTAssertEqual(out, [["e1", "e2", "e3"], ["e4", "e5", "e6"]])
        XCTAssertEqual(b.bufferedCount, 1)
        XCTAssertEqual(batches(b.flush()), [["e7"]])
    }

    func testFlushesBeforeTheEncodedBodyWouldExceedMaxBytes() throws {
        // 160 bytes hold the envelope with three of these payloads but not four.
        var (b, r) = try batcher(maxBytes: 160, envelope: true)
        var out: [BatchGroupingEvent] = []
        for p in try payloads(r, 5) { out += try b.add(p, at: .zero) }
        out += b.flush()
        let sent = out.compactMap { if case .batch(let batch) = $0 { return batch }; return nil }
        XCTAssertEqual(sent.map { $0.payloads.count }, [3, 2])
        for batch in sent {
            XCTAssertLessThanOrEqual(batch.body.count, 160, "the encoded body, envelope included, fits")
            let request = try r.render(batch: batch, environment: FixedRenderEnvironment())
            XCTAssertEqual(request.body.count, batch.body.count)
            XCTAssertTrue(request.bodyText.hasPrefix(#"{"api_key":"tok-secret-1","events":["#), request.bodyText)
        }
        // And the first batch could not have taken one more event.
        let bigger = try r.makeBatchGrouper()!.encoder.encode(try payloads(r, 4)[...])
        XCTAssertGreaterThan(bigger.count, 160)
    }

    func testFlushesMaxWaitAfterTheFirstBufferedEvent() throws {
        var (b, r) = try batcher(maxWaitMs: 1000)
        let ps = try payloads(r, 3)
        let t0 = RuntimeInstant.zero + .seconds(5)
        XCTAssertTrue(try b.add(ps[0], at: t0).isEmpty)
        XCTAssertEqual(b.deadline, t0 + .seconds(1))
        XCTAssertTrue(try b.add(ps[1], at: t0 + .milliseconds(900)).isEmpty)
        XCTAssertEqual(b.deadline, t0 + .seconds(1), "later events do not extend the wait")
        XCTAssertTrue(b.flushIfDue(at: t0 + .milliseconds(999)).isEmpty)
        XCTAssertEqual(batches(b.flushIfDue(at: t0 + .seconds(1))), [["e1", "e2"]])
        XCTAssertNil(b.deadline)
        XCTAssertTrue(try b.add(ps[2], at: t0 + .seconds(3)).isEmpty)
        XCTAssertEqual(b.deadline, t0 + .seconds(4), "a new batch starts its own wait")
    }

    func testEventTooLargeAloneIsRejectedWithAReason() throws {
        var (b, r) = try batcher(maxBytes: 60)
        let big: JSONValue = ["type": "track", "event": .string(String(repeating: "x", count: 200)), "event_id": "big"]
        let events = try b.add(try r.payload(for: big), at: .zero)
        guard case .rejected(let payload, let error)? = events.first else { return XCTFail("expected a rejection, got \(events)") }
        XCTAssertEqual(payload.eventID, "big")
        XCTAssertEqual(error.kind, .tooLarge)
        XCTAssertTrue(error.message.contains("max_bytes"), error.message)
        XCTAssertEqual(b.bufferedCount, 0)
    }

    func testHalvesReencodeEachHalf() throws {
        var (b, r) = try batcher(maxEvents: 5)
        var out: [BatchGroupingEvent] = []
        for p in try payloads(r, 5) { out += try b.add(p, at: .zero) }
        guard case .batch(let batch)? = out.first else { return XCTFail("no batch") }
        let halves = Rebatcher(renderer: r).halves(of: batch)
        XCTAssertEqual(batches(halves), [["e1", "e2", "e3"], ["e4", "e5"]])
        if case .batch(let second) = halves[1] {
            XCTAssertEqual(String(decoding: second.body, as: UTF8.self), #"[{"id":"e4","name":"Order Completed"},{"id":"e5","name":"Order Completed"}]"#)
        }
    }
}
