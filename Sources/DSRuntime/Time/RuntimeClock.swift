/// A point on a clock's monotonic time line, as an offset from the clock's own origin.
///
/// A wrapper rather than a bare `Duration` so that "when" and "how long" cannot be mixed up
/// in the runtime's arithmetic (an instant plus a duration is an instant; two instants
/// subtract to a duration).
public struct RuntimeInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Time since the clock's origin.
    public var offset: Duration

    /// Creates an instant `offset` after the clock's origin.
    public init(offset: Duration) { self.offset = offset }

    /// The clock's origin.
    public static let zero = RuntimeInstant(offset: .zero)

    public static func < (a: RuntimeInstant, b: RuntimeInstant) -> Bool { a.offset < b.offset }
    /// The instant `d` later.
    public static func + (a: RuntimeInstant, d: Duration) -> RuntimeInstant { RuntimeInstant(offset: a.offset + d) }
    /// The duration from `b` to `a`.
    public static func - (a: RuntimeInstant, b: RuntimeInstant) -> Duration { a.offset - b.offset }

    public var description: String { "t+\(offset.milliseconds)ms" }
}

extension Duration {
    /// Whole milliseconds (truncated), for messages and plan-style arithmetic.
    public var milliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }

    /// The duration in seconds as a floating-point number (for rates and jitter).
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

/// The runtime's source of time: a monotonic clock for deadlines (batch waits, backoff,
/// rate limiting) and a wall clock for what the outside world reads (HTTP dates in
/// `Retry-After`, JWT `iat`/`exp`, `@timestamp` in signatures).
///
/// Everything time-dependent in the runtime reads this protocol and nothing else, which is
/// what lets tests run it on ``VirtualClock``: fast (no real sleeping) and exact (no timing
/// luck). Named `RuntimeClock`, not `Clock`, so it does not shadow the standard library's
/// `Clock` protocol for code that imports this module.
public protocol RuntimeClock: Sendable {
    /// The current monotonic instant.
    func now() -> RuntimeInstant
    /// The current wall-clock time as Unix seconds (fractional).
    func unixTime() -> Double
    /// Suspends until `deadline` (returns at once if it has passed). Throws
    /// `CancellationError` if the task is cancelled while waiting.
    func sleep(until deadline: RuntimeInstant) async throws
}

extension RuntimeClock {
    /// Suspends for `duration` from now.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now() + duration)
    }
}
