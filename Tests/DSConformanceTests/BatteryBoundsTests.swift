import DeliverySpec
import Foundation
import XCTest

/// Issue 11 defect 10: the standard battery's generated sizes are bounded whatever the
/// spec declares (`max_events: 1000000` used to generate a million events and run the
/// 60 s case timeout out; a slow rate limit a case lasting hours).
final class BatteryBoundsTests: XCTestCase {
    private func battery(_ edits: [(String, String)]) throws -> [ConformanceCase] {
        var text = try String(contentsOfFile: TestSupport.example("amplitude-batch.json"), encoding: .utf8)
        for (old, new) in edits {
            XCTAssertEqual(text.components(separatedBy: old).count, 2, old)
            text = text.replacingOccurrences(of: old, with: new)
        }
        let path = TestSupport.example("amplitude-batch.json")
        let (suites, problems) = ConformanceLoader.load(path, sources: [path: Array(text.utf8)])
        XCTAssertEqual(problems.map(\.description), [])
        return try XCTUnwrap(suites.first).cases
    }

    private func generated(_ c: ConformanceCase) -> Int? {
        if case .generated(let n) = c.events { return n }
        return nil
    }

    func testHugeBatchLimitsGenerateABoundedCase() throws {
        let cases = try battery([(#""max_events": 1000,"#, #""max_events": 1000000,"#), (#""max_bytes": 20000000,"#, #""max_bytes": 1073741824,"#)])
        let batching = try XCTUnwrap(cases.first { $0.name == "batching-limits" })
        let count = try XCTUnwrap(generated(batching))
        XCTAssertLessThanOrEqual(count, StandardBattery.maxGeneratedEvents, "batching-limits generates \(count) events")
        XCTAssertGreaterThan(count, try XCTUnwrap(batching.adjustments.maxEvents), "still more events than one batch holds")
    }

    func testSlowRateLimitGivesAShortCase() throws {
        let cases = try battery([(#""max_events": 1000,"#, #""max_events": 1000,"#), (#""batching": {"#, #""rate_limit": {"rps": 0.01, "burst": 2}, "batching": {"#)])
        for c in cases where c.name == "rate-limit" {
            let count = try XCTUnwrap(generated(c))
            // Requests beyond the burst wait 1/rps each.
            XCTAssertLessThanOrEqual(Double(count - 2) / 0.01, StandardBattery.maxRateCaseSeconds, "\(count) requests at 0.01 rps")
        }
    }
}
