import DSMock
import DSPlan
import DSRuntime

/// The conformance time scale (`dspec test --time-scale S`): how much faster than real time a
/// case's waits run, and which cases cannot be compressed.
///
/// A case runs the real runtime on a ``ScaledClock`` over the system clock: each sleep
/// (backoff, `Retry-After`, rate-limit pauses, token-bucket waits, batch waits) lasts `S`
/// times its nominal length, while the runtime reads nominal time, so the plan and the
/// runtime code are exactly those of production. The mock's receive times are converted to
/// the same nominal time line (real time since the run's start divided by `S`), and every
/// timing expectation is checked on nominal durations:
///
/// - Lower bounds (`retry_after`, `min_retry_spacing_ms`, `min_request_spacing_ms`, the low
///   end of `backoff`, `rate_limit`) keep their tolerances in nominal milliseconds. They are
///   causal: a sleep never ends early, and the mock records an answer no later than the
///   client reads it, so a correct runtime meets them at any scale; a runtime that waits too
///   little is caught as long as its shortfall, in real time (shortfall x S), exceeds the
///   machine's scheduling delay.
/// - The policy bounds of `backoff` and `retry_after` are checked exactly on the waits the
///   runtime reports scheduling (``ScheduledWaitChecks``), independent of the scale and of load.
/// - The one measured upper bound (a `backoff` gap against the waits scheduled before it)
///   absorbs scheduling delay, which is real time: its slack is
///   ``ConformanceTiming/backoffSlackMs`` of real time, so `backoffSlackMs / S` nominal. It only
///   proves that the reported wait is the wait taken.
///
/// Not compressed (the case runs at scale 1, see ``effective(_:scenario:plan:events:)``):
/// - Scenarios that script response times (`delay_ms`, `random_delay_ms`, the `stall` fault)
///   or token lifetimes (`oauth.lifetime_ms`, `oauth.expires_in`). A response delay only
///   means something against the request timeout (`endpoint.timeout_ms`), which the socket
///   transport enforces in real time: compressing the delay and not the timeout would turn a
///   timeout case into a success, and compressing the timeout as well would leave a loopback
///   request `timeout x S` of real time, so machine load would time out correct requests. So
///   neither is scaled.
/// - Batching cases: a case whose plan copy batches (`max_events` above 1) and that sends more
///   than one event. The batcher closes a batch after `max_wait_ms` of nominal time, while
///   reading and rendering the events takes real CPU time, which a compressed clock sees
///   stretched: batches would be cut by the machine's speed (measured: LinkedIn's
///   5,000-event case sent 4 requests instead of 2 at 0.1).
/// - Rate-limited plans beyond ``maxCompressedRps`` x S: the scale is raised to
///   `rps / maxCompressedRps` (at most 1), so the bucket's nominal rate stays well below what
///   the harness can actually send, and a runtime without a limiter still outruns the bound.
/// - Wall-clock time (signature timestamps, JWT `iat`/`exp`, HTTP dates): read unscaled on both
///   sides (``ScaledClock/unixTime()``).
/// - The harness's own guards: the per-case timeout (``ConformanceTiming/caseTimeoutMs``,
///   real time) and the socket timeouts of the transport.
public enum ConformanceTimeScale {
    /// The default of `dspec test`: a nominal second lasts 100 ms. (The library's runners
    /// default to 1, real time.)
    public static let defaultScale = 0.1
    /// The smallest scale `dspec test` accepts. Below it a nominal second lasts under 10 ms of
    /// real time, close to loopback and scheduling noise: a runtime that ignores a
    /// `Retry-After` could arrive within the lower bound's reach by luck, so the check would
    /// stop proving anything.
    public static let minimumScale = 0.01
    /// The fastest nominal request rate, in real requests per second, a compressed
    /// rate-limit case may need (about a tenth of what the harness moves end to end in a
    /// release build, `dspec-bench --only harness`).
    public static let maxCompressedRps = 250.0

    /// The scale `scenario` runs at under the run's `scale` (see the type's documentation).
    /// `events` is the number of input events the case sends.
    public static func effective(_ scale: Double, scenario: MockScenario, plan: DeliveryPlan, events: Int) -> Double {
        guard ClockScale.isValid(scale) else { return 1 }
        guard scale < 1 else { return scale }
        if scriptsTime(scenario) { return 1 }
        if plan.batching.enabled, plan.batching.maxEvents > 1, events > 1 { return 1 }
        if let rate = plan.rateLimit, rate.rps > 0 {
            return min(1, max(scale, rate.rps / maxCompressedRps))
        }
        return scale
    }

    /// Whether the scenario scripts response times or token lifetimes.
    public static func scriptsTime(_ scenario: MockScenario) -> Bool {
        var responses = scenario.routes.flatMap(\.responses)
        responses.append(scenario.fallback)
        if let r = scenario.invalidTokenResponse { responses.append(r) }
        for r in responses {
            if r.delayMs > 0 || (r.randomDelayMs.map { $0.upperBound > 0 } ?? false) { return true }
            if case .stall? = r.fault { return true }
        }
        if let o = scenario.oauth, o.tokenLifetimeMs != nil || o.expiresIn != nil { return true }
        return false
    }

    /// A monotonic time of the mock (ns) on the nominal time line of a run that started at
    /// `start` (ns, same clock) under `scale`: the real time since the start divided by the
    /// scale, added to the start.
    public static func nominal(_ t: UInt64, start: UInt64, scale: Double) -> UInt64 {
        guard scale != 1, t > start else { return t }
        let stretched = (Double(t - start) / scale).rounded(.down)
        guard stretched < 1.8e19 else { return .max }
        return start &+ UInt64(stretched)
    }

    /// The journal entry with its times on the nominal time line. The scripted delay
    /// (`delayMs`) is already nominal: a case with one runs at scale 1.
    static func nominal(_ entry: MockJournalEntry, start: UInt64, scale: Double) -> MockJournalEntry {
        var e = entry
        e.firstByteAt = nominal(entry.firstByteAt, start: start, scale: scale)
        e.receivedAt = nominal(entry.receivedAt, start: start, scale: scale)
        return e
    }
}
