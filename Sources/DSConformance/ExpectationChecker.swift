import DSJSON
import DSMock
import DSPlan
import DSRuntime

/// Evaluates a case's expectations against what was observed. Each check reads the mock's
/// journal (what the vendor received, with its independent auth and signature checks) or
/// the runtime's ledger (what the runtime decided), never the runtime's internals.
struct ExpectationChecker {
    let observation: CaseObservation
    let expect: CaseExpectations
    let spec: SpecUnderTest

    /// Every unmet expectation, in a fixed order.
    func failures() -> [ExpectationFailure] {
        var out: [ExpectationFailure] = []
        out += ledger()
        out += requestCount()
        out += batches()
        out += mockChecks()
        out += tokens()
        out += headers()
        let timing = TimingChecks(observation: observation, expect: expect)
        out += timing.failures()
        if expect.fixtures {
            if let fixtures = spec.fixtures {
                out += FixtureMatch(fixtures: fixtures, observation: observation).failures()
            } else {
                out.append(ExpectationFailure("fixtures", "the spec has no golden fixtures (run `dspec render` first)"))
            }
        }
        return out
    }

    // MARK: Ledger

    private func ledger() -> [ExpectationFailure] {
        var out: [ExpectationFailure] = []
        let o = observation
        let lost = o.fates.indices.filter { o.fates[$0].isEmpty }
        let twice = o.fates.indices.filter { o.fates[$0].count > 1 }
        if !lost.isEmpty {
            out.append(ExpectationFailure("ledger", "\(lost.count) event\(lost.count == 1 ? "" : "s") got no outcome (lost)",
                                          details: lost.prefix(8).map { "line \($0 + 1): \(o.ids[$0])" }))
        }
        if !twice.isEmpty {
            out.append(ExpectationFailure("ledger", "\(twice.count) event\(twice.count == 1 ? "" : "s") got more than one outcome",
                                          details: twice.prefix(8).map { "line \($0 + 1): \(o.ids[$0]): \(o.fates[$0].map(Self.describe).joined(separator: ", "))" }))
        }
        let actual = (
            delivered: Set(o.fates.indices.filter { o.fates[$0].contains(.delivered) }),
            dead: Set(o.fates.indices.filter { o.fates[$0].contains { if case .deadLettered = $0 { return true }; return false } }),
            filtered: Set(o.fates.indices.filter { o.fates[$0].contains { if case .filtered = $0 { return true }; return false } })
        )
        let unselected = Set(o.selected.indices.filter { !o.selected[$0] })
        out += compare("delivered", expect.delivered, actual.delivered, all: Set(o.selected.indices).subtracting(unselected))
        out += compare("dead_lettered", expect.deadLettered ?? EventSet.none, actual.dead, all: Set(o.selected.indices).subtracting(unselected))
        out += compare("filtered", expect.filtered ?? .all, actual.filtered, all: unselected)
        if let d = expect.deadLetter {
            for i in actual.dead.sorted() {
                for case .deadLettered(let letter) in o.fates[i] {
                    var wrong: [String] = []
                    if let s = d.status, letter.status != s { wrong.append("status: expected \(s), actual \(letter.status.map(String.init) ?? "none")") }
                    if let m = d.errorMessage, letter.errorMessage != m {
                        wrong.append("error message: expected \(JSONWriter.string(.string(m))), actual \(letter.errorMessage.map { JSONWriter.string(.string($0)) } ?? "none")")
                    }
                    if let a = d.attempts, letter.attempts != a { wrong.append("attempts: expected \(a), actual \(letter.attempts)") }
                    if let r = d.reasonContains, !letter.reason.contains(r) { wrong.append("reason: expected to contain \(JSONWriter.string(.string(r)))") }
                    if !wrong.isEmpty {
                        out.append(ExpectationFailure("dead_letter", "dead letter of \(o.ids[i]) (line \(i + 1)) differs",
                                                      details: wrong + ["reason: \(letter.reason)"]))
                    }
                }
            }
        }
        return out
    }

    private func compare(_ name: String, _ expected: EventSet?, _ actual: Set<Int>, all: Set<Int>) -> [ExpectationFailure] {
        guard let expected else { return [] }
        let o = observation
        func label(_ i: Int) -> String { "\(o.ids[i]) (line \(i + 1)): \(o.fates[i].map(Self.describe).joined(separator: ", "))" }
        switch expected {
        case .count(let n):
            guard actual.count != n else { return [] }
            return [ExpectationFailure(name, "expected \(n) event\(n == 1 ? "" : "s") \(name.replacingOccurrences(of: "_", with: "-")), actual \(actual.count)",
                                       details: actual.sorted().prefix(8).map(label))]
        case .all, .none, .ids:
            var want: Set<Int>
            switch expected {
            case .all: want = all
            case .none: want = []
            case .ids(let list):
                want = Set(list.compactMap { key in
                    if key.hasPrefix("#"), let line = Int(key.dropFirst()) { return line - 1 }
                    return o.ids.firstIndex(of: key)
                })
            case .count: want = []
            }
            let missing = want.subtracting(actual), extra = actual.subtracting(want)
            guard !missing.isEmpty || !extra.isEmpty else { return [] }
            let verb = name.replacingOccurrences(of: "_", with: "-")
            var details = missing.sorted().prefix(8).map { "expected \(verb), actual: " + label($0) }
            details += extra.sorted().prefix(8).map { "not expected \(verb), actual: " + label($0) }
            return [ExpectationFailure(name, "\(want.count) event\(want.count == 1 ? "" : "s") expected \(verb), \(actual.count) actually; \(missing.count) missing, \(extra.count) unexpected",
                                       details: details)]
        }
    }

    static func describe(_ fate: EventFate) -> String {
        switch fate {
        case .delivered: return "delivered"
        case .filtered(let reason): return "filtered (\(reason))"
        case .deadLettered(let l):
            return "dead-lettered (status \(l.status.map(String.init) ?? "none"), \(l.attempts) attempt\(l.attempts == 1 ? "" : "s"): \(l.reason))"
        }
    }

    // MARK: Requests and batches

    private func requestCount() -> [ExpectationFailure] {
        guard let range = expect.requests, !range.contains(observation.vendor.count) else { return [] }
        let want = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
        return [ExpectationFailure("requests", "expected \(want) request\(range.upperBound == 1 ? "" : "s") to the vendor, actual \(observation.vendor.count)",
                                   details: observation.vendor.prefix(10).map { "\($0.request.method) \($0.request.target) -> \($0.outcome)" })]
    }

    private func batches() -> [ExpectationFailure] {
        let plan = observation.plan
        var limits: [(name: String, events: Int?, bytes: Int?, why: String)] = []
        if expect.maxEventsPerRequest != nil || expect.maxBytesPerRequest != nil {
            limits.append(("max_events_per_request", expect.maxEventsPerRequest, expect.maxBytesPerRequest, "the suite's limit"))
        }
        if expect.batchLimits {
            // With named arrays the count is the fullest array's, and each array has its own limit.
            let events = plan.batching.enabled ? (plan.batching.arrays.map(\.maxEvents).max() ?? plan.batching.maxEvents) : 1
            let bytes = plan.batching.enabled && plan.batching.maxBytes > 0 ? plan.batching.maxBytes : nil
            limits.append(("batch_limits", events, bytes, "the plan's batching limit"))
        }
        guard !limits.isEmpty else { return [] }
        let counter = BatchCounter(plan: plan)
        var out: [ExpectationFailure] = []
        for limit in limits {
            var details: [String] = []
            for (n, entry) in observation.vendor.enumerated() {
                let size = entry.request.body.count
                if let maxBytes = limit.bytes, size > maxBytes { details.append("request \(n + 1): \(size) body bytes, more than \(maxBytes)") }
                guard let maxEvents = limit.events else { continue }
                guard let count = counter.events(in: entry.request.body) else {
                    details.append("request \(n + 1): cannot count the events in its body")
                    continue
                }
                if count > maxEvents { details.append("request \(n + 1): \(count) events, more than \(maxEvents)") }
            }
            if !details.isEmpty {
                let name = limit.name == "max_events_per_request" && limit.events == nil ? "max_bytes_per_request" : limit.name
                out.append(ExpectationFailure(name, "\(details.count) request\(details.count == 1 ? " exceeds" : "s exceed") \(limit.why)",
                                              details: Array(details.prefix(10))))
            }
        }
        return out
    }

    // MARK: Mock checks and tokens

    /// True for a request the token authority refused because its access token was stale
    /// (answered 401, or the scenario's `invalid_token_response`: whenever that check fails
    /// the mock answers with the refusal, never the route's response).
    static func isStaleTokenRejection(_ e: MockJournalEntry) -> Bool {
        !e.isTokenRequest && e.route == nil && e.failedChecks.contains { $0.name == "auth.access_token" }
    }

    private func mockChecks() -> [ExpectationFailure] {
        var out: [ExpectationFailure] = []
        let vendor = observation.vendor
        let staleAllowed = (expect.tokenRejections?.upperBound ?? 0) > 0
        if expect.checks {
            var details: [String] = []
            for (n, e) in (vendor + observation.token).enumerated() {
                if staleAllowed && Self.isStaleTokenRejection(e) { continue }
                for c in e.failedChecks { details.append("request \(n + 1) (\(e.request.method) \(e.request.path)): \(c.name): \(c.detail)") }
            }
            if !details.isEmpty { out.append(ExpectationFailure("checks", "\(details.count) mock check\(details.count == 1 ? "" : "s") failed", details: Array(details.prefix(10)))) }
        }
        func require(_ name: String, _ prefix: String, _ applies: Bool, _ what: String) {
            guard applies else { return }
            var details: [String] = []
            for (n, e) in vendor.enumerated() where !(staleAllowed && Self.isStaleTokenRejection(e)) {
                let relevant = e.checks.filter { $0.name.hasPrefix(prefix) }
                if relevant.isEmpty { details.append("request \(n + 1): no \(prefix)* check ran") }
                for c in relevant where !c.passed { details.append("request \(n + 1): \(c.name): \(c.detail)") }
            }
            if vendor.isEmpty { details.append("no request reached the vendor") }
            if !details.isEmpty { out.append(ExpectationFailure(name, "\(what) not verified on every request", details: Array(details.prefix(10)))) }
        }
        let plan = observation.plan
        require("signatures", "signing.signature", expect.signatures && plan.signing != nil, "the \(plan.signing?.header ?? "") signature")
        require("auth", "auth.", expect.auth && plan.auth != .none, "\(plan.auth.typeName) auth")
        return out
    }

    private func tokens() -> [ExpectationFailure] {
        var out: [ExpectationFailure] = []
        if let range = expect.tokenFetches, !range.contains(observation.token.count) {
            out.append(ExpectationFailure("token_fetches", "expected \(Self.text(range)) token request\(range.upperBound == 1 ? "" : "s"), actual \(observation.token.count)",
                                          details: observation.token.map { "\($0.request.method) \($0.request.path) -> \($0.outcome)" }))
        }
        if let range = expect.tokenRejections {
            let n = observation.vendor.filter(Self.isStaleTokenRejection).count
            if !range.contains(n) {
                out.append(ExpectationFailure("token_rejections", "expected \(Self.text(range)) request\(range.upperBound == 1 ? "" : "s") refused for a stale access token, actual \(n)"))
            }
        }
        return out
    }

    private func headers() -> [ExpectationFailure] {
        var out: [ExpectationFailure] = []
        for (name, shape) in expect.headers.sorted(by: { $0.key < $1.key }) {
            var details: [String] = []
            for (n, e) in observation.vendor.enumerated() where !Self.isStaleTokenRejection(e) {
                guard let value = e.request.header(name) else { details.append("request \(n + 1): missing"); continue }
                // The suite may give the exact value or its shape (volatile parts as <token>, <timestamp>).
                let actual = FixtureMatch.shape(value)
                if actual != shape && value != shape { details.append("request \(n + 1): expected \(JSONWriter.string(.string(shape))), actual \(JSONWriter.string(.string(actual)))") }
            }
            if !details.isEmpty {
                out.append(ExpectationFailure("headers", "header \(name) does not have the expected shape on every request", details: Array(details.prefix(10))))
            }
        }
        return out
    }

    static func text(_ r: ClosedRange<Int>) -> String {
        r.lowerBound == r.upperBound ? "\(r.lowerBound)" : r.upperBound == Int.max ? "at least \(r.lowerBound)" : "\(r.lowerBound)-\(r.upperBound)"
    }
}

/// Counts the events in a request body from the wire, by the plan's batch format: the array
/// (`json_array`), the array at the envelope's `@batch` marker (`json_object`), or the lines
/// (`ndjson`). One per request when the plan does not batch.
struct BatchCounter {
    let plan: DeliveryPlan
    private let pointer: String?
    /// With `batching.arrays`: the pointer of each named array in the envelope.
    private let arrayPointers: [String]

    init(plan: DeliveryPlan) {
        self.plan = plan
        pointer = plan.batching.envelope.flatMap { Self.markerPointer(in: $0, at: "") }
        arrayPointers = plan.batching.envelope.map { envelope in
            plan.batching.arrays.compactMap { Self.markerPointer(in: envelope, at: "", path: "@batch." + $0.name) }
        } ?? []
    }

    /// The events in `body`, or nil when it is not a batch of the plan's format.
    func events(in body: [UInt8]) -> Int? {
        guard plan.batching.enabled else { return 1 }
        switch plan.batching.format {
        case "ndjson":
            return body.split(separator: 0x0A).filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x0D } }.count
        case "json_object" where !plan.batching.arrays.isEmpty:
            // Named arrays: the fullest one (vendor limits such as Braze's 75 are per array).
            guard !arrayPointers.isEmpty, let value = try? JSONParser().parseValue(body) else { return nil }
            return arrayPointers.map { JSONPointer.resolve($0, in: value)?.arrayValue?.count ?? 0 }.max()
        case "json_object":
            guard let pointer, let value = try? JSONParser().parseValue(body) else { return nil }
            return JSONPointer.resolve(pointer, in: value)?.arrayValue?.count
        default:
            return (try? JSONParser().parseValue(body))?.arrayValue?.count
        }
    }

    /// The pointer of the `@batch` marker in a plan envelope (`{"@path": "@batch"}`, or the
    /// spec form `{"@batch": true}`).
    /// `path` names another marker: `@batch.NAME` for a named array.
    static func markerPointer(in value: JSONValue, at pointer: String, path: String = "@batch") -> String? {
        switch value {
        case .object(let o):
            if o["@path"]?.stringValue == path || (path == "@batch" && o["@batch"]?.boolValue == true) { return pointer }
            for (k, v) in o { if let p = markerPointer(in: v, at: JSONPointer.appending(pointer, k), path: path) { return p } }
        case .array(let a):
            for (i, v) in a.enumerated() { if let p = markerPointer(in: v, at: JSONPointer.appending(pointer, i), path: path) { return p } }
        default:
            break
        }
        return nil
    }
}
