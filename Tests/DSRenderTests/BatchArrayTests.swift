import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// Issue 14: `batching.arrays` routes events into named arrays of one envelope, each with its
/// own element limit; `payload.max_bytes` refuses an oversized event alone.
final class BatchArrayTests: XCTestCase {
    private func renderer(arrayLimit: Int = 2, batchMax: Int = 10) throws -> RequestRenderer {
        let plan = try TestPlans.compile(#"""
            {"dspec": 1, "name": "arrays", "endpoint": {"url": "https://api.example.com/users/track"},
             "payload": {"format": "json", "max_bytes": 200, "mapping": {"id": {"@path": "event_id"}, "name": {"@path": "event"}}},
             "batching": {"max_events": \#(batchMax), "max_wait_ms": 1000, "format": "json_object",
               "envelope": {"a": {"@batch": "attributes"}, "e": {"@batch": "events"}, "p": {"@batch": "purchases"}},
               "arrays": {"attributes": {"types": ["identify"], "mapping": {"id": {"@path": "user_id"}}},
                          "events": {"types": ["track"], "max_events": \#(arrayLimit)},
                          "purchases": {"names": ["Order Completed"], "when": {"path": "properties.total", "exists": true},
                                        "mapping": {"price": {"@path": "properties.total"}}}}}}
            """#)
        return try RequestRenderer(plan: plan, configuration: RenderConfiguration())
    }

    private func events(_ specs: [(String, String?, String)]) -> [JSONValue] {
        specs.map { type, name, id in
            var o = JSONObject([("type", .string(type)), ("event_id", .string(id)), ("user_id", "u-1")])
            if let name { o["event"] = .string(name) }
            if name == "Order Completed" { o["properties"] = ["total": 12.5] }
            return .object(o)
        }
    }

    func testAnOrderAddsToTwoArraysAndAFullArrayCutsTheBatch() throws {
        let r = try renderer()
        let run = r.renderAll(events([("identify", nil, "i1"), ("track", "Order Completed", "o1"), ("track", "Viewed", "v1"), ("track", "Viewed", "v2")]),
                              environment: FixedRenderEnvironment())
        // events holds o1 and v1 (its limit, 2): the batch is flushed there, and v2 starts the next.
        XCTAssertEqual(run.requests.map(\.eventIDs), [["i1", "o1", "v1"], ["v2"]])
        XCTAssertEqual(String(decoding: run.requests[0].body, as: UTF8.self),
                       #"{"a":[{"id":"u-1"}],"e":[{"id":"o1","name":"Order Completed"},{"id":"v1","name":"Viewed"}],"p":[{"price":12.5}]}"#)
        XCTAssertEqual(String(decoding: run.requests[1].body, as: UTF8.self), #"{"a":[],"e":[{"id":"v2","name":"Viewed"}],"p":[]}"#)
    }

    func testAnEventNoArrayTakesIsFilteredWithTheReason() throws {
        let r = try renderer()
        XCTAssertEqual(r.select(events([("page", nil, "p1")])[0]), .filtered(reason: "no batching.arrays entry selects it (arrays: attributes, events, purchases)"))
        XCTAssertEqual(r.select(events([("track", "Viewed", "v1")])[0]), .selected)
    }

    func testTheEventLimitAppliesToTheWholePayload() throws {
        let r = try renderer()
        var big = events([("track", "Viewed", "big")])[0]
        big = .object(JSONObject([("type", "track"), ("event_id", "big"), ("event", .string(String(repeating: "n", count: 300)))]))
        XCTAssertThrowsError(try r.payload(for: big)) { error in
            XCTAssertEqual((error as? RenderError)?.kind, .tooLarge)
        }
    }
}
