import DSJSON

/// One classification rule of `dspec diff`, with a stable id documented in
/// docs/diff-rules.md. Rules are tried in order; the first whose pointer pattern matches
/// classifies the change.
public struct DiffRule: Sendable {
    /// Stable id, e.g. `endpoint.url-changed`.
    public let id: String
    /// One line for docs and reports.
    public let summary: String
    /// Pointer prefixes (in the normalized plan) this rule covers.
    let prefixes: [String]
    /// The class for a delta this rule covers.
    let classify: @Sendable (PlanDelta) -> ChangeClass

    init(_ id: String, _ summary: String, _ prefixes: [String], _ classify: @escaping @Sendable (PlanDelta) -> ChangeClass) {
        self.id = id
        self.summary = summary
        self.prefixes = prefixes
        self.classify = classify
    }

    func matches(_ pointer: String) -> Bool {
        prefixes.contains { pointer == $0 || pointer.hasPrefix($0 + "/") }
    }
}

/// Helpers for numeric comparisons in rules.
enum Direction {
    static func number(_ v: JSONValue?) -> Double? { v?.numberValue?.doubleValue }

    /// `up` if the new value is larger (absent = unlimited counts as infinitely large).
    static func increased(_ d: PlanDelta) -> Bool {
        switch (number(d.old), number(d.new)) {
        case (let a?, let b?): return b > a
        case (nil, _?): return false
        case (_?, nil): return true
        default: return false
        }
    }
}

/// The plan-level rules, in match order.
public enum DiffRules {
    static func fixed(_ c: ChangeClass) -> @Sendable (PlanDelta) -> ChangeClass { { _ in c } }
    static let upIsRisky: @Sendable (PlanDelta) -> ChangeClass = { Direction.increased($0) ? .risky : .safe }
    static let downIsRisky: @Sendable (PlanDelta) -> ChangeClass = { Direction.increased($0) ? .safe : .risky }

    /// Every plan rule.
    public static let plan: [DiffRule] = [
        DiffRule("plan.description-changed", "Descriptions are documentation only.", ["/description"], fixed(.safe)),
        DiffRule("plan.name-changed", "A renamed spec moves its fixtures and reports.", ["/name"], fixed(.risky)),
        DiffRule("plan.source-form-changed", "Rewriting a Custom Webhook config as a full spec (or back) changes nothing by itself.", ["/source_form", "/plan_version"], fixed(.safe)),
        DiffRule("endpoint.url-changed", "The vendor receives requests at a different URL.", ["/endpoint/url"], fixed(.breaking)),
        DiffRule("endpoint.method-changed", "The HTTP method changed.", ["/endpoint/method"], fixed(.breaking)),
        DiffRule("endpoint.query-changed", "A query parameter was added, removed or changed.", ["/endpoint/query"], fixed(.breaking)),
        DiffRule("endpoint.timeout-lowered", "A lower timeout gives up on slow responses sooner (risky); a higher one is safe.", ["/endpoint/timeout_ms"], downIsRisky),
        DiffRule("auth.scheme-changed", "The authentication type changed.", ["/auth/type"], fixed(.breaking)),
        DiffRule("auth.rotation-changed", "Refresh-token rotation handling changed.", ["/auth/rotates"], fixed(.risky)),
        DiffRule("auth.lifetime-changed", "The service-account assertion lifetime changed.", ["/auth/lifetime_seconds"], fixed(.safe)),
        DiffRule("auth.expiry-changed", "The Azure SAS token lifetime changed; each token is signed per attempt.", ["/auth/expiry_seconds"], fixed(.safe)),
        DiffRule("auth.parameters-changed", "Credentials go elsewhere or differ (header name, location, prefix, token URL, scope, client auth).", ["/auth"], fixed(.breaking)),
        DiffRule("headers.content-type-changed", "The Content-Type header changed.", ["/headers/content-type"], fixed(.breaking)),
        DiffRule("headers.changed", "A header was removed or its value changed (breaking); a new header is risky.", ["/headers"], { $0.kind == .added ? .risky : .breaking }),
        DiffRule("payload.format-changed", "The body encoding, its normalization or the content type changed.", ["/payload/format", "/payload/content_type", "/payload/normalize"], fixed(.breaking)),
        DiffRule("payload.field-changed", "A payload field was removed, retyped or restructured (breaking); added only when present (safe) or always (risky); its source changed (risky).", ["/payload/mapping"], PayloadFieldRule.classify),
        DiffRule("payload.template-changed", "The payload template changed; the wire diff shows what the vendor receives.", ["/payload/template", "/payload/partials"], fixed(.risky)),
        DiffRule("payload.wrapper-changed", "The per-event wrapper changed.", ["/payload/wrapper"], fixed(.breaking)),
        DiffRule("batching.toggled", "Batching turned on or off changes the body shape.", ["/batching/enabled"], fixed(.breaking)),
        DiffRule("batching.wrapper-changed", "The batch body layout (array, object envelope, NDJSON, named arrays) changed.", ["/batching/format", "/batching/envelope", "/batching/arrays"], fixed(.breaking)),
        DiffRule("batching.size-raised", "Larger batches (events or bytes) are risky; smaller ones safe.", ["/batching/max_events", "/batching/max_bytes"], upIsRisky),
        DiffRule("batching.wait-changed", "Events wait longer before sending (risky) or less (safe).", ["/batching/max_wait_ms"], upIsRisky),
        DiffRule("signing.preset-renamed", "Not reported: normalization drops the preset name (a label) and compares its expansion field by field, so a preset written out by hand is no change; the id is kept stable.", ["/signing/preset"], fixed(.safe)),
        DiffRule("signing.rotation-changed", "A key joined or left previous_secrets: receivers holding any listed key keep verifying (risky).", ["/signing/previous_secrets"], fixed(.risky)),
        DiffRule("signing.scheme-changed", "Signature algorithm, signed content, encoding, header or key changed.", ["/signing"], fixed(.breaking)),
        DiffRule("rate-limit.changed", "A higher or removed rate limit sends faster (risky); a lower or new one is safe.", ["/rate_limit"], RateLimitRule.classify),
        DiffRule("response.outcome-changed", "A status code's outcome changed (e.g. drop to retry).", ["/response/outcomes"], fixed(.risky)),
        DiffRule("response.retries-changed", "More or longer retries are risky; fewer are safe.", ["/response/retry"], RetryRule.classify),
        DiffRule("response.idempotency-changed", "The idempotency-key header was removed or renamed (breaking) or added (risky).", ["/response/idempotency_key"], { $0.kind == .added ? .risky : .breaking }),
        DiffRule("response.parsing-changed", "Where error messages and per-event failures are read from changed.", ["/response/error_message", "/response/partial_failure"], fixed(.risky)),
        DiffRule("events.selection-changed", "A different set of events (types, names, consent) is delivered.", ["/events"], fixed(.risky)),
        DiffRule("settings.changed", "A new required setting breaks existing installations; other setting changes are safe or risky.", ["/settings"], SettingRule.classify),
        DiffRule("secrets.changed", "A new secret must be provisioned (risky); a removed one is safe.", ["/secrets"], { $0.kind == .added ? .risky : .safe }),
        DiffRule("lookups.changed", "A lookup table was added, removed or changed: translated values sent to the vendor differ (the wire diff shows them).", ["/lookups"], fixed(.risky)),
        DiffRule("ordering.relaxed", "Strict per-partition ordering was turned off (risky: requests may overtake each other); turning it on is safe.", ["/ordering"],
                 { $0.new == .string("none") ? .risky : .safe }),
        DiffRule("plan.other-changed", "Any other plan difference.", [""], fixed(.risky)),
    ]
}

/// Payload mapping fields: removal and retyping break consumers; additions depend on
/// whether the field is always present.
enum PayloadFieldRule {
    @Sendable static func classify(_ d: PlanDelta) -> ChangeClass {
        switch d.kind {
        case .removed: return .breaking
        case .added:
            // A field read from the event with no default appears only when the event has it.
            if let o = d.new?.objectValue, o["@path"] != nil, o["@default"] == nil, o["@keep_null"] != .bool(true) { return .safe }
            return .risky
        case .changed:
            let old = d.old?.objectValue, new = d.new?.objectValue
            if StructuralDiff.isDirective(d.old ?? .null) != StructuralDiff.isDirective(d.new ?? .null) { return .breaking }
            if old?["@type"] != new?["@type"] { return .breaking }
            if let o = d.old, let n = d.new, o.typeName != n.typeName { return .breaking }
            return .risky
        }
    }
}

/// Rate limits: more throughput is risky.
enum RateLimitRule {
    @Sendable static func classify(_ d: PlanDelta) -> ChangeClass {
        if d.pointer == "/rate_limit" { return d.kind == .added ? .safe : .risky }
        return Direction.increased(d) ? .risky : .safe
    }
}

/// Retry policy: more attempts, longer total time or shorter waits are risky.
enum RetryRule {
    @Sendable static func classify(_ d: PlanDelta) -> ChangeClass {
        switch d.pointer {
        case "/response/retry/max_attempts", "/response/retry/max_elapsed_ms": return Direction.increased(d) ? .risky : .safe
        case "/response/retry/initial_backoff_ms", "/response/retry/max_backoff_ms", "/response/retry/multiplier",
             "/response/retry/retry_after/max_ms":
            return Direction.increased(d) ? .safe : .risky
        case "/response/retry/retry_after/honour": return d.new == .bool(false) ? .risky : .safe
        default: return .risky
        }
    }
}

/// Settings: a new required setting (without default) fails every existing installation.
enum SettingRule {
    @Sendable static func classify(_ d: PlanDelta) -> ChangeClass {
        let depth = d.pointer.split(separator: "/").count
        if depth == 2 {
            // Optional new settings and removed settings change nothing for an installation.
            if d.kind == .added, d.new?["required"] == .bool(true), d.new?["default"]?.isNull ?? true { return .breaking }
            return .safe
        }
        if d.pointer.hasSuffix("/required"), d.new == .bool(true) { return .breaking }
        return .risky
    }
}
