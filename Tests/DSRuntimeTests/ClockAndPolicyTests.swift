import DSRender
@testable import DSRuntime
import XCTest

/// The virtual clock, the token bucket and the backoff policy, on virtual time.
final class ClockAndPolicyTests: XCTestCase {
    func testVirtualClockWakesSleepersInDeadlineOrder() async {
        let clock = VirtualClock()
        let order = Locked<[(Int, RuntimeInstant)]>([])
        for (i, ms) in [(1, 300), (2, 100), (3, 200)] {
            Task {
                try await clock.sleep(until: .zero + .milliseconds(ms))
                order.withLock { $0.append((i, clock.now())) }
            }
        }
        await clock.waitForSleepers(3)
        clock.advance(by: .milliseconds(150))
        while order.withLock({ $0.count }) < 1 { await Task.yield() }
        XCTAssertEqual(order.withLock { $0.map(\.0) }, [2])
        XCTAssertEqual(clock.sleeperCount, 2)
        clock.advance(to: .zero + .seconds(1))
        while order.withLock({ $0.count }) < 3 { await Task.yield() }
        XCTAssertEqual(order.withLock { $0.map(\.0) }.sorted(), [1, 2, 3])
        XCTAssertEqual(clock.now(), .zero + .seconds(1))
    }

    func testTokenBucketAdmitsBurstAtOnceThenRatePerSecond() {
        var bucket = TokenBucket(rate: 4, burst: 10)
        let t0 = RuntimeInstant.zero
        let admitted = (0..<18).map { _ in bucket.reserve(at: t0) }
        XCTAssertEqual(admitted.prefix(10).filter { $0 == t0 }.count, 10, "burst goes at once")
        // Then one token every 250 ms, exactly.
        XCTAssertEqual(admitted.dropFirst(10).map { $0.offset }, (1...8).map { Duration.milliseconds(250 * $0) })
        // After a long idle the bucket is full again, but no fuller.
        let later = t0 + .seconds(100)
        let again = (0..<11).map { _ in bucket.reserve(at: later) }
        XCTAssertEqual(again.filter { $0 == later }.count, 10)
        XCTAssertEqual(again.last, later + .milliseconds(250))
    }

    func testRateLimiterOnVirtualTimeAdmitsRatePerSecond() async throws {
        let clock = VirtualClock()
        let limiter = RateLimiter(bucket: TokenBucket(rate: 2, burst: 3), clock: clock)
        let admitted = Locked<[RuntimeInstant]>([])
        let group = Task {
            await withTaskGroup(of: Void.self) { g in
                for _ in 0..<7 { g.addTask { if let t = try? await limiter.acquire() { admitted.withLock { $0.append(t) } } } }
            }
        }
        await clock.waitForSleepers(4)
        while admitted.withLock({ $0.count }) < 3 { await Task.yield() }
        XCTAssertEqual(admitted.withLock { $0 }, [.zero, .zero, .zero], "exactly the burst before time moves")
        XCTAssertEqual(clock.sleeperCount, 4)
        for step in 1...4 { clock.advance(to: .zero + .milliseconds(500 * step)) }
        await group.value
        XCTAssertEqual(admitted.withLock { $0.sorted() }.map(\.offset), [.zero, .zero, .zero, .milliseconds(500), .seconds(1), .milliseconds(1500), .seconds(2)])
    }

    private let policy = BackoffPolicy(maxAttempts: 6, initialBackoff: .milliseconds(500), maxBackoff: .seconds(3), multiplier: 2, jitter: .none,
                                       maxElapsed: .seconds(60), retryAfterCap: .seconds(10))

    func testBackoffSequenceWithoutJitterIsExponentialAndCapped() {
        XCTAssertEqual((1...5).map { policy.baseDelay(retry: $0) }, [.milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3)])
        XCTAssertEqual(policy.delay(retry: 3, jitter: SeededJitterSource(seed: 1)), .seconds(2))
    }

    func testFullAndEqualJitterStayWithinBounds() {
        let source = SeededJitterSource(seed: 42)
        var full = policy
        full.jitter = .full
        var equal = policy
        equal.jitter = .equal
        var sawBelowHalf = false
        for n in 1...6 {
            let d = policy.baseDelay(retry: n)
            for _ in 0..<200 {
                let f = full.delay(retry: n, jitter: source)
                XCTAssertTrue(f >= .zero && f <= d, "full jitter \(f) outside [0, \(d)]")
                if f < d / 2 { sawBelowHalf = true }
                let e = equal.delay(retry: n, jitter: source)
                XCTAssertTrue(e >= d / 2 && e <= d, "equal jitter \(e) outside [\(d / 2), \(d)]")
            }
        }
        XCTAssertTrue(sawBelowHalf, "full jitter uses the whole range")
        XCTAssertEqual(full.delay(retry: 2, jitter: ConstantJitterSource(1)), .seconds(1))
        XCTAssertEqual(equal.delay(retry: 2, jitter: ConstantJitterSource(0)), .milliseconds(500))
    }

    func testRetryAfterRaisesTheWaitAndIsCapped() {
        XCTAssertEqual(policy.combine(backoff: .seconds(1), retryAfter: .seconds(4)), .seconds(4))
        XCTAssertEqual(policy.combine(backoff: .seconds(2), retryAfter: .seconds(1)), .seconds(2))
        XCTAssertEqual(policy.combine(backoff: .seconds(1), retryAfter: .seconds(3600)), .seconds(10), "capped at retry_after.max_ms")
        var ignoring = policy
        ignoring.honourRetryAfter = false
        XCTAssertEqual(ignoring.combine(backoff: .seconds(1), retryAfter: .seconds(4)), .seconds(1))
    }

    func testGivesUpOnAttemptsAndOnTotalElapsed() {
        let source = ConstantJitterSource(1)
        XCTAssertEqual(policy.decide(afterAttempt: 1, elapsed: .zero, retryAfter: nil, jitter: source), .retry(after: .milliseconds(500)))
        guard case .giveUp(let reason) = policy.decide(afterAttempt: 6, elapsed: .zero, retryAfter: nil, jitter: source) else { return XCTFail("expected give up") }
        XCTAssertTrue(reason.contains("6 attempts"), reason)
        // 59.5 s elapsed + a 1 s wait would start after 60 s.
        guard case .giveUp(let elapsedReason) = policy.decide(afterAttempt: 2, elapsed: .milliseconds(59_500), retryAfter: nil, jitter: source) else {
            return XCTFail("expected give up on elapsed time")
        }
        XCTAssertTrue(elapsedReason.contains("max_elapsed_ms"), elapsedReason)
        XCTAssertEqual(policy.decide(afterAttempt: 2, elapsed: .seconds(59), retryAfter: nil, jitter: source), .retry(after: .seconds(1)))
    }

    func testRetryAfterParsesBothForms() {
        let now = 784_111_777.0  // Sun, 06 Nov 1994 08:49:37 GMT
        XCTAssertEqual(RetryAfter.parse("120", nowUnix: now), .seconds(120))
        XCTAssertEqual(RetryAfter.parse(" 0 ", nowUnix: now), .zero)
        XCTAssertEqual(RetryAfter.parse("Sun, 06 Nov 1994 08:50:07 GMT", nowUnix: now), .seconds(30))
        XCTAssertEqual(RetryAfter.parse("Sunday, 06-Nov-94 08:50:37 GMT", nowUnix: now), .seconds(60))
        XCTAssertEqual(RetryAfter.parse("Sun Nov  6 08:51:37 1994", nowUnix: now), .seconds(120))
        XCTAssertEqual(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", nowUnix: now), .zero, "a date in the past means no wait")
        XCTAssertEqual(RetryAfter.parse("Thu, 01 Jan 2026 00:00:00 GMT", nowUnix: 1_767_225_590), .seconds(10))
        for bad in ["", "-5", "1.5", "soon", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 32 Nov 1994 08:49:37 GMT"] {
            XCTAssertNil(RetryAfter.parse(bad, nowUnix: now), bad)
        }
    }
}
