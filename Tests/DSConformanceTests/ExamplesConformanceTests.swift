import DeliverySpec
import XCTest

/// `dspec test specs/examples`, through the library: every example suite and standard
/// battery passes against the real runtime and the mock vendor.
final class ExamplesConformanceTests: XCTestCase {
    func testEveryExampleSuitePasses() async throws {
        let started = Date()
        let results = try await TestSupport.run(TestSupport.example(""))
        let failed = results.filter { !$0.passed }
        XCTAssertEqual(failed.count, 0, ConformanceReport.text(failed))
        // Every example spec has a suite, and each suite ran more than its battery.
        let (suites, _) = ConformanceLoader.load(TestSupport.example(""))
        XCTAssertEqual(suites.count, 11)
        for suite in suites {
            XCTAssertTrue(suite.cases.contains { !$0.generated }, "\(suite.name) has no suite cases of its own")
            XCTAssertTrue(suite.cases.contains { $0.name == "happy-path" }, "\(suite.name) lacks the standard battery")
        }
        XCTAssertGreaterThan(results.count, 100)
        XCTAssertLessThan(Date().timeIntervalSince(started), 120, "the example suites must stay well under two minutes")
    }
}
