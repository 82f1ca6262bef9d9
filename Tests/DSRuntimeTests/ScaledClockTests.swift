@testable import DSRuntime
import XCTest

/// `ScaledClock` on a manual `VirtualClock`: sleeps last `scale` x their nominal length on the
/// base, the clock reads nominal time, wall time is the base's, and a sleep never ends before
/// its nominal deadline (no spinning retry loop).
final class ScaledClockTests: XCTestCase {
    func testNowIsTheBaseTimeDividedByTheScale() async throws {
        let base = VirtualClock()
        let clock = ScaledClock(base: base, scale: 0.01)
        XCTAssertEqual(clock.now(), .zero)
        base.advance(by: .milliseconds(5))
        XCTAssertEqual(clock.now(), RuntimeInstant(offset: .milliseconds(500)))
        XCTAssertEqual(clock.unixTime(), base.unixTime(), "wall time is not scaled")
    }

    func testASleepLastsScaleTimesItsNominalLength() async throws {
        let base = VirtualClock()
        let clock = ScaledClock(base: base, scale: 0.01)
        let woke = Locked(false)
        let sleeper = Task {
            try await clock.sleep(for: .seconds(1))  // a Retry-After of one nominal second
            woke.withLock { $0 = true }
        }
        await base.waitForSleepers(1)
        // Real deadline: 10 ms (rounded up, plus one nanosecond).
        XCTAssertEqual(base.nextDeadline, RuntimeInstant(offset: .milliseconds(10) + .nanoseconds(1)))
        base.advance(by: .milliseconds(10))
        XCTAssertFalse(woke.withLock { $0 }, "woke before its deadline")
        base.advance(by: .nanoseconds(1))
        try await sleeper.value
        XCTAssertTrue(woke.withLock { $0 })
        XCTAssertGreaterThanOrEqual(clock.now(), RuntimeInstant(offset: .seconds(1)))
    }

    /// After `sleep(until: d)` returns, `now() >= d` for awkward scales and deadlines, so
    /// `while d > clock.now() { sleep(until: d) }` ends.
    func testNowReachesTheDeadlineAfterTheSleep() async throws {
        for scale in [0.1, 0.3, 0.01, 1.0 / 3, 0.0001, 1, 7.5] {
            for ns: Int64 in [1, 7, 999_999, 1_000_000_001, 123_456_789_012, 86_400_000_000_000] {
                let base = VirtualClock(autoAdvance: true)
                let clock = ScaledClock(base: base, scale: scale)
                let deadline = RuntimeInstant(offset: .nanoseconds(ns))
                try await clock.sleep(until: deadline)
                XCTAssertGreaterThanOrEqual(clock.now(), deadline, "scale \(scale), \(ns) ns")
                // And not much later: within one nanosecond of real time.
                XCTAssertLessThanOrEqual(clock.now().offset, deadline.offset + .nanoseconds(Int64((2 / scale).rounded(.up)) + 1), "scale \(scale), \(ns) ns")
            }
        }
    }

    func testInvalidScalesAreClampedNotTrapped() {
        XCTAssertEqual(ScaledClock(base: VirtualClock(), scale: .nan).scale, 1)
        XCTAssertEqual(ScaledClock(base: VirtualClock(), scale: 0).scale, ClockScale.range.lowerBound)
        XCTAssertEqual(ScaledClock(base: VirtualClock(), scale: -3).scale, ClockScale.range.lowerBound)
        XCTAssertEqual(ScaledClock(base: VirtualClock(), scale: .infinity).scale, ClockScale.range.upperBound)
        XCTAssertFalse(ClockScale.isValid(0))
        XCTAssertFalse(ClockScale.isValid(.nan))
        XCTAssertTrue(ClockScale.isValid(0.1))
        // Far deadlines saturate instead of overflowing.
        let clock = ScaledClock(base: VirtualClock(), scale: 10_000)
        XCTAssertEqual(clock.realInstant(of: RuntimeInstant(offset: .seconds(Int64.max / 2))).offset, .nanoseconds(Int64.max))
    }
}
