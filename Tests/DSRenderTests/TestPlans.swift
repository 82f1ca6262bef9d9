import DSCompiler
import DSCore
import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// Plans for tests: built directly (to exercise the renderer on shapes lint would reject,
/// such as a literal non-JSON body for a signing vector) or compiled from inline specs.
enum TestPlans {
    static func plan(url: String = "https://api.example.com/v1/events", method: String = "POST",
                     query: [PlanHeader] = [], headers: [PlanHeader]? = nil, auth: PlanAuth = .none,
                     format: String = "json", contentType: String = "application/json",
                     body: PlanPayload.Body = .canonical, wrapper: JSONValue? = nil,
                     batching: PlanBatching = PlanBatching(enabled: false, maxEvents: 1, maxBytes: 0, maxWaitMs: 0, format: "json_array", envelope: nil),
                     signing: PlanSigning? = nil, events: PlanEvents = PlanEvents(types: ["track", "page", "identify", "screen", "group", "alias"], names: nil, consent: []),
                     settings: [PlanSetting] = [], secrets: [String] = []) -> DeliveryPlan {
        DeliveryPlan(
            name: "test", description: nil, specDigest: "sha256:test", sourceForm: "delivery_spec", settings: settings, secrets: secrets,
            events: events, endpoint: PlanEndpoint(method: method, url: url, query: query, timeoutMs: 1000), auth: auth,
            headers: headers ?? [PlanHeader(name: "Content-Type", value: contentType), PlanHeader(name: "User-Agent", value: "dspec/1.0")],
            payload: PlanPayload(format: format, contentType: contentType, body: body, wrapper: wrapper, partials: [:]),
            batching: batching, signing: signing, rateLimit: nil,
            response: PlanResponse(rules: [], errorMessage: nil, partialFailure: nil,
                                   retry: PlanRetry(maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1, multiplier: 1, jitter: "none", maxElapsedMs: 1, honourRetryAfter: false, retryAfterMaxMs: 0),
                                   idempotencyKeyHeader: nil))
    }

    /// The expanded preset with its secret template set.
    static func preset(_ name: String, secret: String = "{{@secrets.signing_secret}}") -> PlanSigning {
        var s = SigningPresets.expansion(.init(rawValue: name)!)
        s.secret = secret
        return s
    }

    /// Compiles an inline spec, failing the test with the diagnostics if it has errors.
    static func compile(_ json: String, file: StaticString = #filePath, line: UInt = #line) throws -> DeliveryPlan {
        let source = SourceFile(path: "inline.json", text: json)
        let diagnostics = DiagnosticCollector(source: source)
        let result = SpecCompiler().compile(source, diagnostics: diagnostics)
        guard let plan = result.plan else {
            let messages = diagnostics.sorted.filter { $0.severity == .error }.map { "\($0.code): \($0.message)" }
            XCTFail("spec does not compile: \(messages.joined(separator: "; "))", file: file, line: line)
            throw XCTSkip("uncompilable spec")
        }
        return plan
    }

    static func event(_ text: String) -> JSONValue {
        try! JSONParser().parseValue(text)
    }

    static let trackEvent = event("""
    {"type":"track","event":"Order Completed","event_id":"evt_1","user_id":"u1","anonymous_id":"a1","timestamp":"2026-01-01T00:00:00.000Z",\
    "context":{"ip":"203.0.113.7","user_agent":"Mozilla/5.0","page":{"url":"https://shop.example/checkout"},"consent":{"categories":["analytics"]}},\
    "properties":{"total":42.5,"currency":"usd","order_id":"o-1"}}
    """)
}

/// An environment with a chosen clock and request id, for vendor vectors.
struct VectorEnvironment: RenderEnvironment {
    var timestamp: Int64
    var id: String
    func unixTime() -> Int64 { timestamp }
    func requestID(forEventIDs eventIDs: [String]) -> String { id }
}
