import DSJSON
import DSMock
import DSPlan
import DSRender
import DSRuntime

/// The cases generated from a spec alone, so `dspec test SPEC` checks every feature the
/// spec declares without a suite:
///
/// | Case | When | Checks |
/// |---|---|---|
/// | `happy-path` | always | ledger, golden fixtures (if any), auth, signature |
/// | `batching-limits` | batching on | enough events for three batches; each within `max_events` / `max_bytes` |
/// | `rate-limit` | `rate_limit` | burst plus extra requests; the token-bucket bound |
/// | `status-CODE-OUTCOME` | each status rule | a scripted status then 200: delivered, retried then delivered, dropped with status and parsed message, or token refreshed |
/// | `retry-exhausted-CODE` | a retry rule | the status forever: dead-lettered after `max_attempts` |
/// | `retry-after-429` | 429 retried | `Retry-After: 1` honoured |
/// | `partial-failure` | `partial_failure` | one event of a batch rejected, the rest delivered |
/// | `oauth-refresh-on-expiry` | OAuth | every access token expired mid-run: 401, one refresh, all delivered |
/// | `rate-limit-headers` | `response.rate_limit_headers` | the first answer says the quota is spent for 1 s, in the spec's headers and unit: the next request waits |
///
/// The OAuth refresh case is the `refresh_auth` status rule's case, named `oauth-refresh-on-CODE` (401 for the default rule).
public enum StandardBattery {
    /// The most events any generated case sends, whatever the spec declares (a spec may
    /// allow up to 1,000,000 events per batch; a case that sent that many would run out
    /// the case timeout).
    public static let maxGeneratedEvents = 5_000
    /// The largest batch `batching-limits` fills: a spec allowing more is tested with
    /// `max_events` lowered to this (the splitting logic is the same at any size).
    public static let maxBatchEventsTested = 2_000
    /// The longest the `rate-limit` case may take by the spec's own rate: requests beyond
    /// the burst are limited so they are admitted within this many seconds.
    public static let maxRateCaseSeconds = 10.0

    /// The battery for `spec`.
    public static func cases(for spec: SpecUnderTest) -> [ConformanceCase] {
        let plan = spec.plan
        var cases: [ConformanceCase] = [happyPath(spec)]
        let renderer = try? RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: spec.settings, secrets: spec.secrets))
        guard let first = spec.events.map(\.event).first(where: { renderer?.select($0) == .selected }) else { return cases }
        if plan.batching.enabled { cases.append(batching(spec, renderer: renderer!)) }
        if let limit = plan.rateLimit {
            // Plan ranges keep rps and burst far below Int's range; the bounds below keep the
            // case short: at most 400 requests, and the extra ones admitted within
            // maxRateCaseSeconds at the spec's rate (none when even one would take longer).
            let burst = Int(min(max(1, limit.burst), 400).rounded(.up))
            let byTime = Int(min(400, (limit.rps * maxRateCaseSeconds).rounded(.down)))
            let extra = min(max(3, Int(min(400, limit.rps * 0.5).rounded(.up))), byTime)
            let count = min(400, burst + max(0, extra))
            var e = CaseExpectations()
            e.rateLimit = true
            e.requests = count...count
            e.delivered = .all
            cases.append(ConformanceCase(name: "rate-limit", description: "\(count) requests (burst \(TimingChecks.number(limit.burst)) + \(max(0, extra))) stay within the token bucket",
                                         events: .generated(count: count), expect: e, adjustments: PlanAdjustments(maxEvents: 1), generated: true))
        }
        cases += statusCases(plan, event: first)
        if let c = rateLimitHeaders(plan) { cases.append(c) }
        if plan.auth.isOAuth {
            var e = CaseExpectations()
            e.delivered = .all
            e.requests = 4...4
            e.tokenFetches = 2...2
            e.tokenRejections = 1...1
            e.auth = true
            cases.append(ConformanceCase(name: "oauth-refresh-on-expiry", description: "every access token expires after the first request; the runtime refreshes once",
                                         events: .generated(count: 3), expect: e, adjustments: PlanAdjustments(maxEvents: 1), concurrency: 1,
                                         expireTokensAfter: 1, generated: true))
        }
        if let pf = plan.response.partialFailure, plan.batching.enabled, let c = partialFailure(plan, pf) { cases.append(c) }
        return cases
    }

    private static func happyPath(_ spec: SpecUnderTest) -> ConformanceCase {
        var e = CaseExpectations()
        e.auth = true
        e.signatures = true
        e.batchLimits = true
        if let fixtures = spec.fixtures {
            e.fixtures = true
            e.delivered = .ids(fixtures.requests.flatMap { $0.value["events"]?.arrayValue?.compactMap(\.stringValue) ?? [] })
            let failed = fixtures.outcomes?["failed"]?.arrayValue?.compactMap { $0["event_id"]?.stringValue } ?? []
            e.deadLettered = .ids(failed)
            if let filtered = fixtures.outcomes?["filtered"]?.arrayValue?.compactMap({ $0["event_id"]?.stringValue }) { e.filtered = .ids(filtered) }
        } else {
            e.delivered = .all
        }
        return ConformanceCase(name: "happy-path", description: "the default events, answered 200: ledger complete, fixtures, auth and signature",
                               events: .defaults, expect: e, concurrency: 1, ordered: true, generated: true)
    }

    /// Enough generated events for three batches (two past 5,000 events), sized from the
    /// real encoded payloads of the very events the case sends, which cycle through every
    /// selected sample event: a spec with mixed-size samples is sized right, not from the
    /// first sample alone. The request floor is a true lower bound for any correct batcher:
    /// the event count over `max_events`, and the payload bytes over `max_bytes`.
    private static func batching(_ spec: SpecUnderTest, renderer: RequestRenderer) -> ConformanceCase {
        let b = spec.plan.batching
        let templates = spec.events.map(\.event).filter { renderer.select($0) == .selected }
        // A batch larger than maxBatchEventsTested is tested with max_events lowered to it, so the
        // loop below ends by 2 * maxBatchEventsTested + 1 events, within maxGeneratedEvents.
        let maxEvents = min(b.maxEvents, maxBatchEventsTested)
        let adjustments = maxEvents < b.maxEvents ? PlanAdjustments(maxEvents: maxEvents) : PlanAdjustments()
        func floor(_ count: Int, _ bytes: Int) -> Int {
            let byCount = (count + max(1, maxEvents) - 1) / max(1, maxEvents)
            let byBytes = b.maxBytes > 0 ? (bytes + b.maxBytes - 1) / b.maxBytes : 0
            return max(byCount, byBytes)
        }
        var count = 0, bytes = 0
        while count < maxGeneratedEvents {
            let event = CaseInputs.generated(count, templates: templates)
            bytes += (try? renderer.payload(for: event).bytes.count) ?? 256
            count += 1
            if floor(count, bytes) >= 3 { break }
        }
        let minimum = floor(count, bytes)
        var e = CaseExpectations()
        e.batchLimits = true
        e.delivered = .all
        e.requests = minimum...count
        return ConformanceCase(name: "batching-limits", description: "\(count) events need at least \(minimum) requests, each within the plan's limits",
                               events: .generated(count: count), expect: e, adjustments: adjustments, generated: true)
    }

    /// Two requests; the first answer says, in the spec's rate-limit headers and unit, that the
    /// quota is spent for about a second (a success with remaining 0, or IETF `r=0;t=1`; a
    /// 429 when the spec reads only a reset header, which then acts as `Retry-After`): the
    /// second request must wait it out.
    private static func rateLimitHeaders(_ plan: DeliveryPlan) -> ConformanceCase? {
        guard let h = plan.response.rateLimitHeaders, h.maxMs > 0 else { return nil }
        let classifier = StatusClassifier(rules: plan.response.rules)
        var headers: [MockHeader] = []
        var status = 200
        if h.ietf {
            headers = [MockHeader(name: "RateLimit-Policy", value: #""default";q=100;w=60"#), MockHeader(name: "RateLimit", value: #""default";r=0;t=1"#)]
        } else if let reset = h.reset {
            let value: String
            switch h.resetUnit {
            case "epoch_seconds": value = "{{unix_s+2}}"  // 1-2 s from now, whole seconds
            case "epoch_ms": value = "{{unix_ms+1000}}"
            default: value = "1"
            }
            headers = [MockHeader(name: reset, value: value)]
            if let remaining = h.remaining { headers.append(MockHeader(name: remaining, value: "0")) } else { status = 429 }
        } else {
            return nil
        }
        let outcome = classifier.classify(status: status, body: Array("{}".utf8)).outcome
        guard outcome == (status == 429 ? .retry : .success) else { return nil }
        let ok = MockResponse(status: 200, json: .object(JSONObject()))
        let first = MockResponse(status: status, headers: headers, json: .object(JSONObject()))
        let scenario = MockScenario(name: "vendor", routes: [MockRoute(name: "vendor", path: .any, responses: [first, ok])], fallback: ok)
        var e = CaseExpectations()
        e.requests = 2...2
        e.delivered = .all
        // A 429 is retried: the retry waits. A success: the next event's request waits.
        if status == 429 { e.minRetrySpacingMs = min(1000, h.maxMs) } else { e.minRequestSpacingMs = min(1000, h.maxMs) }
        return ConformanceCase(name: "rate-limit-headers", description: "a \(status) whose rate-limit headers say the quota is spent for about 1 s: the next request waits for the reset",
                               events: .generated(count: status == 429 ? 1 : 2), scenario: scenario, expect: e, adjustments: PlanAdjustments(maxEvents: 1), concurrency: 1, ordered: true,
                               generated: true)
    }

    /// One case per status rule, plus Retry-After and retry exhaustion.
    private static func statusCases(_ plan: DeliveryPlan, event: JSONValue) -> [ConformanceCase] {
        var cases: [ConformanceCase] = []
        var names: Set<String> = []
        let ok = MockResponse(status: 200, json: .object(JSONObject()))
        func route(_ responses: [MockResponse]) -> MockScenario {
            MockScenario(name: "vendor", routes: [MockRoute(name: "vendor", path: .any, responses: responses)], fallback: ok)
        }
        var exhausted = false
        for (i, rule) in plan.response.rules.enumerated() {
            if rule.outcome == "refresh_auth" && !plan.auth.isOAuth { continue }
            guard let probe = StatusProbe.probe(plan, rule: i) else { continue }
            var name = rule.outcome == "refresh_auth" ? "oauth-refresh-on-\(probe.status)" : "status-\(probe.status)-\(rule.outcome.replacingOccurrences(of: "_", with: "-"))"
            if !names.insert(name).inserted { name += "-rule-\(i + 1)" }
            var e = CaseExpectations()
            switch rule.outcome {
            case "success":
                e.requests = 1...1
                e.delivered = .all
            case "retry":
                e.requests = 2...2
                e.delivered = .all
                e.backoff = true
            case "refresh_auth":
                e.requests = 2...2
                e.delivered = .all
                e.tokenFetches = 2...2
            default:
                e.requests = 1...1
                e.deadLettered = .all
                e.delivered = EventSet.none
                e.deadLetter = DeadLetterExpectation(status: probe.status, errorMessage: probe.message, attempts: 1)
            }
            let what = rule.bodyContains.map { " with a body containing \(JSONWriter.string(.string($0)))" } ?? ""
            cases.append(ConformanceCase(name: name, description: "status \(probe.status)\(what) then 200: rule \(i + 1) (\(rule.origin)) says \(rule.outcome)",
                                         events: .inline([event]), scenario: route([probe.response(), ok]), expect: e, generated: true))
            if rule.outcome == "retry" && !exhausted {
                exhausted = true
                let attempts = plan.response.retry.maxAttempts
                var x = CaseExpectations()
                x.requests = attempts...attempts
                x.deadLettered = .all
                x.delivered = EventSet.none
                x.backoff = true
                x.deadLetter = DeadLetterExpectation(status: probe.status, errorMessage: probe.message, attempts: attempts)
                cases.append(ConformanceCase(name: "retry-exhausted-\(probe.status)", description: "status \(probe.status) on every attempt: dead-lettered after \(attempts) attempts",
                                             events: .inline([event]), scenario: route([probe.response()]), expect: x, generated: true))
            }
        }
        if let index = plan.response.rules.indices.first(where: { StatusProbe.probe(plan, rule: $0, only: 429) != nil }),
           plan.response.rules[index].outcome == "retry", let probe = StatusProbe.probe(plan, rule: index, only: 429) {
            var e = CaseExpectations()
            e.requests = 2...2
            e.delivered = .all
            e.retryAfter = true
            e.backoff = true
            cases.append(ConformanceCase(name: "retry-after-429", description: "429 with Retry-After: 1, then 200: the retry waits at least a second",
                                         events: .inline([event]),
                                         scenario: route([probe.response(headers: [MockHeader(name: "Retry-After", value: "1")]), ok]), expect: e, generated: true))
        }
        return cases
    }

    /// The second of three events is rejected in a 200 answer's partial-failure list.
    private static func partialFailure(_ plan: DeliveryPlan, _ pf: PlanPartialFailure) -> ConformanceCase? {
        guard let errorTokens = JSONPointer.tokens(pf.errors), !errorTokens.isEmpty, let indexTokens = JSONPointer.tokens(pf.index) else { return nil }
        let items = plan.batching.format == "json_object" ? plan.batching.envelope.flatMap { BatchCounter.markerPointer(in: $0, at: "") } : ""
        guard let items else { return nil }
        let message = "conformance: event {{index}} rejected"
        var error = StatusProbe.build(indexTokens, .string("@index"))
        if let m = pf.message, let tokens = JSONPointer.tokens(m), case .object(var o) = error, case .object(let extra) = StatusProbe.build(tokens, .string(message)) {
            for (k, v) in extra where o[k] == nil { o[k] = v }
            error = .object(o)
        }
        let body = StatusProbe.build(errorTokens, .array([]))
        let scenarioJSON: JSONValue = ["name": "partial-failure", "default": ["status": 200, "body": body,
                                                                               "partial_failure": ["items": .string(items), "indexes": [1], "errors_at": .string(pf.errors), "error": error]]]
        guard let scenario = try? MockScenario(json: scenarioJSON) else { return nil }
        var e = CaseExpectations()
        e.requests = 1...1
        e.delivered = .ids(["conformance-000001", "conformance-000003"])
        if pf.outcome == "drop" {
            e.deadLettered = .ids(["conformance-000002"])
            e.deadLetter = DeadLetterExpectation(status: 200, errorMessage: pf.message == nil ? nil : "conformance: event 1 rejected", attempts: 1)
        } else {
            return nil
        }
        return ConformanceCase(name: "partial-failure", description: "a 200 whose partial-failure list names the second of three events",
                               events: .generated(count: 3), scenario: scenario, expect: e, generated: true)
    }
}
