/// The parsed form of the templates specs write most: plain text without `{{` (a URL, a
/// header value) and text with holes that are plain paths (`{{@secrets.token}}`,
/// `Bearer {{@secrets.token}}`, `https://h/{{a.b}}/x`), built directly instead of through
/// the lexer, the parser and the whitespace-control pass.
///
/// It builds exactly the AST those three would build (`Parser.parse` then
/// `WhitespaceControl.apply`: content nodes with their offsets, and escaped mustaches with no
/// strip flags, which whitespace control never touches), or returns nil for anything else,
/// which then takes the general path. A hole qualifies when it is `{{`, an optional `@`, and
/// segments `[A-Za-z_][A-Za-z0-9_]*` joined by single dots, then `}}` not followed by a third
/// brace; no segment may be a word the lexer reads otherwise (`this`, `else`, `true`,
/// `false`, `null`, `undefined`), and no `{{` may follow a backslash (an escape).
/// The compiler takes the pieces (`pieces`) without forming the AST classes at all.
/// `SimpleTemplateFormTests` compares it with the general path on chosen and random sources.
enum SimpleTemplateForm {
    /// One piece of a simple template, in source order.
    enum Piece {
        /// Literal text and its offset (a content node).
        case text(String, offset: Int)
        /// A plain-path hole: its path, and the tag's offset and length (an escaped mustache).
        case hole(ASTPath, offset: Int, length: Int)
    }

    /// The AST of `source` (what `Parser.parse` and `WhitespaceControl.apply` give), or nil
    /// when it is not of the simple form.
    static func program(_ source: String) -> ASTProgram? {
        guard let pieces = pieces(source) else { return nil }
        return ASTProgram(body: pieces.map { piece -> ASTNode in
            switch piece {
            case .text(let text, let offset): return .content(ASTContent(text, offset: offset))
            case .hole(let path, let offset, let length):
                let call = ASTCall(name: path, params: [], hash: [], offset: path.offset, length: path.length)
                return .mustache(ASTMustache(call: call, escaped: true, strip: StripFlags(), offset: offset, length: length))
            }
        })
    }

    /// The pieces of `source` (the nodes of its AST, which the compiler takes without forming
    /// the AST), or nil when it is not of the simple form.
    static func pieces(_ source: String) -> [Piece]? {
        var source = source
        return source.withUTF8 { bytes -> [Piece]? in
            let n = bytes.count
            var body: [Piece] = []
            body.reserveCapacity(3)
            var i = 0
            while i < n {
                // The next `{{`.
                var j = i
                while j + 1 < n, !(bytes[j] == 0x7B && bytes[j + 1] == 0x7B) { j += 1 }
                if j + 1 >= n {
                    body.append(.text(text(bytes, i, n), offset: i))
                    break
                }
                if j > i {
                    // `\{{` escapes the mustache: the general path handles it.
                    if bytes[j - 1] == 0x5C { return nil }
                    body.append(.text(text(bytes, i, j), offset: i))
                }
                guard let (path, end) = hole(bytes, from: j + 2) else { return nil }
                body.append(.hole(path, offset: j, length: end - j))
                i = end
            }
            return body
        }
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[a..<b]), as: UTF8.self)
    }

    /// The path of a simple hole whose expression starts at `start` (after `{{`), and the
    /// offset after its `}}`; nil if the hole is not simple.
    private static func hole(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (ASTPath, Int)? {
        let n = bytes.count
        var k = start
        let isData = k < n && bytes[k] == 0x40
        if isData { k += 1 }
        var parts: [String] = []
        parts.reserveCapacity(4)
        while true {
            let segmentStart = k
            guard k < n, isSegmentHead(bytes[k]) else { return nil }
            k += 1
            while k < n, isSegmentHead(bytes[k]) || (bytes[k] >= 0x30 && bytes[k] <= 0x39) { k += 1 }
            if isKeyword(UnsafeBufferPointer(rebasing: bytes[segmentStart..<k])) { return nil }
            parts.append(text(bytes, segmentStart, k))
            if k < n, bytes[k] == 0x2E { k += 1; continue }
            break
        }
        // `}}`, and not `}}}`.
        guard k + 1 < n, bytes[k] == 0x7D, bytes[k + 1] == 0x7D, !(k + 2 < n && bytes[k + 2] == 0x7D) else { return nil }
        let path = ASTPath(parts: parts, depth: 0, isData: isData, isScoped: false, original: text(bytes, start, k),
                           offset: start, length: k - start)
        return (path, k + 2)
    }

    /// True for the words the lexer reads as something other than a path segment here.
    private static func isKeyword(_ w: UnsafeBufferPointer<UInt8>) -> Bool {
        func spells(_ word: StaticString) -> Bool {
            guard w.count == word.utf8CodeUnitCount else { return false }
            let p = word.utf8Start
            for i in 0..<w.count where w[i] != p[i] { return false }
            return true
        }
        switch w.count {
        case 4: return spells("this") || spells("else") || spells("true") || spells("null")
        case 5: return spells("false")
        case 9: return spells("undefined")
        default: return false
        }
    }

    @inline(__always)
    private static func isSegmentHead(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }
}
