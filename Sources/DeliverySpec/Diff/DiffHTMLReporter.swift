import DSConformance
import DSCore
import DSDiff
import DSJSON

extension DiffFormatter {
    /// One self-contained HTML page (no scripts, no network): every change as a row coloured
    /// by class (breaking, risky, safe), with its rule, layer, pointer, where it is in each
    /// file, and the old and new values side by side. `redact` runs on every string before it
    /// is escaped (a redaction placeholder is text, never markup).
    public func html(_ report: DiffReport, redact: (String) -> String = { $0 }) -> String {
        func e(_ s: String) -> String { ConformanceHTMLReport.escape(redact(s)) }
        func value(_ v: JSONValue?) -> String {
            guard let v else { return "<span class=\"muted\">(absent)</span>" }
            return "<pre>\(e(JSONWriter.string(v, style: .pretty)))</pre>"
        }
        var h = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <title>dspec diff</title>
        <style>\(Self.css)</style>
        </head>
        <body>
        <h1>dspec diff: <code>\(e(oldPath))</code> → <code>\(e(newPath))</code></h1>
        <p class="summary">
        """
        for cls in Self.order {
            let n = report.changes.filter { $0.changeClass == cls }.count
            h += "<span class=\"badge \(cls.rawValue)\">\(n) \(cls.rawValue)</span> "
        }
        h += "<span class=\"muted\">wire diff \(report.wireDiffRan ? "compared" : "skipped")</span></p>\n"
        if let note = report.wireNote { h += "<p class=\"note\">Note: \(e(note))</p>\n" }
        if report.changes.isEmpty {
            h += "<p class=\"none\">No changes.</p>\n"
        } else {
            h += "<table><thead><tr><th>class</th><th>rule</th><th>change</th><th>old</th><th>new</th></tr></thead><tbody>\n"
            for cls in Self.order {
                for c in report.changes where c.changeClass == cls {
                    h += "<tr class=\"change \(cls.rawValue)\" data-rule=\"\(e(c.rule))\"><td><span class=\"badge \(cls.rawValue)\">\(cls.rawValue)</span></td>"
                    h += "<td><code>\(e(c.rule))</code><br><span class=\"muted\">\(e(c.layer))</span></td>"
                    h += "<td>\(e(c.message))<br><code class=\"muted\">\(e(c.pointer))</code>"
                    let w = whereText(c)
                    if !w.isEmpty { h += "<br><span class=\"muted\">at \(e(w))</span>" }
                    h += "</td><td class=\"old\">\(value(c.old))</td><td class=\"new\">\(value(c.new))</td></tr>\n"
                }
            }
            h += "</tbody></table>\n"
        }
        h += "</body>\n</html>\n"
        return h
    }

    static let css = """
    body{font:14px/1.45 system-ui,sans-serif;margin:16px 24px;color:#1f2328}h1{font-size:18px}
    .badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff}
    .badge.breaking{background:#cf222e}.badge.risky{background:#bf8700}.badge.safe{background:#1a7f37}
    .muted{color:#57606a;font-size:12px}.note{background:#fff8c5;padding:4px 8px;border-radius:4px}
    table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d0d7de;padding:6px 8px;vertical-align:top;text-align:left}
    tr.breaking{border-left:5px solid #cf222e}tr.risky{border-left:5px solid #bf8700}tr.safe{border-left:5px solid #1a7f37}
    td.old pre{background:#ffebe9}td.new pre{background:#dafbe1}pre{margin:0;padding:4px 6px;border-radius:4px;font:12px ui-monospace,monospace;white-space:pre-wrap;word-break:break-all;max-height:240px;overflow:auto}
    """
}
