/// `JSON.stringify(JSON.parse(text))` as an ECMAScript engine computes it, byte for byte.
///
/// A receiver that parses the body and serializes it again before checking an HMAC (the
/// seed's Express sample verifies `JSON.stringify(req.body)`) only accepts a body that is
/// already in this form. Sending it makes every receiver agree: raw-body verifiers see the
/// bytes that were signed, and re-serialising ones reproduce them.
///
/// What the ECMAScript specification fixes, and this reproduces:
/// - the text is decoded as UTF-8 (invalid sequences become U+FFFD, as Node's decoder does)
///   and parsed per ECMA-404; strings are UTF-16, so an escaped lone surrogate survives;
/// - objects: a repeated key keeps its first position and its last value; array-index keys
///   (canonical decimal integers below 2^32 - 1) come first in ascending numeric order, then
///   the other keys in insertion order (OrdinaryOwnPropertyKeys);
/// - numbers are IEEE doubles (correctly rounded; beyond the double range they become
///   ±Infinity, which `JSON.stringify` writes as `null`; below it, 0) written by
///   Number::toString: shortest round-trip digits, `-0` as `0`, exponent form outside
///   1e-7 < |x| < 1e21 (`1e+21`, `1e-7`);
/// - strings escape only `"`, `\`, the C0 controls (`\b \f \n \r \t`, else `\u00xx`) and lone
///   surrogates (`\udxxx`), lowercase hex; everything else, U+2028/U+2029 included, is raw UTF-8;
/// - no whitespace.
public enum JavaScriptJSON {
    /// Why the input is not something `JSON.parse` accepts (or nests deeper than `maxDepth`).
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        /// What is wrong.
        public let message: String
        /// Offset in UTF-16 code units of the decoded text (what a JavaScript error reports).
        public let offset: Int
        public var description: String { "\(message) at position \(offset)" }
    }

    /// `JSON.stringify(JSON.parse(text))` of UTF-8 `bytes`.
    public static func normalize(_ bytes: some Collection<UInt8>, maxDepth: Int = 512) throws(ParseError) -> [UInt8] {
        let outcome = bytes.withContiguousStorageIfAvailable { FastPath.scan($0, maxDepth: maxDepth) }
        switch outcome {
        case .unchanged?: return Array(bytes)
        case .written(let out)?: return out
        case .giveUp?, nil: return try normalizeTree(bytes, maxDepth: maxDepth)
        }
    }

    /// `JSON.stringify(JSON.parse(text))` of UTF-8 `bytes`; `bytes` itself (no copy) when it
    /// already is in that form, as a payload template's output usually is.
    public static func normalize(_ bytes: [UInt8], maxDepth: Int = 512) throws(ParseError) -> [UInt8] {
        switch bytes.withUnsafeBufferPointer({ FastPath.scan($0, maxDepth: maxDepth) }) {
        case .unchanged: return bytes
        case .written(let out): return out
        case .giveUp: return try normalizeTree(bytes, maxDepth: maxDepth)
        }
    }

    /// The general path: decode to UTF-16, build the value tree, write it.
    static func normalizeTree(_ bytes: some Collection<UInt8>, maxDepth: Int = 512) throws(ParseError) -> [UInt8] {
        let units = Array(String(decoding: bytes, as: UTF8.self).utf16)
        var parser = Parser(units: units, maxDepth: maxDepth)
        let value = try parser.parseDocument()
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        write(value, into: &out)
        return out
    }

    /// ECMAScript Number::toString(x) for a finite `x` (`JSON.stringify` writes non-finite
    /// numbers as `null`; see ``jsonText(_:)``).
    public static func numberString(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x == 0 { return "0" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        if x < 0 { return "-" + numberString(-x) }
        // Swift's description holds the shortest digits that round-trip (closest to x, ties
        // to even); only the layout differs from ECMAScript's.
        let (digits, n) = decimalDigits(x.description)
        let k = digits.count
        if k <= n && n <= 21 { return String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 {
            return String(decoding: digits[0..<n], as: UTF8.self) + "." + String(decoding: digits[n...], as: UTF8.self)
        }
        if -6 < n && n <= 0 { return "0." + String(repeating: "0", count: -n) + String(decoding: digits, as: UTF8.self) }
        let e = n - 1
        let exponent = (e < 0 ? "-" : "+") + String(abs(e))
        if k == 1 { return String(decoding: digits, as: UTF8.self) + "e" + exponent }
        return String(decoding: digits[0..<1], as: UTF8.self) + "." + String(decoding: digits[1...], as: UTF8.self) + "e" + exponent
    }

    /// What `JSON.stringify` writes for a number: Number::toString, or `null` when not finite.
    public static func jsonText(_ x: Double) -> String { x.isFinite ? numberString(x) : "null" }

    /// The significant digits (no leading or trailing zeros) of a positive decimal text like
    /// `126.0`, `1.5e-07` or `1e+21`, and `n` such that the value is 0.digits × 10^n.
    static func decimalDigits(_ text: String) -> (digits: [UInt8], n: Int) {
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits: [UInt8] = []
        var pointAt: Int?
        for c in mantissa.utf8 {
            if c == UInt8(ascii: ".") { pointAt = digits.count } else { digits.append(c) }
        }
        var n = (pointAt ?? digits.count) + exponent
        while digits.first == UInt8(ascii: "0") { digits.removeFirst(); n -= 1 }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty { return ([UInt8(ascii: "0")], 1) }
        return (digits, n)
    }

    // MARK: - Values

    indirect enum Value {
        case literal(String)
        case string([UInt16])
        case array([Value])
        case object(Members)
    }

    /// Object members in property order: array indices ascending, then insertion order.
    struct Members {
        var indexKeys: [(index: UInt32, key: [UInt16], value: Value)] = []
        var otherKeys: [(key: [UInt16], value: Value)] = []
        var positions: [[UInt16]: Int] = [:]

        mutating func set(_ key: [UInt16], _ value: Value) {
            if let index = Self.arrayIndex(key) {
                if let i = positions[key] { indexKeys[i].value = value; return }
                positions[key] = indexKeys.count
                indexKeys.append((index, key, value))
            } else {
                if let i = positions[key] { otherKeys[i].value = value; return }
                positions[key] = otherKeys.count
                otherKeys.append((key, value))
            }
        }

        /// The key as an array index: a canonical decimal integer (no sign, no leading zero)
        /// at most 2^32 - 2.
        static func arrayIndex(_ key: [UInt16]) -> UInt32? {
            guard !key.isEmpty, key.count <= 10 else { return nil }
            if key.count > 1 && key[0] == 0x30 { return nil }
            var v: UInt64 = 0
            for u in key {
                guard u >= 0x30 && u <= 0x39 else { return nil }
                v = v * 10 + UInt64(u - 0x30)
            }
            return v <= 4_294_967_294 ? UInt32(v) : nil
        }
    }

    // MARK: - Parsing

    struct Parser {
        let units: [UInt16]
        let maxDepth: Int
        var i = 0
        var depth = 0

        init(units: [UInt16], maxDepth: Int) {
            self.units = units
            self.maxDepth = maxDepth
        }

        func fail(_ message: String) -> ParseError { ParseError(message: message, offset: i) }

        mutating func skipSpace() {
            while i < units.count, units[i] == 0x20 || units[i] == 0x09 || units[i] == 0x0A || units[i] == 0x0D { i += 1 }
        }

        mutating func parseDocument() throws(ParseError) -> Value {
            skipSpace()
            let v = try parseValue()
            skipSpace()
            if i != units.count { throw fail("unexpected non-whitespace character after JSON") }
            return v
        }

        mutating func parseValue() throws(ParseError) -> Value {
            guard i < units.count else { throw fail("unexpected end of JSON input") }
            switch units[i] {
            case 0x7B: return try parseObject()
            case 0x5B: return try parseArray()
            case 0x22: return .string(try parseString())
            case 0x74: try expect("true"); return .literal("true")
            case 0x66: try expect("false"); return .literal("false")
            case 0x6E: try expect("null"); return .literal("null")
            default: return try parseNumber()
            }
        }

        mutating func expect(_ word: String) throws(ParseError) {
            for u in word.utf16 {
                guard i < units.count, units[i] == u else { throw fail("unexpected token") }
                i += 1
            }
        }

        mutating func enter() throws(ParseError) {
            depth += 1
            if depth > maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
        }

        mutating func parseObject() throws(ParseError) -> Value {
            try enter()
            defer { depth -= 1 }
            i += 1
            var members = Members()
            skipSpace()
            if i < units.count, units[i] == 0x7D { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard i < units.count, units[i] == 0x22 else { throw fail("expected a property name") }
                let key = try parseString()
                skipSpace()
                guard i < units.count, units[i] == 0x3A else { throw fail("expected ':' after a property name") }
                i += 1
                skipSpace()
                members.set(key, try parseValue())
                skipSpace()
                guard i < units.count else { throw fail("unexpected end of JSON input") }
                if units[i] == 0x2C { i += 1; continue }
                if units[i] == 0x7D { i += 1; return .object(members) }
                throw fail("expected ',' or '}' after a property value")
            }
        }

        mutating func parseArray() throws(ParseError) -> Value {
            try enter()
            defer { depth -= 1 }
            i += 1
            var elements: [Value] = []
            skipSpace()
            if i < units.count, units[i] == 0x5D { i += 1; return .array(elements) }
            while true {
                skipSpace()
                elements.append(try parseValue())
                skipSpace()
                guard i < units.count else { throw fail("unexpected end of JSON input") }
                if units[i] == 0x2C { i += 1; continue }
                if units[i] == 0x5D { i += 1; return .array(elements) }
                throw fail("expected ',' or ']' after an array element")
            }
        }

        mutating func parseString() throws(ParseError) -> [UInt16] {
            i += 1
            var out: [UInt16] = []
            while true {
                guard i < units.count else { throw fail("unterminated string") }
                let u = units[i]
                if u == 0x22 { i += 1; return out }
                if u < 0x20 { throw fail("bad control character in string literal") }
                if u != 0x5C { out.append(u); i += 1; continue }
                i += 1
                guard i < units.count else { throw fail("unterminated string") }
                switch units[i] {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x2F: out.append(0x2F)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    var v: UInt16 = 0
                    for _ in 0..<4 {
                        i += 1
                        guard i < units.count else { throw fail("bad Unicode escape") }
                        let h = units[i]
                        let d: UInt16
                        switch h {
                        case 0x30...0x39: d = h - 0x30
                        case 0x41...0x46: d = h - 0x41 + 10
                        case 0x61...0x66: d = h - 0x61 + 10
                        default: throw fail("bad Unicode escape")
                        }
                        v = v << 4 | d
                    }
                    out.append(v)
                default: throw fail("bad escaped character")
                }
                i += 1
            }
        }

        mutating func parseNumber() throws(ParseError) -> Value {
            let start = i
            func isDigit(_ j: Int) -> Bool { j < units.count && units[j] >= 0x30 && units[j] <= 0x39 }
            if i < units.count, units[i] == 0x2D { i += 1 }
            guard isDigit(i) else { throw fail("unexpected token") }
            if units[i] == 0x30 { i += 1 } else { while isDigit(i) { i += 1 } }
            if i < units.count, units[i] == 0x2E {
                i += 1
                guard isDigit(i) else { throw fail("unterminated fractional number") }
                while isDigit(i) { i += 1 }
            }
            if i < units.count, units[i] == 0x65 || units[i] == 0x45 {
                i += 1
                if i < units.count, units[i] == 0x2B || units[i] == 0x2D { i += 1 }
                guard isDigit(i) else { throw fail("exponent part is missing a number") }
                while isDigit(i) { i += 1 }
            }
            let text = String(decoding: units[start..<i].map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
            // Correctly rounded; overflow gives ±infinity and underflow ±0, as in JavaScript.
            return .literal(JavaScriptJSON.jsonText(Double(text) ?? .nan))
        }
    }

    // MARK: - Writing

    static func write(_ value: Value, into out: inout [UInt8]) {
        switch value {
        case .literal(let text): out.append(contentsOf: text.utf8)
        case .string(let units): writeString(units, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (n, e) in elements.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            func member(_ key: [UInt16], _ value: Value) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(value, into: &out)
            }
            for m in members.indexKeys.sorted(by: { $0.index < $1.index }) { member(m.key, m.value) }
            for m in members.otherKeys { member(m.key, m.value) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// JSON.stringify's QuoteJSONString over UTF-16 code units.
    static func writeString(_ units: [UInt16], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var i = 0
        func escapeU(_ u: UInt16) {
            out.append(0x5C); out.append(UInt8(ascii: "u"))
            out.append(hex[Int(u >> 12 & 0xF)]); out.append(hex[Int(u >> 8 & 0xF)])
            out.append(hex[Int(u >> 4 & 0xF)]); out.append(hex[Int(u & 0xF)])
        }
        while i < units.count {
            let u = units[i]
            switch u {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0..<0x20: escapeU(u)
            case 0..<0x80: out.append(UInt8(u))
            case 0..<0x800:
                out.append(UInt8(0xC0 | u >> 6)); out.append(UInt8(0x80 | u & 0x3F))
            case 0xD800...0xDBFF where i + 1 < units.count && (0xDC00...0xDFFF).contains(units[i + 1]):
                let scalar = 0x10000 + (UInt32(u - 0xD800) << 10) + UInt32(units[i + 1] - 0xDC00)
                out.append(UInt8(0xF0 | scalar >> 18)); out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
                out.append(UInt8(0x80 | scalar >> 6 & 0x3F)); out.append(UInt8(0x80 | scalar & 0x3F))
                i += 1
            case 0xD800...0xDFFF: escapeU(u)
            default:
                out.append(UInt8(0xE0 | u >> 12)); out.append(UInt8(0x80 | u >> 6 & 0x3F)); out.append(UInt8(0x80 | u & 0x3F))
            }
            i += 1
        }
        out.append(UInt8(ascii: "\""))
    }
}

// MARK: - Fast path

extension JavaScriptJSON {
    /// One pass over the UTF-8 bytes, writing as it reads, for the common case: an ASCII text
    /// whose objects have no repeated key, no array-index key and no escaped key, and whose
    /// strings use no `\u` escape. There the output is the input without whitespace, `\/`
    /// unescaped and every number rewritten by Number::toString (copied when it already is in
    /// that form), which is what the general path computes. Anything else (non-ASCII bytes,
    /// `\u` escapes, those keys, errors, nesting deeper than `maxDepth`) returns nil, and the
    /// general path decides, errors included. `JavaScriptJSONTests` checks both paths agree.
    ///
    /// It allocates nothing while the output equals the input (the scan proves the text is
    /// already in normal form and the caller keeps its bytes); at the first difference it
    /// copies the prefix and writes from there. Open containers and the keys of open objects
    /// live in one temporary (stack) allocation sized from the input.
    struct FastPath {
        enum Outcome { case unchanged, written([UInt8]), giveUp }

        let b: UnsafeBufferPointer<UInt8>
        let n: Int
        let maxDepth: Int
        var i = 0
        /// Whether the output differs from the input (then `dst[0..<o]` holds it, `dst` has
        /// room for `capacity` bytes); until then the output is `b[0..<i]` and nothing is written.
        var copying = false
        var dst: UnsafeMutablePointer<UInt8>?
        var o = 0
        var capacity = 0
        /// Per open container, innermost last: `keyBase << 1 | isObject`, where `keyBase` is
        /// where its keys start in `keys`.
        let containers: UnsafeMutablePointer<Int32>
        let containerCapacity: Int
        var depth = 0
        /// The content ranges of the keys of every open object, as (start, count) pairs.
        let keys: UnsafeMutablePointer<Int32>
        let keyCapacity: Int
        var keyCount = 0
        /// The container just opened has no member yet.
        var opened = false

        static func normalize(_ b: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> [UInt8]? {
            switch scan(b, maxDepth: maxDepth) {
            case .unchanged: return Array(b)
            case .written(let out): return out
            case .giveUp: return nil
            }
        }

        static func scan(_ b: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Outcome {
            let n = b.count
            guard n < Int(Int32.max) / 2 else { return .giveUp }
            // Every open container takes at least one byte, every key at least four (`"":0`).
            let containerCapacity = min(max(maxDepth, 0), n) + 1
            let keyCapacity = n / 4 + 1
            return withUnsafeTemporaryAllocation(of: Int32.self, capacity: containerCapacity + 2 * keyCapacity) { buffer in
                let base = buffer.baseAddress!
                var p = FastPath(b: b, n: n, maxDepth: maxDepth, containers: base, containerCapacity: containerCapacity,
                                 keys: base + containerCapacity, keyCapacity: keyCapacity)
                defer { p.dst?.deallocate() }
                guard p.run() else { return .giveUp }
                guard let dst = p.dst else { return .unchanged }
                return .written(Array(UnsafeBufferPointer(start: dst, count: p.o)))
            }
        }

        init(b: UnsafeBufferPointer<UInt8>, n: Int, maxDepth: Int, containers: UnsafeMutablePointer<Int32>, containerCapacity: Int,
             keys: UnsafeMutablePointer<Int32>, keyCapacity: Int) {
            self.b = b
            self.n = n
            self.maxDepth = maxDepth
            self.containers = containers
            self.containerCapacity = containerCapacity
            self.keys = keys
            self.keyCapacity = keyCapacity
        }

        /// The output starts differing from the input at `p` (it equals `b[0..<p]` so far).
        @inline(__always) mutating func diverge(at p: Int) {
            if copying { return }
            copying = true
            // Only a number can make the output longer than what it has read (see `reserve`).
            capacity = n + 32
            let d = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            d.update(from: b.baseAddress!, count: p)
            dst = d
            o = p
        }
        /// Room for `count` more bytes now and, after them, for the rest of the input.
        mutating func reserve(_ count: Int, restFrom next: Int) {
            let need = o + count + (n - next)
            guard need > capacity, let old = dst else { return }
            capacity = max(need, 2 * capacity)
            let d = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            d.update(from: old, count: o)
            old.deallocate()
            dst = d
        }
        @inline(__always) mutating func emit(_ c: UInt8) { if copying { dst![o] = c; o += 1 } }
        @inline(__always) mutating func emit(_ r: Range<Int>) {
            if copying { (dst! + o).update(from: b.baseAddress! + r.lowerBound, count: r.count); o += r.count }
        }
        @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

        @inline(__always) mutating func skipSpace() {
            guard i < n, Self.isSpace(b[i]) else { return }
            skipSpaceRun()
        }
        mutating func skipSpaceRun() {
            diverge(at: i)
            var j = i + 1
            while j < n, Self.isSpace(b[j]) { j += 1 }
            i = j
        }
        // Copies a string at b[i] == '"'; returns its content range, or nil to give up.
        mutating func string(isKey: Bool) -> Range<Int>? {
            emit(0x22)
            i += 1
            let start = i
            while i < n {
                // A run of plain characters is copied at once.
                let run = i
                i = Self.plainRunEnd(b.baseAddress!, from: i, count: n)
                if copying && i > run { emit(run..<i) }
                guard i < n else { return nil }
                let c = b[i]
                if c == 0x22 { emit(0x22); i += 1; return start..<(i - 1) }
                if c == 0x5C {
                    guard !isKey, i + 1 < n else { return nil }
                    switch b[i + 1] {
                    case 0x22, 0x5C, 0x62, 0x66, 0x6E, 0x72, 0x74: emit(0x5C); emit(b[i + 1])
                    case 0x2F: diverge(at: i); emit(0x2F)
                    default: return nil
                    }
                    i += 2
                    continue
                }
                return nil
            }
            return nil
        }
        /// The end of the run of plain string bytes (0x20-0x7F but `"` and `\\`) starting at
        /// `j`: eight bytes at a time, then byte by byte for the last few. Each test below
        /// flags, in a word read as little-endian, the first byte that is below 0x20, at or
        /// above 0x80, `"` or `\\` exactly (a borrow can only add flags above a byte that truly
        /// matched), so the lowest flag is the byte loop's answer.
        @inline(__always)
        static func plainRunEnd(_ p: UnsafePointer<UInt8>, from start: Int, count n: Int) -> Int {
            var j = start
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while j &+ 8 <= n {
                let x = UInt64(littleEndian: UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self))
                let quote = x ^ (ones &* 0x22), backslash = x ^ (ones &* 0x5C)
                // A byte below 0x20, a zero byte of `quote` or `backslash`, or a high bit.
                let below = (x &- ones &* 0x20) & ~x
                let special = below | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | x
                let flags = special & highs
                if flags != 0 { return j &+ flags.trailingZeroBitCount &>> 3 }
                j &+= 8
            }
            while j < n {
                let c = p[j]
                if c &- 0x20 >= 0x60 || c == 0x22 || c == 0x5C { break }
                j &+= 1
            }
            return j
        }

        // A number at b[i]: copied when Number::toString would write the same text.
        mutating func number() -> Bool {
            let start = i
            let b = self.b, n = self.n
            func isDigit(_ j: Int) -> Bool { j < n && b[j] >= 0x30 && b[j] <= 0x39 }
            if i < n, b[i] == 0x2D { i += 1 }
            guard isDigit(i) else { return false }
            let intStart = i
            if b[i] == 0x30 { i += 1 } else { while isDigit(i) { i += 1 } }
            let intDigits = i - intStart
            var fracDigits = 0, fracLeadingZeros = 0, fracEndsInZero = false
            if i < n, b[i] == 0x2E {
                i += 1
                guard isDigit(i) else { return false }
                let fracStart = i
                while isDigit(i) { i += 1 }
                fracDigits = i - fracStart
                while fracLeadingZeros < fracDigits, b[fracStart + fracLeadingZeros] == 0x30 { fracLeadingZeros += 1 }
                fracEndsInZero = b[i - 1] == 0x30
            }
            var hasExponent = false
            if i < n, b[i] == 0x65 || b[i] == 0x45 {
                hasExponent = true
                i += 1
                if i < n, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
                guard isDigit(i) else { return false }
                while isDigit(i) { i += 1 }
            }
            let intIsZero = intDigits == 1 && b[intStart] == 0x30
            // Copied as is: no exponent, at most 15 digits (a decimal of at most 15
            // significant digits is the shortest text of its double), not zero, no trailing
            // fraction zero, and not below 1e-6 (where the exponent form starts).
            let identity = !hasExponent && intDigits + fracDigits <= 15 && !fracEndsInZero
                && !(intIsZero && (fracDigits == 0 || fracLeadingZeros >= 6))
            if identity {
                emit(start..<i)
            } else {
                let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                let normal = JavaScriptJSON.jsonText(Double(text) ?? .nan)
                // `0` stays `0`, `-0` becomes it, `1E5`/`1e5` become `100000`: compare before copying.
                if !copying && normal.utf8.elementsEqual(UnsafeBufferPointer(rebasing: b[start..<i])) { return true }
                diverge(at: start)
                let count = normal.utf8.count
                reserve(count, restFrom: i)
                for c in normal.utf8 { dst![o] = c; o += 1 }
            }
            return true
        }
        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard i + count <= n else { return false }
            let w = UnsafeBufferPointer(start: word.utf8Start, count: count)
            for k in 0..<count where b[i + k] != w[k] { return false }
            if copying { (dst! + o).update(from: w.baseAddress!, count: count); o += count }
            i += count
            return true
        }
        // A value at b[i] (after whitespace): scalars are written whole; a container is
        // opened and the loop below continues inside it.
        mutating func value() -> Bool {
            guard i < n else { return false }
            switch b[i] {
            case 0x7B, 0x5B:
                guard depth < maxDepth, depth < containerCapacity else { return false }
                let isObject: Int32 = b[i] == 0x7B ? 1 : 0
                emit(b[i]); i += 1
                containers[depth] = Int32(keyCount) << 1 | isObject
                depth += 1
                opened = true
            case 0x22: return string(isKey: false) != nil
            case 0x74: return literal("true")
            case 0x66: return literal("false")
            case 0x6E: return literal("null")
            default: return number()
            }
            return true
        }
        // A key at b[i] == '"', then ':': nil to give up on array-index or repeated keys.
        mutating func key() -> Bool {
            guard i < n, b[i] == 0x22, let range = string(isKey: true) else { return false }
            var allDigits = !range.isEmpty
            for j in range where b[j] < 0x30 || b[j] > 0x39 { allDigits = false; break }
            if allDigits { return false }
            let base = Int(containers[depth - 1] >> 1)
            guard keyCount - base < 64, keyCount < keyCapacity else { return false }
            let start = range.lowerBound, count = range.count
            var j = base
            while j < keyCount {
                if Int(keys[2 * j + 1]) == count {
                    let other = Int(keys[2 * j])
                    var k = 0
                    while k < count && b[other + k] == b[start + k] { k += 1 }
                    if k == count { return false }
                }
                j += 1
            }
            keys[2 * keyCount] = Int32(start)
            keys[2 * keyCount + 1] = Int32(count)
            keyCount += 1
            skipSpace()
            guard i < n, b[i] == 0x3A else { return false }
            emit(0x3A); i += 1
            skipSpace()
            return true
        }

        mutating func run() -> Bool {
            skipSpace()
            guard value() else { return false }
            while depth > 0 {
                skipSpace()
                guard i < n else { return false }
                let top = containers[depth - 1]
                let inObject = top & 1 == 1
                let close: UInt8 = inObject ? 0x7D : 0x5D
                let empty = opened
                opened = false
                if b[i] == close {
                    emit(close); i += 1
                    depth -= 1
                    keyCount = Int(top >> 1)
                    continue
                }
                if !empty {
                    guard b[i] == 0x2C else { return false }
                    emit(0x2C); i += 1
                    skipSpace()
                }
                if inObject { guard key() else { return false } }
                guard value() else { return false }
            }
            skipSpace()
            return i == n
        }
    }
}

// Pieces of a text already known to be in `JSON.stringify` form, checked alone: what lets a
// renderer whose fixed text is in that form prove its output is too, without scanning it
// all (`CompiledTemplate.renderJavaScriptForm`).
extension JavaScriptJSON {
    /// True if `bytes`, placed between the two quotes of a JSON string, leaves that string as
    /// `JSON.stringify` writes it: printable ASCII, with `"` and `\` only in the escapes
    /// `\" \\ \b \f \n \r \t` (the fast path's rule for string values). False for anything
    /// else (non-ASCII, `\u` or `\/` escapes, control bytes, an unfinished escape): the caller
    /// then normalizes the whole text.
    public static func isNormalStringContent(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        while true {
            i = FastPath.plainRunEnd(p, from: i, count: n)
            if i == n { return true }
            guard p[i] == 0x5C, i + 1 < n else { return false }
            switch p[i + 1] {
            case 0x22, 0x5C, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 2
            default: return false
            }
        }
    }

    /// True if `bytes` is one JSON scalar (`null`, `true`, `false`, a number or a string, no
    /// whitespace) that `JSON.stringify(JSON.parse(bytes))` gives back unchanged.
    public static func isNormalScalar(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first else { return false }
        if first == 0x22 {
            // A string: its content as above, between exactly two unescaped quotes.
            guard bytes.count >= 2, bytes[bytes.count - 1] == 0x22 else { return false }
            return isNormalStringContent(UnsafeBufferPointer(rebasing: bytes[1..<(bytes.count - 1)]))
        }
        if first == 0x7B || first == 0x5B { return false }
        if isPlainNumber(bytes) { return true }
        if case .unchanged = FastPath.scan(bytes, maxDepth: 0) { return true }
        return false
    }

    /// The fast path's copy rule for a number alone, without its machinery: a JSON number
    /// with no exponent, at most 15 digits, no trailing fraction zero, not zero and not below
    /// 1e-6 (Number::toString writes exactly such a text back). False for anything else,
    /// which ``isNormalScalar(_:)`` then gives to the fast path.
    @inline(__always)
    static func isPlainNumber(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = b.count
        var i = 0
        if i < n, b[i] == 0x2D { i += 1 }
        guard i < n, b[i] >= 0x30, b[i] <= 0x39 else { return false }
        let intStart = i
        if b[i] == 0x30 { i += 1 } else { while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 } }
        let intDigits = i - intStart
        let intIsZero = intDigits == 1 && b[intStart] == 0x30
        var fracDigits = 0
        if i < n, b[i] == 0x2E {
            i += 1
            let fracStart = i
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            fracDigits = i - fracStart
            guard fracDigits > 0, b[i - 1] != 0x30 else { return false }
            if intIsZero {
                var zeros = 0
                while zeros < fracDigits, b[fracStart + zeros] == 0x30 { zeros += 1 }
                if zeros >= 6 { return false }
            }
        } else if intIsZero {
            return false
        }
        return i == n && intDigits + fracDigits <= 15
    }
}
