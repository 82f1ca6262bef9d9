import DSCompiler
import DSCore
import DSJSON
import DSPlan
import Foundation
import XCTest

/// Issue 14 plan fields: canonical, every default explicit, round-tripping through the plan
/// decoder (which range-checks them), and absent from plans of specs that do not use them.
final class RuntimeFeaturePlanTests: XCTestCase {
    private func compile(_ url: URL) throws -> DeliveryPlan {
        let source = SourceFile(path: url.lastPathComponent, bytes: [UInt8](try Data(contentsOf: url)))
        let diagnostics = DiagnosticCollector(source: source)
        return try XCTUnwrap(SpecCompiler().compile(source, diagnostics: diagnostics).plan, diagnostics.sorted.map(\.message).joined(separator: "; "))
    }

    private var featureSpecs: [URL] {
        ["users-track-arrays", "token-in-body"].map { RepositoryPaths.root.appendingPathComponent("specs/features/\($0).json") }
    }

    func testFeaturePlansRoundTripWithEveryDefaultExplicit() throws {
        for url in featureSpecs {
            let plan = try compile(url)
            let decoded = try DeliveryPlan(json: JSONParser().parseValue(plan.canonicalJSON))
            XCTAssertEqual(decoded, plan, url.lastPathComponent)
            XCTAssertEqual(decoded.canonicalJSON, plan.canonicalJSON)
        }
        let arrays = try compile(featureSpecs[0])
        XCTAssertEqual(arrays.batching.arrays.map(\.name), ["attributes", "events", "purchases"], "declaration order kept")
        XCTAssertEqual(arrays.batching.arrays.map(\.maxEvents), [75, 75, 75])
        XCTAssertEqual(arrays.payload.maxBytes, 1024)
        XCTAssertEqual(arrays.response.isolateOn, [400...400])
        XCTAssertEqual(arrays.response.rateLimitHeaders, PlanRateLimitHeaders(ietf: false, remaining: "X-RateLimit-Remaining", reset: "X-RateLimit-Reset",
                                                                              resetUnit: "epoch_seconds", maxMs: 60000))
        let text = String(decoding: arrays.canonicalJSON, as: UTF8.self)
        XCTAssertTrue(text.contains(#""events": {"#) && text.contains(#""@path": "@batch.events""#), "named markers lowered to @batch.NAME")
        let token = try compile(featureSpecs[1])
        XCTAssertEqual(token.response.rateLimitHeaders, PlanRateLimitHeaders(ietf: true, remaining: nil, reset: nil, resetUnit: "seconds", maxMs: 30000))
        XCTAssertEqual(token.response.rules.first?.bodyMatch, PlanBodyMatch(pointer: "/errcode", equals: .number(JSONNumber(text: "40001"))))
    }

    func testPlansWithoutTheFeaturesKeepTheirKeys() throws {
        for url in RepositoryPaths.specs(in: RepositoryPaths.root.appendingPathComponent("specs/examples")) {
            let text = String(decoding: try compile(url).canonicalJSON, as: UTF8.self)
            for key in ["\"arrays\"", "\"isolate_on\"", "\"rate_limit_headers\"", "\"body_pointer\"", "\"max_bytes\": null"] {
                XCTAssertFalse(text.contains(key), "\(url.lastPathComponent): \(key) in a plan that does not use it")
            }
        }
    }

    func testPlanDecoderRefusesOutOfRangeFeatureNumbers() throws {
        let plan = try compile(featureSpecs[0])
        let text = String(decoding: plan.canonicalJSON, as: UTF8.self)
        let cases: [(String, String, String)] = [
            (#""max_ms": 60000"#, #""max_ms": -1"#, "/response/rate_limit_headers/max_ms"),
            (#""max_ms": 60000"#, #""max_ms": 1e30"#, "/response/rate_limit_headers/max_ms"),
            (#""reset_unit": "epoch_seconds""#, #""reset_unit": "minutes""#, "/response/rate_limit_headers/reset_unit"),
            (#""max_bytes": 1024"#, #""max_bytes": 0"#, "/payload/max_bytes"),
            (#""isolate_on": [\#n      400\#n    ]"#, #""isolate_on": [99]"#, "/response/isolate_on"),
        ]
        for (old, new, pointer) in cases {
            XCTAssertTrue(text.contains(old), "plan text lacks \(old)")
            let edited = text.replacingOccurrences(of: old, with: new)
            XCTAssertThrowsError(try DeliveryPlan(json: JSONParser().parseValue(Array(edited.utf8))), new) { error in
                XCTAssertEqual((error as? PlanDecodingError)?.pointer.hasPrefix(pointer), true, "\(new): \(error)")
            }
        }
        let arrayMax = text.range(of: #""max_events": 75,"#)
        XCTAssertNotNil(arrayMax)
    }
}
