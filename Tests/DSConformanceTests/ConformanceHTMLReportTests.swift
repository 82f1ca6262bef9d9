import DSConformance
import XCTest

final class ConformanceHTMLReportTests: XCTestCase {
    static let hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>\"'&"

    func result(passed: Bool = true) -> CaseResult {
        var r = CaseResult(suite: "s", name: "retry " + Self.hostile, description: "desc " + Self.hostile)
        if !passed { r.failures = [ExpectationFailure("fixtures", "message " + Self.hostile, details: ["detail " + Self.hostile])] }
        let request = CaseTrace.Request(label: "#1", method: "POST", target: "/e?q=" + Self.hostile,
                                        headers: [.init(name: "X-Event", value: Self.hostile)], body: "{\"name\": \"\(Self.hostile.replacingOccurrences(of: "\"", with: "\\\""))\"}")
        var trace = CaseTrace(attempts: [
            .init(atMs: 0.4, partition: "POST /e", outcome: "429", status: 429, delayMs: 0, request: request),
            .init(atMs: 1004, partition: "POST /e", outcome: "200", status: 200, delayMs: 0, request: request),
            .init(atMs: 20, partition: "POST /other" + Self.hostile, outcome: "fault reset", status: nil, delayMs: 0, request: request),
        ], expected: [request, CaseTrace.Request(label: "002.json", method: "POST", target: "/e", headers: [], body: "{}")])
        trace.transportHeaders = ["host"]
        r.trace = trace
        return r
    }

    func testEverythingFromEventsAndSpecsIsEscaped() {
        let html = ConformanceHTMLReport.render([result(), result(passed: false)], title: "t " + Self.hostile)
        XCTAssertFalse(html.contains("<script"), "a script element got through")
        XCTAssertFalse(html.contains("<img"), "an img element got through")
        // The quote that would end an attribute never appears raw after the payload.
        XCTAssertFalse(html.contains("onerror=alert(1)>\""), "a quote got through")
        XCTAssertTrue(html.contains("onerror=alert(1)&gt;&quot;&#39;&amp;"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        // Self-contained: no external resource of any kind (the only URL is the SVG namespace).
        let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        XCTAssertFalse(withoutNamespace.contains("http://") || withoutNamespace.contains("https://") || withoutNamespace.contains("src=\"") || withoutNamespace.contains("href=\"http"))
        XCTAssertTrue(html.contains("default-src 'none'"))
    }

    func testCasesVerdictsTimelineAndDifferences() {
        let html = ConformanceHTMLReport.render([result(), result(passed: false)])
        XCTAssertEqual(html.components(separatedBy: "<section class=\"case ").count - 1, 2)
        XCTAssertTrue(html.contains("<section class=\"case fail\" id=\"case-2\""))
        XCTAssertTrue(html.contains("1 passed"))
        // The retry one second after the 429 is labelled on its partition's lane; the other partition is its own lane.
        XCTAssertTrue(html.contains(">+1.0 s</text>"), html)
        XCTAssertEqual(html.components(separatedBy: "<text class=\"lane\"").count - 1, 2 * 2)
        XCTAssertTrue(html.contains("class=\"attempt o-limit\""))
        XCTAssertTrue(html.contains("class=\"attempt o-fault\""))
        // Expected vs actual: the second pair differs and its lines are highlighted.
        XCTAssertTrue(html.contains("<span class=\"del\">POST /e</span>"), html)
        XCTAssertTrue(html.contains("<span class=\"badge fail\">differs</span>"))
        XCTAssertTrue(html.contains("<span class=\"badge pass\">same</span>"))
    }

    /// The pause after a 429 is labelled with the Retry-After the vendor sent (escaped), on
    /// the timeline and in the responses table.
    func testRetryAfterValueLabelsThePause() {
        var r = result()
        r.trace?.attempts[0].responseHeaders = [.init(name: "retry-after", value: "1<b>")]
        let html = ConformanceHTMLReport.render([r])
        XCTAssertTrue(html.contains(">+1.0 s<tspan class=\"retryafter\"> Retry-After: 1&lt;b&gt;</tspan></text>"), html)
        XCTAssertTrue(html.contains("<code class=\"retryafter\">Retry-After: 1&lt;b&gt;</code>"), html)
        XCTAssertFalse(ConformanceHTMLReport.render([result()]).contains("Retry-After:"))
    }

    func testNoTraceStillRendersTheVerdict() {
        var r = CaseResult(suite: "s", name: "n")
        r.failures = [ExpectationFailure("setup", "no plan")]
        let html = ConformanceHTMLReport.render([r])
        XCTAssertTrue(html.contains("FAIL"))
        XCTAssertTrue(html.contains("no plan"))
        XCTAssertFalse(html.contains("<svg"))
    }
}
