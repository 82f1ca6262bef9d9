import DSConformance
import XCTest

final class GitHubReportTests: XCTestCase {
    func testFailedExpectationsBecomeEscapedAnnotations() {
        var failed = CaseResult(suite: "custom-webhook", name: "retry, then: ok")
        failed.failures = [ExpectationFailure("requests", "expected 3, actual 1", details: ["100% of events in one request"])]
        let passed = CaseResult(suite: "custom-webhook", name: "happy path")
        let out = ConformanceReport.render([passed, failed], format: .github)
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, out)
        XCTAssertEqual(lines[0], "::error title=dspec test custom-webhook/retry%2C then%3A ok [requests]::expected 3, actual 1%0A100%25 of events in one request")
        XCTAssertFalse(lines[1].hasPrefix("::"), "summary line is plain")
    }
}
