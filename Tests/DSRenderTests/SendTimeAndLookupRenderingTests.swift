import DSCrypto
import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// `@sent_at` (read per attempt, body rebuilt before signing), lookup tables in the render
/// data, and the renderer's refusal of a plan that uses an undeclared table.
final class SendTimeAndLookupRenderingTests: XCTestCase {
    /// A clock in milliseconds, for `@sent_at`.
    struct MillisecondEnvironment: RenderEnvironment {
        var ms: Int64
        func unixTime() -> Int64 { ms / 1000 }
        func unixTimeMilliseconds() -> Int64 { ms }
        func requestID(forEventIDs eventIDs: [String]) -> String { "req-1" }
    }

    let signedSpec = #"""
    {"dspec": 1, "name": "sent-at", "secrets": {"key": {}},
     "endpoint": {"url": "https://api.example.com/v1/events"},
     "headers": {"X-Sent-At": "{{@sent_at}}"},
     "payload": {"mapping": {"id": {"@path": "event_id"}, "sent_ms": {"@path": "@sent_at", "@transform": "unix_ms"}, "sent": "{{@sent_at}}"}},
     "signing": {"algorithm": "hmac-sha256", "secret": "{{@secrets.key}}", "header": "X-Signature", "content": "{{@timestamp}}.{{@body}}.{{@sent_at}}"}}
    """#

    func renderer(_ plan: DeliveryPlan) throws -> RequestRenderer {
        try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("key", "k3y")])))
    }

    func testSentAtIsTheAttemptTimeInBodyHeadersAndSigning() throws {
        let r = try renderer(try TestPlans.compile(signedSpec))
        let first = try r.render(TestPlans.trackEvent, environment: MillisecondEnvironment(ms: 1_773_480_413_589))
        let retry = try r.render(TestPlans.trackEvent, environment: MillisecondEnvironment(ms: 1_773_480_415_002))
        XCTAssertEqual(String(decoding: first.body, as: UTF8.self), #"{"id":"evt_1","sent_ms":1773480413589,"sent":"2026-03-14T09:26:53.589Z"}"#)
        XCTAssertEqual(String(decoding: retry.body, as: UTF8.self), #"{"id":"evt_1","sent_ms":1773480415002,"sent":"2026-03-14T09:26:55.002Z"}"#)
        XCTAssertEqual(first.header("X-Sent-At"), "2026-03-14T09:26:53.589Z")
        XCTAssertEqual(retry.header("X-Sent-At"), "2026-03-14T09:26:55.002Z")
        // @timestamp is the same instant's seconds; the signature covers the rebuilt body.
        XCTAssertEqual(first.timestamp, 1_773_480_413)
        for request in [first, retry] {
            let content = "\(request.timestamp)." + String(decoding: request.body, as: UTF8.self) + "." + (request.header("X-Sent-At") ?? "")
            XCTAssertEqual(request.signingString.map { String(decoding: $0, as: UTF8.self) }, content)
            XCTAssertEqual(request.header("X-Signature"), Hex.encode(HMAC.authenticationCode(.sha256, key: Array("k3y".utf8), message: Array(content.utf8))))
        }
    }

    func testFixturesRenderAtTheFixtureSendTime() throws {
        let r = try renderer(try TestPlans.compile(signedSpec))
        let request = try r.render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), #"{"id":"evt_1","sent_ms":1767225600000,"sent":"2026-01-01T00:00:00.000Z"}"#)
        XCTAssertEqual(request.timestamp, FixedRenderEnvironment.fixtureTimestamp)
    }

    func testBatchBodyIsRebuiltWithTheSendTimeAndKeepsItsSize() throws {
        let plan = try TestPlans.compile(#"""
        {"dspec": 1, "name": "sent-at-batch", "endpoint": {"url": "https://api.example.com/v1/batch"},
         "payload": {"mapping": {"id": {"@path": "event_id"}, "stm": {"@path": "@sent_at", "@transform": "unix_ms"}}},
         "batching": {"max_events": 10, "format": "json_object", "envelope": {"batch": {"@batch": true}, "sentAt": {"@path": "@sent_at"}}}}
        """#)
        let r = try RequestRenderer(plan: plan, configuration: RenderConfiguration())
        var grouper = try XCTUnwrap(r.makeBatchGrouper())
        var e2 = TestPlans.trackEvent
        if case .object(var o) = e2 { o["event_id"] = "evt_2"; e2 = .object(o) }
        _ = try grouper.append(try r.payload(for: TestPlans.trackEvent))
        _ = try grouper.append(try r.payload(for: e2))
        guard case .batch(let batch)? = grouper.flush().first else { return XCTFail("no batch") }
        let request = try r.render(batch: batch, environment: MillisecondEnvironment(ms: 1_773_480_413_589))
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self),
                       #"{"batch":[{"id":"evt_1","stm":1773480413589},{"id":"evt_2","stm":1773480413589}],"sentAt":"2026-03-14T09:26:53.589Z"}"#)
        XCTAssertEqual(request.body.count, batch.body.count, "grouped with a placeholder of the same length")
    }

    func testPlansWithoutSentAtReadTheClockOnce() throws {
        struct CountingEnvironment: RenderEnvironment {
            func unixTime() -> Int64 { 1_767_225_600 }
            func unixTimeMilliseconds() -> Int64 { XCTFail("read the millisecond clock for a plan without @sent_at"); return 0 }
            func requestID(forEventIDs eventIDs: [String]) -> String { "x" }
        }
        let plan = try TestPlans.compile(#"{"dspec": 1, "name": "plain", "endpoint": {"url": "https://api.example.com/v1/e"}, "payload": {"mapping": {"id": {"@path": "event_id"}}}}"#)
        let request = try RequestRenderer(plan: plan, configuration: RenderConfiguration()).render(TestPlans.trackEvent, environment: CountingEnvironment())
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), #"{"id":"evt_1"}"#)
    }

    func testLookupTablesReachMappingsAndTemplates() throws {
        let plan = try TestPlans.compile(#"""
        {"dspec": 1, "name": "lookups", "endpoint": {"url": "https://api.example.com/v1/e"},
         "lookups": {"names": {"map": {"Order Completed": "Purchase"}, "default": "Other"}, "ccy": {"map": {"usd": "USD"}, "unmatched": "passthrough"}},
         "headers": {"X-Event": "{{lookup_table \"names\" event}}"},
         "payload": {"mapping": {"name": {"@path": "event", "@lookup": "names"}, "currency": "{{lookup_table \"ccy\" properties.currency}}"}}}
        """#)
        XCTAssertEqual(plan.lookups.map(\.unmatched), ["default", "passthrough"])
        XCTAssertEqual(plan.ordering, "none")
        let request = try RequestRenderer(plan: plan, configuration: RenderConfiguration()).render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), #"{"name":"Purchase","currency":"USD"}"#)
        XCTAssertEqual(request.header("X-Event"), "Purchase")
    }

    func testAPlanUsingAnUndeclaredTableIsRefused() throws {
        var plan = try TestPlans.compile(#"""
        {"dspec": 1, "name": "lookups", "endpoint": {"url": "https://api.example.com/v1/e"},
         "lookups": {"names": {"map": {"a": "b"}}},
         "payload": {"mapping": {"name": {"@path": "event", "@lookup": "names"}}}}
        """#)
        plan.lookups = []
        XCTAssertThrowsError(try RequestRenderer(plan: plan, configuration: RenderConfiguration())) { error in
            XCTAssertTrue("\(error)".contains("lookup table \"names\""), "\(error)")
        }
    }

    func testPlanCarriesLookupsAndOrderingExplicitlyAndChecksThem() throws {
        let plan = try TestPlans.compile(#"""
        {"dspec": 1, "name": "lookups", "endpoint": {"url": "https://api.example.com/v1/e"}, "ordering": "strict",
         "lookups": {"names": {"map": {"b": {"z": 1, "a": 2}, "a": "x"}}},
         "payload": {"mapping": {"name": {"@path": "event", "@lookup": "names"}}}}
        """#)
        let text = String(decoding: plan.canonicalJSON, as: UTF8.self)
        XCTAssertTrue(text.contains(#""ordering": "strict""#), text)
        // Tables keep their declared order (map values are data sent as written).
        let json = try JSONParser().parseValue(plan.canonicalJSON)
        XCTAssertEqual(json["lookups"]?["names"]?["map"]?.objectValue?.keys, ["b", "a"])
        XCTAssertEqual(json["lookups"]?["names"]?["map"]?["b"]?.objectValue?.keys, ["z", "a"])
        XCTAssertEqual(json["lookups"]?["names"]?["unmatched"], "omit")
        XCTAssertNil(json["lookups"]?["names"]?["default"])
        XCTAssertEqual(try DeliveryPlan(json: json), plan)

        let plain = try TestPlans.compile(#"{"dspec": 1, "name": "plain", "endpoint": {"url": "https://api.example.com/v1/e"}, "payload": {"format": "canonical"}}"#)
        let plainJSON = try JSONParser().parseValue(plain.canonicalJSON)
        XCTAssertEqual(plainJSON["lookups"], .object(JSONObject()))
        XCTAssertEqual(plainJSON["ordering"], "none")

        func decodeError(_ edit: (inout JSONObject) -> Void) -> String {
            guard case .object(var o) = json else { return "" }
            edit(&o)
            do { _ = try DeliveryPlan(json: .object(o)); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(decodeError { $0["ordering"] = "sometimes" }.contains("/ordering"))
        XCTAssertTrue(decodeError { $0["lookups"] = ["names": ["map": ["a": 1], "unmatched": "maybe"]] }.contains("/lookups/names/unmatched"))
        XCTAssertTrue(decodeError { $0["lookups"] = ["names": ["map": ["a": 1], "unmatched": "default"]] }.contains("/lookups/names/default"))
        XCTAssertTrue(decodeError { $0["lookups"] = ["names": ["map": ["a": 1], "unmatched": "omit", "default": 2]] }.contains("/lookups/names/default"))
        XCTAssertTrue(decodeError { $0["lookups"] = ["names": ["map": [1]]] }.contains("/lookups/names/map"))
        // Plans written before these fields existed still read, with the defaults.
        let old = decodeError { o in o = JSONObject(o.filter { $0.key != "lookups" && $0.key != "ordering" }.map { ($0.key, $0.value) }) }
        XCTAssertEqual(old, "")
    }
}
