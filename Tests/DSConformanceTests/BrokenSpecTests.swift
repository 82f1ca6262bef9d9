import DeliverySpec
import XCTest

/// Specs broken on purpose, in memory: the matching case fails, naming the expectation and
/// showing expected versus actual.
final class BrokenSpecTests: XCTestCase {
    /// (a) A signature prefix that differs from what the receiver expects.
    func testWrongSignaturePrefixFailsHeaderAndFixtureExpectations() async throws {
        let spec = TestSupport.example("github-style-webhook.json")
        let broken = try TestSupport.edited("github-style-webhook.json", replacing: "\"preset\": \"github\",",
                                            with: "\"preset\": \"github\", \"value\": \"v1={{@signature}}\",")
        let results = try await TestSupport.run(TestSupport.example("github-style-webhook.suite.json"), sources: [spec: broken],
                                                filter: "github-style-webhook/happy-path")
            + (try await TestSupport.run(TestSupport.example("github-style-webhook.suite.json"), sources: [spec: broken], filter: "signature-and-delivery"))
        XCTAssertEqual(results.count, 2)
        let failures = results.flatMap(\.failures)
        let header = try XCTUnwrap(failures.first { $0.expectation == "headers" }, ConformanceReport.text(results))
        XCTAssertTrue(header.text.contains("expected \"sha256=<token>\", actual \"v1=<token>\""), header.text)
        let fixture = try XCTUnwrap(failures.first { $0.expectation == "fixtures" })
        XCTAssertTrue(fixture.text.contains("header X-Hub-Signature-256 (compared by shape): expected \"sha256=<token>\", actual \"v1=<token>\""), fixture.text)
        // The mock verifies against the (broken) plan it was given, so the signature itself is consistent.
        XCTAssertFalse(failures.contains { $0.expectation == "checks" })
    }

    /// (b) The batch limit raised beyond what the receiver accepts.
    func testRaisedBatchLimitFailsTheVendorLimit() async throws {
        let spec = TestSupport.example("custom-webhook.json")
        let broken = try TestSupport.edited("custom-webhook.json", replacing: "\"batch_size\": 100,", with: "\"batch_size\": 1000,")
        let results = try await TestSupport.run(TestSupport.example("custom-webhook.suite.json"), sources: [spec: broken], filter: "at-most-100")
        let result = try XCTUnwrap(results.first)
        XCTAssertFalse(result.passed)
        let limit = try XCTUnwrap(result.failures.first { $0.expectation == "max_events_per_request" }, ConformanceReport.text(results))
        XCTAssertTrue(limit.text.contains("request 1: 250 events, more than 100"), limit.text)
        let count = try XCTUnwrap(result.failures.first { $0.expectation == "requests" })
        XCTAssertTrue(count.message.contains("expected 3 requests to the vendor, actual 1"), count.message)
    }

    /// (c) A 400 rule changed to retry: the case expecting a drop fails.
    func testFourHundredRuleChangedToRetryFailsTheDropCase() async throws {
        let spec = TestSupport.example("stripe-meter-events.json")
        let broken = try TestSupport.edited("stripe-meter-events.json", replacing: "{\"status\": 409, \"outcome\": \"retry\"}",
                                            with: "{\"status\": 409, \"outcome\": \"retry\"}, {\"status\": 400, \"outcome\": \"retry\"}")
        let results = try await TestSupport.run(TestSupport.example("stripe-meter-events.suite.json"), sources: [spec: broken], filter: "invalid-request-400")
        let result = try XCTUnwrap(results.first)
        let text = ConformanceReport.text(results)
        XCTAssertFalse(result.passed)
        let dead = try XCTUnwrap(result.failures.first { $0.expectation == "dead_lettered" }, text)
        XCTAssertTrue(dead.text.contains("expected dead-lettered, actual: usage-400-1 (line 1): delivered"), dead.text)
        let requests = try XCTUnwrap(result.failures.first { $0.expectation == "requests" }, text)
        XCTAssertTrue(requests.message.contains("expected 1 request to the vendor, actual 2"), requests.message)
    }

    /// The unbroken suites pass the same cases (so the failures above come from the edits).
    func testUnbrokenCasesPass() async throws {
        var results = try await TestSupport.run(TestSupport.example("custom-webhook.suite.json"), filter: "at-most-100")
        results += try await TestSupport.run(TestSupport.example("stripe-meter-events.suite.json"), filter: "invalid-request-400")
        results += try await TestSupport.run(TestSupport.example("github-style-webhook.suite.json"), filter: "happy-path")
        XCTAssertEqual(results.count, 3)
        XCTAssertTrue(results.allSatisfy(\.passed), ConformanceReport.text(results))
    }
}
