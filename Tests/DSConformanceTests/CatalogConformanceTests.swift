import DeliverySpec
import XCTest

/// `dspec test specs/catalog`, through the library: every vendor suite of the catalog and its
/// standard battery pass against the real runtime and the mock vendor (docs/catalog.md).
final class CatalogConformanceTests: XCTestCase {
    func testEveryCatalogSuitePasses() async throws {
        let results = try await TestSupport.run(TestSupport.catalog(""))
        let failed = results.filter { !$0.passed }
        XCTAssertEqual(failed.count, 0, ConformanceReport.text(failed))
        // Every catalog spec has a suite with vendor cases of its own beside the battery.
        let (suites, _) = ConformanceLoader.load(TestSupport.catalog(""))
        let specs = try FileManager.default.contentsOfDirectory(atPath: TestSupport.catalog("")).filter { $0.hasSuffix(".suite.json") }
        XCTAssertEqual(suites.count, specs.count)
        XCTAssertGreaterThanOrEqual(suites.count, 20)
        for suite in suites {
            XCTAssertGreaterThanOrEqual(suite.cases.filter { !$0.generated }.count, 2, "\(suite.name) needs vendor cases of its own")
            XCTAssertTrue(suite.cases.contains { $0.name == "happy-path" }, "\(suite.name) lacks the standard battery")
        }
    }
}
