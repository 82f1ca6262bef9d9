@testable import DSConformance
import DSCore
import DSRuntime
import DSRuntimePOSIX
import DeliverySpec
import Foundation
import XCTest

/// The real-time upper bound on a retry's measured gap is widened by how late the harness's
/// own reference timer fired during the case (``TimerLatenessProbe``): a starved executor
/// cannot fail a correct runtime, and a runtime that oversleeps its own schedule still fails.
final class TimerLatenessTests: XCTestCase {
    private func suites() -> [ConformanceSuite] {
        let (suites, problems) = ConformanceLoader.load(TestSupport.example("custom-webhook.json"))
        XCTAssertEqual(problems.map(\.description), [])
        XCTAssertEqual(CaseSelection.select(CaseSelection.all(suites), filter: "status-503-retry").count, 1)
        return suites
    }

    /// The probe sees a stall of its executor: a job that holds the executor's thread for
    /// 300 ms delays the reference timer by at least 300 ms minus one interval.
    func testTheProbeSeesAStalledExecutor() async throws {
        let executor = RunnerExecutor(name: "probe-test")
        defer { executor.stop() }
        let probe = TimerLatenessProbe(on: executor)
        // Let the reference task start sleeping, then hold the thread.
        try await Task.sleep(for: .milliseconds(30))
        await withTaskExecutorPreference(executor) {
            usleep(300_000)
        }
        try await Task.sleep(for: .milliseconds(30))
        let lateness = await probe.stop()
        XCTAssertGreaterThanOrEqual(lateness, 300 - Double(TimerLatenessProbe.intervalNs) / 1e6)
    }

    /// A runtime whose executor is starved for 1.2 s after its retry wait (the model of a
    /// machine loaded far beyond its cores) passes: the reference timer was starved too.
    /// Before the probe, this failed on the 750 ms real-time slack at both scales.
    func testAStarvedExecutorDoesNotFailACorrectRuntime() async throws {
        let suites = suites()
        for scale in [0.1, 1] {
            let runner = try ConformanceRunner(timeScale: scale, clock: { FirstWaitClock(base: ScaledClock(base: SystemClock(), scale: $0)) { usleep(1_200_000) } })
            defer { runner.stop() }
            let results = await runner.run(CaseSelection.select(CaseSelection.all(suites), filter: "status-503-retry"), of: suites)
            XCTAssertEqual(results.count, 1)
            XCTAssertTrue(results.allSatisfy(\.passed), "scale \(scale): " + ConformanceReport.text(results))
        }
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
/// out late. Holding the thread (`usleep`) models a starved executor, where every timer on it
/// is late too; sleeping again models a runtime that oversleeps its own schedule.
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
