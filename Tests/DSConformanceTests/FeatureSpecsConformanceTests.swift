import DeliverySpec
import XCTest

/// `dspec test specs/features`, through the library: the issue 14 feature specs (named batch
/// arrays, isolate_on, payload.max_bytes, rate-limit headers, refresh_auth on a 2xx body)
/// pass their suites and standard batteries against the real runtime and the mock.
final class FeatureSpecsConformanceTests: XCTestCase {
    func testFeatureSuitesPass() async throws {
        let results = try await TestSupport.run(TestSupport.root + "/specs/features")
        XCTAssertEqual(results.filter { !$0.passed }.count, 0, ConformanceReport.text(results.filter { !$0.passed }))
        let names = Set(results.map(\.name))
        for name in ["routes-into-three-arrays", "per-array-limit-75", "whole-batch-400-isolated", "purchase-rejected-in-its-array", "oversized-event-dead-lettered", "rate-limit-headers-pause",
                     "expired-token-in-200-body", "fatal-errcode-in-200-dropped", "ietf-ratelimit-pause", "oauth-refresh-on-200"] {
            XCTAssertTrue(names.contains(name), "case \(name) did not run")
        }
    }
}
