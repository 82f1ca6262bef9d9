import DSCore

/// Compiler-style text: `path:line:col: error[DS0104]: message`, the source line, a caret
/// under the offending token, then hint and suggestion.
public struct TextReporter: Sendable {
    /// Whether to use ANSI colour (only on a terminal, never with NO_COLOR).
    public var color: Bool

    /// Creates a reporter.
    public init(color: Bool = false) {
        self.color = color
    }

    private func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    /// Formats one diagnostic, with its source excerpt when the source is available.
    public func format(_ d: Diagnostic, source: SourceFile?) -> String {
        var head = d.path ?? "<input>"
        if let loc = d.location { head += ":\(loc.line):\(loc.column)" }
        let severityText: String
        switch d.severity {
        case .error: severityText = paint("error", "1;31")
        case .warning: severityText = paint("warning", "1;33")
        case .note: severityText = paint("note", "1;36")
        }
        var out = "\(head): \(severityText)[\(d.code)]: \(paint(d.message, "1"))"
        if let reason = d.suppression { out += " (suppressed: \(reason))" }
        out += "\n"
        if let loc = d.location, let source {
            let lineText = source.lineText(loc.line).replacingTabs()
            let gutter = String(loc.line)
            let pad = String(repeating: " ", count: gutter.count)
            out += " \(pad) |\n"
            out += " \(gutter) | \(lineText)\n"
            var width = 1
            if let end = d.endLocation, end.line == loc.line, end.column > loc.column { width = end.column - loc.column }
            width = max(1, min(width, max(1, lineText.count - loc.column + 1)))
            let caret = String(repeating: " ", count: max(0, loc.column - 1)) + "^" + String(repeating: "~", count: width - 1)
            out += " \(pad) | \(paint(caret, "1;32"))\n"
        }
        if let pointer = d.pointer { out += "   = at: \(pointer.isEmpty ? "/" : pointer)\n" }
        if let hint = d.hint { out += "   = hint: \(hint)\n" }
        if let suggestion = d.suggestion { out += "   = did you mean: \(suggestion)\n" }
        return out
    }

    /// Formats a whole run, with a summary line.
    public func format(_ results: [LintFileResult]) -> String {
        var out = ""
        var errors = 0, warnings = 0, suppressed = 0
        for r in results {
            for d in r.diagnostics {
                out += format(d, source: r.source)
                if d.suppression != nil { suppressed += 1 } else if d.severity == .error { errors += 1 } else if d.severity == .warning { warnings += 1 }
            }
        }
        let files = results.count
        var summary = "\(files) file\(files == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        if suppressed > 0 { summary += ", \(suppressed) suppressed" }
        out += summary + "\n"
        return out
    }
}

extension String {
    /// Tabs become one space so the caret column (counted in scalars) lines up.
    func replacingTabs() -> String { String(map { $0 == "\t" ? " " : $0 }) }
}
