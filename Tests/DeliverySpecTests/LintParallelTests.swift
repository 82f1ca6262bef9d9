import DeliverySpec
import Foundation
import XCTest

/// `dspec lint DIR` lints files on several threads (`LintRunner.workers`); the results must be
/// those of one thread, in the same order.
final class LintParallelTests: XCTestCase {
    private var root: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    private func summary(_ results: [LintFileResult]) -> [String] {
        results.map { r in r.path + " " + r.diagnostics.map { "\($0.code):\($0.message)" }.joined(separator: "|") }
    }

    func testAnyNumberOfWorkersGivesTheOneThreadResultsInOrder() {
        // Valid and invalid specs: findings of every kind, files of very different sizes.
        let paths = [root + "/specs/examples", root + "/specs/invalid", root + "/specs/auth"]
        var one = LintRunner()
        one.workers = 1
        let (expected, expectedUsage) = one.lint(paths: paths)
        XCTAssertGreaterThan(expected.count, 30)
        XCTAssertTrue(expected.contains { !$0.diagnostics.isEmpty })
        for workers in [2, 3, 8, 64] {
            var runner = LintRunner()
            runner.workers = workers
            let (results, usage) = runner.lint(paths: paths)
            XCTAssertEqual(summary(results), summary(expected), "workers \(workers)")
            XCTAssertEqual(usage, expectedUsage)
        }
    }
}
