import DeliverySpec
import Foundation
import XCTest

/// The wire diff matches requests and batch elements by event id, so an event inserted
/// into or removed from the middle of a run changes only what it touches.
final class WireAlignmentTests: XCTestCase {
    static let config = RenderConfiguration(secrets: JSONObject([("api_key", "k-123456"), ("signing_key", "s-123456")]))

    func side(_ text: String) throws -> DiffSide {
        let source = SourceFile(path: "spec.json", text: text)
        let diagnostics = DiagnosticCollector(source: source)
        let result = SpecCompiler().compile(source, diagnostics: diagnostics)
        let plan = try XCTUnwrap(result.plan, diagnostics.sorted.map { "\($0.code) \($0.message)" }.joined(separator: "\n"))
        return DiffSide(plan: plan, source: source, document: result.document, configuration: Self.config)
    }

    /// A spec in the shape of the issue: a json_object envelope `{"events": [...]}`, signed,
    /// with an idempotency key, batching `max_events` events per request.
    static func spec(types: [String] = ["track", "identify"], names: [String]? = nil, maxEvents: Int = 100, batched: Bool = true,
                     format: String = "json_object", signing: String = #"{"preset": "github", "secret": "{{@secrets.signing_key}}"}"#) -> String {
        let typeList = types.map { "\"\($0)\"" }.joined(separator: ", ")
        let nameList = names.map { ", \"names\": [" + $0.map { "\"\($0)\"" }.joined(separator: ", ") + "]" } ?? ""
        let envelope = format == "json_object" ? #", "envelope": {"api_key": "{{@secrets.api_key}}", "events": {"@batch": true}}"# : ""
        let batching = batched ? #", "batching": {"max_events": \#(maxEvents), "max_wait_ms": 1000, "format": "\#(format)"\#(envelope)}"# : ""
        return """
        {"dspec": 1, "name": "acme-events", "secrets": {"api_key": {}, "signing_key": {}},
         "events": {"types": [\(typeList)]\(nameList)},
         "endpoint": {"url": "https://api.acme.example/v2/events"},
         "headers": {"X-Forwarded-For": "{{context.ip}}"},
         "payload": {"format": "json", "mapping": {"event_type": {"@path": "event"}, "kind": {"@path": "type"}, "user": {"@path": "user_id"}}}\(batching),
         "signing": \(signing),
         "response": {"idempotency_key": {"header": "Idempotency-Key"}}}
        """
    }

    static func event(_ id: String, _ type: String, _ name: String? = nil) -> JSONValue {
        var o = JSONObject([("type", .string(type)), ("event_id", .string(id)), ("user_id", .string("u-" + id)), ("context", ["ip": "203.0.113.9"])])
        if let name { o["event"] = .string(name) }
        return .object(o)
    }

    /// track, page, identify, track: the page event sits in the middle of the batch.
    static let events: [JSONValue] = [event("e1", "track", "A"), event("e2", "page"), event("e3", "identify"), event("e4", "track", "B")]

    func summary(_ report: DiffReport) -> String {
        report.changes.map { "\($0.changeClass.rawValue) \($0.rule) \($0.pointer)" }.joined(separator: "\n")
    }

    /// The issue's first case: adding `page` to events.types is risky (the selection changed
    /// and one event joins the batch), not a breaking removal of every later element.
    func testAddingAnEventTypeIsARiskySelectionChange() throws {
        let report = SpecDiff.compare(old: try side(Self.spec()), new: try side(Self.spec(types: ["track", "page", "identify"])), events: Self.events)
        XCTAssertEqual(report.highest, .risky, summary(report))
        XCTAssertTrue(report.changes.contains { $0.rule == "events.selection-changed" && $0.changeClass == .risky }, summary(report))
        XCTAssertTrue(report.changes.contains { $0.rule == "wire.event-added" && $0.pointer == "/requests/0/body/events/1" }, summary(report))
        XCTAssertFalse(report.changes.contains { $0.rule.hasPrefix("wire.body-field") || $0.rule == "wire.body-value-changed" }, summary(report))
    }

    /// The issue's second case: `{"preset": "github"}` written out field by field is no change.
    func testPresetWrittenOutFieldByFieldIsNoChange() throws {
        let expanded = #"{"algorithm": "hmac-sha256", "secret": "{{@secrets.signing_key}}", "key_encoding": "utf8", "content": "{{@body}}", "encoding": "hex", "header": "X-Hub-Signature-256", "value": "sha256={{@signature}}"}"#
        let report = SpecDiff.compare(old: try side(Self.spec()), new: try side(Self.spec(signing: expanded)), events: Self.events)
        XCTAssertTrue(report.changes.isEmpty, summary(report))
        XCTAssertNil(report.highest)
    }

    /// Narrowing the selection of an unbatched spec removes exactly the requests of the
    /// events no longer sent; every other request is compared with its own counterpart.
    func testNarrowingAnUnbatchedSelectionRemovesOnlyThoseRequests() throws {
        let old = try side(Self.spec(types: ["track", "page", "identify"], batched: false))
        let new = try side(Self.spec(types: ["track", "identify"], batched: false))
        let report = SpecDiff.compare(old: old, new: new, events: Self.events)
        let wire = report.changes.filter { $0.layer == "wire" }
        XCTAssertEqual(report.highest, .risky, summary(report))
        XCTAssertEqual(Set(wire.map(\.rule)), ["wire.request-count-changed", "wire.request-removed", "wire.event-outcome-changed"], summary(report))
        XCTAssertEqual(wire.first { $0.rule == "wire.request-removed" }?.pointer, "/old/requests/1")
    }

    struct Case {
        let name: String
        let old: String
        let new: String
        /// Expected wire changes as "rule pointer", in any order.
        let wire: Set<String>
    }

    /// Insertions and removals at the start, middle and end of batches, and across batch
    /// boundaries, for each batch layout.
    func testInsertionsAndRemovalsInBatches() throws {
        let events = ["A", "B", "C", "D", "E"].enumerated().map { Self.event("e\($0.offset + 1)", "track", $0.element) }
        let all = ["A", "B", "C", "D", "E"]
        func s(_ names: [String], max: Int = 100, format: String = "json_object") -> String { Self.spec(types: ["track"], names: names, maxEvents: max, format: format) }
        let outcome = { (i: Int) in "wire.event-outcome-changed /events/\(i)" }
        let cases: [Case] = [
            Case(name: "remove middle", old: s(all), new: s(["A", "B", "D", "E"]),
                 wire: ["wire.event-removed /old/requests/0/body/events/2", outcome(2)]),
            Case(name: "insert middle", old: s(["A", "B", "D", "E"]), new: s(all),
                 wire: ["wire.event-added /requests/0/body/events/2", outcome(2)]),
            Case(name: "remove first", old: s(all), new: s(["B", "C", "D", "E"]),
                 wire: ["wire.event-removed /old/requests/0/body/events/0", outcome(0)]),
            Case(name: "insert last", old: s(["A", "B", "C", "D"]), new: s(all),
                 wire: ["wire.event-added /requests/0/body/events/4", outcome(4)]),
            Case(name: "remove two in the middle", old: s(all), new: s(["A", "E"]),
                 wire: ["wire.event-removed /old/requests/0/body/events/1", "wire.event-removed /old/requests/0/body/events/2",
                        "wire.event-removed /old/requests/0/body/events/3", outcome(1), outcome(2), outcome(3)]),
            Case(name: "json_array: remove middle", old: s(all, format: "json_array"), new: s(["A", "B", "D", "E"], format: "json_array"),
                 wire: ["wire.event-removed /old/requests/0/body/2", outcome(2)]),
            Case(name: "ndjson: insert middle", old: s(["A", "B", "D", "E"], format: "ndjson"), new: s(all, format: "ndjson"),
                 wire: ["wire.event-added /requests/0/body/2", outcome(2)]),
            // Batches of two: removing B shifts the boundaries; every event still compares with itself.
            Case(name: "batches of two: remove B", old: s(all, max: 2), new: s(["A", "C", "D", "E"], max: 2),
                 wire: ["wire.request-count-changed /requests", "wire.event-removed /old/requests/0/body/events/1",
                        "wire.event-added /requests/0/body/events/1", "wire.event-removed /old/requests/1/body/events/0",
                        "wire.event-added /requests/1/body/events/1", "wire.request-removed /old/requests/2", outcome(1)]),
        ]
        for c in cases {
            let report = SpecDiff.compare(old: try side(c.old), new: try side(c.new), events: events)
            let wire = report.changes.filter { $0.layer == "wire" && $0.rule != "wire.derived-header-changed" }
            XCTAssertEqual(Set(wire.map { "\($0.rule) \($0.pointer)" }), c.wire, "\(c.name):\n\(summary(report))")
            XCTAssertNotEqual(report.highest, .breaking, "\(c.name):\n\(summary(report))")
            XCTAssertFalse(report.changes.contains { $0.rule == "wire.header-changed" }, "\(c.name): signatures follow their bodies")
        }
    }

    /// Adding a previous key during a rotation is a risky plan change; the signature header
    /// follows it (derived), nothing is breaking.
    func testRotationIsRiskyNotBreaking() throws {
        let stripe = #"{"preset": "stripe", "secret": "{{@secrets.signing_key}}"}"#
        let rotating = #"{"preset": "stripe", "secret": "{{@secrets.signing_key}}", "previous_secrets": ["{{@secrets.api_key}}"]}"#
        let report = SpecDiff.compare(old: try side(Self.spec(signing: stripe)), new: try side(Self.spec(signing: rotating)), events: Self.events)
        XCTAssertEqual(report.highest, .risky, summary(report))
        XCTAssertTrue(report.changes.contains { $0.rule == "signing.rotation-changed" }, summary(report))
        XCTAssertTrue(report.changes.contains { $0.rule == "wire.derived-header-changed" && $0.pointer.hasSuffix("stripe-signature") }, summary(report))
    }

    /// With the same body and events, a different signature is a real header change.
    func testSignatureChangeWithTheSameBodyIsStillBreaking() throws {
        var newConfig = Self.config
        newConfig = RenderConfiguration(secrets: JSONObject([("api_key", "k-123456"), ("signing_key", "s-OTHER")]))
        let old = try side(Self.spec())
        var new = try side(Self.spec())
        new.configuration = newConfig
        let report = SpecDiff.compare(old: old, new: new, events: Self.events)
        XCTAssertTrue(report.changes.contains { $0.rule == "wire.header-changed" && $0.pointer.hasSuffix("x-hub-signature-256") }, summary(report))
    }
}
