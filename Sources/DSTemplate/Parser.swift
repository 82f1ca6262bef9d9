import DSJSON

/// Recursive-descent parser over the lexer's tokens, following handlebars.js' grammar
/// (`handlebars.yy`): programs, mustaches, blocks with `{{else}}` and `{{else if}}` chains,
/// partials, comments, raw blocks, subexpressions and hash arguments.
struct Parser {
    private var tokens: [Token]
    private var p = 0
    private var nesting = 0
    /// Bound on block and subexpression nesting, so hostile input cannot exhaust the stack.
    static let maxNesting = 100

    init(tokens: [Token]) { self.tokens = tokens }

    static func parse(_ source: [UInt8]) throws(TemplateSyntaxError) -> ASTProgram {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        let program = try parser.parseProgram()
        let t = parser.tokens[parser.p]
        switch t.kind {
        case .eof: return program
        case .openEndBlock:
            throw TemplateSyntaxError(message: "unexpected closing tag without a matching block", offset: t.start, length: parser.tagLength(from: parser.p))
        case .inverse, .openInverseChain:
            throw TemplateSyntaxError(message: "{{else}} outside a block", offset: t.start, length: t.end - t.start)
        default:
            throw TemplateSyntaxError(message: "unexpected token", offset: t.start, length: t.end - t.start)
        }
    }

    private var current: Token { tokens[p] }

    /// An array index after a separator (`items.1`), which the lexer reads as a number.
    static func isIndex(_ t: Token) -> Bool {
        t.kind == .number && !t.text.isEmpty && t.text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    private func tagLength(from index: Int) -> Int {
        var k = index
        while k < tokens.count, tokens[k].kind != .close, tokens[k].kind != .closeUnescaped, tokens[k].kind != .eof { k += 1 }
        let end = k < tokens.count && tokens[k].kind != .eof ? tokens[k].end : tokens[index].end
        return end - tokens[index].start
    }

    private func unexpected(_ t: Token, expecting: String) -> TemplateSyntaxError {
        let what: String
        switch t.kind {
        case .eof: what = "end of template"
        case .close, .closeUnescaped: what = "'}}'"
        default: what = "'\(t.text.isEmpty ? "token" : t.text)'"
        }
        return TemplateSyntaxError(message: "expected \(expecting) but found \(what)", offset: t.start, length: max(1, t.end - t.start))
    }

    /// Statements until a token that ends a program (`{{/`, `{{else}}`, `{{else if`, EOF).
    mutating func parseProgram() throws(TemplateSyntaxError) -> ASTProgram {
        var body: [ASTNode] = []
        while true {
            let t = current
            switch t.kind {
            case .content:
                body.append(.content(ASTContent(t.text, offset: t.start)))
                p += 1
            case .comment:
                body.append(.comment(ASTComment(strip: StripFlags(open: t.stripOpen, close: t.stripClose))))
                p += 1
            case .rawBlock:
                body.append(.raw(ASTContent(t.text, offset: t.start)))
                p += 1
            case .open, .openUnescaped, .openAmp:
                body.append(.mustache(try parseMustache()))
            case .openBlock, .openInverse:
                body.append(.block(try parseBlock()))
            case .openPartial:
                body.append(.partial(try parsePartial()))
            case .openEndBlock, .inverse, .openInverseChain, .eof:
                return ASTProgram(body: body)
            default:
                throw unexpected(t, expecting: "text or a mustache")
            }
        }
    }

    private mutating func expectClose(unescaped: Bool, tagStart: Int? = nil) throws(TemplateSyntaxError) -> Token {
        let t = current
        if unescaped ? t.kind == .closeUnescaped : t.kind == .close {
            p += 1
            return t
        }
        if let tagStart, t.kind == .eof || t.kind == .close || t.kind == .closeUnescaped {
            // `{{{x}}` or `{{x}}}`: report the tag that is not closed properly.
            throw TemplateSyntaxError(message: "unclosed mustache: expected '\(unescaped ? "}}}" : "}}")'", offset: tagStart, length: t.end - tagStart)
        }
        throw unexpected(t, expecting: unescaped ? "'}}}'" : "'}}'")
    }

    private mutating func parseMustache() throws(TemplateSyntaxError) -> ASTMustache {
        let open = current
        p += 1
        let call = try parseCall(until: open.kind == .openUnescaped ? .closeUnescaped : .close, tagStart: open.start)
        let close = try expectClose(unescaped: open.kind == .openUnescaped, tagStart: open.start)
        return ASTMustache(call: call, escaped: open.kind == .open, strip: StripFlags(open: open.stripOpen, close: close.stripClose),
                           offset: open.start, length: close.end - open.start)
    }

    private mutating func enter(_ t: Token) throws(TemplateSyntaxError) {
        nesting += 1
        if nesting > Parser.maxNesting {
            throw TemplateSyntaxError(message: "blocks nest deeper than \(Parser.maxNesting) levels", offset: t.start, length: t.end - t.start)
        }
    }

    private mutating func parseBlock() throws(TemplateSyntaxError) -> ASTBlock {
        let open = current
        try enter(open)
        defer { nesting -= 1 }
        p += 1
        let call = try parseCall(until: .close, tagStart: open.start)
        let openClose = try expectClose(unescaped: false)
        let program = try parseProgram()
        let block = ASTBlock(call: call, program: program, inverse: nil,
                             openStrip: StripFlags(open: open.stripOpen, close: openClose.stripClose),
                             inverted: open.kind == .openInverse, offset: open.start, length: openClose.end - open.start)
        try parseInverse(into: block)
        // The close tag.
        let endTok = current
        guard endTok.kind == .openEndBlock else {
            throw TemplateSyntaxError(message: "unclosed block {{\(open.kind == .openInverse ? "^" : "#")\(call.name.original)}}: expected {{/\(call.name.original)}}",
                                      offset: open.start, length: openClose.end - open.start)
        }
        p += 1
        let nameTok = current
        let closeName: ASTPath
        switch nameTok.kind {
        case .string, .number, .boolean, .null, .undefined:
            // `{{#"foo"}}...{{/"foo"}}`: literal names compare by their text.
            closeName = ASTPath(parts: [nameTok.text], depth: 0, isData: false, isScoped: false, original: nameTok.text,
                                offset: nameTok.start, length: nameTok.end - nameTok.start)
            p += 1
        default:
            closeName = try parsePath(forPartialName: false)
        }
        let closeTok = try expectClose(unescaped: false)
        if closeName.original != call.name.original {
            throw TemplateSyntaxError(message: "{{/\(closeName.original)}} does not match {{#\(call.name.original)}} opened at byte \(open.start)",
                                      offset: nameTok.start, length: closeName.length)
        }
        let closeStrip = StripFlags(open: endTok.stripOpen, close: closeTok.stripClose)
        block.closeStrip = closeStrip
        // Chained `{{else if}}` blocks share the real close tag's flags.
        var chain = block.inverse
        while let c = chain, c.chained, case .block(let inner) = c.body.first {
            inner.closeStrip = closeStrip
            chain = inner.inverse
        }
        if block.inverted { swap(&block.program, &block.inverse) }
        return block
    }

    /// Parses an optional `{{else}} program` or `{{else if x}} program ...` into `block.inverse`.
    private mutating func parseInverse(into block: ASTBlock) throws(TemplateSyntaxError) {
        let t = current
        if t.kind == .inverse {
            p += 1
            block.inverseStrip = StripFlags(open: t.stripOpen, close: t.stripClose)
            block.inverse = try parseProgram()
        } else if t.kind == .openInverseChain {
            try enter(t)
            defer { nesting -= 1 }
            p += 1
            let call = try parseCall(until: .close, tagStart: t.start)
            let close = try expectClose(unescaped: false)
            block.inverseStrip = StripFlags(open: t.stripOpen, close: close.stripClose)
            let program = try parseProgram()
            let inner = ASTBlock(call: call, program: program, inverse: nil,
                                 openStrip: StripFlags(open: t.stripOpen, close: close.stripClose),
                                 inverted: false, offset: t.start, length: close.end - t.start)
            try parseInverse(into: inner)
            let wrapper = ASTProgram(body: [.block(inner)])
            wrapper.chained = true
            block.inverse = wrapper
        }
    }

    private mutating func parsePartial() throws(TemplateSyntaxError) -> ASTPartial {
        let open = current
        p += 1
        let nameTok = current
        let name: String
        switch nameTok.kind {
        case .string, .number:
            name = nameTok.text
            p += 1
        case .id, .literalID, .data:
            // Partial names may contain `/` and `.` (`{{> shared/footer}}`): take the source text.
            let path = try parsePath(forPartialName: true)
            name = path.original
        case .openSexpr:
            throw TemplateSyntaxError(message: "dynamic partial names are not supported; partials are resolved at compile time", offset: nameTok.start, length: 1)
        default:
            throw unexpected(nameTok, expecting: "a partial name")
        }
        var context: ASTExpr?
        var hash: [(key: String, value: ASTExpr, offset: Int)] = []
        while current.kind != .close, current.kind != .eof {
            if isHashStart() {
                hash.append(try parseHashPair())
            } else {
                guard hash.isEmpty else { throw unexpected(current, expecting: "a key=value pair") }
                guard context == nil else {
                    throw TemplateSyntaxError(message: "a partial takes at most one context argument", offset: current.start, length: current.end - current.start)
                }
                context = try parseParam()
            }
        }
        let close = try expectClose(unescaped: false)
        return ASTPartial(name: name, context: context, hash: hash, strip: StripFlags(open: open.stripOpen, close: close.stripClose),
                          offset: open.start, length: close.end - open.start)
    }

    private func isHashStart() -> Bool {
        (current.kind == .id || current.kind == .literalID) && p + 1 < tokens.count && tokens[p + 1].kind == .equals
    }

    private mutating func parseHashPair() throws(TemplateSyntaxError) -> (key: String, value: ASTExpr, offset: Int) {
        let key = current
        p += 2
        return (key.text, try parseParam(), key.start)
    }

    /// `helperName param* hash?` up to (not including) the closing token.
    private mutating func parseCall(until end: Token.Kind, tagStart: Int) throws(TemplateSyntaxError) -> ASTCall {
        let first = current
        var name: ASTPath
        switch first.kind {
        case .id, .literalID, .data:
            name = try parsePath(forPartialName: false)
        case .string, .number, .boolean, .null, .undefined:
            // A literal in helper position is a property name (`{{"foo bar"}}`, `{{12}}`).
            name = ASTPath(parts: [first.text], depth: 0, isData: false, isScoped: false,
                           original: first.text, offset: first.start, length: first.end - first.start)
            p += 1
        case .eof:
            throw TemplateSyntaxError(message: "unclosed mustache: expected an expression and '}}'", offset: tagStart, length: 2)
        case .close, .closeUnescaped:
            throw TemplateSyntaxError(message: "empty mustache: expected an expression", offset: tagStart, length: first.end - tagStart)
        default:
            throw unexpected(first, expecting: "a path or helper name")
        }
        var params: [ASTExpr] = []
        var hash: [(key: String, value: ASTExpr, offset: Int)] = []
        var last = tokens[p - 1].end
        while current.kind != end {
            if current.kind == .eof {
                throw TemplateSyntaxError(message: "unclosed mustache: expected '\(end == .closeSexpr ? ")" : end == .closeUnescaped ? "}}}" : "}}")'", offset: tagStart, length: 2)
            }
            if (current.kind == .close || current.kind == .closeUnescaped), end != .closeSexpr {
                throw TemplateSyntaxError(message: "unclosed mustache: expected '\(end == .closeUnescaped ? "}}}" : "}}")'", offset: tagStart, length: current.end - tagStart)
            }
            if current.kind == .close || current.kind == .closeUnescaped || current.kind == .closeSexpr {
                throw unexpected(current, expecting: end == .closeSexpr ? "')'" : end == .closeUnescaped ? "'}}}'" : "'}}'")
            }
            if isHashStart() {
                hash.append(try parseHashPair())
            } else {
                guard hash.isEmpty else { throw unexpected(current, expecting: "a key=value pair (hash arguments come last)") }
                params.append(try parseParam())
            }
            last = tokens[p - 1].end
        }
        return ASTCall(name: name, params: params, hash: hash, offset: first.start, length: last - first.start)
    }

    private mutating func parseParam() throws(TemplateSyntaxError) -> ASTExpr {
        let t = current
        switch t.kind {
        case .id, .literalID, .data:
            return .path(try parsePath(forPartialName: false))
        case .string:
            p += 1
            return .literal(.string(t.text), offset: t.start, length: t.end - t.start)
        case .number:
            p += 1
            return .literal(.number(JSONNumber(text: t.text)), offset: t.start, length: t.end - t.start)
        case .boolean:
            p += 1
            return .literal(.bool(t.text == "true"), offset: t.start, length: t.end - t.start)
        case .null, .undefined:
            p += 1
            return .literal(.null, offset: t.start, length: t.end - t.start)
        case .openSexpr:
            try enter(t)
            defer { nesting -= 1 }
            p += 1
            var call = try parseCall(until: .closeSexpr, tagStart: t.start)
            guard current.kind == .closeSexpr else { throw unexpected(current, expecting: "')'") }
            p += 1
            call.isSubexpression = true
            return .call(call)
        default:
            throw unexpected(t, expecting: "a parameter")
        }
    }

    /// `@`? segment (sep segment)*, with `this`, `.` and `..` handled as in handlebars.js'
    /// `preparePath`: they are only allowed before the first real segment.
    private mutating func parsePath(forPartialName: Bool) throws(TemplateSyntaxError) -> ASTPath {
        let start = current.start
        var isData = false
        if current.kind == .data {
            isData = true
            p += 1
        }
        var parts: [String] = []
        parts.reserveCapacity(4)
        var depth = 0
        var original = isData ? "@" : ""
        var scoped = false
        var end = start
        while true {
            let t = current
            guard t.kind == .id || t.kind == .literalID || (forPartialName && (t.kind == .number || t.kind == .boolean)) else {
                throw unexpected(t, expecting: "a path segment")
            }
            p += 1
            end = t.end
            original += t.kind == .literalID ? "[\(t.text)]" : t.text
            if t.kind != .literalID, t.text == ".." || t.text == "." || t.text == "this" {
                if !parts.isEmpty {
                    throw TemplateSyntaxError(message: "invalid path: '\(t.text)' may only start a path", offset: t.start, length: t.end - t.start)
                }
                scoped = true
                if t.text == ".." { depth += 1 }
            } else {
                parts.append(t.text)
            }
            if current.kind == .sep, p + 1 < tokens.count,
               [.id, .literalID].contains(tokens[p + 1].kind) || forPartialName || Parser.isIndex(tokens[p + 1]) {
                if tokens[p + 1].kind == .number { tokens[p + 1].kind = .id }
                original += current.text
                p += 1
                continue
            }
            break
        }
        if isData, depth > 0 {
            throw TemplateSyntaxError(message: "parent data paths (@../name) are not supported", offset: start, length: end - start)
        }
        return ASTPath(parts: parts, depth: depth, isData: isData, isScoped: scoped, original: original, offset: start, length: end - start)
    }
}
