/// Serializes values. Two forms: compact in the value's own key order (request bodies:
/// keys as the mapping declares them) and canonical (sorted keys, for plans and fixtures,
/// so the same input gives the same bytes on every machine).
public enum JSONWriter {
    /// Output layout.
    public enum Style: Sendable {
        /// No whitespace, keys in insertion order.
        case compact
        /// No whitespace, keys sorted.
        case compactSorted
        /// Two-space indentation, keys sorted, trailing newline not included.
        case prettySorted
        /// Two-space indentation, keys in insertion order.
        case pretty
    }

    /// The canonical key order: by Unicode code points of the UTF-8 bytes (deterministic and
    /// locale-independent).
    public static func canonicalKeyOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Serializes to a string.
    public static func string(_ value: JSONValue, style: Style = .compact) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, style: style, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Serializes to bytes.
    public static func bytes(_ value: JSONValue, style: Style = .compact) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, style: style, into: &out)
        return out
    }

    /// Appends the serialization of a value.
    public static func write(_ value: JSONValue, style: Style, into out: inout [UInt8]) {
        write(value, style: style, indent: 0, into: &out)
    }

    /// Appends the serialization of a value to a `ByteWriter`.
    public static func write(_ value: JSONValue, style: Style, into out: inout ByteWriter) {
        write(value, style: style, indent: 0, into: &out)
    }

    // The serializer is generic over its output so `[UInt8]` and `ByteWriter` share one
    // implementation; it is specialized for both inside this module.

    private static func newline<Out: JSONByteSink & ~Copyable>(_ indent: Int, _ out: inout Out) {
        out.append(0x0A)
        for _ in 0..<indent { out.append(0x20); out.append(0x20) }
    }

    /// Appends a string's UTF-8 without escaping (number text, literals).
    @inline(__always)
    private static func appendRaw<Out: JSONByteSink & ~Copyable>(_ s: String, into out: inout Out) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { out.appendBytes($0) }
        if done == nil {
            var copy = s
            copy.withUTF8 { out.appendBytes($0) }
        }
    }

    @inline(__always)
    private static func appendLiteral<Out: JSONByteSink & ~Copyable>(_ s: StaticString, into out: inout Out) {
        s.withUTF8Buffer { out.appendBytes($0) }
    }

    private static func write<Out: JSONByteSink & ~Copyable>(_ value: JSONValue, style: Style, indent: Int, into out: inout Out) {
        switch value {
        case .null: appendLiteral("null", into: &out)
        case .bool(let b): appendLiteral(b ? "true" : "false", into: &out)
        case .number(let n): appendRaw(n.text, into: &out)
        case .string(let s): appendQuoted(s, into: &out)
        case .array(let a):
            if a.isEmpty { appendLiteral("[]", into: &out); return }
            out.append(UInt8(ascii: "["))
            let pretty = style == .pretty || style == .prettySorted
            for (i, element) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1, &out) }
                write(element, style: style, indent: indent + 1, into: &out)
            }
            if pretty { newline(indent, &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            if o.isEmpty { appendLiteral("{}", into: &out); return }
            out.append(UInt8(ascii: "{"))
            let pretty = style == .pretty || style == .prettySorted
            if style == .compactSorted || style == .prettySorted {
                for (i, key) in o.sortedKeys.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    if pretty { newline(indent + 1, &out) }
                    appendQuoted(key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    if pretty { out.append(0x20) }
                    write(o[key]!, style: style, indent: indent + 1, into: &out)
                }
            } else {
                // Insertion order: walk by position rather than looking each key up again.
                let keys = o.keys
                for i in 0..<keys.count {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    if pretty { newline(indent + 1, &out) }
                    appendQuoted(keys[i], into: &out)
                    out.append(UInt8(ascii: ":"))
                    if pretty { out.append(0x20) }
                    write(o.value(at: i), style: style, indent: indent + 1, into: &out)
                }
            }
            if pretty { newline(indent, &out) }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Pretty output with sorted keys, except inside the subtrees at the given JSON
    /// pointers, which keep their insertion order. Plans use this: key order inside a
    /// payload mapping is the order fields go on the wire, so it is meaning, not layout.
    public static func prettyBytes(_ value: JSONValue, sortedExceptUnder preserved: Set<String>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        writePreserving(value, pointer: "", preserved: preserved, indent: 0, into: &out)
        return out
    }

    private static func writePreserving(_ value: JSONValue, pointer: String, preserved: Set<String>, indent: Int, into out: inout [UInt8]) {
        if preserved.contains(pointer) {
            write(value, style: .pretty, indent: indent, into: &out)
            return
        }
        switch value {
        case .array(let a) where !a.isEmpty:
            out.append(UInt8(ascii: "["))
            for (i, element) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1, &out)
                writePreserving(element, pointer: JSONPointer.appending(pointer, i), preserved: preserved, indent: indent + 1, into: &out)
            }
            newline(indent, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let o) where !o.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (i, key) in o.sortedKeys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1, &out)
                writeString(key, into: &out)
                out.append(contentsOf: [UInt8(ascii: ":"), 0x20])
                writePreserving(o[key]!, pointer: JSONPointer.appending(pointer, key), preserved: preserved, indent: indent + 1, into: &out)
            }
            newline(indent, &out)
            out.append(UInt8(ascii: "}"))
        default:
            write(value, style: .prettySorted, indent: indent, into: &out)
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends a JSON string literal. Escapes quote, backslash, all C0 controls, DEL-free;
    /// U+2028 and U+2029 are escaped too so the output is also safe inside JavaScript.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        appendQuoted(s, into: &out)
    }

    /// Appends a JSON string literal to a `ByteWriter`.
    public static func writeString(_ s: String, into out: inout ByteWriter) {
        appendQuoted(s, into: &out)
    }

    private static func appendQuoted<Out: JSONByteSink & ~Copyable>(_ s: String, into out: inout Out) {
        out.append(UInt8(ascii: "\""))
        // Contiguous storage reads small (inline) strings from a stack copy and large ones in
        // place, without copying (or retaining) the string.
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { appendEscapedBytes($0, into: &out) }
        if done == nil {
            var copy = s
            copy.withUTF8 { appendEscapedBytes($0, into: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends the escaped content (without quotes) of UTF-8 bytes.
    public static func appendEscaped(_ buffer: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        appendEscapedBytes(buffer, into: &out)
    }

    /// Appends the escaped content (without quotes) of UTF-8 bytes to a `ByteWriter`.
    public static func appendEscaped(_ buffer: UnsafeBufferPointer<UInt8>, into out: inout ByteWriter) {
        appendEscapedBytes(buffer, into: &out)
    }

    private static func appendEscapedBytes<Out: JSONByteSink & ~Copyable>(_ buffer: UnsafeBufferPointer<UInt8>, into out: inout Out) {
        guard let base = buffer.baseAddress else { return }
        var runStart = 0
        let n = buffer.count
        // Skip to the next byte that may need escaping, 16 bytes per step; most strings
        // have none and become one bulk copy.
        var i = nextSpecialByte(base, from: 0, count: n)
        while i < n {
            let b = buffer[i]
            var escape: (UInt8, UInt8)? = nil
            var unicode: UInt16? = nil
            if b == 0x22 { escape = (0x5C, 0x22) }
            else if b == 0x5C { escape = (0x5C, 0x5C) }
            else if b < 0x20 {
                switch b {
                case 0x08: escape = (0x5C, UInt8(ascii: "b"))
                case 0x0C: escape = (0x5C, UInt8(ascii: "f"))
                case 0x0A: escape = (0x5C, UInt8(ascii: "n"))
                case 0x0D: escape = (0x5C, UInt8(ascii: "r"))
                case 0x09: escape = (0x5C, UInt8(ascii: "t"))
                default: unicode = UInt16(b)
                }
            } else if b == 0xE2, i + 2 < n, buffer[i + 1] == 0x80, buffer[i + 2] == 0xA8 || buffer[i + 2] == 0xA9 {
                unicode = buffer[i + 2] == 0xA8 ? 0x2028 : 0x2029
            }
            if escape == nil && unicode == nil {
                // 0xE2 starting some other character.
                i = nextSpecialByte(base, from: i + 1, count: n)
                continue
            }
            if runStart < i { out.appendBytes(UnsafeBufferPointer(rebasing: buffer[runStart..<i])) }
            if let (a, c) = escape {
                out.append(a); out.append(c)
                i += 1
            } else if let u = unicode {
                out.append(0x5C); out.append(UInt8(ascii: "u"))
                out.append(hexDigits[Int(u >> 12 & 0xF)]); out.append(hexDigits[Int(u >> 8 & 0xF)])
                out.append(hexDigits[Int(u >> 4 & 0xF)]); out.append(hexDigits[Int(u & 0xF)])
                i += u >= 0x2028 ? 3 : 1
            }
            runStart = i
            i = nextSpecialByte(base, from: i, count: n)
        }
        if runStart < n { out.appendBytes(UnsafeBufferPointer(rebasing: buffer[runStart..<n])) }
    }

    // MARK: - Finding bytes to escape

    /// True for a byte that may need escaping in a JSON string: `"`, `\\`, a C0 control, or
    /// 0xE2 (the lead byte of U+2028 and U+2029, which are escaped for JavaScript).
    @inline(__always)
    static func isSpecial(_ b: UInt8) -> Bool { b < 0x20 || b == 0x22 || b == 0x5C || b == 0xE2 }

    /// Flags (bit 7 of each byte) for the special bytes among 8 bytes, by SWAR: a zero byte
    /// in `w ^ c` marks a byte equal to `c`, and `(x - 0x01..) & ~x & 0x80..` finds zero bytes
    /// (`(w - 0x20..) & ~w & 0x80..` finds bytes below 0x20). The lowest flag is exact; a
    /// borrow can add false flags above a true one, which callers re-check byte by byte.
    /// (Plain integer code: Swift's generic SIMD compares were scalarized, ~10x slower.)
    @inline(__always)
    static func specialFlags(_ p: UnsafePointer<UInt8>) -> UInt64 {
        let w = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C), e2 = w ^ (ones &* 0xE2)
        let flags = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
            | ((e2 &- ones) & ~e2) | ((w &- ones &* 0x20) & ~w)
        return flags & (ones &* 0x80)
    }

    /// The index of the first byte at or after `start` that may need escaping (`isSpecial`;
    /// possibly a false positive, never skipping a special byte), or `count`. Checks 16 bytes
    /// per step, since this runs over every byte a JSON template or writer emits as string
    /// content; a shorter tail is checked with one overlapping load, masking the lanes
    /// before it, so no byte outside the buffer is read.
    @usableFromInline
    static func nextSpecialByte(_ base: UnsafePointer<UInt8>, from start: Int, count n: Int) -> Int {
        var i = start
        // Two words per step: one branch per 16 clean bytes.
        while i &+ 16 <= n {
            let low = specialFlags(base + i), high = specialFlags(base + (i &+ 8))
            if low | high != 0 {
                return low != 0 ? i &+ (low.trailingZeroBitCount &>> 3) : i &+ 8 &+ (high.trailingZeroBitCount &>> 3)
            }
            i &+= 16
        }
        if i &+ 8 <= n {
            let flags = specialFlags(base + i)
            if flags != 0 { return i &+ flags.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        if i >= n { return n }
        if n >= 8 {
            let blockStart = n &- 8
            let flags = specialFlags(base + blockStart) & (~0 &<< (8 &* (i &- blockStart)))
            return flags != 0 ? blockStart &+ flags.trailingZeroBitCount &>> 3 : n
        }
        while i < n {
            if isSpecial(base[i]) { return i }
            i &+= 1
        }
        return n
    }
}
