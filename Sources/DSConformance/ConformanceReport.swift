import DSCore
import DSJSON

/// Formats case results: text for people, JSON for tools, JUnit XML for CI test tabs.
public enum ConformanceReport {
    /// Output formats of `dspec test`.
    public enum Format: String, Sendable, CaseIterable {
        /// One line per case, failures indented under it, a summary line.
        case text
        /// One JSON document.
        case json
        /// JUnit XML: one `testsuite` per suite, one `testcase` per case.
        case junit
        /// GitHub Actions annotations: one `::error` per failed expectation, then a summary.
        case github
        /// One self-contained HTML page (``ConformanceHTMLReport``); cases carry traces when
        /// the runner records them.
        case html
    }

    /// The report in `format`.
    public static func render(_ results: [CaseResult], format: Format, color: Bool = false) -> String {
        switch format {
        case .text: return text(results, color: color)
        case .json: return json(results)
        case .junit: return junit(results)
        case .github: return github(results)
        case .html: return ConformanceHTMLReport.render(results)
        }
    }

    /// One workflow command per failed expectation (titled with the case id), then the
    /// summary line, so a failing conformance run annotates the pull request.
    public static func github(_ results: [CaseResult]) -> String {
        var lines: [String] = []
        for r in results where !r.passed {
            for f in r.failures {
                let message = ([f.message] + f.details).joined(separator: "\n")
                lines.append("::error title=\(ReportEscaping.workflowProperty("dspec test " + r.id + " [" + f.expectation + "]"))::\(ReportEscaping.workflowData(message))")
            }
        }
        lines.append(summary(results))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `✓ suite/case (12 ms, 3 requests)` per case; failures name the expectation and show
    /// expected versus actual underneath.
    public static func text(_ results: [CaseResult], color: Bool = false) -> String {
        let (green, red, reset) = color ? ("\u{1B}[32m", "\u{1B}[31m", "\u{1B}[0m") : ("", "", "")
        var out = ""
        for r in results {
            let mark = r.passed ? green + "✓" + reset : red + "✗" + reset
            out += "\(mark) \(r.id) (\(r.durationMs) ms, \(r.requests) request\(r.requests == 1 ? "" : "s"))\n"
            for f in r.failures {
                out += "    " + f.expectation + ": " + f.message + "\n"
                for d in f.details { out += "        " + d + "\n" }
            }
        }
        out += summary(results) + "\n"
        return out
    }

    /// `12 cases: 11 passed, 1 failed (3.4 s)`.
    public static func summary(_ results: [CaseResult]) -> String {
        let failed = results.filter { !$0.passed }.count
        let ms = results.reduce(0) { $0 + $1.durationMs }
        return "\(results.count) case\(results.count == 1 ? "" : "s"): \(results.count - failed) passed, \(failed) failed (\(seconds(ms)) s)"
    }

    /// `{"cases": [...], "summary": {...}}`.
    public static func json(_ results: [CaseResult]) -> String {
        let cases: [JSONValue] = results.map { r in
            .object(JSONObject([
                ("id", .string(r.id)), ("suite", .string(r.suite)), ("case", .string(r.name)),
                ("description", r.description.map { .string($0) } ?? .null), ("passed", .bool(r.passed)),
                ("duration_ms", .int(r.durationMs)), ("requests", .int(r.requests)),
                ("failures", .array(r.failures.map { f in
                    .object(JSONObject([("expectation", .string(f.expectation)), ("message", .string(f.message)), ("details", .array(f.details.map { .string($0) }))]))
                })),
            ]))
        }
        let failed = results.filter { !$0.passed }.count
        let summary = JSONObject([("cases", .int(results.count)), ("passed", .int(results.count - failed)), ("failed", .int(failed)),
                                  ("duration_ms", .int(results.reduce(0) { $0 + $1.durationMs }))])
        return JSONWriter.string(.object(JSONObject([("cases", .array(cases)), ("summary", .object(summary))])), style: .pretty) + "\n"
    }

    /// JUnit XML in the shape Jenkins, GitLab and GitHub test reporters read: one
    /// `testsuite` per suite (in first-appearance order), one `testcase` per case with
    /// `classname` = the suite, and a `failure` per unmet expectation. Shards of one run give
    /// disjoint test cases, so their files merge by concatenating `testsuite` elements.
    public static func junit(_ results: [CaseResult]) -> String {
        var order: [String] = []
        var bySuite: [String: [CaseResult]] = [:]
        for r in results {
            if bySuite[r.suite] == nil { order.append(r.suite) }
            bySuite[r.suite, default: []].append(r)
        }
        let failed = results.filter { !$0.passed }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"dspec test\" tests=\"\(results.count)\" failures=\"\(failed)\" errors=\"0\" time=\"\(seconds(results.reduce(0) { $0 + $1.durationMs }))\">\n"
        for suite in order {
            let cases = bySuite[suite]!
            out += "  <testsuite name=\"\(escape(suite))\" tests=\"\(cases.count)\" failures=\"\(cases.filter { !$0.passed }.count)\" errors=\"0\" skipped=\"0\" time=\"\(seconds(cases.reduce(0) { $0 + $1.durationMs }))\">\n"
            for c in cases {
                out += "    <testcase classname=\"\(escape(suite))\" name=\"\(escape(c.name))\" time=\"\(seconds(c.durationMs))\""
                guard !c.passed else { out += "/>\n"; continue }
                out += ">\n"
                for f in c.failures {
                    out += "      <failure type=\"\(escape(f.expectation))\" message=\"\(escape(f.expectation + ": " + f.message))\">\(escape(f.text))</failure>\n"
                }
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    /// XML 1.0 text (shared with the lint reports).
    public static func escape(_ s: String) -> String { ReportEscaping.xml(s) }

    private static func seconds(_ ms: Int) -> String {
        let whole = ms / 1000, frac = ms % 1000
        return "\(whole).\(String(repeating: "0", count: 3 - String(frac).count))\(frac)"
    }
}
