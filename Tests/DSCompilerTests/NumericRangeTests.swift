import DSCompiler
import DSCore
import DSJSON
import DSPlan
import Foundation
import XCTest

/// Issue 11 defect 3: every numeric field has a documented range, checked by lint and again
/// when a plan is decoded, so no number lint accepts can trap the runtime.
final class NumericRangeTests: XCTestCase {
    private func compile(_ extra: String) -> (DiagnosticCollector, DeliveryPlan?) {
        let text = """
        {"dspec": 1, "name": "ranges", "secrets": {"k": {}},
         "endpoint": {"url": "https://api.example.com/v1/events"},
         "auth": {"type": "bearer", "token": "{{@secrets.k}}"},
         "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}}}\(extra)}
        """
        let source = SourceFile(path: "ranges.json", text: text)
        let diagnostics = DiagnosticCollector(source: source)
        let result = SpecCompiler().compile(source, diagnostics: diagnostics)
        return (diagnostics, result.plan)
    }

    func testLintRejectsNumbersTheRuntimeCannotHold() {
        let cases: [(String, String)] = [
            (#", "rate_limit": {"rps": 1e19}"#, "DS0501"),
            (#", "rate_limit": {"rps": 1e-10}"#, "DS0501"),
            (#", "rate_limit": {"rps": 10, "burst": 100000000000}"#, "DS0501"),
            (#", "rate_limit": {"rps": 1e400}"#, "DS0501"),
            (#", "response": {"retry": {"multiplier": 1e300}}"#, "DS0704"),
            (#", "batching": {"max_events": 10, "max_wait_ms": 100, "max_bytes": 99999999999}"#, "DS0104"),
            (#", "response": {"retry": {"max_elapsed_ms": 99999999999}}"#, "DS0104"),
        ]
        for (extra, code) in cases {
            let (diagnostics, plan) = compile(extra)
            XCTAssertTrue(diagnostics.sorted.contains { $0.code == code && $0.severity == .error },
                          "\(extra): expected \(code), got \(diagnostics.sorted.map { "\($0.code) \($0.message)" })")
            XCTAssertNil(plan, "\(extra): no plan")
        }
        // The edges of each range compile.
        let (ok, plan) = compile(#", "rate_limit": {"rps": 0.001, "burst": 1000000}, "response": {"retry": {"multiplier": 100}}"#)
        XCTAssertFalse(ok.hasErrors, ok.sorted.map(\.message).joined(separator: "; "))
        XCTAssertEqual(plan?.rateLimit?.rps, 0.001)
    }

    func testPlanDecoderRefusesOutOfRangeNumbersWithAClearError() throws {
        let (diagnostics, compiled) = compile(#", "rate_limit": {"rps": 10, "burst": 20}, "batching": {"max_events": 10, "max_wait_ms": 100}"#)
        let plan = try XCTUnwrap(compiled, diagnostics.sorted.map(\.message).joined(separator: "; "))
        let text = JSONWriter.string(plan.json)
        XCTAssertNoThrow(try DeliveryPlan(json: JSONParser().parseValue(Array(text.utf8))))
        let cases: [(String, String, String)] = [
            (#""rps":10"#, #""rps":1e19"#, "/rate_limit/rps"),
            (#""rps":10"#, #""rps":1e-10"#, "/rate_limit/rps"),
            (#""rps":10"#, #""rps":-1"#, "/rate_limit/rps"),
            (#""burst":20"#, #""burst":100000000000"#, "/rate_limit/burst"),
            (#""burst":20"#, #""burst":0"#, "/rate_limit/burst"),
            (#""timeout_ms":10000"#, #""timeout_ms":-5"#, "/endpoint/timeout_ms"),
            (#""timeout_ms":10000"#, #""timeout_ms":9223372036854775807"#, "/endpoint/timeout_ms"),
            (#""max_events":10"#, #""max_events":0"#, "/batching/max_events"),
            (#""max_wait_ms":100"#, #""max_wait_ms":1e30"#, "/batching/max_wait_ms"),
            (#""max_attempts":5"#, #""max_attempts":1000000"#, "/response/retry/max_attempts"),
            (#""multiplier":2"#, #""multiplier":1e300"#, "/response/retry/multiplier"),
            (#""max_elapsed_ms":300000"#, #""max_elapsed_ms":-1"#, "/response/retry/max_elapsed_ms"),
            (#""max_ms":60000"#, #""max_ms":1e20"#, "/response/retry/retry_after/max_ms"),
            (#""initial_backoff_ms":500"#, #""initial_backoff_ms":-500"#, "/response/retry/initial_backoff_ms"),
            (#""max_backoff_ms":30000"#, #""max_backoff_ms":99999999999999"#, "/response/retry/max_backoff_ms"),
            (#""status":["200-299"]"#, #""status":["-1-299"]"#, "/response/rules/0/status"),
            (#""status":["200-299"]"#, #""status":[99999]"#, "/response/rules/0/status"),
        ]
        for (old, new, pointer) in cases {
            XCTAssertTrue(text.contains(old), "plan JSON should contain \(old): \(text)")
            let edited = text.replacingOccurrences(of: old, with: new)
            XCTAssertThrowsError(try DeliveryPlan(json: JSONParser().parseValue(Array(edited.utf8))), new) { error in
                let message = String(describing: error)
                XCTAssertTrue(message.contains(pointer), "\(new): \(message)")
            }
        }
    }

    /// docs/spec-format.md states each range of the table the code checks.
    func testSpecFormatDocumentsEveryRange() throws {
        let doc = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("docs/spec-format.md"), encoding: .utf8)
        let lines = doc.split(separator: "\n").map(String.init)
        for range in NumericRanges.all {
            let leaf = String(range.field.split(separator: ".").last ?? "")
            let key = leaf.hasSuffix("[]") ? String(leaf.dropLast(2)) : leaf
            let found = lines.contains { $0.hasPrefix("|") && ($0.contains("`\(key)`") || $0.contains(".\(key)`")) && $0.contains(range.text) }
            XCTAssertTrue(found, "docs/spec-format.md: no table row for `\(key)` stating \(range.text)")
        }
    }
}
