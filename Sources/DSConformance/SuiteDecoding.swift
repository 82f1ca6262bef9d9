import DSJSON
import DSMock

/// A suite file that cannot be used, with the JSON pointer of the offending value.
public struct SuiteError: Error, Sendable, CustomStringConvertible {
    /// RFC 6901 pointer into the suite document.
    public var pointer: String
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(_ pointer: String, _ message: String) {
        self.pointer = pointer
        self.message = message
    }

    public var description: String { "\(pointer.isEmpty ? "/" : pointer): \(message)" }
}

/// A parsed `NAME.suite.json` (format: docs/conformance.md). File references are kept as
/// written (relative to the suite); the driver reads them, since this target does no file I/O.
public struct SuiteDocument: Sendable {
    /// Suite name; default the spec's name.
    public var name: String?
    /// The spec file; default `NAME.json` beside the suite.
    public var spec: String?
    /// Settings file; default `NAME.settings.json` when present.
    public var settings: String?
    /// Secrets file; default `NAME.secrets.json` when present.
    public var secrets: String?
    /// Default events file; default `NAME.events.ndjson` when present.
    public var events: String?
    /// Golden fixture directory; default `fixtures/NAME` (see docs/conformance.md).
    public var fixtures: String?
    /// Whether the standard battery runs before the suite's own cases (default true).
    public var standard: Bool
    /// The suite's own cases.
    public var cases: [ConformanceCase]

    /// Reads a suite. Unknown keys are errors, so a misspelt expectation cannot silently
    /// assert nothing.
    public init(json value: JSONValue) throws(SuiteError) {
        let r = try Reader(value, "")
        try r.allow(["$schema", "$comment", "description", "name", "spec", "settings", "secrets", "events", "fixtures", "standard", "cases"])
        name = try r.string("name")
        spec = try r.string("spec")
        settings = try r.string("settings")
        secrets = try r.string("secrets")
        events = try r.string("events")
        fixtures = try r.string("fixtures")
        standard = try r.bool("standard") ?? true
        cases = []
        var names: Set<String> = []
        for (i, c) in (try r.array("cases") ?? []).enumerated() {
            let parsed = try Self.testCase(c, "/cases/\(i)")
            guard names.insert(parsed.name).inserted else { throw SuiteError("/cases/\(i)/name", "duplicate case name \"\(parsed.name)\"") }
            cases.append(parsed)
        }
    }

    private static func testCase(_ value: JSONValue, _ pointer: String) throws(SuiteError) -> ConformanceCase {
        let r = try Reader(value, pointer)
        try r.allow(["$comment", "name", "description", "events", "scenario", "expect", "expire_tokens_after", "concurrency", "ordered", "harness", "vendor_secrets"])
        guard let name = try r.string("name"), !name.isEmpty, !name.contains("/") else { throw r.fail("name", "every case needs a name without \"/\"") }
        var c = ConformanceCase(name: name, description: try r.string("description"))
        switch r.object["events"] {
        case nil: c.events = .defaults
        case .string(let path)?: c.events = .file(path)
        case .array(let list)?:
            for (i, e) in list.enumerated() where e.objectValue == nil { throw SuiteError("\(pointer)/events/\(i)", "an event must be a JSON object") }
            c.events = .inline(list)
        case .object(let o)?:
            guard o.count == 1, let n = o["generate"]?.numberValue?.intValue, n >= 1, n <= 100_000 else {
                throw r.fail("events", "expected {\"generate\": N} with N from 1 to 100000")
            }
            c.events = .generated(count: n)
        default: throw r.fail("events", "expected a file name, an array of events or {\"generate\": N}")
        }
        if let s = r.object["scenario"] {
            do { c.scenario = try MockScenario(json: s) } catch { throw SuiteError(pointer + "/scenario" + error.pointer, error.message) }
        }
        c.expireTokensAfter = try r.int("expire_tokens_after", 1...100_000)
        c.concurrency = try r.int("concurrency", 1...256) ?? 8
        c.ordered = try r.bool("ordered")
        if let h = r.object["harness"] {
            let hr = try Reader(h, pointer + "/harness")
            try hr.allow(["shorten_backoff", "max_events", "max_wait_ms"])
            c.adjustments = PlanAdjustments(shortenBackoff: try hr.bool("shorten_backoff") ?? true, maxEvents: try hr.int("max_events", 1...1_000_000),
                                            maxWaitMs: try hr.int("max_wait_ms", 0...3_600_000))
        }
        if let v = r.object["vendor_secrets"] {
            guard case .object(let o) = v else { throw r.fail("vendor_secrets", "expected an object of secret name -> value") }
            for (k, value) in o {
                guard let text = value.stringValue else { throw SuiteError(pointer + "/vendor_secrets/" + k, "a secret value must be a string") }
                c.vendorSecrets[k] = text
            }
        }
        if let e = r.object["expect"] { c.expect = try expectations(e, pointer + "/expect") }
        return c
    }

    private static func expectations(_ value: JSONValue, _ pointer: String) throws(SuiteError) -> CaseExpectations {
        let r = try Reader(value, pointer)
        try r.allow(["$comment", "fixtures", "requests", "max_events_per_request", "max_bytes_per_request", "batch_limits", "checks", "signatures", "auth",
                     "delivered", "dead_lettered", "filtered", "dead_letter", "retry_after", "backoff", "min_retry_spacing_ms", "min_request_spacing_ms", "rate_limit",
                     "token_fetches", "token_rejections", "headers"])
        var e = CaseExpectations()
        e.fixtures = try r.bool("fixtures") ?? false
        e.requests = try r.range("requests")
        e.maxEventsPerRequest = try r.int("max_events_per_request", 1...Int.max)
        e.maxBytesPerRequest = try r.int("max_bytes_per_request", 1...Int.max)
        e.batchLimits = try r.bool("batch_limits") ?? false
        e.checks = try r.bool("checks") ?? true
        e.signatures = try r.bool("signatures") ?? false
        e.auth = try r.bool("auth") ?? false
        e.delivered = try r.events("delivered")
        e.deadLettered = try r.events("dead_lettered")
        e.filtered = try r.events("filtered")
        if let d = r.object["dead_letter"] {
            let dr = try Reader(d, pointer + "/dead_letter")
            try dr.allow(["status", "error_message", "attempts", "reason_contains"])
            e.deadLetter = DeadLetterExpectation(status: try dr.int("status", 100...599), errorMessage: try dr.string("error_message"),
                                                 attempts: try dr.int("attempts", 0...1000))
            e.deadLetter?.reasonContains = try dr.string("reason_contains")
        }
        e.retryAfter = try r.bool("retry_after") ?? false
        e.backoff = try r.bool("backoff") ?? false
        e.minRetrySpacingMs = try r.int("min_retry_spacing_ms", 0...3_600_000)
        e.minRequestSpacingMs = try r.int("min_request_spacing_ms", 0...3_600_000)
        e.rateLimit = try r.bool("rate_limit") ?? false
        e.tokenFetches = try r.range("token_fetches")
        e.tokenRejections = try r.range("token_rejections")
        if let h = r.object["headers"] {
            guard case .object(let o) = h else { throw r.fail("headers", "expected an object of header name -> value shape") }
            for (k, v) in o {
                guard let s = v.stringValue else { throw SuiteError(pointer + "/headers/" + JSONPointer.escape(k), "expected a string") }
                e.headers[k] = s
            }
        }
        return e
    }
}

/// Typed member access with pointer-bearing errors.
private struct Reader {
    let object: JSONObject
    let pointer: String

    init(_ value: JSONValue, _ pointer: String) throws(SuiteError) {
        guard case .object(let o) = value else { throw SuiteError(pointer, "expected an object, found \(value.typeName)") }
        object = o
        self.pointer = pointer
    }

    func fail(_ key: String, _ message: String) -> SuiteError { SuiteError(JSONPointer.appending(pointer, key), message) }

    func allow(_ keys: Set<String>) throws(SuiteError) {
        for (k, _) in object where !keys.contains(k) && !k.hasPrefix("x-") {
            throw fail(k, "unknown key \"\(k)\"; expected one of \(keys.filter { !$0.hasPrefix("$") }.sorted().joined(separator: ", "))")
        }
    }

    func string(_ key: String) throws(SuiteError) -> String? {
        guard let v = object[key] else { return nil }
        guard let s = v.stringValue else { throw fail(key, "expected a string, found \(v.typeName)") }
        return s
    }

    func bool(_ key: String) throws(SuiteError) -> Bool? {
        guard let v = object[key] else { return nil }
        guard let b = v.boolValue else { throw fail(key, "expected true or false, found \(v.typeName)") }
        return b
    }

    func int(_ key: String, _ allowed: ClosedRange<Int>) throws(SuiteError) -> Int? {
        guard let v = object[key] else { return nil }
        guard let n = v.numberValue?.intValue, n.isMultiple(of: 1), allowed.contains(n) else {
            throw fail(key, "expected an integer \(allowed.upperBound == Int.max ? "of at least \(allowed.lowerBound)" : "from \(allowed.lowerBound) to \(allowed.upperBound)")")
        }
        return n
    }

    func array(_ key: String) throws(SuiteError) -> [JSONValue]? {
        guard let v = object[key] else { return nil }
        guard let a = v.arrayValue else { throw fail(key, "expected an array, found \(v.typeName)") }
        return a
    }

    /// `N` or `{"min": A, "max": B}` (either bound optional).
    func range(_ key: String) throws(SuiteError) -> ClosedRange<Int>? {
        guard let v = object[key] else { return nil }
        if let n = v.numberValue?.intValue, n >= 0 { return n...n }
        let r = try Reader(v, JSONPointer.appending(pointer, key))
        try r.allow(["min", "max"])
        let low = try r.int("min", 0...Int.max) ?? 0
        let high = try r.int("max", 0...Int.max) ?? Int.max
        guard low <= high else { throw fail(key, "min is greater than max") }
        return low...high
    }

    /// `"all"`, `"none"`, a count, or a list of event ids / `#LINE`.
    func events(_ key: String) throws(SuiteError) -> EventSet? {
        switch object[key] {
        case nil: return nil
        case .string("all")?: return .all
        case .string("none")?: return EventSet.none
        case .number(let n)?:
            guard let c = n.intValue, c >= 0 else { throw fail(key, "expected a count of at least 0") }
            return .count(c)
        case .array(let list)?:
            var ids: [String] = []
            for (i, item) in list.enumerated() {
                guard let s = item.stringValue else { throw SuiteError(JSONPointer.appending(JSONPointer.appending(pointer, key), i), "expected an event id or \"#LINE\"") }
                ids.append(s)
            }
            return .ids(ids)
        default:
            throw fail(key, "expected \"all\", \"none\", a count, or a list of event ids (\"#3\" for line 3)")
        }
    }
}
