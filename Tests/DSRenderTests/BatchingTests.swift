import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// Batch bodies per format and the byte limit measured on the encoded body.
final class BatchingTests: XCTestCase {
    private let env = FixedRenderEnvironment()
    private let mapping = TestPlans.event(#"{"id":{"@path":"event_id"},"name":{"@path":"event"}}"#)

    private func events(_ n: Int) -> [JSONValue] {
        (1...n).map { TestPlans.event(#"{"type":"track","event":"E\#($0)","event_id":"e\#($0)"}"#) }
    }

    private func renderer(format: String, maxEvents: Int = 100, maxBytes: Int = 0, envelope: JSONValue? = nil) throws -> RequestRenderer {
        let batching = PlanBatching(enabled: true, maxEvents: maxEvents, maxBytes: maxBytes, maxWaitMs: 1000, format: format, envelope: envelope)
        let plan = TestPlans.plan(contentType: format == "ndjson" ? "application/x-ndjson" : "application/json", body: .mapping(mapping), batching: batching, secrets: ["k"])
        return try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("k", "key-1")])))
    }

    func testJSONArray() throws {
        let run = try renderer(format: "json_array").renderAll(events(2), environment: env)
        XCTAssertEqual(run.requests.map(\.bodyText), [#"[{"id":"e1","name":"E1"},{"id":"e2","name":"E2"}]"#])
        XCTAssertEqual(run.requests.first?.eventIDs, ["e1", "e2"])
    }

    func testJSONObjectEnvelope() throws {
        let envelope = TestPlans.event(#"{"api_key":"{{@secrets.k}}","events":{"@path":"@batch"}}"#)
        let run = try renderer(format: "json_object", envelope: envelope).renderAll(events(2), environment: env)
        XCTAssertEqual(run.requests.map(\.bodyText), [#"{"api_key":"key-1","events":[{"id":"e1","name":"E1"},{"id":"e2","name":"E2"}]}"#])
    }

    func testNDJSONEveryLineTerminated() throws {
        let run = try renderer(format: "ndjson").renderAll(events(2), environment: env)
        XCTAssertEqual(run.requests.map(\.bodyText), ["{\"id\":\"e1\",\"name\":\"E1\"}\n{\"id\":\"e2\",\"name\":\"E2\"}\n"])
    }

    func testMaxEventsSplitsInOrder() throws {
        let run = try renderer(format: "json_array", maxEvents: 2).renderAll(events(5), environment: env)
        XCTAssertEqual(run.requests.map(\.eventIDs), [["e1", "e2"], ["e3", "e4"], ["e5"]])
        XCTAssertEqual(Set(run.requests.map(\.requestID)).count, 3, "each batch has its own request id")
    }

    func testMaxBytesCountsTheEnvelope() throws {
        // The envelope adds {"api_key":"key-1","events":[]} and a comma per extra payload.
        let p = #"{"id":"e1","name":"E1"}"#.utf8.count
        let envelope = TestPlans.event(#"{"api_key":"{{@secrets.k}}","events":{"@path":"@batch"}}"#)
        let one = #"{"api_key":"key-1","events":[{"id":"e1","name":"E1"}]}"#.utf8.count
        let two = one + 1 + p
        for limit in [two, two + p] {
            let run = try renderer(format: "json_object", maxBytes: limit, envelope: envelope).renderAll(events(5), environment: env)
            XCTAssertEqual(run.requests.map(\.eventIDs), [["e1", "e2"], ["e3", "e4"], ["e5"]], "limit \(limit)")
            XCTAssertTrue(run.requests.allSatisfy { $0.body.count <= limit })
            XCTAssertEqual(run.requests.first?.body.count, two)
        }
        let tight = try renderer(format: "json_object", maxBytes: two - 1, envelope: envelope).renderAll(events(3), environment: env)
        XCTAssertEqual(tight.requests.map(\.eventIDs), [["e1"], ["e2"], ["e3"]])
    }

    func testNDJSONLimitCountsNewlines() throws {
        let line = #"{"id":"e1","name":"E1"}"#.utf8.count + 1
        let run = try renderer(format: "ndjson", maxBytes: 2 * line).renderAll(events(3), environment: env)
        XCTAssertEqual(run.requests.map(\.eventIDs), [["e1", "e2"], ["e3"]])
        XCTAssertEqual(run.requests.first?.body.count, 2 * line)
    }

    func testOversizedSingleEventIsReported() throws {
        var list = events(3)
        list[1] = TestPlans.event(#"{"type":"track","event":"\#(String(repeating: "x", count: 200))","event_id":"big"}"#)
        let run = try renderer(format: "json_array", maxBytes: 100).renderAll(list, environment: env)
        XCTAssertEqual(run.requests.map(\.eventIDs), [["e1", "e3"]])
        XCTAssertEqual(run.outcomes.count, 1)
        XCTAssertEqual(run.outcomes.first?.eventID, "big")
        XCTAssertEqual(run.outcomes.first?.status, .failed)
        XCTAssertTrue(run.outcomes.first?.reason.contains("max_bytes") == true)
    }

    func testGrouperIsIncremental() throws {
        let r = try renderer(format: "json_array", maxEvents: 2)
        var grouper = try XCTUnwrap(r.makeBatchGrouper())
        var emitted: [[String]] = []
        for e in events(3) {
            for step in try grouper.append(try r.payload(for: e)) {
                if case .batch(let b) = step { emitted.append(b.payloads.map(\.eventID)) }
            }
        }
        XCTAssertEqual(emitted, [["e1", "e2"]])
        XCTAssertEqual(grouper.pendingCount, 1)
        let rest = grouper.flush()
        guard case .batch(let last)? = rest.first else { return XCTFail() }
        XCTAssertEqual(last.payloads.map(\.eventID), ["e3"])
        XCTAssertEqual(String(decoding: last.body, as: UTF8.self), #"[{"id":"e3","name":"E3"}]"#)
    }
}
