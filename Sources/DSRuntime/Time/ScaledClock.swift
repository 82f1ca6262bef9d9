/// A clock that runs faster (or slower) than its base: every sleep lasts `scale` times its
/// nominal length on `base`, while the runtime's view of time stays nominal, so the runtime
/// code is the same as in production and only the clock is swapped.
///
/// `dspec test --time-scale S` runs the real ``Deliverer`` on `ScaledClock(base: SystemClock(),
/// scale: S)`: a `Retry-After: 1` wait lasts `S` seconds of real time, yet `now()` moves by a
/// full nominal second across it, so backoff, Retry-After, rate-limit pauses, token buckets,
/// batch waits and token lifetimes keep their plan values (nothing in the plan changes) and
/// the harness compares what the vendor saw in nominal time too (real intervals divided by
/// `S`).
///
/// - `now()` is the base's elapsed time divided by `scale` (the origin is shared: instant
///   zero is the base's zero).
/// - `sleep(until:)` sleeps on the base until the real instant of the nominal deadline,
///   rounded up, so after it returns `now()` is at or past the deadline (a loop such as
///   `while deadline > clock.now() { sleep(until: deadline) }` cannot spin).
/// - `unixTime()` is the base's wall clock, unscaled: wall time is what the outside world
///   reads with its own clock (signature timestamps, JWT `iat`/`exp`, HTTP dates), so it
///   cannot run faster. A `Retry-After` HTTP date or an epoch reset header still becomes a
///   nominal wait (its distance from now), which is then compressed like any other.
///
/// Conversions are done in nanoseconds in `Double` (exact to the nanosecond for runs shorter
/// than about a hundred days) and saturate instead of overflowing.
public struct ScaledClock<Base: RuntimeClock>: RuntimeClock {
    /// The clock that does the real waiting.
    public let base: Base
    /// Real time per nominal time: 0.1 makes a nominal second last 100 ms.
    public let scale: Double

    /// Creates a clock whose sleeps last `scale` times their nominal length on `base`.
    public init(base: Base, scale: Double) {
        self.base = base
        self.scale = scale.isNaN ? 1 : min(max(scale, ClockScale.range.lowerBound), ClockScale.range.upperBound)
    }

    public func now() -> RuntimeInstant {
        RuntimeInstant(offset: .nanoseconds(Self.saturating((Double(Self.nanoseconds(base.now().offset)) / scale).rounded(.down))))
    }

    public func unixTime() -> Double { base.unixTime() }

    public func sleep(until deadline: RuntimeInstant) async throws {
        try await base.sleep(until: realInstant(of: deadline))
    }

    /// The base instant at which nominal `instant` has surely been reached: rounded up, plus
    /// one nanosecond, so `now()` read there is not below `instant`.
    public func realInstant(of instant: RuntimeInstant) -> RuntimeInstant {
        let ns = Self.nanoseconds(instant.offset)
        guard ns > 0 else { return RuntimeInstant(offset: instant.offset) }
        return RuntimeInstant(offset: .nanoseconds(Self.saturating((Double(ns) * scale).rounded(.up) + 1)))
    }

    /// Whole nanoseconds of `d` (saturating).
    static func nanoseconds(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return s < 0 ? .min : .max }
        let (sum, overflow2) = ns.addingReportingOverflow(atto / 1_000_000_000)
        return overflow2 ? (ns < 0 ? .min : .max) : sum
    }

    /// `v` as an `Int64`, clamped to its range (never traps).
    static func saturating(_ v: Double) -> Int64 {
        if v.isNaN { return 0 }
        if v >= 9.2e18 { return .max }
        if v <= -9.2e18 { return .min }
        return Int64(v)
    }
}

/// The scales a ``ScaledClock`` accepts. Anything else (zero, negative, infinite, beyond the
/// range) is replaced by the nearest bound, or 1 for NaN; callers that take the scale from a
/// user validate it first with a diagnostic (``isValid(_:)``).
public enum ClockScale {
    /// Accepted scales.
    public static let range: ClosedRange<Double> = 0.0001...10_000

    /// Whether a clock runs with `scale` unchanged.
    public static func isValid(_ scale: Double) -> Bool { scale.isFinite && range.contains(scale) }
}
