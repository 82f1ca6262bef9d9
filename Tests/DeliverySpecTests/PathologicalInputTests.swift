import DeliverySpec
import Foundation
import XCTest

/// Issue 11 defect 10: pathological inputs give bounded output and clear limits, never
/// quadratic output, out-of-memory or a run that times out.
final class PathologicalInputTests: XCTestCase {
    /// A spec whose first line holds `n` duplicate keys: `{"a":1,"a":1,...`.
    private func duplicateKeysOnOneLine(_ n: Int) -> String {
        "{" + Array(repeating: #""x-a":1"#, count: n).joined(separator: ",") + #","dspec":1,"name":"dups","endpoint":{"url":"https://api.example.com/e"},"payload":{"format":"canonical"}}"#
    }

    private func lintText(_ text: String) -> (bytes: Int, diagnostics: Int) {
        let result = LintRunner().lint(SourceFile(path: "dups.json", text: text))
        let out = TextReporter().format([result])
        return (out.utf8.count, result.diagnostics.count)
    }

    func testTextOutputForManyDiagnosticsOnOneLongLineStaysLinearAndSmall() {
        let (small, smallCount) = lintText(duplicateKeysOnOneLine(2_000))
        XCTAssertEqual(smallCount, 100, "the first 100 duplicates are reported, then no more")
        // Before the fix, each diagnostic printed the whole 14 KB line twice (line and caret):
        // 2,000 keys gave 48.6 MB here (72 MB in the issue's shape), 4,000 gave 193 MB.
        XCTAssertLessThan(small, 1_000_000, "2,000 diagnostics on one line print \(small) bytes")
        let (large, _) = lintText(duplicateKeysOnOneLine(4_000))
        XCTAssertLessThan(Double(large), 2.2 * Double(small), "twice the duplicates must not give more than about twice the output (\(small) -> \(large) bytes)")
    }

    func testLongLineExcerptIsAWindowAroundTheCaret() {
        let text = #"{"dspec": 1, "x-pad": ""# + String(repeating: "p", count: 5_000) + #"", "name": "Bad Name", "endpoint": {"url": "https://api.example.com/e"}, "payload": {"format": "canonical"}}"#
        let result = LintRunner().lint(SourceFile(path: "long.json", text: text))
        let out = TextReporter().format([result])
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        guard let i = lines.firstIndex(where: { $0.contains("DS0804") }), i + 3 < lines.count else { return XCTFail(out) }
        let excerpt = lines[i + 2], caret = lines[i + 3]
        XCTAssertTrue(excerpt.hasPrefix(" 1 | …"), String(excerpt))
        XCTAssertLessThanOrEqual(excerpt.count, 6 + TextReporter.maxExcerptColumns + 2)
        // The caret sits under the offending value.
        let caretColumn = caret.distance(from: caret.startIndex, to: caret.firstIndex(of: "^")!)
        let underlined = excerpt.dropFirst(caretColumn).prefix(10)
        XCTAssertEqual(String(underlined), #""Bad Name""#)
    }

    func testOversizeTemplateIsAClearDiagnosticNotAMemoryBomb() throws {
        let big = String(repeating: "v", count: 100_000)
        let text = #"{"dspec": 1, "name": "big", "endpoint": {"url": "https://api.example.com/e"}, "headers": {"X-Big": ""# + big + #""}, "payload": {"format": "canonical"}}"#
        let result = LintRunner().lint(SourceFile(path: "big.json", text: text))
        let d = try XCTUnwrap(result.diagnostics.first { $0.code == "DS0307" }, result.diagnostics.map(\.message).joined(separator: "; "))
        XCTAssertTrue(d.message.contains("the template is 100000 bytes, over the template size limit of 65536 bytes"), d.message)
        // An 8 MB template (643 MB of memory to compile before the limit) is refused up front,
        // wherever it comes from (a spec, a hand-edited plan).
        XCTAssertThrowsError(try CompiledTemplate.compile(String(repeating: "x", count: 8_000_000), mode: .header)) { error in
            XCTAssertTrue(String(describing: error).contains("over the template size limit of 65536 bytes"), "\(error)")
        }
    }

    func testOversizeSpecIsRefusedWithTheLimitNamed() {
        let text = #"{"dspec": 1, "x-pad": ""# + String(repeating: "p", count: SpecCompiler.defaultMaxSpecBytes) + #""}"#
        let result = LintRunner().lint(SourceFile(path: "huge.json", text: text))
        XCTAssertEqual(result.diagnostics.map(\.code), ["DS0006"])
        XCTAssertTrue(result.diagnostics.first?.message.contains("over the spec size limit of 1048576 bytes") == true)
    }
}

extension PathologicalInputTests {
    /// 100,000 findings on one 200 KB line: positions for the first 1,000 only (resolving
    /// one scans its line), text output for the first 1,000 only. Before, this took over
    /// two minutes (every finding scanned the line) and printed gigabytes.
    func testOneHundredThousandFindingsOnOneLineAreBounded() {
        let text = #"{"dspec":1,"name":"x","endpoint":{"url":"https://api.example.com/e"},"payload":{"format":"canonical"},"events":{"types":["# +
            Array(repeating: "1", count: 100_000).joined(separator: ",") + "]}}"
        let result = LintRunner().lint(SourceFile(path: "types.json", text: text))
        XCTAssertEqual(result.diagnostics.count, 100_000)
        XCTAssertEqual(result.diagnostics.filter { $0.location != nil }.count, DiagnosticCollector.maxLocatedDiagnostics)
        let out = TextReporter().format([result])
        XCTAssertLessThan(out.utf8.count, 1_000_000, "\(out.utf8.count) bytes")
        XCTAssertTrue(out.contains("types.json: 99000 more diagnostics not shown (the first 1000 are; --format json lists all)"))
        XCTAssertTrue(out.hasSuffix("1 file checked: 100000 errors, 0 warnings\n"))
    }
}
