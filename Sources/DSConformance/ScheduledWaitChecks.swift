import DSPlan
import DSRuntime

/// The timing checks that read the waits the runtime reported scheduling
/// (``ScheduledWait``, through ``DeliveryOptions/waitObserver``), used whenever a run
/// recorded them (every real run; observations built by hand fall back to the measured-only
/// checks of ``TimingChecks``).
///
/// Two checks per retry:
/// 1. **The scheduled wait is within the policy, exactly**: the retry's wait lies in the
///    backoff range for that retry (jitter, multiplier, cap), raised to the `Retry-After` the
///    scenario scripted (capped at `retry_after.max_ms`) when the plan honours it. No slack:
///    it is the runtime's own number, so neither the time scale nor machine load moves it.
///    Every other wait that holds a retry back is bounded too: a partition pause ends exactly
///    where a 429's retry or a rate-limit header pause set it (a header pause at most
///    `rate_limit_headers.max_ms`), and a rate-limit token wait is at most `concurrency`
///    refill intervals (each request in flight holds at most one reservation ahead of it).
/// 2. **The wait really happened**: the gap the mock saw between the answer and the retry
///    is at least everything scheduled before that retry (retry wait, partition pause, token
///    wait) minus ``ConformanceTiming/retryAfterToleranceMs``, and at most that plus
///    ``ConformanceTiming/backoffSlackMs`` of real time (scheduling delay). A runtime that
///    reports a wait but does not sleep fails the first; one that sleeps longer than it says
///    fails the second.
struct ScheduledWaitChecks {
    let observation: CaseObservation
    let waits: [ScheduledWait]
    let gaps: [TimingChecks.Gap]
    /// The retry report of each gap (by index into `gaps`), when the runtime made one.
    let matched: [Int: ScheduledWait]

    /// Arithmetic rounding allowed between the runtime's whole nanoseconds and the harness's
    /// formula in floating-point milliseconds (1 µs): not a slack.
    static let roundingMs = 0.001

    init(observation: CaseObservation, waits: [ScheduledWait], gaps: [TimingChecks.Gap], timing: TimingChecks) {
        self.observation = observation
        self.waits = waits
        self.gaps = gaps
        matched = Self.match(gaps, waits.filter { $0.kind == .retry }) { w in
            w.retried.map { timing.key(method: $0.method, target: LoopbackRedirectTransport.target(of: $0.url), header: $0.header, body: $0.body) } ?? ""
        }
    }

    /// Pairs each gap with the runtime's report of the retry it measures: same request key
    /// (``TimingChecks/key(method:target:header:body:)`` of the retried attempt as rendered,
    /// given by `key`) and the same status answered, in order. A gap with no report (a
    /// refresh_auth retry goes out at once) is left unmatched.
    static func match(_ gaps: [TimingChecks.Gap], _ retries: [ScheduledWait], key: (ScheduledWait) -> String) -> [Int: ScheduledWait] {
        guard !retries.isEmpty else { return [:] }
        let ordered = retries.sorted { ($0.start, $0.request, $0.attempt) < ($1.start, $1.request, $1.attempt) }
        var byKey: [String: [ScheduledWait]] = [:]
        for w in ordered { byKey[key(w), default: []].append(w) }
        var next: [String: Int] = [:]
        var out: [Int: ScheduledWait] = [:]
        for (i, g) in gaps.enumerated() {
            guard let list = byKey[g.key] else { continue }
            let j = next[g.key] ?? 0
            guard j < list.count, list[j].status == g.status else { continue }
            out[i] = list[j]
            next[g.key] = j + 1
        }
        return out
    }

    /// Retry reports no gap measured (the retry never reached the vendor, or went out with
    /// another body).
    var unmatchedRetries: [ScheduledWait] {
        let used = Set(matched.values.map { ReportID($0) })
        return waits.filter { $0.kind == .retry && !used.contains(ReportID($0)) }
    }

    private struct ReportID: Hashable {
        var request: UInt64, attempt: Int
        init(_ w: ScheduledWait) { (request, attempt) = (w.request, w.attempt) }
    }

    /// The range a retry's wait must lie in: ``HarnessPlan/backoffBounds(_:retry:)`` raised
    /// to the capped `Retry-After` when it is honoured.
    static func bounds(_ retry: PlanRetry, retry n: Int, retryAfterMs: Double?) -> ClosedRange<Double> {
        var bounds = HarnessPlan.backoffBounds(retry, retry: n)
        if let ra = retryAfterMs, retry.honourRetryAfter {
            let capped = min(ra, Double(retry.retryAfterMaxMs))
            bounds = max(bounds.lowerBound, capped)...max(bounds.upperBound, capped)
        }
        return bounds
    }

    // MARK: backoff

    func backoffFailures() -> [ExpectationFailure] {
        var out: [ExpectationFailure] = []
        let plan = observation.plan
        for (i, g) in gaps.enumerated() where !(g.status == 401 && plan.auth.isOAuth) {
            guard let w = matched[i] else {
                out.append(ExpectationFailure("backoff", "retry \(g.retry) (request \(g.request)) came \(TimingChecks.ms(g.waitMs)) after the previous attempt, with no wait the runtime scheduled",
                                              details: ["expected: a retry wait reported by the runtime", "actual: none"]))
                continue
            }
            // The scenario's Retry-After when it scripted one in seconds (independent of the
            // runtime's parser); otherwise the runtime's reading of the header (an HTTP date).
            out += exact(w, retry: g.retry, request: "retry \(g.retry) (request \(g.request))", retryAfterMs: g.retryAfterMs ?? w.retryAfter.map(Self.ms))
            out += happened(g, w)
        }
        for w in unmatchedRetries {
            out += exact(w, retry: w.attempt - 1, request: "retry \(w.attempt - 1) (runtime request \(w.request))", retryAfterMs: w.retryAfter.map(Self.ms))
        }
        return out + pauseFailures("backoff") + tokenFailures("backoff")
    }

    /// Check 1 for a retry's wait.
    private func exact(_ w: ScheduledWait, retry n: Int, request: String, retryAfterMs: Double?) -> [ExpectationFailure] {
        let retry = observation.plan.response.retry
        let bounds = Self.bounds(retry, retry: n, retryAfterMs: retryAfterMs)
        let scheduled = Self.ms(w.duration)
        guard scheduled < bounds.lowerBound - Self.roundingMs || scheduled > bounds.upperBound + Self.roundingMs else { return [] }
        let raNote = retryAfterMs.map { ", Retry-After \(TimingChecks.ms($0))\(retry.honourRetryAfter ? " capped at \(retry.retryAfterMaxMs) ms" : " not honoured")" } ?? ""
        let parts = [w.backoff.map { "backoff \(Self.text($0))" }, w.retryAfter.map { "Retry-After \(Self.text($0))" }].compactMap { $0 }
        return [ExpectationFailure("backoff", "\(request) was scheduled to wait \(Self.text(w.duration)), outside the backoff bounds",
                                   details: ["expected: \(TimingChecks.ms(bounds.lowerBound))-\(TimingChecks.ms(bounds.upperBound)) (\(retry.jitter) jitter, initial \(retry.initialBackoffMs) ms, multiplier \(retry.multiplier), cap \(retry.maxBackoffMs) ms\(raNote); exact: the wait the runtime scheduled, at any time scale)",
                                             "actual: \(Self.text(w.duration)) scheduled" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")])]
    }

    /// Check 2: the measured gap against everything scheduled before the retry.
    private func happened(_ g: TimingChecks.Gap, _ w: ScheduledWait) -> [ExpectationFailure] {
        let before = waits.filter { $0.request == w.request && $0.attempt == w.attempt && $0.kind != .rateLimitHeaders }
        let total = before.reduce(0.0) { $0 + Self.ms($1.duration) }
        let low = total - Double(ConformanceTiming.retryAfterToleranceMs)
        // Scheduling delay is real time: under a time scale it is stretched like every
        // measured wait, so the slack is real milliseconds (nominal: slack / scale).
        let slack = ConformanceTiming.upperSlackMs(timerLatenessMs: observation.timerLatenessMs) / observation.timeScale
        let high = total + slack
        guard g.waitMs < low || g.waitMs > high else { return [] }
        var parts = ["retry wait \(Self.text(w.duration))"]
        let pause = before.filter { $0.kind == .partitionPause }.reduce(0.0) { $0 + Self.ms($1.duration) }
        let token = before.filter { $0.kind == .rateLimit }.reduce(0.0) { $0 + Self.ms($1.duration) }
        if pause > 0 { parts.append("partition pause \(TimingChecks.ms(pause))") }
        if token > 0 { parts.append("rate-limit token \(TimingChecks.ms(token))") }
        let scale = observation.timeScale == 1 ? "" : " at time scale \(TimingChecks.number(observation.timeScale))"
        return [ExpectationFailure("backoff", "retry \(g.retry) (request \(g.request)) waited \(TimingChecks.ms(g.waitMs)), \(g.waitMs < low ? "less" : "more") than the runtime scheduled",
                                   details: ["expected: \(TimingChecks.ms(total)) scheduled (\(parts.joined(separator: " + "))); slack -\(ConformanceTiming.retryAfterToleranceMs)/+\(TimingChecks.ms(slack))\(scale)\(TimingChecks.latenessNote(observation))",
                                             "actual: \(TimingChecks.ms(g.waitMs))"])]
    }

    /// Partition pauses end exactly where a 429's retry or a rate-limit header pause set
    /// them; a header pause is at most `rate_limit_headers.max_ms`.
    func pauseFailures(_ name: String) -> [ExpectationFailure] {
        var out: [ExpectationFailure] = []
        let ends = Set(waits.filter { ($0.kind == .retry && $0.status == 429) || $0.kind == .rateLimitHeaders }.map(\.end))
        let cap = observation.plan.response.rateLimitHeaders?.maxMs
        for w in waits where w.kind == .rateLimitHeaders {
            if cap == nil || Self.ms(w.duration) > Double(cap!) + Self.roundingMs {
                out.append(ExpectationFailure(name, "runtime request \(w.request) paused its partition for \(Self.text(w.duration)) after attempt \(w.attempt) on rate-limit headers",
                                              details: ["expected: at most \(cap.map { "\($0) ms (response.rate_limit_headers.max_ms)" } ?? "none (the plan reads no rate-limit headers)")",
                                                        "actual: \(Self.text(w.duration))"]))
            }
        }
        for w in waits where w.kind == .partitionPause && !ends.contains(w.end) {
            out.append(ExpectationFailure(name, "runtime request \(w.request) waited \(Self.text(w.duration)) for a partition pause before attempt \(w.attempt) that no 429 or rate-limit header set",
                                          details: ["expected: a pause ending where a 429's retry wait or a rate-limit header pause ends", "actual: a pause ending at \(w.end)"]))
        }
        return out
    }

    /// A token wait is at most `concurrency` refill intervals of the plan's bucket.
    func tokenFailures(_ name: String) -> [ExpectationFailure] {
        let tokens = waits.filter { $0.kind == .rateLimit }
        guard !tokens.isEmpty else { return [] }
        guard let limit = observation.plan.rateLimit, limit.rps > 0 else {
            return [ExpectationFailure(name, "the runtime waited for rate-limit tokens \(tokens.count) time\(tokens.count == 1 ? "" : "s"), but the plan has no rate_limit")]
        }
        let bucket = TokenBucket(limit)
        let interval = (1000 / bucket.rate * 1e6).rounded() / 1e6
        let most = Double(observation.concurrency) * max(interval, 1e-6)
        var out: [ExpectationFailure] = []
        for w in tokens where Self.ms(w.duration) > most + Self.roundingMs {
            out.append(ExpectationFailure(name, "runtime request \(w.request) waited \(Self.text(w.duration)) for a rate-limit token before attempt \(w.attempt)",
                                          details: ["expected: at most \(TimingChecks.ms(most)) (concurrency \(observation.concurrency) x \(TimingChecks.number(interval)) ms per token at \(TimingChecks.number(limit.rps)) rps)",
                                                    "actual: \(Self.text(w.duration))"]))
        }
        return out
    }

    // MARK: retry_after

    /// Each honoured `Retry-After` is scheduled in full: at least the scripted value, capped.
    func retryAfterFailures() -> [ExpectationFailure] {
        let retry = observation.plan.response.retry
        var out: [ExpectationFailure] = []
        for (i, g) in gaps.enumerated() {
            guard let ra = g.retryAfterMs else { continue }
            guard let w = matched[i] else {
                out.append(ExpectationFailure("retry_after", "retry \(g.retry) came \(TimingChecks.ms(g.waitMs)) after a \(g.status.map(String.init) ?? "fault") with Retry-After \(TimingChecks.ms(ra)), with no wait the runtime scheduled",
                                              details: ["expected: a retry wait reported by the runtime", "actual: none"]))
                continue
            }
            let want = retry.honourRetryAfter ? min(ra, Double(retry.retryAfterMaxMs)) : 0
            if Self.ms(w.duration) < want - Self.roundingMs {
                out.append(ExpectationFailure("retry_after", "retry \(g.retry) was scheduled \(Self.text(w.duration)) after a \(g.status.map(String.init) ?? "fault") with Retry-After \(TimingChecks.ms(ra)), sooner than allowed",
                                              details: ["expected wait: at least \(TimingChecks.ms(want)) (exact: the wait the runtime scheduled)", "actual wait: \(Self.text(w.duration)) scheduled"]))
            }
        }
        return out
    }

    // MARK: helpers

    /// A duration in milliseconds.
    static func ms(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) * 1000 + Double(atto) / 1e15
    }

    /// A duration for messages: whole milliseconds, or to the microsecond when not whole.
    static func text(_ d: Duration) -> String {
        let v = ms(d)
        if v == v.rounded() { return "\(Int(v)) ms" }
        return "\((v * 1000).rounded() / 1000) ms"
    }
}

