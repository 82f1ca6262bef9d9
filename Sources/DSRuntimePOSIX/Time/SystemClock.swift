import DSRuntime
import Foundation

/// The production clock: `ContinuousClock` for the monotonic line (it keeps counting while
/// the machine sleeps, so a backoff never ends early or late by a suspend) and the system
/// real-time clock for wall time.
public struct SystemClock: RuntimeClock {
    private let origin: ContinuousClock.Instant

    /// Creates a clock whose origin is now.
    public init() { origin = ContinuousClock.now }

    public func now() -> RuntimeInstant { RuntimeInstant(offset: ContinuousClock.now - origin) }

    public func unixTime() -> Double { Date().timeIntervalSince1970 }

    public func sleep(until deadline: RuntimeInstant) async throws {
        let target = origin + deadline.offset
        if target <= ContinuousClock.now { return }
        try await Task.sleep(until: target, clock: .continuous)
    }
}
