#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces known secret values with `<redacted:NAME>`: the one redactor every place that
/// writes text a user did not ask to contain secrets goes through (dry runs, dead letters,
/// mock logs and check results, conformance reports, diff output, `render --redact`).
///
/// Each value is searched in every form it takes where dspec writes it:
/// - as is, JSON-escaped (inside a JSON body or report), XML-escaped (JUnit), RFC 3986
///   percent-encoded with upper- or lowercase hex (a query string) and form-encoded (a
///   form body; space as `+`);
/// - base64 (standard and URL-safe) at each of the three alignments a value can have inside
///   a longer encoded string, so `Basic base64(user:password)` and a JWT claim are caught
///   even when only the secret part is known: the characters that depend on the secret
///   alone are replaced (a few edge characters that mix in the neighbouring bytes stay).
///   Values whose full derived form is known (a constant Basic credential) should be added
///   as their own entries; they are then replaced whole.
///
/// Longer needles win at a position, so a secret that contains another is replaced whole.
/// Pure and immutable: one redactor serves every thread.
public struct SecretRedactor: Sendable {
    /// A named secret value.
    public struct Secret: Sendable, Equatable {
        /// The name shown in its place: `<redacted:NAME>`.
        public var name: String
        /// The value.
        public var value: String

        /// Creates a named value.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Shortest base64 fragment searched (shorter ones would match by chance).
    static let minimumBase64Fragment = 8

    private let needles: [(bytes: [UInt8], replacement: [UInt8])]
    /// Needle indexes by first byte, longest first.
    private let byFirstByte: [[Int]]
    /// True for bytes some needle starts with.
    private let startsNeedle: [Bool]

    /// The secrets it was built from.
    public let secrets: [Secret]

    /// A redactor that changes nothing.
    public init() { self.init([Secret]()) }

    /// Creates a redactor for `secrets` (empty values are ignored).
    public init(_ secrets: [Secret]) {
        self.secrets = secrets
        var pairs: [([UInt8], [UInt8])] = []
        var seen = Set<[UInt8]>()
        for s in secrets where !s.value.isEmpty {
            let replacement = Array("<redacted:\(s.name)>".utf8)
            for form in Self.forms(of: Array(s.value.utf8)) where !form.isEmpty && seen.insert(form).inserted {
                pairs.append((form, replacement))
            }
        }
        pairs.sort { $0.0.count > $1.0.count }
        needles = pairs.map { (bytes: $0.0, replacement: $0.1) }
        var table = [[Int]](repeating: [], count: 256)
        for (i, n) in needles.enumerated() { table[Int(n.bytes[0])].append(i) }
        byFirstByte = table
        startsNeedle = table.map { !$0.isEmpty }
    }

    /// Creates a redactor for `(name, value)` pairs.
    public init(_ pairs: [(name: String, value: String)]) {
        self.init(pairs.map { Secret(name: $0.name, value: $0.value) })
    }

    /// Creates a redactor for every string value of a secrets object (`name -> value`).
    public init(values: [String: String]) {
        self.init(values.sorted { $0.key < $1.key }.map { Secret(name: $0.key, value: $0.value) })
    }

    /// True when there is nothing to redact.
    public var isEmpty: Bool { needles.isEmpty }

    /// This redactor plus `more`.
    public func adding(_ more: [Secret]) -> SecretRedactor { SecretRedactor(secrets + more) }

    /// `text` with every form of every secret replaced.
    public func redact(_ text: String) -> String {
        guard !needles.isEmpty else { return text }
        let bytes = Array(text.utf8)
        guard let out = redacted(bytes) else { return text }
        return String(decoding: out, as: UTF8.self)
    }

    /// `bytes` with every form of every secret replaced.
    public func redact(bytes: [UInt8]) -> [UInt8] {
        guard !needles.isEmpty else { return bytes }
        return redacted(bytes) ?? bytes
    }

    /// One pass: at each byte, the longest needle starting there is replaced. Nil when
    /// nothing matched (the common case, no copy).
    private func redacted(_ bytes: [UInt8]) -> [UInt8]? {
        bytes.withUnsafeBufferPointer { input -> [UInt8]? in
            var out: [UInt8] = []
            var copied = 0
            var changed = false
            var i = 0
            let n = input.count
            while i < n {
                // Most bytes start no needle: one table load, no array retained.
                guard startsNeedle[Int(input[i])] else { i += 1; continue }
                var matched: Int?
                for c in byFirstByte[Int(input[i])] {
                    let needle = needles[c].bytes
                    if i + needle.count <= n && needle.withUnsafeBufferPointer({ memcmp($0.baseAddress!, input.baseAddress! + i, needle.count) == 0 }) {
                        matched = c
                        break
                    }
                }
                guard let m = matched else { i += 1; continue }
                if !changed { out.reserveCapacity(n); changed = true }
                out.append(contentsOf: input[copied..<i])
                out.append(contentsOf: needles[m].replacement)
                i += needles[m].bytes.count
                copied = i
            }
            guard changed else { return nil }
            out.append(contentsOf: input[copied..<n])
            return out
        }
    }

    // MARK: - Forms

    static func forms(of value: [UInt8]) -> [[UInt8]] {
        var forms = [value, jsonEscaped(value), xmlEscaped(value),
                     percentEncoded(value, form: false, upper: true), percentEncoded(value, form: false, upper: false),
                     percentEncoded(value, form: true, upper: true)]
        for shift in 0..<3 {
            let encoded = base64(Array(repeating: 0, count: shift) + value + [0, 0, 0])
            let start = ((shift + 2) / 3) * 4
            let end = ((shift + value.count) / 3) * 4
            guard end - start >= minimumBase64Fragment else { continue }
            let fragment = Array(encoded[start..<end])
            forms.append(fragment)
            forms.append(fragment.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 })
        }
        // The whole value encoded alone (`Basic` of a pre-joined pair, a key sent base64).
        if value.count >= minimumBase64Fragment {
            let whole = base64(value)
            forms.append(whole)
            forms.append(Array(whole.prefix { $0 != UInt8(ascii: "=") }))
        }
        return forms
    }

    private static let upperHex = Array("0123456789ABCDEF".utf8)
    private static let lowerHex = Array("0123456789abcdef".utf8)

    /// As the JSON writers escape string content.
    static func jsonEscaped(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < value.count {
            let b = value[i]
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0..<0x20: out += Array(#"\u00"#.utf8) + [lowerHex[Int(b >> 4)], lowerHex[Int(b & 0xF)]]
            case 0xE2 where i + 2 < value.count && value[i + 1] == 0x80 && (value[i + 2] == 0xA8 || value[i + 2] == 0xA9):
                out += Array((value[i + 2] == 0xA8 ? #"\u2028"# : #"\u2029"#).utf8)
                i += 2
            default: out.append(b)
            }
            i += 1
        }
        return out
    }

    static func xmlEscaped(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for b in value {
            switch b {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            case UInt8(ascii: "'"): out += Array("&apos;".utf8)
            default: out.append(b)
            }
        }
        return out
    }

    /// RFC 3986 (unreserved kept) or WHATWG form encoding (`*-._` kept, space as `+`).
    static func percentEncoded(_ value: [UInt8], form: Bool, upper: Bool) -> [UInt8] {
        let hex = upper ? upperHex : lowerHex
        var out: [UInt8] = []
        for b in value {
            let alnum = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            let kept = alnum || b == 0x2D || b == 0x2E || b == 0x5F || (form ? b == 0x2A : b == 0x7E)
            if kept { out.append(b) } else if form && b == 0x20 { out.append(UInt8(ascii: "+")) } else { out += [0x25, hex[Int(b >> 4)], hex[Int(b & 0xF)]] }
        }
        return out
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(base64Alphabet[Int(b0 >> 2)])
            out.append(base64Alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? base64Alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? base64Alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return out
    }
}
