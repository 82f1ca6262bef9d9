import DeliverySpec
import DSMock
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

    /// The failures do not depend on the order requests arrived in (with several in flight it
    /// varies): the mixpanel case above reported either of two messages for the same missing
    /// field, "(it has "$user_id"; misspelt?)" or none, depending on which request came first.
    func testViolationsAreOrderedByWhatTheyAreNotByArrival() {
        let check = RequestContractCheck(origin: "c") { r in
            let body = String(decoding: r.body, as: UTF8.self)
            return [RequestContractCheck.Violation(part: "body", instanceLocation: "/0/properties", keywordLocation: "/required",
                                                   message: body == "a" ? #"is missing "x""# : #"is missing "x" (it has "y"; misspelt?)"#)]
        }
        func request(_ body: String) -> MockRequest { MockRequest(method: "POST", target: "/e", headers: [], body: Array(body.utf8)) }
        let forward = check.failures([request("a"), request("b")]).map(\.details)
        let backward = check.failures([request("b"), request("a")]).map(\.details)
        XCTAssertEqual(forward, backward)
        XCTAssertEqual(forward.first?.last, #"reason: is missing "x""#)
    }

    func testTheExampleSendsOnlyRequestsItsContractAccepts() async throws {
        let results = try await TestSupport.run(TestSupport.example("mixpanel-import.json"))
        XCTAssertEqual(results.flatMap { $0.failures.filter { $0.expectation == "contract" }.map(\.text) }, [])
    }

    /// Klaviyo's published create_event schema requires `data.attributes.properties`: without
    /// the mapping's `@default`, the cases that send an event without properties fail.
    func testKlaviyoCatalogSpecKeepsTheAttributesItsContractRequires() async throws {
        let spec = TestSupport.root + "/specs/catalog/klaviyo-events.json"
        let text = try String(contentsOfFile: spec, encoding: .utf8)
        let old = #""properties": {"@path": "properties", "@default": {}},"#
        XCTAssertEqual(text.components(separatedBy: old).count, 2)
        let bytes = Array(text.replacingOccurrences(of: old, with: #""properties": {"@path": "properties"},"#).utf8)
        let broken = try await TestSupport.run(spec, sources: [spec: bytes])
        let failed = broken.filter { $0.failures.contains { $0.expectation == "contract" && $0.message.contains(#"body /data/attributes: is missing the required property "properties""#) } }
        XCTAssertFalse(failed.isEmpty, broken.flatMap { $0.failures.map(\.text) }.joined(separator: "\n"))
        XCTAssertLessThan(failed.count, broken.count, "the other cases still run and pass")
        let fixed = try await TestSupport.run(spec)
        XCTAssertEqual(fixed.flatMap { $0.failures.map(\.text) }, [])
    }
}
