import DeliverySpec
import Foundation
import XCTest

/// The vendor contract in `dspec test`: a request that violates it fails the case that sent
/// it (with the instance pointer, the schema keyword and the reason, in every report format),
/// and the spec's other cases still run.
final class ContractCaseTests: XCTestCase {
    func testAContractViolationFailsTheCasesThatSendItAndTheOthersStillRun() async throws {
        let spec = TestSupport.example("mixpanel-import.json")
        // Statically the field is written; the events have no traits, so no request carries it.
        let bytes = try TestSupport.edited("mixpanel-import.json", replacing: #""$insert_id": {"@path": "event_id"},"#,
                                           with: #""$insert_id": {"@path": "traits.insert_id"},"#)
        let (suites, problems) = ConformanceLoader.load(spec, sources: [spec: bytes])
        XCTAssertEqual(problems.map(\.description), [], "a contract violation must not stop the suite")
        let suite = try XCTUnwrap(suites.first)
        let results = try await TestSupport.run(spec, sources: [spec: bytes])
        XCTAssertEqual(results.count, suite.cases.count, "every case runs")
        let sending = results.filter { $0.requests > 0 }
        XCTAssertFalse(sending.isEmpty)
        for r in results {
            let contract = r.failures.filter { $0.expectation == "contract" }
            if r.requests == 0 {
                XCTAssertEqual(contract, [], "\(r.id) sent nothing, so it broke no contract")
                continue
            }
            let f = try XCTUnwrap(contract.first, "\(r.id) sent requests without $insert_id but did not fail: \(r.failures.map(\.text))")
            XCTAssertTrue(f.message.contains(#"violates the vendor contract contracts/mixpanel-import.openapi.json POST /import (import-events): body /0/properties: is missing the required property "$insert_id""#), f.message)
            XCTAssertEqual(f.details, ["instance: body /0/properties", "schema keyword: #/$ref/items/properties/properties/required",
                                       #"reason: is missing the required property "$insert_id""#])
        }
        let failing = try XCTUnwrap(sending.first)
        for format in ConformanceReport.Format.allCases {
            let report = ConformanceReport.render([failing], format: format)
            for needle in ["/0/properties", "#/$ref/items/properties/properties/required", "is missing the required property"] {
                XCTAssertTrue(report.contains(needle), "\(format) report lacks \(needle):\n\(report)")
            }
            XCTAssertFalse(report.contains("test-"), "no secret value in the \(format) report")
        }
    }

    func testTheExampleSendsOnlyRequestsItsContractAccepts() async throws {
        let results = try await TestSupport.run(TestSupport.example("mixpanel-import.json"))
        XCTAssertEqual(results.flatMap { $0.failures.filter { $0.expectation == "contract" }.map(\.text) }, [])
    }
}
