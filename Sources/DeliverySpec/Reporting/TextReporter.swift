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
        var out = "\(head): \(severityText)[\(d.code)]: \(paint(Self.capped(d.message), "1"))"
        var excerpt: (text: String, caretColumn: Int, width: Int)?
        if let loc = d.location, let source {
            var width = 1
            if let end = d.endLocation, end.line == loc.line, end.column > loc.column { width = end.column - loc.column }
            excerpt = Self.excerpt(source.bytes, offset: loc.offset, width: width)
        }
        // Room for the rest at once: appending the ~30 pieces below to a string that grows
        // as it goes cost more than forming them.
        func room(_ s: String?) -> Int { min(s?.utf8.count ?? 0, 64 + 4 * Self.maxMessageCharacters) }
        var rest = 64 + room(d.suppression) + room(d.pointer) + room(d.hint) + room(d.suggestion)
        if let excerpt { rest += 64 + excerpt.text.utf8.count + excerpt.caretColumn + excerpt.width }
        out.reserveCapacity(out.utf8.count + rest)
        if let reason = d.suppression { out += " (suppressed: \(reason))" }
        out += "\n"
        if let loc = d.location, let excerpt {
            let gutter = String(loc.line)
            let pad = Self.repeated(UInt8(ascii: " "), gutter.count)
            out += " \(pad) |\n"
            out += " \(gutter) | \(excerpt.text)\n"
            let caret = Self.repeated(UInt8(ascii: " "), excerpt.caretColumn - 1) + "^" + Self.repeated(UInt8(ascii: "~"), excerpt.width - 1)
            out += " \(pad) | \(paint(caret, "1;32"))\n"
        }
        if let pointer = d.pointer { out += "   = at: \(pointer.isEmpty ? "/" : Self.capped(pointer))\n" }
        if let hint = d.hint { out += "   = hint: \(Self.capped(hint))\n" }
        if let suggestion = d.suggestion { out += "   = did you mean: \(Self.capped(suggestion))\n" }
        return out
    }

    /// The most diagnostics printed per file; the summary line still counts them all.
    public static let maxDiagnosticsPerFile = 1_000

    /// The widest source excerpt shown, in columns: a longer line is cut to a window around
    /// the caret, with `…` where text was left out. Without it, N diagnostics on one long line
    /// print that line N times (2,000 duplicate keys on one line printed 72 MB).
    public static let maxExcerptColumns = 120
    /// The longest message, pointer, hint or suggestion printed, in characters (values quoted
    /// in a message can be as long as the file).
    public static let maxMessageCharacters = 1000

    static func capped(_ text: String) -> String {
        // Fast path: a text of at most that many UTF-8 bytes has at most that many scalars
        // (counting the bytes is O(1); counting the scalars walks the text).
        if text.utf8.count <= maxMessageCharacters { return text }
        return cappedGeneral(text)
    }

    /// ``capped(_:)`` without its fast path (the reference its tests compare with).
    static func cappedGeneral(_ text: String) -> String {
        guard text.unicodeScalars.count > maxMessageCharacters else { return text }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.prefix(maxMessageCharacters))
        return String(scalars) + "… (\(text.utf8.count) bytes)"
    }

    /// The line around byte `offset`, at most ``maxExcerptColumns`` columns, tabs as spaces;
    /// the caret's column within it and the underline width. Only bytes near `offset` are
    /// read, so the cost per diagnostic does not grow with the line.
    static func excerpt(_ bytes: [UInt8], offset: Int, width: Int) -> (text: String, caretColumn: Int, width: Int) {
        let limit = maxExcerptColumns
        let at = max(0, min(offset, bytes.count))
        func isNewline(_ i: Int) -> Bool { bytes[i] == 10 || (bytes[i] == 13 && (i + 1 == bytes.count || bytes[i + 1] == 10)) }
        // Scalar start offsets before the caret (nearest first) and from the caret on.
        var before: [Int] = []
        before.reserveCapacity(limit + 1)
        var i = at
        var lineStartReached = false
        while before.count <= limit {
            if i == 0 || bytes[i - 1] == 10 { lineStartReached = true; break }
            i -= 1
            if bytes[i] & 0xC0 != 0x80 { before.append(i) }
        }
        var after: [Int] = []
        after.reserveCapacity(limit + 1)
        i = at
        var lineEndReached = false
        while after.count <= limit {
            if i == bytes.count || isNewline(i) { lineEndReached = true; break }
            if bytes[i] & 0xC0 != 0x80 { after.append(i) }
            i += 1
        }
        let lineEnd = i
        // Keep up to half the window before the caret, more when the line ends soon after it.
        var keepBefore = min(before.count, limit / 2)
        let keepAfter = min(after.count, limit - keepBefore)
        keepBefore = min(before.count, limit - keepAfter)
        let from = keepBefore == 0 ? at : before[keepBefore - 1]
        let to = keepAfter < after.count ? after[keepAfter] : lineEnd
        let cutLeft = keepBefore < before.count || !lineStartReached
        let cutRight = keepAfter < after.count || !lineEndReached
        var text = String(decoding: bytes[from..<max(from, to)], as: UTF8.self).replacingTabs()
        if text.hasSuffix("\r") { text.removeLast() }
        if cutLeft { text = "…" + text }
        if cutRight { text += "…" }
        let caretColumn = keepBefore + 1 + (cutLeft ? 1 : 0)
        let underline = max(1, min(width, max(1, keepAfter)))
        return (text, caretColumn, underline)
    }

    /// `count` copies of an ASCII byte (none for a count below 1): `String(repeating:count:)`
    /// repeats a String by Characters, ~7k instructions for a caret line.
    static func repeated(_ byte: UInt8, _ count: Int) -> String {
        guard count > 0 else { return "" }
        // Fast path for an ASCII byte (every caller's): the bytes written into the string's
        // own storage, not decoded one by one from a lazy sequence.
        guard byte < 0x80 else { return repeatedGeneral(byte, count) }
        return String(unsafeUninitializedCapacity: count) { buffer in
            buffer.initialize(repeating: byte)
            return count
        }
    }

    /// ``repeated(_:_:)`` without its fast path (the reference its tests compare with).
    static func repeatedGeneral(_ byte: UInt8, _ count: Int) -> String {
        count > 0 ? String(decoding: repeatElement(byte, count: count), as: UTF8.self) : ""
    }

    /// Formats a whole run, with a summary line.
    public func format(_ results: [LintFileResult]) -> String {
        format(results.map { FilePart($0, reporter: self) })
    }

    /// One file's share of ``format(_:)-([LintFileResult])``: its text and its counts. Formed
    /// where the file was linted (`dspec lint` does it on the worker threads, which also lets
    /// the file's source and document be freed there), then joined in file order by
    /// ``format(_:)-([FilePart])``, byte for byte what formatting the results at once gives.
    public struct FilePart: Sendable {
        /// The file's findings as printed.
        public var text: String
        /// Unsuppressed errors, unsuppressed warnings, suppressed findings.
        public var errors = 0, warnings = 0, suppressed = 0

        /// Formats one file's findings with `reporter`.
        public init(_ r: LintFileResult, reporter: TextReporter) {
            var out = ""
            var shown = 0
            // Findings past DiagnosticCollector.maxLocatedDiagnostics have no position; the
            // located ones (with excerpts) come first.
            for d in r.diagnostics.filter({ $0.location != nil }) + r.diagnostics.filter({ $0.location == nil }) {
                if shown < TextReporter.maxDiagnosticsPerFile { out += reporter.format(d, source: r.source) }
                shown += 1
                if d.suppression != nil { suppressed += 1 } else if d.severity == .error { errors += 1 } else if d.severity == .warning { warnings += 1 }
            }
            if shown > TextReporter.maxDiagnosticsPerFile {
                out += "\(r.path): \(shown - TextReporter.maxDiagnosticsPerFile) more diagnostics not shown (the first \(TextReporter.maxDiagnosticsPerFile) are; --format json lists all)\n"
            }
            text = out
        }
    }

    /// Joins the files' parts in order and adds the summary line.
    public func format(_ parts: [FilePart]) -> String {
        var out = ""
        out.reserveCapacity(parts.reduce(0) { $0 + $1.text.utf8.count } + 80)
        var errors = 0, warnings = 0, suppressed = 0
        for p in parts {
            out += p.text
            errors += p.errors
            warnings += p.warnings
            suppressed += p.suppressed
        }
        let files = parts.count
        var summary = "\(files) file\(files == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        if suppressed > 0 { summary += ", \(suppressed) suppressed" }
        out += summary + "\n"
        return out
    }
}

extension String {
    /// Tabs become one space so the caret column (counted in scalars) lines up.
    /// A tab is always a grapheme cluster of its own (a control character), so replacing its
    /// byte is the same as replacing the Character, without walking Characters (~50k
    /// instructions per excerpt line).
    func replacingTabs() -> String {
        guard utf8.contains(9) else { return self }
        return String(decoding: utf8.map { $0 == 9 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
