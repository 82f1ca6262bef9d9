@testable import DSConformance
import DSCore
import DSRuntime
import DSRuntimePOSIX
import DeliverySpec
import Foundation
import XCTest

/// The real-time upper bound on a retry's measured gap is widened by how late the harness's
/// own reference timer fired during the case (``TimerLatenessProbe``, on a thread of its own):
/// a runtime that blocks its executor or oversleeps its own schedule still fails. (That load
/// widens the bound, up to its cap, is checked in ``ScheduledWaitCheckTests``.)
final class TimerLatenessTests: XCTestCase {
    private func suites() -> [ConformanceSuite] {
        let (suites, problems) = ConformanceLoader.load(TestSupport.example("custom-webhook.json"))
        XCTAssertEqual(problems.map(\.description), [])
        XCTAssertEqual(CaseSelection.select(CaseSelection.all(suites), filter: "status-503-retry").count, 1)
        return suites
    }

    /// The probe keeps the worst lateness of its timer: one sleep 300 ms late is seen.
    func testTheProbeSeesALateTimer() throws {
        let calls = Locked(0)
        let probe = TimerLatenessProbe(sleep: { ns in
            let n = calls.withLock { c in
                c += 1
                return c
            }
            usleep(UInt32(ns / 1000) + (n == 3 ? 300_000 : 0))
        })
        // Wait until the late sleep is over (the probe counts it once it returns).
        while calls.withLock({ $0 }) < 4 { usleep(5_000) }
        XCTAssertGreaterThanOrEqual(probe.stop(), 300)
    }

    /// A runtime that holds its executor for 2.5 s after its retry wait (synchronous work on
    /// the delivery's thread) fails: the probe runs on its own thread, so it does not excuse
    /// the delay, and even a probe as late as the cap would widen the bound by 1.5 s only.
    /// (Found in review: a probe on the case's executor was blocked along with the runtime.)
    func testARuntimeThatBlocksItsExecutorFails() async throws {
        let suites = suites()
        let runner = try ConformanceRunner(timeScale: 1, clock: { FirstWaitClock(base: ScaledClock(base: SystemClock(), scale: $0)) { usleep(2_500_000) } })
        defer { runner.stop() }
        let results = await runner.run(CaseSelection.select(CaseSelection.all(suites), filter: "status-503-retry"), of: suites)
        let backoff = results.first?.failures.filter { $0.expectation == "backoff" } ?? []
        XCTAssertEqual(backoff.count, 1, ConformanceReport.text(results))
        XCTAssertTrue(backoff.first?.message.hasSuffix("more than the runtime scheduled") ?? false, ConformanceReport.text(results))
    }

    /// A runtime that sleeps 2 s longer than the first wait it scheduled, without blocking its
    /// executor, still fails on the gap: the reference timer was on time.
    func testARuntimeThatOversleepsStillFails() async throws {
        let suites = suites()
        let runner = try ConformanceRunner(timeScale: 0.1, clock: { FirstWaitClock(base: ScaledClock(base: SystemClock(), scale: $0)) { try await Task.sleep(for: .seconds(2)) } })
        defer { runner.stop() }
        let results = await runner.run(CaseSelection.select(CaseSelection.all(suites), filter: "status-503-retry"), of: suites)
        let backoff = results.first?.failures.filter { $0.expectation == "backoff" } ?? []
        XCTAssertEqual(backoff.count, 1, ConformanceReport.text(results))
        XCTAssertTrue(backoff.first?.message.hasSuffix("more than the runtime scheduled") ?? false, ConformanceReport.text(results))
    }
}

/// A clock that runs `afterFirstWait` once its first real wait (a deadline in the future; the
/// token bucket's sleeps until a past deadline do not count) is over: the runtime's retry goes
/// out late, holding its executor's thread (`usleep`) or sleeping again.
private final class FirstWaitClock<Base: RuntimeClock>: RuntimeClock {
    let base: Base
    let afterFirstWait: @Sendable () async throws -> Void
    private let waited = Locked(false)
    init(base: Base, afterFirstWait: @escaping @Sendable () async throws -> Void) {
        self.base = base
        self.afterFirstWait = afterFirstWait
    }
    func now() -> RuntimeInstant { base.now() }
    func unixTime() -> Double { base.unixTime() }
    func sleep(until deadline: RuntimeInstant) async throws {
        guard deadline > base.now() else { return try await base.sleep(until: deadline) }
        try await base.sleep(until: deadline)
        let first = waited.withLock { w in
            defer { w = true }
            return !w
        }
        if first { try await afterFirstWait() }
    }
}
