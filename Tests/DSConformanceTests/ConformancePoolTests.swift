import DeliverySpec
import DSCore
import XCTest

/// `ConformancePool` (`dspec test --jobs N`): cases run at once on separate mocks, and the
/// results and the progress reports come in entry order, the same as one runner's.
final class ConformancePoolTests: XCTestCase {
    /// The custom-webhook suite: its Retry-After case (a real one-second wait) sits among fast
    /// cases, so with several jobs later cases finish first.
    func testResultsAndProgressInEntryOrderAndEqualToOneRunner() async throws {
        let (suites, problems) = ConformanceLoader.load(TestSupport.example("custom-webhook.json"))
        XCTAssertEqual(problems.map(\.description), [])
        let entries = CaseSelection.all(suites)
        XCTAssertGreaterThan(entries.count, 4)

        let pool = try ConformancePool(jobs: 4)
        defer { pool.stop() }
        XCTAssertEqual(pool.runners.count, 4)
        let reported = Locked<[String]>([])
        let parallel = await pool.run(entries, of: suites) { r in reported.withLock { $0.append(r.id) } }
        XCTAssertEqual(parallel.map(\.id), entries.map(\.id))
        XCTAssertEqual(reported.withLock { $0 }, entries.map(\.id))

        let one = try ConformanceRunner()
        defer { one.stop() }
        let sequential = await one.run(entries, of: suites)
        func stripped(_ results: [CaseResult]) -> [CaseResult] { results.map { var r = $0; r.durationMs = 0; return r } }
        XCTAssertEqual(stripped(parallel), stripped(sequential))
        XCTAssertTrue(parallel.allSatisfy(\.passed), ConformanceReport.text(parallel.filter { !$0.passed }))
    }

    func testAtLeastOneRunner() throws {
        let pool = try ConformancePool(jobs: 0)
        defer { pool.stop() }
        XCTAssertEqual(pool.runners.count, 1)
    }
}
