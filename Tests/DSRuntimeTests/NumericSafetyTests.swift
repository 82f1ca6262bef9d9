import DSJSON
import DSPlan
@testable import DSRuntime
import XCTest

/// Issue 11 defect 3: numbers that reach the runtime by any path (a plan built in code, a
/// hand-edited plan) never trap its arithmetic.
final class NumericSafetyTests: XCTestCase {
    func testTokenBucketClampsNumbersOutsideTheDocumentedRange() {
        // Each of these trapped (Int64 conversion or multiplication overflow) before the fix.
        for (rate, burst) in [(1e-10, 1), (1e19, Int.max), (Double.nan, 5), (-3, 1), (Double.infinity, 1_000_000), (0.001, Int.max)] {
            var bucket = TokenBucket(rate: rate, burst: burst)
            let first = bucket.reserve(at: .zero)
            XCTAssertEqual(first, .zero, "rate \(rate) burst \(burst): the first request goes at once")
            for _ in 0..<1_000 { _ = bucket.reserve(at: .zero) }
        }
    }

    func testDelivererAcceptsAPlanWhoseRateLimitIsOutOfRange() async throws {
        var plan = try RuntimeTestSupport.plan(rateLimit: #"{"rps": 10}"#)
        plan.rateLimit = PlanRateLimit(rps: 1e19, burst: 1e19)
        let renderer = try RuntimeTestSupport.renderer(plan)
        let transport = ScriptedTransport { _, _ in RuntimeTestSupport.response(200) }
        let (counts, _) = await RuntimeTestSupport.deliver(renderer, RuntimeTestSupport.events(3), transport: transport)
        XCTAssertEqual(counts.delivered, 3)
    }
}
