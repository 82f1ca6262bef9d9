import DSCore
import DSMock
import Foundation

/// Measures how late a timer fires on this machine while a case runs: a thread of its own
/// sleeps ``intervalNs`` again and again and keeps the largest overshoot.
///
/// Why: the upper bound on a retry's measured gap (everything the runtime scheduled plus
/// ``ConformanceTiming/backoffSlackMs`` of real time) is a bound on *scheduling delay*. On a
/// machine loaded far beyond its cores (a CI box running the suite beside two builds) a
/// correct runtime's wake-up can be a second or more late, and a fixed slack then fails it.
/// The harness's own timer in the same window is delayed by the same starvation, so its worst
/// lateness is added to the slack (``CaseObservation/timerLatenessMs``, at most
/// ``ConformanceTiming/timerLatenessCapMs``).
///
/// The probe runs on its own thread, not on the case's executor: a runtime that blocks its
/// executor (synchronous work after a backoff) or oversleeps its own schedule delays its
/// retry but not the probe, so it still fails.
final class TimerLatenessProbe: Sendable {
    /// How long the probe sleeps each time, in nanoseconds.
    static let intervalNs: UInt64 = 10_000_000

    private let state = Locked((stopped: false, worstNs: UInt64(0)))

    /// Starts the probe's thread. `sleep` sleeps the given nanoseconds (tests inject a late one).
    init(sleep: @escaping @Sendable (UInt64) -> Void = { usleep(UInt32($0 / 1000)) }) {
        let state = self.state
        let thread = Thread {
            while true {
                let start = MonotonicClock.now()
                sleep(Self.intervalNs)
                let elapsed = MonotonicClock.now() &- start
                let stopped = state.withLock { s in
                    if elapsed > Self.intervalNs { s.worstNs = max(s.worstNs, elapsed - Self.intervalNs) }
                    return s.stopped
                }
                if stopped { return }
            }
        }
        thread.name = "dspec-timer-probe"
        thread.start()
    }

    /// Stops the probe (its thread ends after its current sleep) and returns the largest
    /// lateness it saw so far, in milliseconds.
    func stop() -> Double {
        state.withLock { s in
            s.stopped = true
            return Double(s.worstNs) / 1e6
        }
    }
}
