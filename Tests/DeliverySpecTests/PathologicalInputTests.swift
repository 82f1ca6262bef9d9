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
        // Before the excerpt cap, each diagnostic printed the whole 14 KB line twice (line and
        // caret): 2,000 keys gave about 72 MB on a 20 KB input.
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
}
