@testable import DSConformance
@testable import DSMock
import DSRender
import DeliverySpec
import XCTest

/// The harness checks the waits the runtime reports scheduling (``ScheduledWaitChecks``):
/// each exactly against the policy, at any time scale, and each measured gap against what
/// was scheduled.
final class ScheduledWaitCheckTests: XCTestCase {
    private func suites() -> [ConformanceSuite] {
        let (suites, problems) = ConformanceLoader.load(TestSupport.example("custom-webhook.json"))
        XCTAssertEqual(problems.map(\.description), [])
        return suites
    }

    /// The custom-webhook plan with a fixed 200 ms backoff (no jitter, cap 200 ms) and no
    /// rate limit.
    private func plan() throws -> DeliveryPlan {
        var plan = HarnessPlan.adjusted(try XCTUnwrap(suites().first).spec.plan, PlanAdjustments())
        plan.response.retry.jitter = "none"
        plan.response.retry.initialBackoffMs = 200
        plan.response.retry.maxBackoffMs = 200
        plan.rateLimit = nil
        return plan
    }

    private static let body = Array("same".utf8)

    private func entry(_ n: Int, atMs: Double, status: Int, index: Int) -> MockJournalEntry {
        let ns = UInt64(atMs * 1e6)
        return MockJournalEntry(sequence: n, connectionID: 1, indexOnConnection: n, firstByteAt: ns, receivedAt: ns,
                                request: MockRequest(method: "POST", target: "/events", headers: [], body: Self.body),
                                route: "r", responseIndex: index, status: status, fault: nil, delayMs: 0, isTokenRequest: false, checks: [])
    }

    private static let retried = RenderedRequest(method: "POST", url: "https://hooks.example.com/events", headers: [], body: body, signingString: nil,
                                                 eventIDs: ["e1"], timestamp: 0, requestID: "r")

    private static func retry(ms: Int64, attempt: Int = 2, status: Int = 503, at start: Int64 = 0, request: UInt64 = 1) -> ScheduledWait {
        ScheduledWait(kind: .retry, request: request, attempt: attempt, start: RuntimeInstant(offset: .milliseconds(start)),
                      end: RuntimeInstant(offset: .milliseconds(start + ms)), backoff: .milliseconds(ms), status: status, retried: retried)
    }

    /// A 503 then a 200, the retry `gapMs` (nominal) after the 503, checked with `waits` at `scale`.
    private func failures(_ plan: DeliveryPlan, gapMs: Double, scale: Double, waits: [ScheduledWait]?, concurrency: Int = 8, latenessMs: Double = 0,
                          expect: (inout CaseExpectations) -> Void = { $0.backoff = true }) -> [ExpectationFailure] {
        let start: UInt64 = 1_000_000_000
        // Real journal times, converted to nominal as the runner does.
        let real = [entry(0, atMs: 1000, status: 503, index: 0), entry(1, atMs: 1000 + gapMs * scale, status: 200, index: 1)]
        let scenario = MockScenario(routes: [MockRoute(name: "r", path: .any, responses: [MockResponse(status: 503), MockResponse(status: 200)])])
        var e = CaseExpectations()
        expect(&e)
        let o = CaseObservation(plan: plan, scenario: scenario, events: [], ids: [], selected: [], fates: [],
                                vendor: real.map { ConformanceTimeScale.nominal($0, start: start, scale: scale) }, token: [],
                                counts: DeliveryCounts(), startedAt: start, timeScale: scale, waits: waits, concurrency: concurrency,
                                timerLatenessMs: latenessMs)
        return TimingChecks(observation: o, expect: e).failures()
    }

    /// A runtime that schedules twice the cap (400 ms against 200) and really waits it: the
    /// measured-only check lets it through at scale 0.1 (and at 1: 400 < 200 + 750 slack);
    /// the scheduled wait fails at both, with no slack.
    func testAWaitBeyondTheCapFailsAtEveryScale() throws {
        let plan = try plan()
        for scale in [0.1, 1] {
            XCTAssertEqual(failures(plan, gapMs: 401, scale: scale, waits: nil), [], "the measured-only check at \(scale) (the gap this closes)")
            let f = failures(plan, gapMs: 401, scale: scale, waits: [Self.retry(ms: 400)])
            XCTAssertEqual(f.map(\.expectation), ["backoff"], "\(scale)")
            XCTAssertEqual(f.first?.message, "retry 1 (request 2) was scheduled to wait 400 ms, outside the backoff bounds")
            XCTAssertEqual(f.first?.details, ["expected: 200 ms-200 ms (none jitter, initial 200 ms, multiplier \(plan.response.retry.multiplier), cap 200 ms; exact: the wait the runtime scheduled, at any time scale)",
                                              "actual: 400 ms scheduled (backoff 400 ms)"])
            // Exact: a microsecond beyond the bound fails, the bound itself passes.
            var over = Self.retry(ms: 200)
            over.end = over.end + .microseconds(2)
            XCTAssertEqual(failures(plan, gapMs: 201, scale: scale, waits: [over]).map(\.expectation), ["backoff"])
            XCTAssertEqual(failures(plan, gapMs: 201, scale: scale, waits: [Self.retry(ms: 200)]), [])
        }
    }

    /// A runtime that reports the right wait but does not sleep fails (the gap is less than
    /// what it scheduled), at any scale; one that sleeps far longer than it says fails too,
    /// beyond the real-time slack.
    func testTheMeasuredGapMustMatchTheScheduledWait() throws {
        let plan = try plan()
        for scale in [0.1, 1] {
            let short = failures(plan, gapMs: 2, scale: scale, waits: [Self.retry(ms: 200)])
            XCTAssertEqual(short.map(\.expectation), ["backoff"], "\(scale)")
            XCTAssertEqual(short.first?.message, "retry 1 (request 2) waited 2 ms, less than the runtime scheduled")
            XCTAssertEqual(short.first?.details.first, "expected: 200 ms scheduled (retry wait 200 ms); slack -50/+\(Int(750 / scale)) ms" + (scale == 1 ? "" : " at time scale 0.1"))
            XCTAssertEqual(failures(plan, gapMs: 155, scale: scale, waits: [Self.retry(ms: 200)]), [], "within the 50 ms tolerance")
            XCTAssertEqual(failures(plan, gapMs: 200 + 700 / scale, scale: scale, waits: [Self.retry(ms: 200)]), [], "within the real-time slack")
            let long = failures(plan, gapMs: 200 + 800 / scale, scale: scale, waits: [Self.retry(ms: 200)])
            XCTAssertEqual(long.first?.message, "retry 1 (request 2) waited \(200 + Int(800 / scale)) ms, more than the runtime scheduled")
        }
    }

    /// Machine load widens the real-time slack by the harness's reference-timer lateness, up
    /// to its cap: a retry 1.7 s late passes when the reference timer was 1 s late, fails when
    /// it was on time, and 2.4 s late fails even with a reference timer 5 s late. So do the
    /// measured-only bounds.
    func testReferenceTimerLatenessWidensTheSlackUpToTheCap() throws {
        let plan = try plan()
        for scale in [0.1, 1] {
            for waits in [[Self.retry(ms: 200)], nil] as [[ScheduledWait]?] {
                let label = "scale \(scale), \(waits == nil ? "measured only" : "scheduled")"
                XCTAssertEqual(failures(plan, gapMs: 200 + 1700 / scale, scale: scale, waits: waits).map(\.expectation), ["backoff"], label)
                XCTAssertEqual(failures(plan, gapMs: 200 + 1700 / scale, scale: scale, waits: waits, latenessMs: 1000), [], label)
                let capped = failures(plan, gapMs: 200 + 2400 / scale, scale: scale, waits: waits, latenessMs: 5000)
                XCTAssertEqual(capped.map(\.expectation), ["backoff"], label)
                XCTAssertTrue(capped.first?.details.first?.contains("(750 ms + 1500 ms a reference timer was late during the case (capped))") ?? false,
                              "\(label): \(capped.first?.details.first ?? "")")
            }
        }
    }

    /// A retry the runtime scheduled no wait for fails; so does a Retry-After the runtime
    /// scheduled less than (exactly, no tolerance).
    func testMissingReportsAndShortRetryAfterFail() throws {
        let plan = try plan()
        let missing = failures(plan, gapMs: 200, scale: 0.1, waits: [])
        XCTAssertEqual(missing.map(\.message), ["retry 1 (request 2) came 200 ms after the previous attempt, with no wait the runtime scheduled"])
        // A report for another request (another body) does not count.
        var other = Self.retry(ms: 400)
        other.retried?.body = Array("other".utf8)
        XCTAssertEqual(failures(plan, gapMs: 200, scale: 0.1, waits: [other]).map(\.expectation), ["backoff", "backoff"], "no report for the gap; the other is still checked")

        // Retry-After: 1 scripted; the runtime scheduled 990 ms and the mock saw 1,000.
        let scenario = MockScenario(routes: [MockRoute(name: "r", path: .any, responses: [
            MockResponse(status: 429, headers: [MockHeader(name: "Retry-After", value: "1")], json: .object(JSONObject())), MockResponse(status: 200)])])
        func retryAfter(scheduledMs: Int64) -> [ExpectationFailure] {
            let vendor = [entry(0, atMs: 1000, status: 429, index: 0), entry(1, atMs: 2000, status: 200, index: 1)]
            var e = CaseExpectations()
            e.retryAfter = true
            e.backoff = true
            var w = Self.retry(ms: scheduledMs, status: 429)
            w.retryAfter = .seconds(1)
            let o = CaseObservation(plan: plan, scenario: scenario, events: [], ids: [], selected: [], fates: [], vendor: vendor, token: [],
                                    counts: DeliveryCounts(), startedAt: 1_000_000_000, timeScale: 1, waits: [w])
            return TimingChecks(observation: o, expect: e).failures()
        }
        XCTAssertEqual(retryAfter(scheduledMs: 1000), [])
        let early = retryAfter(scheduledMs: 990)
        XCTAssertEqual(early.map(\.expectation), ["retry_after", "backoff"])
        XCTAssertEqual(early.first?.message, "retry 1 was scheduled 990 ms after a 429 with Retry-After 1000 ms, sooner than allowed")
    }

    /// Partition pauses must end where a 429's retry or a rate-limit header pause set them;
    /// token waits are at most `concurrency` refill intervals.
    func testPauseAndTokenWaitsAreBounded() throws {
        var plan = try plan()
        let retry = Self.retry(ms: 200)
        // Before the retry, a 100 ms token wait: it counts in the scheduled total.
        let token = ScheduledWait(kind: .rateLimit, request: 1, attempt: 2, start: retry.end, end: retry.end + .milliseconds(100))
        XCTAssertEqual(failures(plan, gapMs: 300, scale: 0.1, waits: [retry, token]).map(\.message),
                       ["the runtime waited for rate-limit tokens 1 time, but the plan has no rate_limit"])
        plan.rateLimit = PlanRateLimit(rps: 10, burst: 1)
        XCTAssertEqual(failures(plan, gapMs: 300, scale: 0.1, waits: [retry, token], concurrency: 1), [])
        let short = failures(plan, gapMs: 240, scale: 0.1, waits: [retry, token], concurrency: 1)
        XCTAssertEqual(short.first?.details.first, "expected: 300 ms scheduled (retry wait 200 ms + rate-limit token 100 ms); slack -50/+7500 ms at time scale 0.1")
        var long = token
        long.end = long.end + .milliseconds(1)
        XCTAssertEqual(failures(plan, gapMs: 301, scale: 0.1, waits: [retry, long], concurrency: 1).map(\.message),
                       ["runtime request 1 waited 101 ms for a rate-limit token before attempt 2"])
        XCTAssertEqual(failures(plan, gapMs: 301, scale: 0.1, waits: [retry, long], concurrency: 2), [], "two requests in flight: up to two intervals")
        // A pause nothing set.
        plan.rateLimit = nil
        let pause = ScheduledWait(kind: .partitionPause, request: 1, attempt: 2, start: retry.end, end: retry.end + .milliseconds(50))
        XCTAssertEqual(failures(plan, gapMs: 250, scale: 0.1, waits: [retry, pause]).map(\.expectation), ["backoff"])
        // One set by rate-limit headers (within max_ms) is fine, and counts in the total.
        plan.response.rateLimitHeaders = PlanRateLimitHeaders(ietf: false, remaining: nil, reset: "X-Reset", resetUnit: "seconds", maxMs: 250)
        let header = ScheduledWait(kind: .rateLimitHeaders, request: 1, attempt: 1, start: .zero, end: pause.end)
        XCTAssertEqual(failures(plan, gapMs: 250, scale: 0.1, waits: [retry, pause, header]), [])
        plan.response.rateLimitHeaders?.maxMs = 100
        XCTAssertEqual(failures(plan, gapMs: 250, scale: 0.1, waits: [retry, pause, header]).map(\.message),
                       ["runtime request 1 paused its partition for 250 ms after attempt 1 on rate-limit headers"])
    }

    // MARK: - End to end on the real runtime

    /// A deliberately wrong runtime: it runs the plan with twice the harness's backoff cap as
    /// a fixed backoff (400 ms against 200), and really waits it. Before the runtime reported
    /// its waits this passed at 0.1 and at 1; now it fails at both.
    func testARuntimeWaitingTwiceTheCapFailsAtBothScales() async throws {
        let suites = suites()
        let entries = CaseSelection.select(CaseSelection.all(suites), filter: "status-503-retry")
        XCTAssertEqual(entries.count, 1)
        for scale in [0.1, 1] {
            let honest = try ConformanceRunner(timeScale: scale)
            defer { honest.stop() }
            let ok = await honest.run(entries, of: suites)
            XCTAssertTrue(ok.allSatisfy(\.passed), ConformanceReport.text(ok))

            let wrong = try ConformanceRunner(timeScale: scale, clock: { ScaledClock(base: SystemClock(), scale: $0) }, runtimePlan: { plan in
                var p = plan
                p.response.retry.initialBackoffMs = 2 * plan.response.retry.maxBackoffMs
                p.response.retry.maxBackoffMs = 2 * plan.response.retry.maxBackoffMs
                p.response.retry.jitter = "none"
                return p
            })
            defer { wrong.stop() }
            let caught = await wrong.run(entries, of: suites)
            XCTAssertEqual(caught.first?.failures.map(\.message), ["retry 1 (request 2) was scheduled to wait 400 ms, outside the backoff bounds"], ConformanceReport.text(caught))
        }
    }

    /// A deliberately wrong runtime that schedules the right waits but does not sleep: its
    /// clock jumps to each deadline at once. It fails on the gap, at both scales.
    func testARuntimeThatReportsButDoesNotSleepFails() async throws {
        let suites = suites()
        let entries = CaseSelection.select(CaseSelection.all(suites), filter: "retry-after-429")
        XCTAssertEqual(entries.count, 1)
        for scale in [0.1, 1] {
            let wrong = try ConformanceRunner(timeScale: scale, clock: { SkippingClock(base: ScaledClock(base: SystemClock(), scale: $0)) })
            defer { wrong.stop() }
            let caught = await wrong.run(entries, of: suites)
            let backoff = caught.first?.failures.filter { $0.expectation == "backoff" } ?? []
            XCTAssertEqual(backoff.count, 1, ConformanceReport.text(caught))
            XCTAssertTrue(backoff.first?.message.hasSuffix("less than the runtime scheduled") ?? false, ConformanceReport.text(caught))
            XCTAssertTrue(backoff.first?.details.first?.hasPrefix("expected: 1000 ms scheduled (retry wait 1000 ms") ?? false, ConformanceReport.text(caught))
        }
    }
}

/// A clock that never sleeps: `sleep(until:)` moves its own time to the deadline and returns
/// at once, so the runtime believes it waited.
private final class SkippingClock<Base: RuntimeClock>: RuntimeClock {
    let base: Base
    private let skipped = Locked<Duration>(.zero)
    init(base: Base) { self.base = base }
    func now() -> RuntimeInstant { base.now() + skipped.withLock { $0 } }
    func unixTime() -> Double { base.unixTime() }
    func sleep(until deadline: RuntimeInstant) async throws {
        skipped.withLock { s in
            let now = base.now() + s
            if deadline > now { s += deadline - now }
        }
    }
}
