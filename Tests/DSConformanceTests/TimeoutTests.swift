import DSRuntime
import XCTest

@testable import DSConformance

/// `ConformanceRunner.withTimeout` is structured: the loser of the race between the run and
/// its timer is cancelled and finished before it returns.
final class TimeoutTests: XCTestCase {
    /// The run finishes first: the timer is cancelled, not left sleeping for the timeout.
    func testTheTimerIsCancelledWhenTheRunFinishesFirst() async {
        let timerEnded = Locked<Bool?>(nil)
        let value = await ConformanceRunner.withTimeout(ms: 600_000, sleep: { ms in
            try? await Task.sleep(for: .milliseconds(ms))
            timerEnded.withLock { $0 = Task.isCancelled }
        }, { 42 })
        XCTAssertEqual(value, 42)
        XCTAssertEqual(timerEnded.withLock { $0 }, true, "the timer has ended, cancelled, by the time withTimeout returns")
    }

    /// The timer fires first: the run is cancelled and has wound down when it returns.
    func testTheRunIsCancelledWhenTheTimerFiresFirst() async {
        let runEnded = Locked<Bool?>(nil)
        let value: Int? = await ConformanceRunner.withTimeout(ms: 1, sleep: { _ in }, {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(600)) }
            runEnded.withLock { $0 = true }
            return 1
        })
        XCTAssertNil(value)
        XCTAssertEqual(runEnded.withLock { $0 }, true)
    }
}
