/// A JSON payload template rewritten without the whitespace `JSON.parse` ignores, for
/// `payload.normalize: javascript`.
///
/// A payload template is usually written readably (`{ "event_type": "{{event}}", ... }`),
/// so its output is never in `JSON.stringify` form and normalizing it means rewriting every
/// body. Rendering the compacted template instead gives output that usually is in that form
/// already, so the normalization only scans it (no copy, no allocation).
///
/// Why the normalized body is the same: the rewrite removes only JSON whitespace (space, tab,
/// LF, CR) outside JSON strings of the literal text, and only next to a structural character
/// (`{ } [ ] , :`), at the start or at the end. A structural character is a token of its own,
/// so no two tokens merge and the token sequence of every rendered body is unchanged:
/// `JSON.parse` reads the same value from both bodies (or rejects both). Holes are
/// untouched, and each hole keeps its escaping, because the template compiler decides it from
/// whether the literal text before it leaves a JSON string open, which whitespace outside
/// strings does not change. The renderer still normalizes the compacted output, and on any
/// error renders the original template, so error messages (which give positions) are the
/// original ones. `CompactJSONTemplateTests` checks the equality on chosen and random
/// templates and events.
///
/// Only templates whose holes are plain `{{path}}` or `{{helper path ...}}` expressions are
/// rewritten; anything else (blocks, partials, comments, `{{{ }}}`, `~`, `\{{`, string or
/// hash arguments) keeps the original template.
enum CompactJSONTemplate {
    /// The compacted source, or nil if the template is not one this rewrites (or nothing
    /// would change).
    static func compact(_ source: String) -> String? {
        let s = Array(source.utf8)
        let n = s.count
        var out: [UInt8] = []
        out.reserveCapacity(n)
        var inString = false, escaped = false
        // Outside strings: the last thing kept (nil at the start), and the whitespace run
        // after it, not yet decided.
        var last: Last?
        var pending: [UInt8] = []
        var removed = false

        /// Keeps or drops the pending whitespace before `next` (nil: the end of the template).
        func settle(before next: Next?) {
            guard !pending.isEmpty else { return }
            defer { pending.removeAll(keepingCapacity: true) }
            var drop: Bool
            switch (last, next) {
            case (nil, _), (_, nil): drop = true
            case (.byte(let b)?, .byte(let c)?): drop = isStructural(b) || isStructural(c)
            case (.byte(let b)?, .hole?): drop = isStructural(b)
            case (.hole?, .byte(let c)?): drop = isStructural(c)
            case (.hole?, .hole?): drop = false
            }
            // Never create `{{` (a tag opening, or `{{{`). `{{x}}}` is safe: after a `{{` opener
            // the lexer reads `}}` as the close and the third brace as text (pinned by a test).
            if case .byte(UInt8(ascii: "{"))? = last {
                if case .hole? = next { drop = false }
                if case .byte(UInt8(ascii: "{"))? = next { drop = false }
            }
            if drop { removed = true } else { out.append(contentsOf: pending) }
        }

        var i = 0
        while i < n {
            if s[i] == UInt8(ascii: "{"), i + 1 < n, s[i + 1] == UInt8(ascii: "{") {
                // A tag: only a plain expression, taken as one opaque token.
                if i > 0, s[i - 1] == UInt8(ascii: "\\") { return nil }
                var close = i + 2
                while close + 1 < n, !(s[close] == UInt8(ascii: "}") && s[close + 1] == UInt8(ascii: "}")) { close += 1 }
                guard close + 1 < n, isPlainExpression(s[(i + 2)..<close]) else { return nil }
                if !inString {
                    settle(before: .hole)
                    last = .hole
                }
                out.append(contentsOf: s[i..<(close + 2)])
                i = close + 2
                continue
            }
            let b = s[i]
            i += 1
            if inString {
                out.append(b)
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            if isJSONSpace(b) {
                pending.append(b)
                continue
            }
            settle(before: .byte(b))
            out.append(b)
            last = .byte(b)
            if b == UInt8(ascii: "\"") { inString = true }
        }
        settle(before: nil)
        guard removed else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    private enum Last { case byte(UInt8), hole }
    private typealias Next = Last

    @inline(__always)
    static func isJSONSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    @inline(__always)
    static func isStructural(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "{") || b == UInt8(ascii: "}") || b == UInt8(ascii: "[") || b == UInt8(ascii: "]")
            || b == UInt8(ascii: ",") || b == UInt8(ascii: ":")
    }

    /// A path (`a.b`, `@settings.x`, `../a`, `this`) or a helper applied to paths and numbers
    /// (`lowercase event`): nothing a block, comment, partial, `else`, `~`, string, hash
    /// argument or subexpression needs.
    static func isPlainExpression(_ content: ArraySlice<UInt8>) -> Bool {
        let content = content.drop { $0 == UInt8(ascii: " ") }
        guard let first = content.first else { return false }
        let isLetter = { (b: UInt8) in (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") }
        guard isLetter(first) || first == UInt8(ascii: "@") || first == UInt8(ascii: ".") else { return false }
        for b in content {
            let ok = isLetter(b) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") || b == UInt8(ascii: "/")
                || b == UInt8(ascii: "@") || b == UInt8(ascii: "-") || b == UInt8(ascii: " ")
            if !ok { return false }
        }
        let words = content.split(separator: UInt8(ascii: " "))
        if let w = words.first, Array(w) == Array("else".utf8) { return false }
        return true
    }
}
