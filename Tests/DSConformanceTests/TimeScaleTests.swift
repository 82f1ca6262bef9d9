@testable import DSConformance
@testable import DSMock
import DeliverySpec
import XCTest

/// The conformance time scale (`dspec test --time-scale S`, ``ConformanceTimeScale``): the
/// runtime runs on a ``ScaledClock``, the mock's times are converted to nominal time, and the
/// timing checks still catch a runtime that waits too little.
final class TimeScaleTests: XCTestCase {
    private func suites(_ name: String = "custom-webhook.json") -> [ConformanceSuite] {
        let (suites, problems) = ConformanceLoader.load(TestSupport.example(name))
        XCTAssertEqual(problems.map(\.description), [])
        return suites
    }

    private func entry(_ n: Int, atMs: Double, status: Int = 200, index: Int) -> MockJournalEntry {
        let ns = UInt64(atMs * 1e6)
        return MockJournalEntry(sequence: n, connectionID: 1, indexOnConnection: n, firstByteAt: ns, receivedAt: ns,
                                request: MockRequest(method: "POST", target: "/events", headers: [], body: Array("same".utf8)),
                                route: "r", responseIndex: index, status: status, fault: nil, delayMs: 0, isTokenRequest: false, checks: [])
    }

    // MARK: - Nominal time and the documented tolerance (synthetic journals, no real time)

    /// A real journal at scale 0.1 is converted to nominal time before the checks: a retry
    /// 100.5 ms (real) after a `Retry-After: 1` answer waited 1005 nominal ms and passes; one
    /// 94 ms later (940 nominal, beyond the 50 ms tolerance) fails; one 95.5 ms later (955
    /// nominal, within it) passes.
    func testRetryAfterIsCheckedInNominalTimeWithTheNominalTolerance() throws {
        var plan = try XCTUnwrap(suites().first).spec.plan
        plan = HarnessPlan.adjusted(plan, PlanAdjustments())
        let scenario = MockScenario(routes: [MockRoute(name: "r", path: .any, responses: [
            MockResponse(status: 429, headers: [MockHeader(name: "Retry-After", value: "1")], json: .object(JSONObject())),
            MockResponse(status: 200, json: .object(JSONObject())),
        ])])
        func failures(retryAfterRealMs: Double) -> [ExpectationFailure] {
            let start: UInt64 = 1_000_000_000
            let real = [entry(0, atMs: 1010, status: 429, index: 0), entry(1, atMs: 1010 + retryAfterRealMs, index: 1)]
            let vendor = real.map { ConformanceTimeScale.nominal($0, start: start, scale: 0.1) }
            var e = CaseExpectations()
            e.retryAfter = true
            let o = CaseObservation(plan: plan, scenario: scenario, events: [], ids: [], selected: [], fates: [], vendor: vendor, token: [],
                                    counts: DeliveryCounts(), startedAt: start, timeScale: 0.1)
            return TimingChecks(observation: o, expect: e).failures()
        }
        XCTAssertEqual(failures(retryAfterRealMs: 100.5), [])
        XCTAssertEqual(failures(retryAfterRealMs: 95.5), [], "within the 50 ms nominal tolerance")
        let early = failures(retryAfterRealMs: 94)
        XCTAssertEqual(early.map(\.expectation), ["retry_after"])
        XCTAssertEqual(early.first?.message, "retry 1 came 940 ms after a 429 with Retry-After 1000 ms, sooner than allowed")
    }

    /// Without the runtime's wait reports (an observation built by hand), the backoff upper
    /// bound's slack is real time (scheduling delay): 750 ms real is 7,500 nominal ms at scale
    /// 0.1, and the message says so. (Real runs check the scheduled wait exactly:
    /// ScheduledWaitCheckTests.)
    func testBackoffSlackIsRealTime() throws {
        var plan = try XCTUnwrap(suites().first).spec.plan
        plan = HarnessPlan.adjusted(plan, PlanAdjustments())
        plan.response.retry.jitter = "none"
        plan.response.retry.initialBackoffMs = 200
        plan.response.retry.maxBackoffMs = 200
        let scenario = MockScenario(routes: [MockRoute(name: "r", path: .any, responses: [MockResponse(status: 503), MockResponse(status: 200)])])
        func failures(realWaitMs: Double) -> [ExpectationFailure] {
            let real = [entry(0, atMs: 1000, status: 503, index: 0), entry(1, atMs: 1000 + realWaitMs, index: 1)]
            var e = CaseExpectations()
            e.backoff = true
            let o = CaseObservation(plan: plan, scenario: scenario, events: [], ids: [], selected: [], fates: [], vendor: real.map { ConformanceTimeScale.nominal($0, start: 1_000_000_000, scale: 0.1) },
                                    token: [], counts: DeliveryCounts(), startedAt: 1_000_000_000, timeScale: 0.1)
            return TimingChecks(observation: o, expect: e).failures()
        }
        let d = Double(plan.response.retry.initialBackoffMs)
        XCTAssertEqual(failures(realWaitMs: (d + 7_000) / 10), [], "700 ms of real scheduling delay is within the slack")
        let late = failures(realWaitMs: (d + 8_000) / 10)
        XCTAssertEqual(late.map(\.expectation), ["backoff"])
        XCTAssertTrue(late.first?.details.first?.hasSuffix("slack -50/+7500 ms at time scale 0.1)") ?? false, late.first?.details.first ?? "")
        XCTAssertEqual(failures(realWaitMs: d / 10 - 6).map(\.expectation), ["backoff"], "60 nominal ms short of the lower bound")
    }

    func testEffectiveScale() throws {
        let plan = try XCTUnwrap(suites().first).spec.plan
        let plain = MockScenario()
        XCTAssertEqual(ConformanceTimeScale.effective(0.1, scenario: plain, plan: plan, events: 1), 0.1)
        XCTAssertEqual(ConformanceTimeScale.effective(1, scenario: plain, plan: plan, events: 1), 1)
        XCTAssertEqual(ConformanceTimeScale.effective(0, scenario: plain, plan: plan, events: 1), 1, "an invalid scale runs in real time")
        // Scripted response times and token lifetimes: neither they nor the socket timeout are scaled.
        let delayed = MockScenario(routes: [MockRoute(name: "r", path: .any, responses: [MockResponse(status: 200, delayMs: 20)])])
        XCTAssertEqual(ConformanceTimeScale.effective(0.1, scenario: delayed, plan: plan, events: 1), 1)
        let stalled = MockScenario(routes: [MockRoute(name: "r", path: .any, responses: [MockResponse(status: 200, fault: .stall(ms: 100))])])
        XCTAssertEqual(ConformanceTimeScale.effective(0.1, scenario: stalled, plan: plan, events: 1), 1)
        var batching = plan
        batching.batching.enabled = true
        batching.batching.maxEvents = 100
        XCTAssertEqual(ConformanceTimeScale.effective(0.1, scenario: plain, plan: batching, events: 500), 1, "batch boundaries depend on CPU time")
        XCTAssertEqual(ConformanceTimeScale.effective(0.1, scenario: plain, plan: batching, events: 1), 0.1)
        // A fast rate limit raises the scale, so an unlimited runtime still outruns the bound.
        var limited = plan
        limited.rateLimit = PlanRateLimit(rps: 50, burst: 5)
        XCTAssertEqual(ConformanceTimeScale.effective(0.1, scenario: plain, plan: limited, events: 1), 0.2, accuracy: 1e-12)
        limited.rateLimit = PlanRateLimit(rps: 1, burst: 1)
        XCTAssertEqual(ConformanceTimeScale.effective(0.1, scenario: plain, plan: limited, events: 1), 0.1)
        limited.rateLimit = PlanRateLimit(rps: 600, burst: 5)
        XCTAssertEqual(ConformanceTimeScale.effective(0.1, scenario: plain, plan: limited, events: 1), 1)
        XCTAssertEqual(ConformanceTimeScale.nominal(1_500, start: 1_000, scale: 0.1), 6_000)
        XCTAssertEqual(ConformanceTimeScale.nominal(900, start: 1_000, scale: 0.1), 900, "before the start: unchanged")
    }

    // MARK: - End to end on the real runtime

    /// A deliberately wrong runtime: its clock runs ten times faster than the harness's scale,
    /// so every wait (a Retry-After among them) lasts a tenth of what it should.
    private static func cutsWaitsShort(_ scale: Double) -> any RuntimeClock { ScaledClock(base: SystemClock(), scale: scale / 10) }

    /// Under compression the Retry-After case still passes on the real runtime (lower bounds
    /// are causal: a sleep never ends early), and a runtime that cuts the wait short is still
    /// caught. At scale 0.5 its retry comes 50 ms (real) after the 429, 100 nominal ms: only
    /// more than 425 ms of scheduling delay could lift it over the 950 ms bound, so the
    /// failure does not depend on machine load.
    func testRetryAfterHonouredUnderScaleAndAViolationIsStillCaught() async throws {
        let suites = suites()
        let entries = CaseSelection.select(CaseSelection.all(suites), filter: "retry-after-429")
        XCTAssertEqual(entries.count, 1)

        let honest = try ConformanceRunner(timeScale: 0.5)
        defer { honest.stop() }
        let ok = await honest.run(entries, of: suites)
        XCTAssertTrue(ok.allSatisfy(\.passed), ConformanceReport.text(ok))

        let cheat = try ConformanceRunner(timeScale: 0.5, clock: Self.cutsWaitsShort)
        defer { cheat.stop() }
        let caught = await cheat.run(entries, of: suites)
        XCTAssertEqual(caught.first?.passed, false)
        XCTAssertTrue(caught.first?.failures.contains { $0.expectation == "retry_after" } ?? false, ConformanceReport.text(caught))
        // The same cheat is caught in real time too (the check itself is not what changed).
        let cheatReal = try ConformanceRunner(timeScale: 1, clock: Self.cutsWaitsShort)
        defer { cheatReal.stop() }
        let caughtReal = await cheatReal.run(entries, of: suites)
        XCTAssertTrue(caughtReal.first?.failures.contains { $0.expectation == "retry_after" } ?? false, ConformanceReport.text(caughtReal))
    }

    /// Reports that print no timings are byte-identical with and without compression.
    func testReportsAreTheSameWithAndWithoutTheScale() async throws {
        let suites = suites()
        let entries = CaseSelection.all(suites)
        func run(_ scale: Double) async throws -> [CaseResult] {
            let pool = try ConformancePool(jobs: 2, timeScale: scale)
            defer { pool.stop() }
            return await pool.run(entries, of: suites).map { var r = $0; r.durationMs = 0; return r }
        }
        let real = try await run(1)
        let compressed = try await run(0.1)
        XCTAssertTrue(compressed.allSatisfy(\.passed), ConformanceReport.text(compressed.filter { !$0.passed }))
        XCTAssertEqual(compressed, real)
        for format in [ConformanceReport.Format.text, .json, .junit] {
            XCTAssertEqual(ConformanceReport.render(compressed, format: format, color: false), ConformanceReport.render(real, format: format, color: false), "\(format)")
        }
    }
}

/// Each runner delivers on its own thread (``RunnerExecutor``), not on the cooperative pool,
/// where CPU-bound cases stopped every other case's timers (linkedin-capi `retry-after-429`
/// reached the mock 1.4-2 s late beside its 5,000-event case at `--jobs 4`).
final class RunnerExecutorTests: XCTestCase {
    func testTheDeliveryRunsOnTheRunnersExecutor() async throws {
        let (suites, _) = ConformanceLoader.load(TestSupport.example("custom-webhook.json"))
        let entries = CaseSelection.select(CaseSelection.all(suites), filter: "happy-path")
        XCTAssertEqual(entries.count, 1)
        let runner = try ConformanceRunner(timeScale: 0.1)
        defer { runner.stop() }
        XCTAssertEqual(runner.executor.jobsEnqueued, 0)
        // Called from the global pool, with no executor preference of its own.
        let results = await Task.detached { await runner.run(entries, of: suites) }.value
        XCTAssertEqual(results.map(\.passed), [true], ConformanceReport.text(results))
        XCTAssertGreaterThan(runner.executor.jobsEnqueued, 0, "the case ran on the cooperative pool")
    }

    /// A runner whose mock cannot start throws and leaves no executor thread behind.
    func testARunnerWhoseMockCannotStartLeavesNoThread() throws {
        let before = RunnerExecutor.liveThreads.withLock { $0 }
        for _ in 0..<3 {
            XCTAssertThrowsError(try ConformanceRunner(timeScale: 1, clock: { _ in SystemClock() },
                                                      server: MockServerConfiguration(host: "not-an-address", port: 0)))
        }
        XCTAssertLessThanOrEqual(RunnerExecutor.liveThreads.withLock { $0 }, before, "an executor thread was started for a runner that never ran")
    }
}
