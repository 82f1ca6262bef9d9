/// The two percent-encodings a request needs, as byte-level appenders so the renderer can
/// build URLs and form bodies in one buffer without Foundation.
///
/// They differ on purpose: query parameters follow RFC 3986 (everything but the unreserved
/// set is encoded, space is `%20`), while `application/x-www-form-urlencoded` bodies follow
/// the WHATWG URL standard's serializer, which is what browsers and most server frameworks
/// produce and parse (space is `+`, `~` is encoded, `*` is not).
public enum PercentEncoding {
    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// True for RFC 3986 unreserved characters: `A-Z a-z 0-9 - . _ ~`.
    @inline(__always)
    public static func isUnreserved(_ b: UInt8) -> Bool {
        isASCIIAlphanumeric(b) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
    }

    /// True for the bytes the WHATWG urlencoded serializer leaves as they are:
    /// ASCII alphanumerics and `* - . _`.
    @inline(__always)
    public static func isFormSafe(_ b: UInt8) -> Bool {
        isASCIIAlphanumeric(b) || b == 0x2A || b == 0x2D || b == 0x2E || b == 0x5F
    }

    @inline(__always)
    static func isASCIIAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
    }

    /// Appends `text` percent-encoded for a URL query name or value (RFC 3986: unreserved
    /// characters kept, every other UTF-8 byte as `%XX` with uppercase hex).
    public static func appendQueryComponent(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendEncoded($0, keep: isUnreserved, spaceAsPlus: false, into: &out) }
    }

    /// Appends `text` as the WHATWG `application/x-www-form-urlencoded` serializer writes a
    /// name or value: ASCII alphanumerics and `*-._` kept, space as `+`, every other UTF-8
    /// byte as `%XX` with uppercase hex.
    public static func appendFormComponent(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendEncoded($0, keep: isFormSafe, spaceAsPlus: true, into: &out) }
    }

    /// Appends already-UTF-8 bytes in the query encoding (for values rendered into a buffer).
    public static func appendQueryComponent(bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        appendEncoded(bytes, keep: isUnreserved, spaceAsPlus: false, into: &out)
    }

    /// Appends already-UTF-8 bytes in the form encoding (for names built in a buffer).
    public static func appendFormComponent(bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        appendEncoded(bytes, keep: isFormSafe, spaceAsPlus: true, into: &out)
    }

    /// `text` encoded for a URL query component, as a string.
    public static func queryComponent(_ text: String) -> String {
        var out: [UInt8] = []
        appendQueryComponent(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` in the form encoding, as a string.
    public static func formComponent(_ text: String) -> String {
        var out: [UInt8] = []
        appendFormComponent(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    private static func appendEncoded(_ buf: UnsafeBufferPointer<UInt8>, keep: (UInt8) -> Bool, spaceAsPlus: Bool, into out: inout [UInt8]) {
        var run = 0
        for i in 0..<buf.count {
            let b = buf[i]
            if keep(b) { continue }
            if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<i])) }
            if b == 0x20 && spaceAsPlus {
                out.append(UInt8(ascii: "+"))
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(b >> 4)])
                out.append(upperHex[Int(b & 0xF)])
            }
            run = i + 1
        }
        if run < buf.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<buf.count])) }
    }
}
