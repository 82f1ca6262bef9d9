import DeliverySpec
import XCTest

final class DiffHTMLReportTests: XCTestCase {
    func side(_ url: String) throws -> DiffSide {
        let text = """
        {"dspec": 1, "name": "d", "secrets": ["key"], "endpoint": {"url": "\(url)"},
         "auth": {"type": "bearer", "token": "{{@secrets.key}}"}, "payload": {"format": "json", "mapping": {"e": {"@path": "event"}}}}
        """
        let result = SpecCompiler().compile(SourceFile(path: "d.json", text: text), diagnostics: DiagnosticCollector())
        guard let plan = result.plan else { throw XCTSkip("the test spec does not compile") }
        return DiffSide(plan: plan)
    }

    func testChangesAreRowsByClassAndRedactionIsEscapedText() throws {
        let old = try side("https://a.example.com/e")
        let new = try side("https://a.example.com/e?q=<script>alert(1)</script>")
        let report = SpecDiff.compare(old: old, new: new, events: nil)
        XCTAssertFalse(report.changes.isEmpty)
        let html = DiffFormatter(oldPath: "old<i>.json", newPath: "new.json", old: old, new: new)
            .html(report, redact: { $0.replacingOccurrences(of: "a.example.com", with: "<redacted:host>") })
        XCTAssertEqual(html.components(separatedBy: "<tr class=\"change ").count - 1, report.changes.count)
        XCTAssertTrue(html.contains("<tr class=\"change breaking\""))
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<redacted"), "a redaction placeholder must be escaped like any text")
        XCTAssertTrue(html.contains("&lt;redacted:host&gt;"))
        XCTAssertFalse(html.contains("<i>"))
    }
}
