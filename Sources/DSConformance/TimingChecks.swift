import DSJSON
import DSMock
import DSPlan
import DSRender

/// The real-time expectations: waits between attempts (Retry-After, backoff) and the
/// observed request rate. All times are the mock's monotonic receive times, so they measure
/// what the vendor would see.
struct TimingChecks {
    let observation: CaseObservation
    let expect: CaseExpectations

    /// Two consecutive attempts of one request and what the first was answered.
    struct Gap {
        /// 1-based retry number of the second attempt.
        var retry: Int
        /// From the end of the first answer (receive time plus the scripted delay) to the
        /// first byte of the next attempt, in milliseconds.
        var waitMs: Double
        /// The first attempt's status (nil for a fault).
        var status: Int?
        /// Its `Retry-After`, in milliseconds, when the scripted answer had one in seconds.
        var retryAfterMs: Double?
        /// Its position among vendor requests (1-based), for messages.
        var request: Int
        /// Vendor requests received between the two attempts: each took a token of the
        /// plan's bucket that the retry then waited for.
        var requestsBetween: Int = 0
        /// The request key both attempts share (``TimingChecks/key(method:target:header:body:)``).
        var key: String = ""
    }

    func failures() -> [ExpectationFailure] {
        var out: [ExpectationFailure] = []
        let gaps = self.gaps()
        let retry = observation.plan.response.retry
        // Every real run records the waits the runtime scheduled: those are checked exactly,
        // and the measured gaps against them (ScheduledWaitChecks).
        let scheduled = observation.waits.map { ScheduledWaitChecks(observation: observation, waits: $0, gaps: gaps, timing: self) }
        if expect.retryAfter {
            let honoured = gaps.filter { $0.retryAfterMs != nil }
            if honoured.isEmpty {
                out.append(ExpectationFailure("retry_after", "no retried request was answered with Retry-After (nothing to measure)"))
            }
            for g in honoured {
                let want = retry.honourRetryAfter ? min(g.retryAfterMs!, Double(retry.retryAfterMaxMs)) : 0
                if g.waitMs < want - Double(ConformanceTiming.retryAfterToleranceMs) {
                    out.append(ExpectationFailure("retry_after", "retry \(g.retry) came \(Self.ms(g.waitMs)) after a \(g.status.map(String.init) ?? "fault") with Retry-After \(Self.ms(g.retryAfterMs!)), sooner than allowed",
                                                  details: ["expected wait: at least \(Self.ms(want)) (tolerance \(ConformanceTiming.retryAfterToleranceMs) ms)", "actual wait: \(Self.ms(g.waitMs))"]))
                }
            }
            if let scheduled { out += scheduled.retryAfterFailures() }
        }
        if expect.backoff, let scheduled {
            out += scheduled.backoffFailures()
        } else if expect.backoff {
            // Without the runtime's reports (an observation built by hand): the policy's
            // bounds with real-time slack.
            // A refresh_auth retry goes out at once, by design: not a backoff.
            for g in gaps where !(g.status == 401 && observation.plan.auth.isOAuth) {
                var bounds = HarnessPlan.backoffBounds(retry, retry: g.retry)
                if let ra = g.retryAfterMs, retry.honourRetryAfter {
                    let capped = min(ra, Double(retry.retryAfterMaxMs))
                    bounds = max(bounds.lowerBound, capped)...max(bounds.upperBound, capped)
                }
                // A retry is a request: it also waits for a token of the plan's bucket, behind
                // the requests sent between the two attempts (each took a token), so it may come
                // as late as one refill interval per request ahead of it plus its own.
                var tokenNote = ""
                if let rate = observation.plan.rateLimit, rate.rps > 0 {
                    let refill = 1000 / rate.rps
                    let tokenWait = refill * Double(g.requestsBetween + 1)
                    if tokenWait > bounds.upperBound {
                        bounds = bounds.lowerBound...tokenWait
                        tokenNote = g.requestsBetween == 0
                            ? "; rate limit \(Self.number(rate.rps)) rps: up to \(Self.ms(refill)) for a token"
                            : "; rate limit \(Self.number(rate.rps)) rps: up to \(Self.ms(tokenWait)) for a token behind the \(g.requestsBetween) request(s) sent between the attempts"
                    }
                }
                let low = bounds.lowerBound - Double(ConformanceTiming.retryAfterToleranceMs)
                // Scheduling delay is real time: under a time scale it is stretched like every
                // measured wait, so the slack is real milliseconds (nominal: slack / scale).
                let slack = ConformanceTiming.upperSlackMs(timerLatenessMs: observation.timerLatenessMs) / observation.timeScale
                let high = bounds.upperBound + slack
                if g.waitMs < low || g.waitMs > high {
                    out.append(ExpectationFailure("backoff", "retry \(g.retry) (request \(g.request)) waited \(Self.ms(g.waitMs)), outside the backoff bounds",
                                                  details: ["expected: \(Self.ms(bounds.lowerBound))-\(Self.ms(bounds.upperBound)) (\(retry.jitter) jitter, initial \(retry.initialBackoffMs) ms, multiplier \(retry.multiplier), cap \(retry.maxBackoffMs) ms\(tokenNote); slack -\(ConformanceTiming.retryAfterToleranceMs)/+\(Self.ms(slack))\(observation.timeScale == 1 ? "" : " at time scale \(Self.number(observation.timeScale))")\(Self.latenessNote(observation)))",
                                                            "actual: \(Self.ms(g.waitMs))"]))
                }
            }
        }
        if let least = expect.minRetrySpacingMs {
            for g in gaps where g.waitMs < Double(least - ConformanceTiming.retryAfterToleranceMs) {
                out.append(ExpectationFailure("min_retry_spacing_ms", "retry \(g.retry) (request \(g.request)) came \(Self.ms(g.waitMs)) after the previous attempt",
                                              details: ["expected: at least \(least) ms", "actual: \(Self.ms(g.waitMs))"]))
            }
        }
        if let least = expect.minRequestSpacingMs {
            let vendor = observation.vendor
            if vendor.count < 2 { out.append(ExpectationFailure("min_request_spacing_ms", "fewer than two vendor requests (nothing to measure)")) }
            for i in vendor.indices.dropFirst() {
                let answered = Double(vendor[i - 1].receivedAt) / 1e6 + Double(vendor[i - 1].delayMs)
                let wait = Double(vendor[i].firstByteAt) / 1e6 - answered
                if wait < Double(least - ConformanceTiming.retryAfterToleranceMs) {
                    out.append(ExpectationFailure("min_request_spacing_ms", "request \(i + 1) came \(Self.ms(wait)) after the answer to request \(i)",
                                                  details: ["expected: at least \(least) ms", "actual: \(Self.ms(wait))"]))
                }
            }
        }
        if expect.rateLimit {
            out += rate()
            if !expect.backoff, let scheduled { out += scheduled.tokenFailures("rate_limit") }
        }
        return out
    }

    /// Consecutive attempts of the same request: same method, target and body, and the same
    /// idempotency key when the plan sends one (which tells apart equal bodies of different
    /// requests). A body that carries `@sent_at` differs on every attempt, so its send-time
    /// values (anything shaped like one) are masked first.
    func gaps() -> [Gap] {
        let idempotency = observation.plan.response.idempotencyKeyHeader
        let masksSendTime = SendTime.uses(observation.plan).body
        var last: [String: (entry: MockJournalEntry, index: Int, attempt: Int)] = [:]
        var out: [Gap] = []
        for (i, e) in observation.vendor.enumerated() {
            let key = Self.key(method: e.request.method, target: e.request.target, idempotencyKey: idempotency.flatMap { e.request.header($0) },
                               body: e.request.body, masksSendTime: masksSendTime)
            if let previous = last[key] {
                let answered = Double(previous.entry.receivedAt) / 1e6 + Double(previous.entry.delayMs)
                out.append(Gap(retry: previous.attempt, waitMs: Double(e.firstByteAt) / 1e6 - answered, status: previous.entry.status,
                               retryAfterMs: retryAfter(of: previous.entry), request: i + 1, requestsBetween: i - previous.index - 1, key: key))
                last[key] = (e, i, previous.attempt + 1)
            } else {
                last[key] = (e, i, 1)
            }
        }
        return out
    }

    /// The key of a request under this plan: method, target, idempotency key, and the body
    /// (send-time values masked when the plan's body carries `@sent_at`). `header` looks a
    /// header of the request up by name.
    func key(method: String, target: String, header: (String) -> String?, body: [UInt8]) -> String {
        Self.key(method: method, target: target, idempotencyKey: observation.plan.response.idempotencyKeyHeader.flatMap(header),
                 body: body, masksSendTime: SendTime.uses(observation.plan).body)
    }

    static func key(method: String, target: String, idempotencyKey: String?, body: [UInt8], masksSendTime: Bool) -> String {
        method + " " + target + "\n" + (idempotencyKey ?? "") + "\n"
            + (masksSendTime ? sendTimeMasked(body) : String(decoding: body, as: UTF8.self))
    }

    /// A JSON body with every value shaped like a send time (``SendTime/fixtureForms``)
    /// replaced by null, as compact JSON; NDJSON line by line; any other text (a form body)
    /// with `%3A` read as `:`, ISO 8601 timestamps and runs of 10 or more digits replaced.
    static func sendTimeMasked(_ body: [UInt8]) -> String {
        guard let value = try? JSONParser().parseValue(body) else {
            let lines = body.split(separator: 0x0A, omittingEmptySubsequences: false)
            if lines.count > 1, lines.allSatisfy({ $0.isEmpty || (try? JSONParser().parseValue(Array($0))) != nil }) {
                return lines.map { $0.isEmpty ? "" : sendTimeMasked(Array($0)) }.joined(separator: "\n")
            }
            let text = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "%3A", with: ":")
            var out = ""
            var digits = ""
            for c in FixtureShape.isoTimestampsMarked(text) {
                if c.isASCII && c.isNumber { digits.append(c); continue }
                out += digits.count >= 10 ? "#" : digits
                digits = ""
                out.append(c)
            }
            out += digits.count >= 10 ? "#" : digits
            return out
        }
        func mask(_ v: JSONValue) -> JSONValue {
            switch v {
            case .object(let o): return .object(JSONObject(o.map { ($0.key, mask($0.value)) }))
            case .array(let a): return .array(a.map(mask))
            default: return SendTime.fixtureForms.contains { SendTime.sameShape($0, v) } ? .null : v
            }
        }
        return JSONWriter.string(mask(value))
    }

    /// The `Retry-After` (delta-seconds) the scenario scripted for this entry's answer.
    private func retryAfter(of entry: MockJournalEntry) -> Double? {
        let scenario = observation.scenario
        let response: MockResponse?
        if let name = entry.route, let route = scenario.routes.first(where: { $0.name == name }), let i = entry.responseIndex, !route.responses.isEmpty {
            response = route.cycle ? route.responses[i % route.responses.count] : route.responses[min(i, route.responses.count - 1)]
        } else if entry.route == nil, entry.responseIndex != nil {
            response = scenario.fallback
        } else {
            response = nil
        }
        guard let value = response?.headers.first(where: { $0.name.lowercased() == "retry-after" })?.value,
              let seconds = Double(value.trimmingCharacters(in: .whitespaces)) else { return nil }
        return seconds * 1000
    }

    /// The token bucket bound. When the run's start is known (every real run), it is anchored
    /// there: the bucket starts full no earlier than the start, so by the time the k-th request
    /// arrives at most `burst + rps * (t_k - start)` requests can have been sent, window widened
    /// by ``ConformanceTiming/rateWindowSlackMs``. A request that reaches the mock late (CPU
    /// load, a slow connect) only makes this bound looser, so scheduling delay cannot fail a
    /// correct limiter; a missing or too-fast limiter still fails it. (Windows between two
    /// arrivals are not used there: a late first burst shrinks them and fails correct specs.)
    /// Without a start (observations built by hand), every pair of requests i < j is checked.
    private func rate() -> [ExpectationFailure] {
        guard let limit = observation.plan.rateLimit else {
            return [ExpectationFailure("rate_limit", "the plan has no rate_limit to check")]
        }
        guard let startedAt = observation.startedAt else { return pairwiseRate(limit) }
        let start = Double(startedAt) / 1e9
        let times = observation.vendor.map { Double($0.firstByteAt) / 1e9 }.sorted()
        let slack = Double(ConformanceTiming.rateWindowSlackMs) / 1000
        var worst: (excess: Double, count: Int, elapsed: Double, allowed: Double)?
        for (k, t) in times.enumerated() {
            let elapsed = max(0, t - start)
            let allowed = limit.burst + limit.rps * (elapsed + slack)
            let count = Double(k + 1)
            if count > allowed.rounded(.down) + 0.5, (worst.map { count - allowed > $0.excess } ?? true) {
                worst = (count - allowed, k + 1, elapsed, allowed)
            }
        }
        guard let w = worst else { return [] }
        return [ExpectationFailure("rate_limit", "\(w.count) requests arrived within \(Self.ms(w.elapsed * 1000)) of the run's start, more than the token bucket allows",
                                   details: ["expected: at most burst \(Self.number(limit.burst)) + rps \(Self.number(limit.rps)) x (T + \(ConformanceTiming.rateWindowSlackMs) ms) = \(Int(w.allowed.rounded(.down)))",
                                             "actual: \(w.count) in T = \(Self.ms(w.elapsed * 1000)) (\(times.count) requests in all)"])]
    }

    /// The token bucket bound: for every pair of requests i < j, the j - i + 1 requests
    /// received in the window between them number at most `burst + rps * T`, with the window
    /// widened by ``ConformanceTiming/rateWindowSlackMs`` for network and scheduling jitter.
    private func pairwiseRate(_ limit: PlanRateLimit) -> [ExpectationFailure] {
        let times = observation.vendor.map { Double($0.firstByteAt) / 1e9 }.sorted()
        let slack = Double(ConformanceTiming.rateWindowSlackMs) / 1000
        var worst: (excess: Double, count: Int, window: Double, allowed: Double)?
        for i in times.indices {
            for j in i..<times.count {
                let window = times[j] - times[i]
                let allowed = limit.burst + limit.rps * (window + slack)
                let count = Double(j - i + 1)
                if count > allowed.rounded(.down) + 0.5, (worst.map { count - allowed > $0.excess } ?? true) {
                    worst = (count - allowed, j - i + 1, window, allowed)
                }
            }
        }
        guard let w = worst else { return [] }
        return [ExpectationFailure("rate_limit", "\(w.count) requests arrived within \(Self.ms(w.window * 1000)), more than the token bucket allows",
                                   details: ["expected: at most burst \(Self.number(limit.burst)) + rps \(Self.number(limit.rps)) x (T + \(ConformanceTiming.rateWindowSlackMs) ms) = \(Int(w.allowed.rounded(.down)))",
                                             "actual: \(w.count) in T = \(Self.ms(w.window * 1000)) (\(times.count) requests in \(Self.ms(((times.last ?? 0) - (times.first ?? 0)) * 1000)) overall)"])]
    }

    static func ms(_ v: Double) -> String { "\(Int(v.rounded())) ms" }

    /// How the upper slack was widened by machine load, when it was: the real-time slack
    /// plus the worst lateness of the harness's reference timer (``TimerLatenessProbe``).
    static func latenessNote(_ observation: CaseObservation) -> String {
        let added = ConformanceTiming.upperSlackMs(timerLatenessMs: observation.timerLatenessMs) - Double(ConformanceTiming.backoffSlackMs)
        guard added >= 0.5 else { return "" }
        let capped = observation.timerLatenessMs > Double(ConformanceTiming.timerLatenessCapMs) ? " (capped)" : ""
        return " (\(ConformanceTiming.backoffSlackMs) ms + \(ms(added)) a reference timer was late during the case\(capped))"
    }
    static func number(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
