import DeliverySpec
import Foundation
import XCTest

/// Table-driven: each spec edit has its expected highest class and the rule id that must
/// report it (nil class = no change at all).
final class DiffClassificationTests: XCTestCase {
    static let base = """
    {
      "dspec": 1,
      "name": "acme-events",
      "description": "Acme events API",
      "settings": {"region": {"type": "string", "enum": ["us", "eu"], "default": "us"}},
      "secrets": {"api_key": {}, "signing_key": {}},
      "events": {"types": ["track", "identify"], "consent": ["analytics"]},
      "endpoint": {"method": "POST", "url": "https://api-{{@settings.region}}.acme.example/v2/events", "query": {"source": "dspec"}, "timeout_ms": 10000},
      "auth": {"type": "api_key", "in": "header", "name": "X-Api-Key", "value": "{{@secrets.api_key}}"},
      "headers": {"X-Api-Version": "2", "X-Forwarded-For": "{{context.ip}}"},
      "payload": {
        "format": "json",
        "mapping": {
          "event_type": {"@path": "event"},
          "user": {"id": {"@path": "user_id"}, "email_sha256": {"@path": "traits.email", "@transform": ["trim", "lowercase", "sha256"]}},
          "value": {"@path": "properties.total", "@type": "number", "@default": 0},
          "source": "dspec"
        }
      },
      "batching": {"max_events": 100, "max_bytes": 1000000, "max_wait_ms": 5000, "format": "json_object", "envelope": {"events": {"@batch": true}}},
      "signing": {"preset": "github", "secret": "{{@secrets.signing_key}}"},
      "rate_limit": {"rps": 10, "burst": 20},
      "response": {
        "rules": [{"status": [409], "body_contains": "duplicate", "outcome": "success"}],
        "error_message": "/error/message",
        "retry": {"max_attempts": 5, "initial_backoff_ms": 500, "max_backoff_ms": 30000},
        "idempotency_key": {"header": "Idempotency-Key"}
      }
    }
    """

    static let events: [JSONValue] = [
        ["type": "track", "event": "Order Completed", "event_id": "e1", "user_id": "u1", "properties": ["total": 10], "traits": ["email": " A@B.com "],
         "context": ["ip": "203.0.113.1", "consent": ["categories": ["analytics"]]]],
        ["type": "identify", "event_id": "e2", "user_id": "u2", "traits": ["email": "c@d.com"], "context": ["ip": "203.0.113.2", "consent": ["categories": ["analytics"]]]],
        ["type": "page", "event_id": "e3", "user_id": "u3", "context": ["ip": "203.0.113.3", "consent": ["categories": ["analytics"]]]],
    ]

    struct Case: Sendable {
        let name: String
        let edit: @Sendable (String) -> String
        let expected: ChangeClass?
        let rule: String?
    }

    static func r(_ old: String, _ new: String) -> @Sendable (String) -> String {
        { text in
            precondition(text.contains(old), "edit target not found: \(old)")
            return text.replacingOccurrences(of: old, with: new)
        }
    }

    static let cases: [Case] = [
        // No change at all.
        Case(name: "identical", edit: { $0 }, expected: nil, rule: nil),
        Case(name: "whitespace", edit: { $0.replacingOccurrences(of: "\n", with: "\n\n  ") }, expected: nil, rule: nil),
        Case(name: "top-level key reorder", edit: r("\"description\": \"Acme events API\",\n", ""), expected: .safe, rule: "plan.description-changed"),
        Case(name: "reorder endpoint keys", edit: r("{\"method\": \"POST\", \"url\": \"https://api-{{@settings.region}}.acme.example/v2/events\",", "{\"url\": \"https://api-{{@settings.region}}.acme.example/v2/events\", \"method\": \"POST\","), expected: nil, rule: nil),
        Case(name: "default made explicit: method", edit: r("\"method\": \"POST\", ", ""), expected: nil, rule: nil),
        Case(name: "default made explicit: format", edit: r("\"format\": \"json\",\n", ""), expected: nil, rule: nil),
        Case(name: "default made explicit: burst", edit: r("\"rate_limit\": {\"rps\": 10, \"burst\": 20}", "\"rate_limit\": {\"rps\": 20}"), expected: .risky, rule: "rate-limit.changed"),
        Case(name: "default timeout explicit", edit: r("\"timeout_ms\": 10000", "\"timeout_ms\": 10000"), expected: nil, rule: nil),
        Case(name: "retry default explicit", edit: r("\"max_attempts\": 5, ", ""), expected: nil, rule: nil),
        Case(name: "header name case", edit: r("\"X-Api-Version\": \"2\"", "\"x-api-version\": \"2\""), expected: .breaking, rule: "headers.changed"),
        Case(name: "reorder headers", edit: r("\"X-Api-Version\": \"2\", \"X-Forwarded-For\": \"{{context.ip}}\"", "\"X-Forwarded-For\": \"{{context.ip}}\", \"X-Api-Version\": \"2\""), expected: nil, rule: nil),
        Case(name: "reorder secrets", edit: r("\"secrets\": {\"api_key\": {}, \"signing_key\": {}}", "\"secrets\": {\"signing_key\": {}, \"api_key\": {}}"), expected: nil, rule: nil),
        Case(name: "reorder event types", edit: r("[\"track\", \"identify\"]", "[\"identify\", \"track\"]"), expected: nil, rule: nil),
        Case(name: "preset expanded by hand", edit: r("\"signing\": {\"preset\": \"github\", \"secret\": \"{{@secrets.signing_key}}\"}", "\"signing\": {\"preset\": \"github\", \"algorithm\": \"hmac-sha256\", \"header\": \"X-Hub-Signature-256\", \"secret\": \"{{@secrets.signing_key}}\"}"), expected: nil, rule: nil),
        // Breaking.
        Case(name: "endpoint URL", edit: r("/v2/events", "/v3/events"), expected: .breaking, rule: "endpoint.url-changed"),
        Case(name: "method", edit: r("\"method\": \"POST\"", "\"method\": \"PUT\""), expected: .breaking, rule: "endpoint.method-changed"),
        Case(name: "query param removed", edit: r(", \"query\": {\"source\": \"dspec\"}", ""), expected: .breaking, rule: "endpoint.query-changed"),
        Case(name: "query param value", edit: r("{\"source\": \"dspec\"}", "{\"source\": \"dspec2\"}"), expected: .breaking, rule: "endpoint.query-changed"),
        Case(name: "auth scheme", edit: r("\"auth\": {\"type\": \"api_key\", \"in\": \"header\", \"name\": \"X-Api-Key\", \"value\": \"{{@secrets.api_key}}\"}", "\"auth\": {\"type\": \"bearer\", \"token\": \"{{@secrets.api_key}}\"}"), expected: .breaking, rule: "auth.scheme-changed"),
        Case(name: "api key header renamed", edit: r("\"name\": \"X-Api-Key\"", "\"name\": \"X-Key\""), expected: .breaking, rule: "auth.parameters-changed"),
        Case(name: "api key moved to query", edit: r("\"in\": \"header\"", "\"in\": \"query\""), expected: .breaking, rule: "auth.parameters-changed"),
        Case(name: "payload field renamed", edit: r("\"event_type\": {\"@path\": \"event\"}", "\"event_name\": {\"@path\": \"event\"}"), expected: .breaking, rule: "payload.field-changed"),
        Case(name: "payload field removed", edit: r("\"source\": \"dspec\"\n", "\"x-unused\": 1\n"), expected: .breaking, rule: "payload.field-changed"),
        Case(name: "payload field retyped", edit: r("\"@type\": \"number\"", "\"@type\": \"string\""), expected: .breaking, rule: "payload.field-changed"),
        Case(name: "nested field flattened", edit: r("\"user\": {\"id\": {\"@path\": \"user_id\"}, \"email_sha256\": {\"@path\": \"traits.email\", \"@transform\": [\"trim\", \"lowercase\", \"sha256\"]}}", "\"user\": {\"@path\": \"user_id\"}"), expected: .breaking, rule: "payload.field-changed"),
        Case(name: "content type (form)", edit: r("\"format\": \"json\"", "\"format\": \"form\""), expected: .breaking, rule: "payload.format-changed"),
        Case(name: "signing preset", edit: r("\"preset\": \"github\"", "\"preset\": \"shopify\""), expected: .breaking, rule: "signing.scheme-changed"),
        Case(name: "signing header", edit: r("\"preset\": \"github\", ", "\"preset\": \"github\", \"header\": \"X-Sig\", "), expected: .breaking, rule: "signing.scheme-changed"),
        Case(name: "signing removed", edit: r(",\n  \"signing\": {\"preset\": \"github\", \"secret\": \"{{@secrets.signing_key}}\"}", ""), expected: .breaking, rule: "signing.scheme-changed"),
        Case(name: "batch wrapper", edit: r("\"format\": \"json_object\", \"envelope\": {\"events\": {\"@batch\": true}}", "\"format\": \"json_array\""), expected: .breaking, rule: "batching.wrapper-changed"),
        Case(name: "batch envelope key", edit: r("{\"events\": {\"@batch\": true}}", "{\"data\": {\"@batch\": true}}"), expected: .breaking, rule: "batching.wrapper-changed"),
        Case(name: "batching off", edit: r("\"max_events\": 100,", "\"enabled\": false, \"max_events\": 100,"), expected: .breaking, rule: "batching.toggled"),
        Case(name: "header removed", edit: r("\"X-Api-Version\": \"2\", ", ""), expected: .breaking, rule: "headers.changed"),
        Case(name: "header value", edit: r("\"X-Api-Version\": \"2\"", "\"X-Api-Version\": \"3\""), expected: .breaking, rule: "headers.changed"),
        Case(name: "idempotency header renamed", edit: r("{\"header\": \"Idempotency-Key\"}", "{\"header\": \"X-Idempotency-Key\"}"), expected: .breaking, rule: "response.idempotency-changed"),
        Case(name: "new required setting", edit: r("\"settings\": {", "\"settings\": {\"account\": {\"type\": \"string\", \"required\": true}, "), expected: .breaking, rule: "settings.changed"),
        // Risky.
        Case(name: "batch size up", edit: r("\"max_events\": 100", "\"max_events\": 500"), expected: .risky, rule: "batching.size-raised"),
        Case(name: "batch bytes up", edit: r("\"max_bytes\": 1000000", "\"max_bytes\": 5000000"), expected: .risky, rule: "batching.size-raised"),
        Case(name: "rate limit up", edit: r("\"rps\": 10", "\"rps\": 50"), expected: .risky, rule: "rate-limit.changed"),
        Case(name: "rate limit removed", edit: r(",\n  \"rate_limit\": {\"rps\": 10, \"burst\": 20}", ""), expected: .risky, rule: "rate-limit.changed"),
        Case(name: "retries up", edit: r("\"max_attempts\": 5", "\"max_attempts\": 10"), expected: .risky, rule: "response.retries-changed"),
        Case(name: "backoff shorter", edit: r("\"initial_backoff_ms\": 500", "\"initial_backoff_ms\": 100"), expected: .risky, rule: "response.retries-changed"),
        Case(name: "drop to retry", edit: r("\"rules\": [", "\"rules\": [{\"status\": [400], \"outcome\": \"retry\"}, "), expected: .risky, rule: "response.outcome-changed"),
        Case(name: "timeout down", edit: r("\"timeout_ms\": 10000", "\"timeout_ms\": 2000"), expected: .risky, rule: "endpoint.timeout-lowered"),
        Case(name: "field source changed", edit: r("\"id\": {\"@path\": \"user_id\"}", "\"id\": {\"@path\": \"anonymous_id\"}"), expected: .risky, rule: "payload.field-changed"),
        Case(name: "constant field added", edit: r("\"source\": \"dspec\"\n", "\"source\": \"dspec\",\n      \"version\": 2\n"), expected: .risky, rule: "payload.field-changed"),
        Case(name: "header added", edit: r("\"X-Api-Version\": \"2\", ", "\"X-Api-Version\": \"2\", \"X-Team\": \"growth\", "), expected: .risky, rule: "headers.changed"),
        Case(name: "event type added", edit: r("[\"track\", \"identify\"]", "[\"track\", \"identify\", \"page\"]"), expected: .risky, rule: "events.selection-changed"),
        Case(name: "consent removed", edit: r(", \"consent\": [\"analytics\"]", ""), expected: .risky, rule: "events.selection-changed"),
        Case(name: "new secret", edit: { r("{{@secrets.api_key}}\"}", "{{@secrets.api_key2}}\"}")(r("\"secrets\": {\"api_key\": {}", "\"secrets\": {\"api_key2\": {}")($0)) }, expected: .breaking, rule: "secrets.changed"),
        // Safe.
        Case(name: "description", edit: r("Acme events API", "Acme events API v2"), expected: .safe, rule: "plan.description-changed"),
        Case(name: "rate limit lowered", edit: r("\"rps\": 10, \"burst\": 20", "\"rps\": 5, \"burst\": 10"), expected: .safe, rule: "rate-limit.changed"),
        Case(name: "batch size down", edit: r("\"max_events\": 100", "\"max_events\": 50"), expected: .safe, rule: "batching.size-raised"),
        Case(name: "timeout up", edit: r("\"timeout_ms\": 10000", "\"timeout_ms\": 20000"), expected: .safe, rule: "endpoint.timeout-lowered"),
        Case(name: "retries down", edit: r("\"max_attempts\": 5", "\"max_attempts\": 3"), expected: .safe, rule: "response.retries-changed"),
        Case(name: "field added only when present", edit: r("\"source\": \"dspec\"\n", "\"source\": \"dspec\",\n      \"currency\": {\"@path\": \"properties.currency\"}\n"), expected: .safe, rule: "payload.field-changed"),
        Case(name: "stricter lint setting", edit: r("\"dspec\": 1,", "\"dspec\": 1,\n  \"lint\": {\"suppress\": [{\"rule\": \"DS0302\", \"reason\": \"kept for rotation\"}]},"), expected: nil, rule: nil),
        Case(name: "rate limit added", edit: r("\"rate_limit\": {\"rps\": 10, \"burst\": 20}", "\"rate_limit\": {\"rps\": 10, \"burst\": 20}"), expected: nil, rule: nil),
    ]

    func plan(_ text: String) throws -> DiffSide {
        let source = SourceFile(path: "spec.json", text: text)
        let diagnostics = DiagnosticCollector(source: source)
        let result = SpecCompiler().compile(source, diagnostics: diagnostics)
        let plan = try XCTUnwrap(result.plan, diagnostics.sorted.map { "\($0.code) \($0.location?.description ?? "") \($0.message)" }.joined(separator: "\n"))
        let config = RenderConfiguration(secrets: JSONObject([("api_key", "k-123456"), ("api_key2", "k-999999"), ("signing_key", "s-123456")]))
        return DiffSide(plan: plan, source: source, document: result.document, configuration: config)
    }

    func testTableOfEdits() throws {
        XCTAssertGreaterThanOrEqual(Self.cases.count, 40)
        let old = try plan(Self.base)
        for c in Self.cases {
            let newText = c.edit(Self.base)
            let new = try plan(newText)
            let report = SpecDiff.compare(old: old, new: new, events: Self.events)
            let planChanges = report.changes.filter { $0.layer == "plan" }
            let summary = report.changes.map { "\($0.changeClass.rawValue) \($0.rule) \($0.pointer): \($0.message)" }.joined(separator: "\n")
            if let expected = c.expected {
                XCTAssertEqual(planChanges.map(\.changeClass).max(), expected, "\(c.name):\n\(summary)")
                if let rule = c.rule {
                    XCTAssertTrue(report.changes.contains { $0.rule == rule }, "\(c.name): expected rule \(rule):\n\(summary)")
                }
            } else {
                XCTAssertTrue(planChanges.isEmpty, "\(c.name): expected no plan change:\n\(summary)")
            }
        }
    }

    func testWireDiffShowsBodyFieldsStructurally() throws {
        let old = try plan(Self.base)
        let new = try plan(Self.base.replacingOccurrences(of: "\"event_type\": {\"@path\": \"event\"}", with: "\"event_name\": {\"@path\": \"event\"}"))
        let wire = SpecDiff.compare(old: old, new: new, events: Self.events).changes.filter { $0.layer == "wire" }
        XCTAssertTrue(wire.contains { $0.rule == "wire.body-field-removed" && $0.pointer.hasSuffix("/event_type") }, "\(wire.map(\.pointer))")
        XCTAssertTrue(wire.contains { $0.rule == "wire.body-field-added" && $0.pointer.hasSuffix("/event_name") })
        XCTAssertTrue(wire.contains { $0.rule == "wire.derived-header-changed" && $0.pointer.hasSuffix("x-hub-signature-256") }, "the signature follows the body")
    }

    func testChangesCarrySourcePositionsInBothFiles() throws {
        let old = try plan(Self.base)
        let new = try plan(Self.base.replacingOccurrences(of: "/v2/events", with: "/v3/events"))
        let change = try XCTUnwrap(SpecDiff.compare(old: old, new: new, events: nil).changes.first { $0.rule == "endpoint.url-changed" })
        XCTAssertEqual(change.oldSourcePointer, "/endpoint/url")
        XCTAssertEqual(change.newSourcePointer, "/endpoint/url")
        let formatter = DiffFormatter(oldPath: "old.json", newPath: "new.json", old: old, new: new)
        XCTAssertTrue(formatter.text(SpecDiff.compare(old: old, new: new, events: nil)).contains("old.json:8:"), "line and column of the old file")
        // A removal is anchored in the old file only.
        let removed = try plan(Self.base.replacingOccurrences(of: "\"X-Api-Version\": \"2\", ", with: ""))
        let r = try XCTUnwrap(SpecDiff.compare(old: old, new: removed, events: nil).changes.first { $0.rule == "headers.changed" })
        XCTAssertEqual(r.oldSourcePointer, "/headers/X-Api-Version")
        XCTAssertNil(r.newSourcePointer)
    }

    func testJSONFingerprintsAreRuleAndPointer() throws {
        let old = try plan(Self.base)
        let new = try plan(Self.base.replacingOccurrences(of: "\"max_events\": 100", with: "\"max_events\": 500"))
        let report = SpecDiff.compare(old: old, new: new, events: nil)
        let json = try JSONParser().parseValue(DiffFormatter(oldPath: "a", newPath: "b", old: old, new: new).json(report))
        XCTAssertEqual(json["changes"]?.arrayValue?.first?["fingerprint"], "batching.size-raised:/batching/max_events")
        XCTAssertEqual(json["highest"], "risky")
    }
}
