/// Handlebars' whitespace rules, ported from handlebars.js `compiler/whitespace-control.js`:
/// `~` strips whitespace on its side of a tag, and a block tag, `{{else}}`, comment or
/// partial alone on its line removes that whole line (a "standalone" tag), so templates can
/// be laid out readably without the layout leaking into the output.
struct WhitespaceControl {
    private var isRootSeen = false

    /// Strip information a statement reports to its enclosing program.
    private struct Strip {
        var open = false
        var close = false
        var openStandalone = false
        var closeStandalone = false
        var inlineStandalone = false
    }

    static func apply(_ program: ASTProgram) {
        var visitor = WhitespaceControl()
        visitor.visit(program)
    }

    private mutating func visit(_ program: ASTProgram) {
        let isRoot = !isRootSeen
        isRootSeen = true
        let body = program.body
        for i in body.indices {
            guard let strip = accept(body[i]) else { continue }
            // The neighbours are scanned only for a tag that can stand alone (a plain mustache,
            // the common case, cannot); both checks are pure, so skipping them changes nothing.
            let mayStandAlone = strip.openStandalone || strip.closeStandalone || strip.inlineStandalone
            let prevWS = mayStandAlone && WhitespaceControl.isPrevWhitespace(body, i, isRoot)
            let nextWS = mayStandAlone && WhitespaceControl.isNextWhitespace(body, i, isRoot)
            let openStandalone = strip.openStandalone && prevWS
            let closeStandalone = strip.closeStandalone && nextWS
            let inlineStandalone = strip.inlineStandalone && prevWS && nextWS

            if strip.close { WhitespaceControl.omitRight(body, i, multiple: true) }
            if strip.open { _ = WhitespaceControl.omitLeft(body, i, multiple: true) }

            if inlineStandalone {
                WhitespaceControl.omitRight(body, i)
                if WhitespaceControl.omitLeft(body, i) {
                    // A standalone partial indents every line it renders by the removed indent.
                    if case .partial(let partial) = body[i], i > 0, case .content(let prev) = body[i - 1] {
                        partial.indent = WhitespaceControl.trailingIndent(prev.original)
                    }
                }
            }
            if openStandalone, case .block(let block) = body[i], let first = block.program ?? block.inverse {
                WhitespaceControl.omitRight(first.body, nil)
                _ = WhitespaceControl.omitLeft(body, i)
            }
            if closeStandalone, case .block(let block) = body[i], let last = block.inverse ?? block.program {
                WhitespaceControl.omitRight(body, i)
                _ = WhitespaceControl.omitLeft(last.body, nil)
            }
        }
    }

    private mutating func accept(_ node: ASTNode) -> Strip? {
        switch node {
        case .content, .raw: return nil
        case .mustache(let m): return Strip(open: m.strip.open, close: m.strip.close)
        case .comment(let c): return Strip(open: c.strip.open, close: c.strip.close, inlineStandalone: true)
        case .partial(let p): return Strip(open: p.strip.open, close: p.strip.close, inlineStandalone: true)
        case .block(let b): return visitBlock(b)
        }
    }

    private mutating func visitBlock(_ block: ASTBlock) -> Strip {
        if let p = block.program { visit(p) }
        if let inv = block.inverse { visit(inv) }
        guard let program = block.program ?? block.inverse else { return Strip() }
        let inverse = block.program != nil ? block.inverse : nil
        var firstInverse = inverse
        var lastInverse = inverse
        if let inv = inverse, inv.chained {
            if case .block(let b) = inv.body.first { firstInverse = b.program }
            while let l = lastInverse, l.chained, case .block(let b) = l.body.last {
                lastInverse = b.program
            }
        }
        let strip = Strip(open: block.openStrip.open, close: block.closeStrip.close,
                          openStandalone: WhitespaceControl.isNextWhitespace(program.body, -1, false),
                          closeStandalone: WhitespaceControl.isPrevWhitespace((firstInverse ?? program).body, (firstInverse ?? program).body.count, false))
        if block.openStrip.close { WhitespaceControl.omitRight(program.body, nil, multiple: true) }
        if let _ = inverse, let first = firstInverse {
            if block.inverseStrip.open { _ = WhitespaceControl.omitLeft(program.body, nil, multiple: true) }
            if block.inverseStrip.close { WhitespaceControl.omitRight(first.body, nil, multiple: true) }
            if block.closeStrip.open, let last = lastInverse { _ = WhitespaceControl.omitLeft(last.body, nil, multiple: true) }
            // A standalone `{{else}}`.
            if WhitespaceControl.isPrevWhitespace(program.body, program.body.count, false),
               WhitespaceControl.isNextWhitespace(first.body, -1, false) {
                _ = WhitespaceControl.omitLeft(program.body, nil)
                WhitespaceControl.omitRight(first.body, nil)
            }
        } else if block.closeStrip.open {
            _ = WhitespaceControl.omitLeft(program.body, nil, multiple: true)
        }
        return strip
    }

    // MARK: - The regular expressions of whitespace-control.js, over Unicode scalars.

    /// JavaScript's `\s`.
    static func isJSSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: return true
        default: return false
        }
    }

    /// `/\r?\n\s*?$/` (or `/(^|\r?\n)\s*?$/` when `allowStart`): only whitespace after the last newline.
    private static func endsWithNewlineAndSpace(_ s: String, allowStart: Bool) -> Bool {
        let scalars = Array(s.unicodeScalars)
        var k = scalars.count
        // Walk back over whitespace; the text must contain a newline within that run.
        while k > 0, isJSSpace(scalars[k - 1]) {
            if scalars[k - 1] == "\n" { return true }
            k -= 1
        }
        return allowStart && k == 0
    }

    /// `/^\s*?\r?\n/` (or `/^\s*?(\r?\n|$)/` when `allowEnd`).
    private static func startsWithSpaceAndNewline(_ s: String, allowEnd: Bool) -> Bool {
        var k = 0
        let scalars = Array(s.unicodeScalars)
        while k < scalars.count, isJSSpace(scalars[k]) {
            if scalars[k] == "\n" { return true }
            k += 1
        }
        return allowEnd && k == scalars.count
    }

    static func isPrevWhitespace(_ body: [ASTNode], _ i: Int, _ isRoot: Bool) -> Bool {
        guard i - 1 >= 0, i - 1 < body.count else { return isRoot }
        guard case .content(let prev) = body[i - 1] else { return false }
        let hasSibling = i - 2 >= 0
        return endsWithNewlineAndSpace(prev.original, allowStart: !hasSibling && isRoot)
    }

    static func isNextWhitespace(_ body: [ASTNode], _ i: Int, _ isRoot: Bool) -> Bool {
        guard i + 1 < body.count, i + 1 >= 0 else { return isRoot }
        guard case .content(let next) = body[i + 1] else { return false }
        let hasSibling = i + 2 < body.count
        return startsWithSpaceAndNewline(next.original, allowEnd: !hasSibling && isRoot)
    }

    /// Strips the start of the content after position `i` (or of the first node when nil):
    /// `/^[ \t]*\r?\n?/` once, or all leading whitespace when `multiple`.
    static func omitRight(_ body: [ASTNode], _ i: Int?, multiple: Bool = false) {
        let index = i.map { $0 + 1 } ?? 0
        guard index < body.count, case .content(let current) = body[index] else { return }
        if !multiple && current.rightStripped { return }
        let original = current.value
        let scalars = Array(current.value.unicodeScalars)
        var k = 0
        if multiple {
            while k < scalars.count, isJSSpace(scalars[k]) { k += 1 }
        } else {
            while k < scalars.count, scalars[k] == " " || scalars[k] == "\t" { k += 1 }
            if k < scalars.count, scalars[k] == "\r" { k += 1 }
            if k < scalars.count, scalars[k] == "\n" { k += 1 }
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[k...])
        current.value = String(view)
        current.rightStripped = current.value != original
    }

    /// Strips the end of the content before position `i` (or of the last node when nil):
    /// `/[ \t]+$/`, or all trailing whitespace when `multiple`. Returns whether it changed.
    static func omitLeft(_ body: [ASTNode], _ i: Int?, multiple: Bool = false) -> Bool {
        let index = i.map { $0 - 1 } ?? body.count - 1
        guard index >= 0, index < body.count, case .content(let current) = body[index] else { return false }
        if !multiple && current.leftStripped { return false }
        let original = current.value
        var scalars = Array(current.value.unicodeScalars)
        if multiple {
            while let c = scalars.last, isJSSpace(c) { scalars.removeLast() }
        } else {
            while let c = scalars.last, c == " " || c == "\t" { scalars.removeLast() }
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        current.value = String(view)
        current.leftStripped = current.value != original
        return current.leftStripped
    }

    /// The `[ \t]+` at the end of the line before a standalone partial.
    static func trailingIndent(_ s: String) -> String {
        var scalars = Array(s.unicodeScalars)
        var tail: [Unicode.Scalar] = []
        while let c = scalars.last, c == " " || c == "\t" {
            tail.append(c)
            scalars.removeLast()
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: tail.reversed())
        return String(view)
    }
}
