import DSRender
import Foundation
import XCTest

/// The issue 14 feature specs (`specs/features`) keep their golden fixtures beside them, in
/// `specs/features/fixtures/NAME` (found by `dspec test` as the nearest `fixtures` folder):
/// they must match what the renderer produces, byte for byte.
final class FeatureSpecFixtureTests: XCTestCase {
    func testFeatureSpecFixturesMatch() throws {
        let specs = try FixtureTests.loadExamples("specs/features")
        XCTAssertEqual(specs.map(\.name), ["token-in-body", "users-track-arrays"])
        var report = ""
        for spec in specs {
            let set = try FixtureBuilder.build(plan: spec.plan, events: spec.events, configuration: spec.configuration)
            let dir = FixtureTests.root.appendingPathComponent("specs/features/fixtures/\(spec.name)")
            report += FixtureComparison.report(FixtureComparison.compare(rendered: set.files, onDisk: try FixtureTests.filesOnDisk(dir)),
                                               directory: "specs/features/fixtures/\(spec.name)")
        }
        XCTAssertTrue(report.isEmpty, "fixtures drifted; run `swift run dspec render specs/features -o specs/features/fixtures` and review:\n\(report)")
    }

    func testThreeArraysInOneBody() throws {
        let spec = try XCTUnwrap(try FixtureTests.loadExamples("specs/features").first { $0.name == "users-track-arrays" })
        let set = try FixtureBuilder.build(plan: spec.plan, events: spec.events, configuration: spec.configuration)
        let request = try XCTUnwrap(set.run.requests.first)
        let body = String(decoding: request.body, as: UTF8.self)
        // identify -> attributes; both tracks -> events; the order also -> purchases, with its own mapping.
        XCTAssertTrue(body.hasPrefix(#"{"attributes":[{"external_id":"u-1","email":"ada@example.com","first_name":"Ada"}],"events":[{"external_id":"u-1","name":"Product Viewed""#), body)
        XCTAssertTrue(body.hasSuffix(#""purchases":[{"external_id":"u-1","product_id":"o-77","currency":"EUR","price":131.95,"time":"2026-01-01T00:00:02Z"}]}"#), body)
        XCTAssertEqual(request.eventIDs, ["ut-1", "ut-2", "ut-3"])
    }
}
