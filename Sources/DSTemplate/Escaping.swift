import DSJSON

/// The byte-level escapers behind each `TemplateMode`. They work on UTF-8 buffers and append
/// to the output in runs, so the common case (nothing to escape) is one bulk copy.
enum Escaping {
    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Handlebars' `escapeExpression`: `& < > " ' \` =`.
    static func appendHTML(_ buf: UnsafeBufferPointer<UInt8>, into out: inout ByteWriter) {
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
            if run < i { out.append(UnsafeBufferPointer(rebasing: buf[run..<i])) }
            out.append(replacement)
            run = i + 1
        }
        if run < buf.count { out.append(UnsafeBufferPointer(rebasing: buf[run..<buf.count])) }
    }

    /// JSON-string-escapes UTF-8 bytes (without quotes). `JSONWriter` finds the bytes to
    /// escape 16 at a time and copies clean runs in bulk.
    @inline(__always)
    static func appendJSONEscaped(_ buf: UnsafeBufferPointer<UInt8>, into out: inout ByteWriter) {
        JSONWriter.appendEscaped(buf, into: &out)
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
    static func appendPercentEncoded(_ buf: UnsafeBufferPointer<UInt8>, into out: inout ByteWriter) {
        var run = 0
        for i in 0..<buf.count where !isUnreserved(buf[i]) {
            if run < i { out.append(UnsafeBufferPointer(rebasing: buf[run..<i])) }
            let b = buf[i]
            out.append(UInt8(ascii: "%"))
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
            run = i + 1
        }
        if run < buf.count { out.append(UnsafeBufferPointer(rebasing: buf[run..<buf.count])) }
    }

    /// Percent-encodes a string (the `urlencode` helper and transform).
    static func percentEncoded(_ s: String) -> String {
        var copy = s
        return ByteWriter.withScratch(capacity: 256) { out in
            copy.withUTF8 { appendPercentEncoded($0, into: &out) }
            return String(decoding: out.bytes, as: UTF8.self)
        }
    }

    /// True for the bytes a header field value must not hold (RFC 9110 section 5.5): every
    /// control byte (NUL, 0x01-0x1F, DEL 0x7F) except HTAB, which field values may contain.
    @inline(__always)
    static func isForbiddenInHeader(_ b: UInt8) -> Bool {
        (b < 0x20 && b != 0x09) || b == 0x7F
    }

    /// True if a header value would carry CR, LF, NUL or another forbidden control byte.
    static func hasHeaderBreak(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in buf where isForbiddenInHeader(b) { return true }
        return false
    }

    /// True for the bytes a host[:port] value may hold: letters, digits, `-._~`, `:` and
    /// the brackets of an IPv6 literal.
    @inline(__always)
    static func isAuthorityByte(_ b: UInt8) -> Bool {
        isUnreserved(b) || b == UInt8(ascii: ":") || b == UInt8(ascii: "[") || b == UInt8(ascii: "]")
    }

    /// Prefixes every line of `out[start...]` with `indent`, except an empty last line, as
    /// handlebars.js does for standalone partials.
    static func indentLines(_ out: inout ByteWriter, from start: Int, indent: [UInt8]) {
        guard !indent.isEmpty, start <= out.count else { return }
        let rendered = Array(UnsafeBufferPointer(rebasing: out.bytes[start...]))
        out.truncate(to: start)
        var lineStart = true
        indent.withUnsafeBufferPointer { indent in
            for b in rendered {
                if lineStart { out.append(indent) }
                out.append(b)
                lineStart = b == 0x0A
            }
        }
    }
}
