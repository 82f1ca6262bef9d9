import DSCore
import DSJSON

/// `dspec test --format html`: one self-contained HTML file (inline CSS, no scripts, no
/// network: a Content-Security-Policy forbids everything else) with each case's verdict and
/// failures, the expected (golden fixture) and actual requests side by side with differing
/// lines highlighted, the response sequence, and an SVG timeline of every attempt against
/// time per partition (backoff, Retry-After pauses and token-bucket pacing show as gaps).
/// A pure function of the results; every piece of event data, spec text and server output is
/// escaped, so nothing in them can add markup.
public enum ConformanceHTMLReport {
    /// The longest body shown per request (bytes); longer ones are cut with a note.
    public static let maxBodyBytes = 65_536

    /// HTML text and attribute escaping (``ReportEscaping/html(_:)``).
    public static func escape(_ s: String) -> String { ReportEscaping.html(s) }

    /// The whole report.
    public static func render(_ results: [CaseResult], title: String = "dspec test") -> String {
        let failed = results.filter { !$0.passed }.count
        var h = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>\(css)</style>
        </head>
        <body>
        <header><h1>\(escape(title))</h1>
        <p class="summary"><span class="count">\(results.count) case\(results.count == 1 ? "" : "s")</span>:
        <span class="badge pass">\(results.count - failed) passed</span> <span class="badge \(failed > 0 ? "fail" : "none")">\(failed) failed</span>
        <span class="muted">\(results.reduce(0) { $0 + $1.durationMs }) ms</span></p>
        <nav><ol>
        """
        for (i, r) in results.enumerated() {
            h += "<li><a href=\"#case-\(i + 1)\" class=\"\(r.passed ? "pass" : "fail")\">\(r.passed ? "✓" : "✗") \(escape(r.id))</a></li>"
        }
        h += "</ol></nav></header>\n<main>\n"
        for (i, r) in results.enumerated() { h += caseSection(r, index: i + 1) }
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    static func caseSection(_ r: CaseResult, index: Int) -> String {
        var h = "<section class=\"case \(r.passed ? "pass" : "fail")\" id=\"case-\(index)\" data-case=\"\(escape(r.id))\">\n"
        h += "<h2><span class=\"badge \(r.passed ? "pass" : "fail")\">\(r.passed ? "PASS" : "FAIL")</span> \(escape(r.id))</h2>\n"
        if let d = r.description { h += "<p class=\"description\">\(escape(d))</p>\n" }
        h += "<p class=\"muted\">\(r.requests) request\(r.requests == 1 ? "" : "s") to the vendor, \(r.durationMs) ms</p>\n"
        if !r.failures.isEmpty {
            h += "<ul class=\"failures\">"
            for f in r.failures {
                h += "<li><b>\(escape(f.expectation))</b>: \(escape(f.message))"
                if !f.details.isEmpty { h += "<ul>" + f.details.map { "<li><code>\(escape($0))</code></li>" }.joined() + "</ul>" }
                h += "</li>"
            }
            h += "</ul>\n"
        }
        guard let trace = r.trace else { return h + "</section>\n" }
        h += "<h3>Timeline</h3>\n" + timeline(trace)
        h += "<h3>Responses</h3>\n" + responses(trace)
        h += "<h3>Requests</h3>\n" + requests(trace)
        return h + "</section>\n"
    }

    // MARK: - Timeline

    static func outcomeClass(_ a: CaseTrace.Attempt) -> String {
        guard let s = a.status else { return "o-fault" }
        switch s {
        case 200..<300: return "o-ok"
        case 429: return "o-limit"
        case 500..<600, 408: return "o-retry"
        default: return "o-other"
        }
    }

    static func seconds(_ ms: Double) -> String {
        if ms < 10 { return "\(fmt(ms)) ms" }
        if ms < 1000 { return "\(Int(ms.rounded())) ms" }
        let tenths = Int((ms / 100).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }

    /// Attempts against time, one lane per partition; consecutive attempts of a lane are
    /// joined and the gap labelled, so a Retry-After pause or a backoff is a visible stretch.
    static func timeline(_ trace: CaseTrace) -> String {
        guard !trace.attempts.isEmpty else { return "<p class=\"muted\">No request reached the vendor.</p>\n" }
        var lanes: [String] = []
        for a in trace.attempts where !lanes.contains(a.partition) { lanes.append(a.partition) }
        let shown = Array(lanes.prefix(40))
        let left = 220.0, width = 920.0, laneHeight = 34.0, top = 16.0
        let plotWidth = width - left - 20
        let maxT = max(1, trace.attempts.map(\.atMs).max() ?? 1)
        let height = top + laneHeight * Double(shown.count) + 34
        func x(_ t: Double) -> String { fmt(left + plotWidth * t / maxT) }
        var s = "<svg class=\"timeline\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" width=\"\(fmt(width))\" height=\"\(fmt(height))\">"
        s += "<title>Attempts against time per partition</title>"
        // Axis with five ticks.
        let axisY = top + laneHeight * Double(shown.count) + 6
        s += "<line class=\"axis\" x1=\"\(fmt(left))\" y1=\"\(fmt(axisY))\" x2=\"\(fmt(left + plotWidth))\" y2=\"\(fmt(axisY))\"/>"
        for k in 0...4 {
            let t = maxT * Double(k) / 4
            s += "<line class=\"tick\" x1=\"\(x(t))\" y1=\"\(fmt(top - 6))\" x2=\"\(x(t))\" y2=\"\(fmt(axisY + 4))\"/>"
            s += "<text class=\"ticklabel\" x=\"\(x(t))\" y=\"\(fmt(axisY + 18))\" text-anchor=\"middle\">\(seconds(t))</text>"
        }
        for (li, lane) in shown.enumerated() {
            let y = top + laneHeight * Double(li) + laneHeight / 2
            let label = lane.count > 34 ? String(lane.prefix(33)) + "…" : lane
            s += "<text class=\"lane\" x=\"\(fmt(left - 8))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\">\(escape(label))<title>\(escape(lane))</title></text>"
            s += "<line class=\"laneline\" x1=\"\(fmt(left))\" y1=\"\(fmt(y))\" x2=\"\(fmt(left + plotWidth))\" y2=\"\(fmt(y))\"/>"
            let attempts = trace.attempts.enumerated().filter { $0.element.partition == lane }
            for (a, b) in zip(attempts, attempts.dropFirst()) {
                let gap = b.element.atMs - a.element.atMs
                s += "<line class=\"gap\" x1=\"\(x(a.element.atMs))\" y1=\"\(fmt(y))\" x2=\"\(x(b.element.atMs))\" y2=\"\(fmt(y))\"/>"
                // A pause the vendor asked for is labelled with the Retry-After it sent.
                let retryAfter = a.element.retryAfter.map { "<tspan class=\"retryafter\"> Retry-After: \(escape($0))</tspan>" } ?? ""
                if gap >= maxT * 0.08 || !retryAfter.isEmpty {
                    s += "<text class=\"gaplabel\" x=\"\(x((a.element.atMs + b.element.atMs) / 2))\" y=\"\(fmt(y - 7))\" text-anchor=\"middle\">+\(seconds(gap))\(retryAfter)</text>"
                }
            }
            for (i, a) in attempts {
                s += "<circle class=\"attempt \(outcomeClass(a))\" cx=\"\(x(a.atMs))\" cy=\"\(fmt(y))\" r=\"6\">"
                s += "<title>\(escape("#\(i + 1) at \(seconds(a.atMs)): \(a.request.method) \(a.request.target) -> \(a.outcome)"))</title></circle>"
            }
        }
        s += "</svg>\n"
        if lanes.count > shown.count { s += "<p class=\"muted\">\(lanes.count - shown.count) more partitions not drawn.</p>\n" }
        s += "<p class=\"legend\"><span class=\"dot o-ok\"></span>2xx <span class=\"dot o-limit\"></span>429 <span class=\"dot o-retry\"></span>408/5xx <span class=\"dot o-other\"></span>other status <span class=\"dot o-fault\"></span>fault (no status)</p>\n"
        return s
    }

    static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    // MARK: - Responses

    static func responses(_ trace: CaseTrace) -> String {
        var h = trace.attempts.count > 12 ? "<details><summary>\(trace.attempts.count) answers: \(escape(outcomeSummary(trace)))</summary>" : ""
        h += "<table class=\"responses\"><thead><tr><th>#</th><th>at</th><th>since previous</th><th>partition</th><th>answer</th></tr></thead><tbody>"
        var previous: Double?
        for (i, a) in trace.attempts.enumerated() {
            let since = previous.map { "+" + seconds(a.atMs - $0) } ?? ""
            h += "<tr><td>\(i + 1)</td><td>\(seconds(a.atMs))</td><td>\(since)</td><td><code>\(escape(a.partition))</code></td>"
            h += "<td><span class=\"pill \(outcomeClass(a))\">\(escape(a.outcome))</span>\(a.delayMs > 0 ? " <span class=\"muted\">after \(a.delayMs) ms</span>" : "")"
            if let ra = a.retryAfter { h += " <code class=\"retryafter\">Retry-After: \(escape(ra))</code>" }
            h += "</td></tr>"
            previous = a.atMs
        }
        h += "</tbody></table>\n"
        if trace.attempts.count > 12 { h += "</details>\n" }
        if trace.tokenRequests > 0 { h += "<p class=\"muted\">\(trace.tokenRequests) token request\(trace.tokenRequests == 1 ? "" : "s") (not drawn).</p>\n" }
        return h
    }

    /// "200 ×148, 429 ×2" in first-appearance order.
    static func outcomeSummary(_ trace: CaseTrace) -> String {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for a in trace.attempts {
            if counts[a.outcome] == nil { order.append(a.outcome) }
            counts[a.outcome, default: 0] += 1
        }
        return order.map { "\($0) ×\(counts[$0] ?? 0)" }.joined(separator: ", ")
    }

    // MARK: - Requests

    /// A request as lines, headers sorted by name (their order is not compared), each with
    /// the key it is compared by: a volatile header by its name only. Transport headers are
    /// left out and returned apart.
    static func lines(_ r: CaseTrace.Request, _ trace: CaseTrace) -> (lines: [String], keys: [String], transport: [String]) {
        var out = ["\(r.method) \(r.target)"]
        var keys = out
        var transport: [String] = []
        for header in r.headers.sorted(by: { $0.name.lowercased() < $1.name.lowercased() }) {
            let lower = header.name.lowercased()
            if trace.transportHeaders.contains(lower) { transport.append(header.name); continue }
            out.append("\(header.name): \(header.value)")
            keys.append(trace.volatileHeaders.contains(lower) ? "\(lower): <volatile>" : "\(lower): \(header.value)")
        }
        out.append("")
        keys.append("")
        var body = r.body
        if body.utf8.count <= maxBodyBytes, let v = try? JSONParser().parseValue(body) { body = JSONWriter.string(v, style: .pretty) }
        if body.utf8.count > maxBodyBytes {
            body = String(decoding: Array(body.utf8.prefix(maxBodyBytes)), as: UTF8.self) + "\n… (\(body.utf8.count - maxBodyBytes) more bytes not shown)"
        }
        let bodyLines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return (out + bodyLines, keys + bodyLines, transport)
    }

    /// Marks lines of `a` missing from `b` (by a longest common subsequence; beyond 600
    /// lines a side, by membership).
    static func unmatched(_ a: [String], _ b: [String]) -> [Bool] {
        guard a.count <= 600, b.count <= 600 else {
            let set = Set(b)
            return a.map { !set.contains($0) }
        }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var marks = [Bool](repeating: true, count: a.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] { marks[i] = false; i += 1; j += 1 } else if table[i + 1][j] >= table[i][j + 1] { i += 1 } else { j += 1 }
        }
        return marks
    }

    static func pre(_ lines: [String], marks: [Bool], cls: String, transport: [String] = []) -> String {
        var h = "<pre class=\"req\">"
        for (line, marked) in zip(lines, marks) {
            h += marked ? "<span class=\"\(cls)\">\(escape(line))</span>\n" : "\(escape(line))\n"
        }
        h += "</pre>"
        if !transport.isEmpty { h += "<p class=\"muted\">added by the HTTP client, not compared: \(escape(transport.joined(separator: ", ")))</p>" }
        return h
    }

    static func requests(_ trace: CaseTrace) -> String {
        let actual = trace.attempts.map(\.request)
        guard let expected = trace.expected else {
            var h = "<p class=\"muted\">This case does not compare with golden fixtures; the requests as received:</p>\n"
            for (i, r) in actual.prefix(50).enumerated() {
                let l = lines(r, trace)
                h += "<details><summary>#\(i + 1) \(escape(r.method)) \(escape(r.target))</summary>\(pre(l.lines, marks: l.lines.map { _ in false }, cls: "", transport: l.transport))</details>\n"
            }
            if actual.count > 50 { h += "<p class=\"muted\">\(actual.count - 50) more requests not shown.</p>\n" }
            return h
        }
        var h = "<p class=\"muted\">Expected: golden fixtures in <code>\(escape(trace.expectedDirectory ?? ""))</code>, in order of arrival; lines that differ are highlighted"
        if !trace.volatileHeaders.isEmpty { h += " (\(escape(trace.volatileHeaders.sorted().joined(separator: ", "))): compared by name only, their values change per request)" }
        h += ".</p>\n<div class=\"pairs\">"
        for i in 0..<min(50, max(expected.count, actual.count)) {
            let e = i < expected.count ? lines(expected[i], trace) : (lines: [], keys: [], transport: [])
            let a = i < actual.count ? lines(actual[i], trace) : (lines: [], keys: [], transport: [])
            let same = e.keys == a.keys
            h += "<div class=\"pair\(same ? "" : " differs")\"><div class=\"side\"><h4>expected \(i < expected.count ? escape(expected[i].label) : "(none)")</h4>"
            h += e.lines.isEmpty ? "<p class=\"muted\">no fixture</p>" : pre(e.lines, marks: unmatched(e.keys, a.keys), cls: "del")
            h += "</div><div class=\"side\"><h4>actual #\(i + 1)\(i < actual.count ? "" : " (not received)")\(same ? " <span class=\"badge pass\">same</span>" : " <span class=\"badge fail\">differs</span>")</h4>"
            h += a.lines.isEmpty ? "<p class=\"muted\">not received</p>" : pre(a.lines, marks: unmatched(a.keys, e.keys), cls: "add", transport: a.transport)
            h += "</div></div>"
        }
        if max(expected.count, actual.count) > 50 { h += "<p class=\"muted\">Only the first 50 pairs are shown.</p>" }
        return h + "</div>\n"
    }

    static let css = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
    header{background:#fff;border-bottom:1px solid #d0d7de;padding:12px 24px}h1{font-size:20px;margin:0 0 4px}
    nav ol{columns:3;font-size:12px;margin:6px 0 0;padding-left:20px}nav a{text-decoration:none}nav a.pass{color:#1a7f37}nav a.fail{color:#cf222e}
    main{padding:12px 24px}.case{background:#fff;border:1px solid #d0d7de;border-left:6px solid #1a7f37;border-radius:6px;margin:0 0 16px;padding:8px 16px}
    .case.fail{border-left-color:#cf222e}h2{font-size:16px;margin:6px 0}h3{font-size:13px;margin:14px 0 4px;color:#57606a;text-transform:uppercase;letter-spacing:.04em}
    .badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff}.badge.pass{background:#1a7f37}.badge.fail{background:#cf222e}.badge.none{background:#8c959f}
    .muted{color:#57606a;font-size:12px}.failures{color:#82071e}.failures code{white-space:pre-wrap}
    svg.timeline{max-width:100%;height:auto;background:#fbfcfd;border:1px solid #eaeef2;border-radius:4px}
    .axis,.tick{stroke:#8c959f;stroke-width:1}.tick{stroke-dasharray:2 3;stroke:#d0d7de}.laneline{stroke:#eaeef2;stroke-width:1}
    .gap{stroke:#8c959f;stroke-width:2;stroke-dasharray:4 3}.lane,.ticklabel{font:11px monospace;fill:#57606a}.gaplabel{font:11px sans-serif;fill:#9a6700;font-weight:600}
    .attempt{stroke:#fff;stroke-width:1.5}.o-ok{fill:#1a7f37;background:#1a7f37}.o-limit{fill:#bf8700;background:#bf8700}.o-retry{fill:#cf222e;background:#cf222e}.o-other{fill:#8250df;background:#8250df}.o-fault{fill:#24292f;background:#24292f}
    .legend{font-size:12px}.dot{display:inline-block;width:10px;height:10px;border-radius:5px;margin:0 3px 0 10px;vertical-align:middle}
    table.responses{border-collapse:collapse;font-size:12px}table.responses td,table.responses th{border-bottom:1px solid #eaeef2;padding:2px 10px;text-align:left}
    .pill{color:#fff;border-radius:8px;padding:0 6px;font-weight:600}
    .pairs{display:flex;flex-direction:column;gap:8px}.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px}.side h4{margin:0;font-size:12px;color:#57606a}
    pre.req{font:12px/1.4 ui-monospace,monospace;background:#f6f8fa;border:1px solid #eaeef2;border-radius:4px;padding:6px;margin:2px 0;overflow:auto;max-height:360px;white-space:pre-wrap;word-break:break-all}
    .del{background:#ffebe9;display:inline-block;width:100%}.add{background:#dafbe1;display:inline-block;width:100%}.pair.differs .side{outline:1px solid #ffd8b5}
    """
}
