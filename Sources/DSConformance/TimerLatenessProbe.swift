import DSMock

/// Measures how late a timer fires on the case's own executor while a case runs: a reference
/// task sleeps ``interval`` again and again and keeps the largest overshoot.
///
/// Why: the upper bound on a retry's measured gap (everything the runtime scheduled plus
/// ``ConformanceTiming/backoffSlackMs`` of real time) is a bound on *scheduling delay*. On a
/// machine loaded far beyond its cores (a CI box running the suite beside two builds) a
/// correct runtime's wake-up can be a second or more late, and a fixed slack then fails it.
/// A timer of the harness's own, on the same executor in the same window, is delayed by the
/// same starvation, so its worst lateness is added to the slack (``CaseObservation/timerLatenessMs``).
/// A runtime that oversleeps its own schedule still fails: the reference timer is not late
/// because of it.
final class TimerLatenessProbe: Sendable {
    /// How long the reference task sleeps each time, in nanoseconds.
    static let intervalNs: UInt64 = 10_000_000

    private let task: Task<UInt64, Never>

    /// Starts the reference task on `executor` (the runner's, where the case's delivery runs).
    init(on executor: any TaskExecutor) {
        task = Task(executorPreference: executor) {
            var worst: UInt64 = 0
            while !Task.isCancelled {
                let start = MonotonicClock.now()
                do { try await Task.sleep(nanoseconds: Self.intervalNs) } catch { break }
                let elapsed = MonotonicClock.now() &- start
                if elapsed > Self.intervalNs { worst = max(worst, elapsed - Self.intervalNs) }
            }
            return worst
        }
    }

    /// Stops the reference task and returns the largest lateness it saw, in milliseconds.
    func stop() async -> Double {
        task.cancel()
        return Double(await task.value) / 1e6
    }
}
