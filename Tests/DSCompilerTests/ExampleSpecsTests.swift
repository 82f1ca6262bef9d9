import DSCompiler
import DSCore
import DSJSON
import DSPlan
import Foundation
import XCTest

/// The bundled examples lint clean, compile deterministically, and never leak secrets.
final class ExampleSpecsTests: XCTestCase {
    func compile(_ url: URL) throws -> (CompilationResult, DiagnosticCollector) {
        let source = SourceFile(path: url.path, bytes: [UInt8](try Data(contentsOf: url)))
        let diagnostics = DiagnosticCollector(source: source)
        return (SpecCompiler().compile(source, diagnostics: diagnostics), diagnostics)
    }

    func testAtLeastNineExamples() {
        XCTAssertGreaterThanOrEqual(RepositoryPaths.specs(in: RepositoryPaths.examples).count, 9)
    }

    func testExamplesLintWithoutFindings() throws {
        for url in RepositoryPaths.specs(in: RepositoryPaths.examples) {
            let (result, diagnostics) = try compile(url)
            let active = diagnostics.sorted.filter { $0.suppression == nil }
            XCTAssertTrue(active.isEmpty, "\(url.lastPathComponent):\n" + active.map { "\($0.code) \($0.location?.description ?? "") \($0.message)" }.joined(separator: "\n"))
            XCTAssertNotNil(result.plan, url.lastPathComponent)
        }
    }

    func testCompileIsByteIdenticalAcrossRuns() throws {
        for url in RepositoryPaths.specs(in: RepositoryPaths.examples) {
            let first = try XCTUnwrap(try compile(url).0.plan?.canonicalJSON, url.lastPathComponent)
            let second = try XCTUnwrap(try compile(url).0.plan?.canonicalJSON, url.lastPathComponent)
            XCTAssertEqual(first, second, url.lastPathComponent)
        }
    }

    func testPlanRoundTripsThroughItsJSONForm() throws {
        for url in RepositoryPaths.specs(in: RepositoryPaths.examples) {
            let plan = try XCTUnwrap(try compile(url).0.plan, url.lastPathComponent)
            let reread = try DeliveryPlan(json: try JSONParser().parseValue(plan.canonicalJSON))
            XCTAssertEqual(reread, plan, url.lastPathComponent)
            XCTAssertEqual(reread.canonicalJSON, plan.canonicalJSON, url.lastPathComponent)
        }
    }

    /// No value from an example's secrets file may appear anywhere in its plan.
    func testNoSecretValueAppearsInAPlan() throws {
        var checked = 0
        for url in RepositoryPaths.specs(in: RepositoryPaths.examples) {
            let secretsURL = url.deletingPathExtension().appendingPathExtension("secrets.json")
            guard let data = try? Data(contentsOf: secretsURL) else { continue }
            let plan = try XCTUnwrap(try compile(url).0.plan, url.lastPathComponent)
            let text = String(decoding: plan.canonicalJSON, as: UTF8.self)
            guard case .object(let secrets) = try JSONParser().parseValue([UInt8](data)) else { XCTFail("secrets file is not an object"); continue }
            for (name, value) in secrets {
                guard case .string(let s) = value, s.count >= 6 else { continue }
                XCTAssertFalse(text.contains(s), "\(url.lastPathComponent): secret \(name) appears in the plan")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0, "some example has secrets to check")
    }

    func testPlanHasEveryDefaultExplicit() throws {
        let source = SourceFile(path: "min.json", text: """
        {"dspec": 1, "name": "min", "endpoint": {"url": "https://api.example.com/e"}, "payload": {"format": "canonical"}}
        """)
        let diagnostics = DiagnosticCollector(source: source)
        let plan = try XCTUnwrap(SpecCompiler().compile(source, diagnostics: diagnostics).plan, "\(diagnostics.diagnostics)")
        XCTAssertEqual(plan.endpoint.method, "POST")
        XCTAssertEqual(plan.endpoint.timeoutMs, 10_000)
        XCTAssertEqual(plan.response.retry.maxAttempts, 5)
        XCTAssertEqual(plan.response.rules.first?.outcome, "success")
        XCTAssertEqual(plan.response.rules.last?.status, [100...599])
        XCTAssertEqual(plan.headers.first, PlanHeader(name: "Content-Type", value: "application/json"))
        XCTAssertTrue(plan.specDigest.hasPrefix("sha256:"))
        let text = String(decoding: plan.canonicalJSON, as: UTF8.self)
        XCTAssertTrue(text.contains("\"rate_limit\": null"), "absent blocks are explicit nulls")
        XCTAssertTrue(text.contains("\"plan_version\": 1"))
    }

    /// A literal credential is hoisted out: the plan holds a reference, never the value.
    func testLiteralCredentialIsHoistedOutOfThePlan() throws {
        let source = SourceFile(path: "lit.json", text: """
        {"dspec": 1, "name": "lit", "endpoint": {"url": "https://api.example.com/e"},
         "auth": {"type": "bearer", "token": "sk_live_do_not_leak"}, "payload": {"format": "canonical"}}
        """)
        let diagnostics = DiagnosticCollector(source: source)
        let result = SpecCompiler().compile(source, diagnostics: diagnostics)
        let plan = try XCTUnwrap(result.plan)
        XCTAssertEqual(diagnostics.diagnostics.map(\.code), ["DS0310"])
        XCTAssertFalse(diagnostics.diagnostics.contains { $0.message.contains("sk_live_do_not_leak") }, "messages never echo credentials")
        XCTAssertFalse(String(decoding: plan.canonicalJSON, as: UTF8.self).contains("sk_live_do_not_leak"))
        XCTAssertEqual(plan.auth, .bearer(token: "{{@secrets.auth_token}}"))
        XCTAssertEqual(result.hoistedSecrets, ["auth_token"])
    }

    func testSuppressionIsReportedNotDropped() throws {
        let source = SourceFile(path: "sup.json", text: """
        {"dspec": 1, "name": "sup", "secrets": {"k": {}},
         "lint": {"suppress": [{"rule": "DS0311", "reason": "vendor only accepts the key in the query"}]},
         "endpoint": {"url": "https://api.example.com/e"},
         "auth": {"type": "api_key", "in": "query", "name": "key", "value": "{{@secrets.k}}"}, "payload": {"format": "canonical"}}
        """)
        let diagnostics = DiagnosticCollector(source: source)
        _ = SpecCompiler().compile(source, diagnostics: diagnostics)
        let d = try XCTUnwrap(diagnostics.diagnostics.first { $0.code == "DS0311" })
        XCTAssertEqual(d.suppression, "vendor only accepts the key in the query")
        XCTAssertEqual(diagnostics.count(.warning), 0)
    }
}
