/// One token of a template, positioned by UTF-8 byte offsets.
struct Token {
    /// Token kinds, following the handlebars.js lexer (`handlebars.l`) so the grammar and the
    /// whitespace rules can be ported case for case.
    enum Kind: Equatable {
        case content            // literal text; `text` holds it (escapes already removed)
        case comment            // a complete `{{! }}` or `{{!-- --}}`
        case open               // `{{`
        case openUnescaped      // `{{{`
        case openAmp            // `{{&`
        case openBlock          // `{{#`
        case openEndBlock       // `{{/`
        case openInverse        // `{{^`
        case openInverseChain   // `{{else ` (followed by an expression)
        case inverse            // a complete `{{else}}` or `{{^}}`
        case openPartial        // `{{>`
        case rawBlock           // a complete `{{{{name}}}}...{{{{/name}}}}`; `text` is the body
        case close              // `}}`
        case closeUnescaped     // `}}}`
        case id                 // a path segment or helper name; `text` holds it
        case literalID          // a `[bracketed]` segment; `text` holds it without brackets
        case sep                // `.` or `/` between segments
        case data               // `@`
        case string             // a quoted literal; `text` holds the unescaped value
        case number
        case boolean
        case null
        case undefined
        case equals
        case openSexpr
        case closeSexpr
        case eof
    }

    var kind: Kind
    var start: Int
    var end: Int
    var text: String = ""
    /// `~` on the opening side (`{{~`): strip whitespace before the tag.
    var stripOpen = false
    /// `~` on the closing side (`~}}`): strip whitespace after the tag.
    var stripClose = false
}

/// Splits template source into tokens. Works on bytes so every position is a UTF-8 offset.
struct Lexer {
    let src: [UInt8]
    var i = 0
    var tokens: [Token] = []

    init(_ source: [UInt8]) {
        src = source
        // One allocation for the token list of a typical template (a tag of one to three path
        // segments is three to seven tokens, about one per four source bytes); a longer list
        // still grows as before. Capped so a large literal body does not reserve much.
        tokens.reserveCapacity(min(source.count / 4 + 4, 1024))
    }

    static func tokenize(_ source: [UInt8]) throws(TemplateSyntaxError) -> [Token] {
        var lexer = Lexer(source)
        try lexer.run()
        return lexer.tokens
    }

    private func at(_ k: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard k + n <= src.count else { return false }
        return s.withUTF8Buffer { b in
            for j in 0..<n where src[k + j] != b[j] { return false }
            return true
        }
    }

    private func find(_ s: StaticString, from k: Int) -> Int? {
        var p = k
        while p < src.count {
            if at(p, s) { return p }
            p += 1
        }
        return nil
    }

    private func text(_ a: Int, _ b: Int) -> String { String(decoding: src[a..<b], as: UTF8.self) }

    private func error(_ message: String, _ offset: Int, _ length: Int = 1) -> TemplateSyntaxError {
        TemplateSyntaxError(message: message, offset: offset, length: max(0, min(length, src.count - offset)))
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }

    private mutating func emitContent(_ a: Int, _ b: Int) {
        if b > a { tokens.append(Token(kind: .content, start: a, end: b, text: text(a, b))) }
    }

    mutating func run() throws(TemplateSyntaxError) {
        while i < src.count {
            guard let j = find("{{", from: i) else {
                emitContent(i, src.count)
                i = src.count
                break
            }
            // `\{{` escapes a mustache; `\\{{` is a literal backslash followed by a mustache.
            if j > i, src[j - 1] == UInt8(ascii: "\\") {
                if j - 1 > i, src[j - 2] == UInt8(ascii: "\\") {
                    emitContent(i, j - 1)
                    i = j
                } else {
                    emitContent(i, j - 1)
                    var p = j + 2
                    while p < src.count, !(at(p, "{{") || at(p, "\\{{") || at(p, "\\\\{{")) { p += 1 }
                    emitContent(j, p)
                    i = p
                    continue
                }
            } else {
                emitContent(i, j)
                i = j
            }
            try lexTag()
        }
        tokens.append(Token(kind: .eof, start: src.count, end: src.count))
    }

    private mutating func skipSpaces() {
        while i < src.count, Lexer.isSpace(src[i]) { i += 1 }
    }

    /// Lexes one tag starting at `{{`.
    private mutating func lexTag() throws(TemplateSyntaxError) {
        let start = i
        if at(i, "{{{{") { try lexRawBlock(); return }
        var k = i + 2
        let strip = k < src.count && src[k] == UInt8(ascii: "~")
        if strip { k += 1 }
        func opener(_ kind: Token.Kind, _ length: Int) {
            tokens.append(Token(kind: kind, start: start, end: k + length, stripOpen: strip))
            i = k + length
        }
        guard k < src.count else { throw error("unclosed mustache: expected an expression and '}}'", start, 2) }
        switch src[k] {
        case UInt8(ascii: "!"):
            try lexComment(start: start, bodyStart: k, strip: strip)
            return
        case UInt8(ascii: ">"): opener(.openPartial, 1)
        case UInt8(ascii: "#"):
            if k + 1 < src.count, src[k + 1] == UInt8(ascii: ">") {
                throw error("partial blocks ({{#> ...}}) are not supported; use {{> name}}", start, 3)
            }
            if k + 1 < src.count, src[k + 1] == UInt8(ascii: "*") {
                throw error("decorators ({{#* ...}}) are not supported", start, 3)
            }
            opener(.openBlock, 1)
        case UInt8(ascii: "/"): opener(.openEndBlock, 1)
        case UInt8(ascii: "^"):
            // `{{^}}` alone is an `else`.
            var p = k + 1
            while p < src.count, Lexer.isSpace(src[p]) { p += 1 }
            let closeStrip = p < src.count && src[p] == UInt8(ascii: "~")
            let q = closeStrip ? p + 1 : p
            if at(q, "}}") {
                tokens.append(Token(kind: .inverse, start: start, end: q + 2, stripOpen: strip, stripClose: closeStrip))
                i = q + 2
                return
            }
            opener(.openInverse, 1)
        case UInt8(ascii: "{"): opener(.openUnescaped, 1)
        case UInt8(ascii: "&"): opener(.openAmp, 1)
        case UInt8(ascii: "*"): throw error("decorators ({{* ...}}) are not supported", start, 3)
        default:
            // `{{else}}` / `{{else if ...}}`
            var p = k
            while p < src.count, Lexer.isSpace(src[p]) { p += 1 }
            if at(p, "else") {
                var q = p + 4
                let next = q < src.count ? src[q] : 0
                if Lexer.isSpace(next) || next == UInt8(ascii: "~") || next == UInt8(ascii: "}") {
                    while q < src.count, Lexer.isSpace(src[q]) { q += 1 }
                    let closeStrip = q < src.count && src[q] == UInt8(ascii: "~")
                    let r = closeStrip ? q + 1 : q
                    if at(r, "}}") {
                        tokens.append(Token(kind: .inverse, start: start, end: r + 2, stripOpen: strip, stripClose: closeStrip))
                        i = r + 2
                        return
                    }
                    tokens.append(Token(kind: .openInverseChain, start: start, end: p + 4, stripOpen: strip))
                    i = p + 4
                    try lexExpression(tagStart: start)
                    return
                }
            }
            opener(.open, 0)
        }
        try lexExpression(tagStart: start)
    }

    private mutating func lexComment(start: Int, bodyStart k: Int, strip: Bool) throws(TemplateSyntaxError) {
        if at(k, "!--") {
            var p = k + 3
            while p < src.count {
                if at(p, "--}}") {
                    tokens.append(Token(kind: .comment, start: start, end: p + 4, text: text(k + 3, p), stripOpen: strip))
                    i = p + 4
                    return
                }
                if at(p, "--~}}") {
                    tokens.append(Token(kind: .comment, start: start, end: p + 5, text: text(k + 3, p), stripOpen: strip, stripClose: true))
                    i = p + 5
                    return
                }
                p += 1
            }
            throw error("unclosed comment: expected '--}}'", start, 5)
        }
        guard let p = find("}}", from: k + 1) else { throw error("unclosed comment: expected '}}'", start, 3) }
        let closeStrip = p > k + 1 && src[p - 1] == UInt8(ascii: "~")
        tokens.append(Token(kind: .comment, start: start, end: p + 2, text: text(k + 1, closeStrip ? p - 1 : p), stripOpen: strip, stripClose: closeStrip))
        i = p + 2
    }

    /// `{{{{name}}}} body {{{{/name}}}}`: the body is literal text; nested raw blocks of the
    /// same name are counted so they can appear inside.
    private mutating func lexRawBlock() throws(TemplateSyntaxError) {
        let start = i
        var p = i + 4
        if p < src.count, src[p] == UInt8(ascii: "/") { throw error("raw block close without a matching {{{{open}}}}", start, 5) }
        while p < src.count, Lexer.isSpace(src[p]) { p += 1 }
        let nameStart = p
        while p < src.count, !Lexer.isSpace(src[p]), src[p] != UInt8(ascii: "}") { p += 1 }
        let name = text(nameStart, p)
        while p < src.count, Lexer.isSpace(src[p]) { p += 1 }
        guard !name.isEmpty, at(p, "}}}}") else { throw error("malformed raw block: expected {{{{name}}}}", start, max(1, p - start)) }
        let bodyStart = p + 4
        var depth = 0
        var q = bodyStart
        while q < src.count {
            if at(q, "{{{{/") {
                var r = q + 5
                while r < src.count, Lexer.isSpace(src[r]) { r += 1 }
                let closeNameStart = r
                while r < src.count, !Lexer.isSpace(src[r]), src[r] != UInt8(ascii: "}") { r += 1 }
                let closeName = text(closeNameStart, r)
                while r < src.count, Lexer.isSpace(src[r]) { r += 1 }
                if at(r, "}}}}") {
                    if depth == 0 {
                        guard closeName == name else {
                            throw error("{{{{/\(closeName)}}}} does not match the raw block {{{{\(name)}}}} opened at byte \(start)", q, r + 4 - q)
                        }
                        tokens.append(Token(kind: .rawBlock, start: start, end: r + 4, text: text(bodyStart, q)))
                        i = r + 4
                        return
                    }
                    depth -= 1
                    q = r + 4
                    continue
                }
            } else if at(q, "{{{{") {
                depth += 1
                q += 4
                continue
            }
            q += 1
        }
        throw error("unclosed raw block {{{{\(name)}}}}", start, bodyStart - start)
    }

    /// Characters that end an identifier (handlebars.l's ID class, plus the lookahead set).
    static func isIDChar(_ b: UInt8) -> Bool {
        if b >= 0x80 { return true }
        if isSpace(b) { return false }
        switch b {
        case UInt8(ascii: "!"), UInt8(ascii: "\""), UInt8(ascii: "#"),
             UInt8(ascii: "%")...UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "/"),
             UInt8(ascii: ";")...UInt8(ascii: ">"), UInt8(ascii: "@"),
             UInt8(ascii: "[")...UInt8(ascii: "^"), UInt8(ascii: "`"),
             UInt8(ascii: "{")...UInt8(ascii: "~"):
            return false
        default:
            return b >= 0x20
        }
    }

    private func literalFollows(_ p: Int) -> Bool {
        guard p < src.count else { return true }
        let b = src[p]
        return b == UInt8(ascii: "~") || b == UInt8(ascii: "}") || b == UInt8(ascii: ")") || Lexer.isSpace(b)
    }

    /// Lexes the inside of a mustache up to and including its close.
    private mutating func lexExpression(tagStart: Int) throws(TemplateSyntaxError) {
        while true {
            skipSpaces()
            guard i < src.count else {
                throw error("unclosed mustache: expected '}}'", tagStart, 2)
            }
            let b = src[i]
            let start = i
            if b == UInt8(ascii: "~"), at(i + 1, "}}") || at(i + 1, "}}}") {
                if at(i + 1, "}}}") {
                    tokens.append(Token(kind: .closeUnescaped, start: start, end: i + 4, stripClose: true))
                    i += 4
                } else {
                    tokens.append(Token(kind: .close, start: start, end: i + 3, stripClose: true))
                    i += 3
                }
                return
            }
            if at(i, "}~}}"), openerIsUnescaped() {
                tokens.append(Token(kind: .closeUnescaped, start: start, end: i + 4, stripClose: true))
                i += 4
                return
            }
            if at(i, "}}}"), openerIsUnescaped() {
                tokens.append(Token(kind: .closeUnescaped, start: start, end: i + 3))
                i += 3
                return
            }
            if at(i, "}}") {
                tokens.append(Token(kind: .close, start: start, end: i + 2))
                i += 2
                return
            }
            switch b {
            case UInt8(ascii: "("): tokens.append(Token(kind: .openSexpr, start: start, end: i + 1)); i += 1
            case UInt8(ascii: ")"): tokens.append(Token(kind: .closeSexpr, start: start, end: i + 1)); i += 1
            case UInt8(ascii: "="): tokens.append(Token(kind: .equals, start: start, end: i + 1)); i += 1
            case UInt8(ascii: "@"): tokens.append(Token(kind: .data, start: start, end: i + 1)); i += 1
            case UInt8(ascii: "."):
                if at(i, "..") {
                    tokens.append(Token(kind: .id, start: start, end: i + 2, text: ".."))
                    i += 2
                } else if i + 1 >= src.count || !Lexer.isIDChar(src[i + 1]) && src[i + 1] != UInt8(ascii: "[") {
                    tokens.append(Token(kind: .id, start: start, end: i + 1, text: "."))
                    i += 1
                } else {
                    tokens.append(Token(kind: .sep, start: start, end: i + 1, text: "."))
                    i += 1
                }
            case UInt8(ascii: "/"):
                tokens.append(Token(kind: .sep, start: start, end: i + 1, text: "/"))
                i += 1
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                var p = i + 1
                var value: [UInt8] = []
                while p < src.count, src[p] != b {
                    if src[p] == UInt8(ascii: "\\"), p + 1 < src.count, src[p + 1] == b {
                        value.append(b)
                        p += 2
                        continue
                    }
                    value.append(src[p])
                    p += 1
                }
                guard p < src.count else { throw error("unterminated string literal", start, p - start) }
                tokens.append(Token(kind: .string, start: start, end: p + 1, text: String(decoding: value, as: UTF8.self)))
                i = p + 1
            case UInt8(ascii: "["):
                var p = i + 1
                var value: [UInt8] = []
                while p < src.count, src[p] != UInt8(ascii: "]") {
                    if src[p] == UInt8(ascii: "\\"), p + 1 < src.count, src[p + 1] == UInt8(ascii: "]") {
                        value.append(UInt8(ascii: "]"))
                        p += 2
                        continue
                    }
                    value.append(src[p])
                    p += 1
                }
                guard p < src.count else { throw error("unterminated [literal segment]", start, p - start) }
                tokens.append(Token(kind: .literalID, start: start, end: p + 1, text: String(decoding: value, as: UTF8.self)))
                i = p + 1
            default:
                // Numbers: -?[0-9]+(\.[0-9]+)? followed by a literal terminator.
                var p = i
                if src[p] == UInt8(ascii: "-") { p += 1 }
                let digitsStart = p
                while p < src.count, src[p] >= 0x30, src[p] <= 0x39 { p += 1 }
                if p > digitsStart {
                    if p + 1 < src.count, src[p] == UInt8(ascii: "."), src[p + 1] >= 0x30, src[p + 1] <= 0x39 {
                        p += 1
                        while p < src.count, src[p] >= 0x30, src[p] <= 0x39 { p += 1 }
                    }
                    if literalFollows(p) {
                        tokens.append(Token(kind: .number, start: start, end: p, text: text(start, p)))
                        i = p
                        continue
                    }
                }
                var q = i
                while q < src.count, Lexer.isIDChar(src[q]) { q += 1 }
                guard q > i else {
                    throw error("unexpected character '\(String(decoding: [b], as: UTF8.self))' in a mustache", start)
                }
                let word = text(i, q)
                var kind = Token.Kind.id
                if literalFollows(q) {
                    switch word {
                    case "true", "false": kind = .boolean
                    case "null": kind = .null
                    case "undefined": kind = .undefined
                    default: break
                    }
                }
                if word == "as", q < src.count, Lexer.isSpace(src[q]) {
                    var r = q
                    while r < src.count, Lexer.isSpace(src[r]) { r += 1 }
                    if r < src.count, src[r] == UInt8(ascii: "|") {
                        throw error("block parameters (as |x|) are not supported; use this or @index", start, r + 1 - start)
                    }
                }
                tokens.append(Token(kind: kind, start: start, end: q, text: word))
                i = q
            }
        }
    }

    /// True if the innermost open tag is `{{{`, so `}}}` closes it (otherwise `}}` closes the
    /// mustache and the third brace is left to the next lexing step, which reports it).
    private func openerIsUnescaped() -> Bool {
        for t in tokens.reversed() {
            switch t.kind {
            case .openUnescaped: return true
            case .open, .openAmp, .openBlock, .openEndBlock, .openInverse, .openInverseChain, .openPartial: return false
            default: continue
            }
        }
        return false
    }
}
