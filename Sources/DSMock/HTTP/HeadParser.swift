/// The parsed request line and header section of one request, with its framing decided.
///
/// A class: the parser hands it from `parseHead` to `finish` (and keeps it while a body
/// arrives), and as a struct of Strings and arrays each of those moves was a copy and a
/// destroy through the runtime's generic value witnesses (~500 instructions a request).
final class ParsedHead {
    var method: String
    var target: String
    var version: String
    var headers: [MockHeader]
    var head: [UInt8]
    /// Body framing from Content-Length / Transfer-Encoding.
    var framing: Framing
    /// Whether the connection stays open after the response.
    var keepAlive: Bool
    /// `Expect: 100-continue` was sent (HTTP/1.1 only).
    var expectsContinue: Bool
    /// Set by the fast path (``HeadParser/parseSimple(head:lines:base:limits:)``): the fields
    /// are views of `head` and `method`, `target`, `version` and `headers` are left empty.
    var layout: WireLayout?

    init(method: String, target: String, version: String, headers: [MockHeader], head: [UInt8], framing: Framing,
         keepAlive: Bool, expectsContinue: Bool, layout: WireLayout? = nil) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.head = head
        self.framing = framing
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
        self.layout = layout
    }

    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
    }
}

/// What the fast path (``HeadParser/parseSimple(head:lines:base:limits:)``) found: the head,
/// where its fields lie, and the body length (0: none). Framing is `Content-Length` or none,
/// the connection stays open on HTTP/1.1 and closes on HTTP/1.0, and nothing expects 100.
/// A struct of an array and numbers: a bodiless request goes from head to `MockRequest`
/// without a `ParsedHead` allocation.
struct SimpleHead {
    var head: [UInt8]
    var layout: WireLayout
    var contentLength: Int

    var keepAlive: Bool { layout.minorVersion == 1 }

    /// The same head as a ``ParsedHead`` (for a request whose body is still to come).
    var parsed: ParsedHead {
        ParsedHead(method: "", target: "", version: "", headers: [], head: head, framing: contentLength > 0 ? .length(contentLength) : .none,
                   keepAlive: keepAlive, expectsContinue: false, layout: layout)
    }
}

/// A request the server must refuse, with the status it answers before closing.
struct HTTPParseError: Error, Equatable {
    var status: Int
    var reason: String
}

/// Byte classes of RFC 9110.
enum HTTPBytes {
    static let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, sp: UInt8 = 0x20, htab: UInt8 = 0x09, colon: UInt8 = 0x3A

    /// `tchar`: the characters of a method or field name.
    static let tchar: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(c)] = true }
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(c)] = true }
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(c)] = true }
        for c in "!#$%&'*+-.^_`|~".utf8 { table[Int(c)] = true }
        return table
    }()

    /// A field-value byte: visible ASCII, obs-text, space or tab. NUL, CR, LF and other
    /// controls are refused because they are how header injection and smuggling start.
    @inline(__always)
    static func isFieldValueByte(_ c: UInt8) -> Bool {
        c == htab || (c >= 0x20 && c != 0x7F)
    }

    /// A request-target byte: visible ASCII only.
    @inline(__always)
    static func isTargetByte(_ c: UInt8) -> Bool { c > 0x20 && c < 0x7F }

    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool { c == sp || c == htab }
}

/// Parses and validates one request head (request line and fields) and decides its framing
/// per RFC 9112 section 6. Strict by design: ambiguity in framing is how request smuggling
/// works, so anything a careful server would not accept is a 400.
enum HeadParser {
    /// Parses `bytes`, the head without its final blank line. `lines` are the line ranges
    /// (excluding CR LF) already split by the caller.
    /// `lines` may be offsets into a larger buffer that `head` was copied from at `base`.
    static func parse(head: [UInt8], lines: [Range<Int>], base: Int = 0, limits: MockLimits) throws(HTTPParseError) -> ParsedHead {
        guard let first = lines.first else { throw HTTPParseError(status: 400, reason: "empty request line") }
        let (method, target, version) = try requestLine(head, (first.lowerBound - base)..<(first.upperBound - base))
        if lines.count - 1 > limits.maxHeaderCount {
            throw HTTPParseError(status: 431, reason: "more than \(limits.maxHeaderCount) header fields")
        }
        var headers: [MockHeader] = []
        headers.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() { headers.append(try field(head, (line.lowerBound - base)..<(line.upperBound - base))) }
        let parsed = ParsedHead(method: method, target: target, version: version, headers: headers, head: head,
                                framing: .none, keepAlive: version == "HTTP/1.1", expectsContinue: false)
        try decideFraming(parsed, limits: limits)
        return parsed
    }

    /// The fast path for the common head: an origin-form target, `HTTP/1.1` or `HTTP/1.0`,
    /// fields that are tokens and field-value bytes, one `Host` on HTTP/1.1, at most one plain
    /// `Content-Length` within the body limit, and no `Transfer-Encoding`, `Connection` or
    /// `Expect`. It checks and frames on the bytes and makes no String; the request's fields
    /// stay views of `head` (``WireLayout``). For anything else (every error included) it
    /// returns nil and the caller runs ``parse(head:lines:base:limits:)``, so every refusal
    /// and its reason come from one place. Where it answers, it answers as `parse` would:
    /// `HeadParserFastPathTests` compares them on chosen and random heads.
    static func parseSimple(head: [UInt8], lines: [Range<Int>], base: Int = 0, limits: MockLimits) -> SimpleHead? {
        guard let first = lines.first, lines.count - 1 <= limits.maxHeaderCount, head.count < Int(Int32.max) else { return nil }
        let tchar = HTTPBytes.tchar
        return head.withUnsafeBufferPointer { b -> SimpleHead? in
            // Request line: method SP origin-form-target SP HTTP/1.x
            let lo = first.lowerBound - base, hi = first.upperBound - base
            guard lo == 0, hi <= b.count else { return nil }
            var i = lo
            while i < hi, b[i] != HTTPBytes.sp {
                guard tchar[Int(b[i])] else { return nil }
                i += 1
            }
            let methodEnd = i
            guard methodEnd > lo, methodEnd + 1 < hi, b[methodEnd + 1] == UInt8(ascii: "/") else { return nil }
            i = methodEnd + 1
            while i < hi, b[i] != HTTPBytes.sp {
                guard HTTPBytes.isTargetByte(b[i]) else { return nil }
                i += 1
            }
            let targetEnd = i
            guard hi - targetEnd == 9, b[targetEnd + 1] == UInt8(ascii: "H"), b[targetEnd + 2] == UInt8(ascii: "T"),
                  b[targetEnd + 3] == UInt8(ascii: "T"), b[targetEnd + 4] == UInt8(ascii: "P"), b[targetEnd + 5] == UInt8(ascii: "/"),
                  b[targetEnd + 6] == UInt8(ascii: "1"), b[targetEnd + 7] == UInt8(ascii: "."),
                  b[targetEnd + 8] == UInt8(ascii: "1") || b[targetEnd + 8] == UInt8(ascii: "0") else { return nil }
            let minor: UInt8 = b[targetEnd + 8] == UInt8(ascii: "1") ? 1 : 0
            // Fields.
            var hostCount = 0
            var contentLength: Int?
            for k in 1..<lines.count {
                let lineLo = lines[k].lowerBound - base, lineHi = lines[k].upperBound - base
                guard lineLo < lineHi, lineHi <= b.count else { return nil }
                var c = lineLo
                while c < lineHi, b[c] != HTTPBytes.colon {
                    guard tchar[Int(b[c])] else { return nil }  // also refuses leading whitespace (folding)
                    c += 1
                }
                guard c > lineLo, c < lineHi else { return nil }  // an empty name, or no colon
                for v in (c + 1)..<lineHi where !HTTPBytes.isFieldValueByte(b[v]) { return nil }
                switch c - lineLo {
                case 4 where Self.nameIs(b, lineLo, "host"):
                    hostCount += 1
                case 14 where Self.nameIs(b, lineLo, "content-length"):
                    guard contentLength == nil else { return nil }
                    var vlo = c + 1, vhi = lineHi
                    while vlo < vhi, HTTPBytes.isWhitespace(b[vlo]) { vlo += 1 }
                    while vhi > vlo, HTTPBytes.isWhitespace(b[vhi - 1]) { vhi -= 1 }
                    guard vhi > vlo, vhi - vlo <= 18 else { return nil }
                    var n = 0
                    for d in vlo..<vhi {
                        guard isDigit(b[d]) else { return nil }
                        n = n * 10 + Int(b[d] - 0x30)
                    }
                    guard n <= limits.maxBodyBytes else { return nil }
                    contentLength = n
                case 17 where Self.nameIs(b, lineLo, "transfer-encoding"),
                     10 where Self.nameIs(b, lineLo, "connection"),
                     6 where Self.nameIs(b, lineLo, "expect"):
                    return nil
                default:
                    break
                }
            }
            if minor == 1, hostCount != 1 { return nil }
            let fieldsStart = lines.count > 1 ? lines[1].lowerBound - base : b.count
            let layout = WireLayout(methodEnd: Int32(methodEnd), targetEnd: Int32(targetEnd), minorVersion: minor,
                                    fieldsStart: Int32(fieldsStart), fieldCount: Int32(lines.count - 1))
            return SimpleHead(head: head, layout: layout, contentLength: contentLength ?? 0)
        }
    }

    /// True when the field name at `at` equals `lowercase` (ASCII case-insensitive).
    @inline(__always)
    private static func nameIs(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ lowercase: StaticString) -> Bool {
        let p = lowercase.utf8Start
        for k in 0..<lowercase.utf8CodeUnitCount where asciiLower(b[at + k]) != p[k] { return false }
        return true
    }

    /// `method SP request-target SP HTTP-version`, single spaces only.
    private static func requestLine(_ b: [UInt8], _ r: Range<Int>) throws(HTTPParseError) -> (String, String, String) {
        guard let sp1 = b[r].firstIndex(of: HTTPBytes.sp), sp1 > r.lowerBound else {
            throw HTTPParseError(status: 400, reason: "malformed request line")
        }
        guard let sp2 = b[(sp1 + 1)..<r.upperBound].firstIndex(of: HTTPBytes.sp), sp2 > sp1 + 1 else {
            throw HTTPParseError(status: 400, reason: "malformed request line")
        }
        for c in b[r.lowerBound..<sp1] where !HTTPBytes.tchar[Int(c)] {
            throw HTTPParseError(status: 400, reason: "invalid character in method")
        }
        for c in b[(sp1 + 1)..<sp2] where !HTTPBytes.isTargetByte(c) {
            throw HTTPParseError(status: 400, reason: "invalid character in request target")
        }
        let versionBytes = b[(sp2 + 1)..<r.upperBound]
        // Checked on the bytes (String prefix tests and comparisons were a fifth of the head's cost).
        let targetBytes = b[(sp1 + 1)..<sp2]
        guard targetBytes.first == UInt8(ascii: "/") || (targetBytes.count == 1 && targetBytes.first == UInt8(ascii: "*"))
                || bytes(b, at: sp1 + 1, equal: "http://") || bytes(b, at: sp1 + 1, equal: "https://") else {
            throw HTTPParseError(status: 400, reason: "request target must be origin-form or absolute-form")
        }
        let target = String(decoding: targetBytes, as: UTF8.self)
        let version: String
        let http1 = versionBytes.count == 8 && bytes(b, at: sp2 + 1, equal: "HTTP/1.")
        if http1, b[sp2 + 8] == UInt8(ascii: "1") {
            version = "HTTP/1.1"
        } else if http1, b[sp2 + 8] == UInt8(ascii: "0") {
            version = "HTTP/1.0"
        } else {
            let text = String(decoding: versionBytes, as: UTF8.self)
            let v = Array(versionBytes)
            if v.count == 8, v.starts(with: Array("HTTP/".utf8)), isDigit(v[5]), v[6] == UInt8(ascii: "."), isDigit(v[7]) {
                throw HTTPParseError(status: 505, reason: "HTTP version \(text) not supported")
            }
            throw HTTPParseError(status: 400, reason: "malformed HTTP version")
        }
        return (String(decoding: b[r.lowerBound..<sp1], as: UTF8.self), target, version)
    }

    /// `field-name ":" OWS field-value OWS`. Also used for chunked trailers.
    static func field(_ b: [UInt8], _ r: Range<Int>) throws(HTTPParseError) -> MockHeader {
        guard let first = r.first.map({ b[$0] }), !HTTPBytes.isWhitespace(first) else {
            throw HTTPParseError(status: 400, reason: "obsolete line folding or empty field line")
        }
        guard let colon = b[r].firstIndex(of: HTTPBytes.colon), colon > r.lowerBound else {
            throw HTTPParseError(status: 400, reason: "header line without a field name and colon")
        }
        for c in b[r.lowerBound..<colon] where !HTTPBytes.tchar[Int(c)] {
            throw HTTPParseError(status: 400, reason: "invalid character in header field name")
        }
        var lo = colon + 1, hi = r.upperBound
        while lo < hi, HTTPBytes.isWhitespace(b[lo]) { lo += 1 }
        while hi > lo, HTTPBytes.isWhitespace(b[hi - 1]) { hi -= 1 }
        for c in b[lo..<hi] where !HTTPBytes.isFieldValueByte(c) {
            throw HTTPParseError(status: 400, reason: "invalid character in header field value")
        }
        return MockHeader(name: String(decoding: b[r.lowerBound..<colon], as: UTF8.self), value: String(decoding: b[lo..<hi], as: UTF8.self))
    }

    /// Host, Content-Length, Transfer-Encoding, Connection and Expect, per RFC 9112.
    private static func decideFraming(_ p: ParsedHead, limits: MockLimits) throws(HTTPParseError) {
        var hostCount = 0
        var contentLength: Int?
        var transferCodings: [String] = []
        var sawTransferEncoding = false
        for h in p.headers {
            switch h.name.utf8.count {
            case 4 where asciiCaseInsensitiveEquals(h.name, "Host"):
                hostCount += 1
            case 14 where asciiCaseInsensitiveEquals(h.name, "Content-Length"):
                for item in h.value.split(separator: ",", omittingEmptySubsequences: false) {
                    let text = item.trimmingWhitespace()
                    guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy(isDigit), let n = Int(text) else {
                        if !text.isEmpty, text.utf8.allSatisfy(isDigit) {
                            throw HTTPParseError(status: 413, reason: "Content-Length exceeds \(limits.maxBodyBytes) bytes")
                        }
                        throw HTTPParseError(status: 400, reason: "invalid Content-Length")
                    }
                    if let c = contentLength, c != n { throw HTTPParseError(status: 400, reason: "conflicting Content-Length values") }
                    contentLength = n
                }
            case 17 where asciiCaseInsensitiveEquals(h.name, "Transfer-Encoding"):
                sawTransferEncoding = true
                for item in h.value.split(separator: ",", omittingEmptySubsequences: false) {
                    let coding = item.trimmingWhitespace().lowercased()
                    guard !coding.isEmpty else { throw HTTPParseError(status: 400, reason: "empty transfer coding") }
                    transferCodings.append(coding)
                }
            case 10 where asciiCaseInsensitiveEquals(h.name, "Connection"):
                for token in h.value.split(separator: ",") {
                    let t = token.trimmingWhitespace().lowercased()
                    if t == "close" { p.keepAlive = false }
                    if t == "keep-alive", p.version == "HTTP/1.0" { p.keepAlive = true }
                }
            case 6 where asciiCaseInsensitiveEquals(h.name, "Expect"):
                guard h.value.lowercased() == "100-continue" else {
                    throw HTTPParseError(status: 417, reason: "unsupported expectation \"\(h.value)\"")
                }
                p.expectsContinue = p.version == "HTTP/1.1"
            default:
                break
            }
        }
        if p.version == "HTTP/1.1", hostCount != 1 {
            throw HTTPParseError(status: 400, reason: hostCount == 0 ? "missing Host header" : "more than one Host header")
        }
        if sawTransferEncoding {
            if contentLength != nil { throw HTTPParseError(status: 400, reason: "both Content-Length and Transfer-Encoding") }
            if p.version == "HTTP/1.0" { throw HTTPParseError(status: 400, reason: "Transfer-Encoding in an HTTP/1.0 request") }
            guard transferCodings.last == "chunked" else {
                throw HTTPParseError(status: 400, reason: "Transfer-Encoding does not end in chunked")
            }
            guard transferCodings.count == 1 else {
                throw HTTPParseError(status: 501, reason: "transfer codings other than chunked are not implemented")
            }
            p.framing = .chunked
        } else if let n = contentLength {
            if n > limits.maxBodyBytes { throw HTTPParseError(status: 413, reason: "Content-Length exceeds \(limits.maxBodyBytes) bytes") }
            p.framing = n > 0 ? .length(n) : .none
        }
        if p.framing == .none { p.expectsContinue = false }
    }

    /// True when `b` holds `text`'s bytes from `offset` on.
    @inline(__always)
    static func bytes(_ b: [UInt8], at offset: Int, equal text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard offset >= 0, b.count - offset >= n else { return false }
        let p = text.utf8Start
        for i in 0..<n where b[offset + i] != p[i] { return false }
        return true
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs (HTTP's OWS).
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.utf8.first, HTTPBytes.isWhitespace(f) { s = s.dropFirst() }
        while let l = s.utf8.last, HTTPBytes.isWhitespace(l) { s = s.dropLast() }
        return s
    }
}
