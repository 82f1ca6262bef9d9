import DSJSON

/// The byte-level escapers behind each `TemplateMode`. They work on UTF-8 buffers and append
/// to the output in runs, so the common case (nothing to escape) is one bulk copy.
enum Escaping {
    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Handlebars' `escapeExpression`: `& < > " ' \` =`.
    static func appendHTML(_ buf: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var run = 0
        for i in 0..<buf.count {
            let replacement: StaticString
            switch buf[i] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "'"): replacement = "&#x27;"
            case UInt8(ascii: "`"): replacement = "&#x60;"
            case UInt8(ascii: "="): replacement = "&#x3D;"
            default: continue
            }
            if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<i])) }
            replacement.withUTF8Buffer { out.append(contentsOf: $0) }
            run = i + 1
        }
        if run < buf.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<buf.count])) }
    }

    /// JSON-string-escapes UTF-8 bytes (without quotes).
    @inline(__always)
    static func appendJSONEscaped(_ buf: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        if mayNeedJSONEscaping(buf) { JSONWriter.appendEscaped(buf, into: &out) } else { out.append(contentsOf: buf) }
    }

    /// True if any byte is `"`, `\\`, a C0 control or 0xE2; checks eight bytes at a time
    /// (SWAR), since this runs over every byte a JSON template writes.
    @inline(__always)
    static func mayNeedJSONEscaping(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = buf.baseAddress else { return false }
        let n = buf.count
        var i = 0
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= n {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            // A zero byte in (w ^ c) marks a byte equal to c; (x - 0x01..) & ~x & 0x80.. finds zero bytes.
            let quote = w ^ (ones &* 0x22), slash = w ^ (ones &* 0x5C)
            let hasQuote = (quote &- ones) & ~quote & highs
            let hasSlash = (slash &- ones) & ~slash & highs
            let hasControl = (w &- ones &* 0x20) & ~w & highs
            if hasQuote | hasSlash | hasControl != 0 { return true }
            if w & highs != 0 {
                for k in i..<(i + 8) where base[k] == 0xE2 { return true }
            }
            i += 8
        }
        while i < n {
            let b = base[i]
            if b < 0x20 || b == 0x22 || b == 0x5C || b == 0xE2 { return true }
            i += 1
        }
        return false
    }

    /// True for RFC 3986 unreserved characters, the only bytes left as they are.
    @inline(__always)
    static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
    }

    /// Percent-encodes everything but unreserved characters (space becomes `%20`). The same
    /// set is right for a path segment (so `/` cannot add a segment) and for a query value
    /// (so `&`, `=`, `#` and `+` cannot add parameters or change meaning).
    static func appendPercentEncoded(_ buf: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var run = 0
        for i in 0..<buf.count where !isUnreserved(buf[i]) {
            if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<i])) }
            let b = buf[i]
            out.append(UInt8(ascii: "%"))
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
            run = i + 1
        }
        if run < buf.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<buf.count])) }
    }

    /// Percent-encodes a string (the `urlencode` helper and transform).
    static func percentEncoded(_ s: String) -> String {
        var out: [UInt8] = []
        var copy = s
        copy.withUTF8 { appendPercentEncoded($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// True if a header value would carry CR, LF or NUL.
    static func hasHeaderBreak(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in buf where b == 0x0D || b == 0x0A || b == 0x00 { return true }
        return false
    }

    /// Prefixes every line of `out[start...]` with `indent`, except an empty last line, as
    /// handlebars.js does for standalone partials.
    static func indentLines(_ out: inout [UInt8], from start: Int, indent: [UInt8]) {
        guard !indent.isEmpty, start <= out.count else { return }
        let rendered = Array(out[start...])
        out.removeSubrange(start...)
        var lineStart = true
        for b in rendered {
            if lineStart { out.append(contentsOf: indent) }
            out.append(b)
            lineStart = b == 0x0A
        }
    }
}
