import DSCore
import DSPlan

/// A token bucket of capacity `burst` refilled at `rate` tokens per second, kept as the
/// equivalent "generic cell rate algorithm" (GCRA): one theoretical arrival time instead of
/// a fractional token count. The two describe the same admissions, but GCRA works in whole
/// nanoseconds, so admission times are exact (no floating-point drift after thousands of
/// requests) and a caller learns *when* its token is due rather than polling for it.
///
/// Every request attempt, retries included, takes one token (a vendor counts requests, not
/// events, and a retry is a request).
public struct TokenBucket: Sendable, Equatable {
    /// Tokens added per second.
    public let rate: Double
    /// Bucket capacity: how many requests may go back to back.
    public let burst: Int
    /// Nanoseconds between two tokens.
    private let interval: Int64
    /// How far ahead of its theoretical arrival a request may be admitted: the burst.
    private let tolerance: Int64
    /// The theoretical arrival time of the next request, in nanoseconds since the origin.
    private var theoreticalArrival: Int64 = .min

    /// Creates a full bucket. Lint and the plan decoder keep `rate` and `burst` within their
    /// documented ranges (`NumericRanges`); a bucket built any other way is clamped to the
    /// same ranges instead of trapping, so the interval stays within 1 ns...1000 s and
    /// `(burst - 1) x interval` within 1e18 ns.
    public init(rate: Double, burst: Int) {
        let rates = NumericRanges.rateLimitRPS
        self.rate = rate.isNaN ? rates.min : min(max(rate, rates.min), rates.max)
        self.burst = min(max(1, burst), NumericRanges.rateLimitBurst.maxInt)
        interval = max(1, Int64((1e9 / self.rate).rounded()))
        tolerance = Int64(self.burst - 1) * interval
    }

    /// The plan's bucket: `burst` rounded up to whole requests (clamped like ``init(rate:burst:)``).
    public init(_ limit: PlanRateLimit) {
        let burst = limit.burst.isNaN ? 1 : min(max(1, limit.burst.rounded(.up)), Double(NumericRanges.rateLimitBurst.maxInt))
        self.init(rate: limit.rps, burst: Int(burst))
    }

    /// Takes a token for a request arriving at `now` and returns the instant it may be sent
    /// (`now` if a token is available). Reservations queue: the caller must wait until the
    /// returned instant, and later callers are admitted after it.
    public mutating func reserve(at now: RuntimeInstant) -> RuntimeInstant {
        let t = now.offset.nanoseconds
        let arrival = theoreticalArrival == .min ? t : max(theoreticalArrival, t)
        let (next, overflow) = arrival.addingReportingOverflow(interval)
        theoreticalArrival = overflow ? .max : next
        let allowed = arrival - tolerance
        return allowed <= t ? now : RuntimeInstant(offset: .nanoseconds(allowed))
    }
}

extension Duration {
    /// Whole nanoseconds (truncated).
    package var nanoseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
}

/// The token bucket shared by every request of one delivery run, on a clock.
public final class RateLimiter: Sendable {
    private let bucket: Locked<TokenBucket>
    private let clock: any RuntimeClock
    /// The fleet's bucket, used instead of the local one when set (`--shared-rate-limit`).
    public let shared: (any SharedAdmission)?

    /// Creates a limiter with a full bucket (or one that asks `shared`).
    public init(bucket: TokenBucket, clock: any RuntimeClock, shared: (any SharedAdmission)? = nil) {
        self.bucket = Locked(bucket)
        self.clock = clock
        self.shared = shared
    }

    /// Waits for a token; returns the instant the request was admitted. A wait is reported to
    /// the wait observer of the request, if any (``ScheduledWait/Kind/rateLimit``).
    @discardableResult
    public func acquire() async throws -> RuntimeInstant {
        if let shared {
            let wait = try await shared.reserve()
            let admitted = clock.now() + wait
            if wait > .zero { WaitReporting.current?.report(.rateLimit, start: RuntimeInstant(offset: admitted.offset - wait), end: admitted) }
            try await clock.sleep(until: admitted)
            return admitted
        }
        let now = clock.now()
        let admitted = bucket.withLock { $0.reserve(at: now) }
        if admitted > now { WaitReporting.current?.report(.rateLimit, start: now, end: admitted) }
        try await clock.sleep(until: admitted)
        return admitted
    }
}
