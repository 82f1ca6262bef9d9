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

    private static func newline(_ indent: Int, _ out: inout [UInt8]) {
        out.append(0x0A)
        for _ in 0..<indent { out.append(0x20); out.append(0x20) }
    }

    private static func write(_ value: JSONValue, style: Style, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.text.utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty { out.append(contentsOf: "[]".utf8); return }
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
            if o.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            let pretty = style == .pretty || style == .prettySorted
            let keys = (style == .compactSorted || style == .prettySorted) ? o.sortedKeys : o.keys
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1, &out) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(0x20) }
                write(o[key]!, style: style, indent: indent + 1, into: &out)
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
        out.append(UInt8(ascii: "\""))
        // withUTF8 reads small (inline) strings from a stack copy instead of allocating.
        var s = s
        s.withUTF8 { appendEscaped($0, into: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends the escaped content (without quotes) of UTF-8 bytes.
    public static func appendEscaped(_ buffer: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var runStart = 0
        var i = 0
        let n = buffer.count
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
                i += 1
                continue
            }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<i])) }
            if let (a, c) = escape {
                out.append(a); out.append(c)
                i += 1
            } else if let u = unicode {
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"),
                    hexDigits[Int(u >> 12 & 0xF)], hexDigits[Int(u >> 8 & 0xF)],
                    hexDigits[Int(u >> 4 & 0xF)], hexDigits[Int(u & 0xF)]])
                i += u >= 0x2028 ? 3 : 1
            }
            runStart = i
        }
        if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<n])) }
    }
}
