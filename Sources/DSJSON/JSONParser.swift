import DSCore

/// Strict RFC 8259 parser that records a byte span for every value and key.
///
/// It never traps and never recurses without bound: depth is capped, and every loop
/// consumes input. On the first syntax error it reports a diagnostic and returns nil.
public struct JSONParser {
    /// Maximum nesting of arrays and objects.
    public var maxDepth: Int

    /// Creates a parser.
    public init(maxDepth: Int = 128) {
        self.maxDepth = maxDepth
    }

    /// Parses a whole file; diagnostics go to the collector (bound to the same file).
    public func parse(_ source: SourceFile, diagnostics: DiagnosticCollector) -> JSONNode? {
        source.bytes.withUnsafeBufferPointer { buffer in
            var state = ParserState(bytes: buffer, maxDepth: maxDepth, diagnostics: diagnostics, recordSpans: true)
            defer { state.destroyScratch() }
            return state.parseDocument()
        }
    }

    /// Parses bytes into a plain value (no positions kept), throwing on the first error.
    /// Used for events, settings and plans, where speed matters and spans do not.
    public func parseValue(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let array = Array(bytes)
        let result: Result<JSONValue, JSONParseError> = array.withUnsafeBufferPointer { buffer in
            let diagnostics = DiagnosticCollector()
            var state = ParserState(bytes: buffer, maxDepth: maxDepth, diagnostics: diagnostics, recordSpans: false)
            defer { state.destroyScratch() }
            guard let node = state.parseDocument() else {
                let d = diagnostics.diagnostics.first
                return .failure(JSONParseError(message: d?.message ?? "invalid JSON", offset: state.errorOffset ?? 0))
            }
            if let duplicate = diagnostics.diagnostics.first {
                return .failure(JSONParseError(message: duplicate.message, offset: state.errorOffset ?? 0))
            }
            return .success(node.value)
        }
        return try result.get()
    }

    /// Parses a string into a plain value.
    public func parseValue(_ text: String) throws(JSONParseError) -> JSONValue {
        try parseValue(Array(text.utf8))
    }
}

/// A parse failure of `JSONParser.parseValue`, with the byte offset of the problem.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let message: String
    /// Byte offset in the input.
    public let offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

private struct ParserState {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    let diagnostics: DiagnosticCollector
    let recordSpans: Bool
    /// Shared literals for the strings specs repeat (see ``JSONVocabulary``).
    let vocabulary = JSONVocabulary.shared
    /// Members and elements of the objects and arrays being parsed, so each one is built with
    /// one exact-size allocation instead of growing by appends.
    var memberStack = ScratchStack<JSONMember>()
    var elementStack = ScratchStack<JSONNode>()
    /// Whether the last string `parseString` returned is known to be all ASCII.
    var lastStringIsASCII = false
    var index = 0
    var depth = 0
    var failed = false
    var errorOffset: Int?
    /// Duplicate keys seen so far; only the first ``maxDuplicateKeyReports`` are reported.
    var duplicateKeys = 0
    static let maxDuplicateKeyReports = 100

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, diagnostics: DiagnosticCollector, recordSpans: Bool) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.diagnostics = diagnostics
        self.recordSpans = recordSpans
    }

    mutating func fail(_ rule: RuleDescriptor, _ message: String, at offset: Int, end: Int? = nil) {
        guard !failed else { return }
        failed = true
        errorOffset = offset
        diagnostics.emit(rule, message, span: SourceSpan(start: offset, end: end ?? min(offset + 1, bytes.count)), pointer: nil)
    }

    mutating func destroyScratch() {
        memberStack.destroy()
        elementStack.destroy()
    }

    mutating func parseDocument() -> JSONNode? {
        // A UTF-8 byte order mark is tolerated (RFC 8259 section 8.1 allows ignoring it).
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        guard index < bytes.count else {
            fail(JSONParseRules.syntax, "expected a JSON value but the file is empty", at: index)
            return nil
        }
        guard let root = parseValue() else { return nil }
        skipWhitespace()
        if index < bytes.count {
            fail(JSONParseRules.trailing, "unexpected \(describe(at: index)) after the top-level value", at: index)
            return nil
        }
        return root
    }

    /// Skips JSON whitespace. Most calls stand on a token already: one byte test, inline.
    @inline(__always)
    mutating func skipWhitespace() {
        guard index < bytes.count, bytes[index] <= 0x20 else { return }
        skipWhitespaceRun()
    }

    mutating func skipWhitespaceRun() {
        while index < bytes.count {
            let b = bytes[index]
            switch b {
            case 0x20, 0x09, 0x0D: index &+= 1
            case 0x0A:
                index &+= 1
                // A pretty-printed file's indentation: spaces eight bytes at a time, up to the
                // lowest byte that is not a space (the byte steps handle it).
                // `JSONWhitespaceSkipTests` checks the positions this finds.
                while index &+ 8 <= bytes.count {
                    let w = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress.unsafelyUnwrapped + index).loadUnaligned(as: UInt64.self))
                    let notSpace = w ^ 0x2020_2020_2020_2020
                    if notSpace == 0 {
                        index &+= 8
                        continue
                    }
                    index &+= notSpace.trailingZeroBitCount &>> 3
                    break
                }
            default: return
            }
        }
    }

    func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of file" }
        let b = bytes[offset]
        if b >= 0x21 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
        if b == 0x20 { return "space" }
        if b < 0x20 { return "control character U+\(String(b, radix: 16, uppercase: true).leftPadded(4))" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    mutating func parseValue() -> JSONNode? {
        guard index < bytes.count else {
            fail(JSONParseRules.syntax, "unexpected end of file, expected a value", at: index)
            return nil
        }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "{"): return parseObject()
        case UInt8(ascii: "["): return parseArray()
        case UInt8(ascii: "\""):
            guard let s = parseString() else { return nil }
            return JSONNode(kind: .string(s), span: SourceSpan(start: start, end: index))
        case UInt8(ascii: "t"):
            guard literal("true") else { return nil }
            return JSONNode(kind: .bool(true), span: SourceSpan(start: start, end: index))
        case UInt8(ascii: "f"):
            guard literal("false") else { return nil }
            return JSONNode(kind: .bool(false), span: SourceSpan(start: start, end: index))
        case UInt8(ascii: "n"):
            guard literal("null") else { return nil }
            return JSONNode(kind: .null, span: SourceSpan(start: start, end: index))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let n = parseNumber() else { return nil }
            return JSONNode(kind: .number(n), span: SourceSpan(start: start, end: index))
        default:
            var hint = ""
            if bytes[index] == UInt8(ascii: "'") { hint = " (JSON strings use double quotes)" }
            if bytes[index] == UInt8(ascii: "}") || bytes[index] == UInt8(ascii: "]") { hint = " (trailing commas are not allowed in JSON)" }
            fail(JSONParseRules.syntax, "expected a value but found \(describe(at: index))\(hint)", at: index)
            return nil
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let start = index
        let count = word.utf8CodeUnitCount
        let ok: Bool = word.withUTF8Buffer { w in
            guard index + count <= bytes.count else { return false }
            for i in 0..<count where bytes[index + i] != w[i] { return false }
            return true
        }
        if ok {
            index += count
            return true
        }
        var end = index
        while end < bytes.count, end - index < 16, (bytes[end] >= 0x61 && bytes[end] <= 0x7A) || (bytes[end] >= 0x41 && bytes[end] <= 0x5A) { end += 1 }
        let token = String(decoding: bytes[start..<max(end, start + 1 <= bytes.count ? start + 1 : start)], as: UTF8.self)
        fail(JSONParseRules.syntax, "invalid literal '\(token)', expected '\(word)'", at: start, end: max(end, start + 1))
        return false
    }

    mutating func enter(at offset: Int) -> Bool {
        depth += 1
        if depth > maxDepth {
            fail(JSONParseRules.tooDeep, "nesting is deeper than \(maxDepth) levels", at: offset)
            return false
        }
        return true
    }

    mutating func parseObject() -> JSONNode? {
        let start = index
        guard enter(at: start) else { return nil }
        defer { depth -= 1 }
        index += 1
        let base = memberStack.count
        // Duplicate detection: a linear scan while the object is small (spec objects are),
        // a hash index once it grows.
        var seen: [String: Int]?
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return JSONNode(kind: .object([]), span: SourceSpan(start: start, end: index))
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                var extra = ""
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { extra = " (trailing commas are not allowed in JSON)" }
                if index < bytes.count, bytes[index] == UInt8(ascii: "'") { extra = " (JSON keys use double quotes)" }
                fail(JSONParseRules.syntax, "expected a string key but found \(describe(at: index))\(extra)", at: index)
                return nil
            }
            let keyStart = index
            guard let key = parseString() else { return nil }
            let keySpan = SourceSpan(start: keyStart, end: index)
            // An ASCII key's first byte (a key with escapes or non-ASCII bytes: 0, not known).
            let keyFirstByte: UInt8 = lastStringIsASCII && keyStart + 1 < index - 1 ? bytes[keyStart + 1] : 0
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                fail(JSONParseRules.syntax, "expected ':' after key \"\(key)\" but found \(describe(at: index))", at: index)
                return nil
            }
            index += 1
            skipWhitespace()
            guard let value = parseValue() else { return nil }
            var firstIndex: Int?
            if let index = seen {
                firstIndex = index[key]
            } else {
                for i in base..<memberStack.count {
                    let other = memberStack[i]
                    if keyFirstByte != 0, other.keyFirstByte != 0, other.keyFirstByte != keyFirstByte { continue }
                    if other.key == key { firstIndex = i; break }
                }
            }
            if let first = firstIndex {
                duplicateKeys += 1
                if recordSpans, duplicateKeys > Self.maxDuplicateKeyReports {
                    // Already reported enough: the file fails either way, and each report costs
                    // a line scan and a screen of output.
                } else if recordSpans {
                    let firstLine = diagnostics.source?.location(ofOffset: memberStack[first].keySpan.start).line
                    let whereFirst = firstLine.map { " (first defined on line \($0))" } ?? ""
                    let more = duplicateKeys == Self.maxDuplicateKeyReports ? "; further duplicate keys are not reported" : ""
                    diagnostics.emit(JSONParseRules.duplicateKey, "duplicate key \"\(key)\"\(whereFirst)\(more)", span: keySpan, pointer: nil)
                } else {
                    errorOffset = keyStart
                    diagnostics.emit(JSONParseRules.duplicateKey, "duplicate key \"\(key)\"", span: keySpan, pointer: nil)
                }
            } else if seen != nil {
                seen![key] = memberStack.count
            }
            memberStack.push(JSONMember(key: key, keySpan: keySpan, value: value, keyFirstByte: keyFirstByte))
            if seen == nil, memberStack.count - base == 32 {
                var index = [String: Int](minimumCapacity: 64)
                for i in base..<memberStack.count where index[memberStack[i].key] == nil { index[memberStack[i].key] = i }
                seen = index
            }
            skipWhitespace()
            guard index < bytes.count else {
                fail(JSONParseRules.syntax, "unexpected end of file inside an object (missing '}')", at: index)
                return nil
            }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return JSONNode(kind: .object(memberStack.pop(from: base)), span: SourceSpan(start: start, end: index))
            }
            fail(JSONParseRules.syntax, "expected ',' or '}' after an object member but found \(describe(at: index))", at: index)
            return nil
        }
    }

    mutating func parseArray() -> JSONNode? {
        let start = index
        guard enter(at: start) else { return nil }
        defer { depth -= 1 }
        index += 1
        let base = elementStack.count
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return JSONNode(kind: .array([]), span: SourceSpan(start: start, end: index))
        }
        while true {
            skipWhitespace()
            guard let value = parseValue() else { return nil }
            elementStack.push(value)
            skipWhitespace()
            guard index < bytes.count else {
                fail(JSONParseRules.syntax, "unexpected end of file inside an array (missing ']')", at: index)
                return nil
            }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return JSONNode(kind: .array(elementStack.pop(from: base)), span: SourceSpan(start: start, end: index))
            }
            fail(JSONParseRules.syntax, "expected ',' or ']' after an array element but found \(describe(at: index))", at: index)
            return nil
        }
    }

    mutating func parseNumber() -> JSONNumber? {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            fail(JSONParseRules.syntax, "invalid number: expected a digit after '-'", at: start, end: index + 1)
            return nil
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                fail(JSONParseRules.syntax, "invalid number: leading zeros are not allowed", at: start, end: index + 1)
                return nil
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                fail(JSONParseRules.syntax, "invalid number: expected a digit after '.'", at: start, end: index + 1)
                return nil
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else {
                fail(JSONParseRules.syntax, "invalid number: expected a digit in the exponent", at: start, end: index + 1)
                return nil
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return JSONNumber(text: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Parses a string token starting at the opening quote.
    mutating func parseString() -> String? {
        let start = index
        index += 1
        let contentStart = index
        var sawHigh = false
        // Fast path: no escapes.
        while index < bytes.count {
            // Eight bytes at a time up to the first quote, backslash or control character,
            // which the byte steps below then handle; non-ASCII bytes skipped on the way are
            // noted for the UTF-8 check. `JSONStringScanTests` compares this with a byte loop.
            while index &+ 8 <= bytes.count {
                let w = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
                let special = jsonStringSpecialBytes(w)
                if special == 0 {
                    if w & 0x8080_8080_8080_8080 != 0 { sawHigh = true }
                    index &+= 8
                    continue
                }
                let skip = special.trailingZeroBitCount &>> 3
                if skip > 0, w & 0x8080_8080_8080_8080 & ((1 &<< (UInt64(skip) &<< 3)) &- 1) != 0 { sawHigh = true }
                index &+= skip
                break
            }
            guard index < bytes.count else { break }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[contentStart..<index])
                if sawHigh, let bad = firstInvalidUTF8(slice) {
                    fail(JSONParseRules.invalidUTF8, "invalid UTF-8 byte 0x\(String(slice[bad], radix: 16, uppercase: true)) in a string", at: contentStart + bad)
                    return nil
                }
                lastStringIsASCII = !sawHigh
                if !sawHigh, let word = vocabulary.lookup(bytes, start: contentStart, count: index &- contentStart) {
                    index += 1
                    return word
                }
                index += 1
                return String(decoding: slice, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 {
                fail(JSONParseRules.syntax, b == 0x0A ? "unterminated string (a raw line break is not allowed inside a JSON string; use \\n)" : "unescaped \(describe(at: index)) in a string", at: index)
                return nil
            }
            if b >= 0x80 { sawHigh = true }
            index += 1
        }
        guard index < bytes.count else {
            fail(JSONParseRules.syntax, "unterminated string", at: start)
            return nil
        }
        // Slow path: escapes present (a `\u` escape may decode to non-ASCII: not known).
        lastStringIsASCII = false
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[contentStart..<index]))
        var runStart = index
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                // Escapes are ASCII and decode to valid UTF-8 (lone surrogates are rejected
                // above), so checking the raw token finds exactly the source byte to report.
                if sawHigh, let bad = firstInvalidUTF8(UnsafeBufferPointer(rebasing: bytes[contentStart..<index])) {
                    fail(JSONParseRules.invalidUTF8, "invalid UTF-8 in a string", at: contentStart + bad)
                    return nil
                }
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b < 0x20 {
                fail(JSONParseRules.syntax, b == 0x0A ? "unterminated string (a raw line break is not allowed inside a JSON string; use \\n)" : "unescaped \(describe(at: index)) in a string", at: index)
                return nil
            }
            if b >= 0x80 { sawHigh = true }
            if b != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            let escapeStart = index
            index += 1
            guard index < bytes.count else {
                fail(JSONParseRules.syntax, "unterminated string", at: start)
                return nil
            }
            switch bytes[index] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(at: index + 1) else {
                    fail(JSONParseRules.syntax, "invalid \\u escape: expected four hex digits", at: escapeStart, end: min(index + 5, bytes.count))
                    return nil
                }
                index += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\\"), bytes[index + 2] == UInt8(ascii: "u"),
                          let low = hex4(at: index + 3), low >= 0xDC00 && low <= 0xDFFF
                    else {
                        fail(JSONParseRules.syntax, "invalid \\u escape: high surrogate without a following low surrogate", at: escapeStart, end: index + 1)
                        return nil
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    fail(JSONParseRules.syntax, "invalid \\u escape: lone low surrogate", at: escapeStart, end: index + 1)
                    return nil
                }
                appendUTF8(scalar, to: &out)
            default:
                fail(JSONParseRules.syntax, "invalid escape '\\\(Character(Unicode.Scalar(bytes[index])))' in a string", at: escapeStart, end: index + 1)
                return nil
            }
            index += 1
            runStart = index
        }
        fail(JSONParseRules.syntax, "unterminated string", at: start)
        return nil
    }

    func hex4(at offset: Int) -> UInt32? { jsonHex4(bytes, at: offset) }

}

/// The value of the four hex digits of a `\u` escape at `offset`, or nil (shared by the
/// parser and ``EventLine``'s scanner).
@inline(__always)
func jsonHex4(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for i in 0..<4 {
            let c = bytes[offset + i]
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
}

/// The high bit of each byte of `w` (byte 0 lowest) that is a quote (0x22), a backslash
/// (0x5C) or below 0x20, exact up to and including the lowest one: the word tests "has a
/// zero byte" and "has a byte below n", where a borrow only spreads above a byte that
/// itself matches. Zero when the eight bytes are plain string content.
@inline(__always)
func jsonStringSpecialBytes(_ w: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    let quote = w ^ (ones &* 0x22)
    let backslash = w ^ (ones &* 0x5C)
    let hasQuote = (quote &- ones) & ~quote
    let hasBackslash = (backslash &- ones) & ~backslash
    let hasControl = (w &- ones &* 0x20) & ~w
    return (hasQuote | hasBackslash | hasControl) & high
}

/// A stack of values kept across the objects and arrays of one parse: a container pushes its
/// items above its parent's and, when it closes, moves them into one exact-size array. The
/// owner calls ``destroy()`` once (it frees whatever a failed parse left behind).
struct ScratchStack<Element> {
    private var storage: UnsafeMutablePointer<Element>?
    private var capacity = 0
    private(set) var count = 0

    subscript(i: Int) -> Element {
        @inline(__always) get { storage.unsafelyUnwrapped[i] }
    }

    @inline(__always)
    mutating func push(_ element: Element) {
        if count == capacity { grow() }
        (storage.unsafelyUnwrapped + count).initialize(to: element)
        count &+= 1
    }

    private mutating func grow() {
        let newCapacity = max(16, capacity * 2)
        let newStorage = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        if let storage {
            newStorage.moveInitialize(from: storage, count: count)
            storage.deallocate()
        }
        storage = newStorage
        capacity = newCapacity
    }

    /// Moves the items from `start` to the top into a new array (the stack shrinks to `start`).
    @inline(__always)
    mutating func pop(from start: Int) -> [Element] {
        let n = count - start
        guard n > 0, let storage else { return [] }
        // reserveCapacity and append, not Array(unsafeUninitializedCapacity:), which looks up
        // the array's generic metadata on every call here. `move()` leaves no copy behind.
        var out: [Element] = []
        out.reserveCapacity(n)
        for i in start..<count { out.append((storage + i).move()) }
        count = start
        return out
    }

    /// Destroys what is left and frees the storage.
    mutating func destroy() {
        guard let storage else { return }
        storage.deinitialize(count: count)
        storage.deallocate()
        self.storage = nil
        capacity = 0
        count = 0
    }
}
