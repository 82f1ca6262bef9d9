#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One header field exactly as received: the name keeps its original case and the value its
/// bytes (minus surrounding whitespace, which HTTP says is not part of the value).
public struct MockHeader: Sendable, Equatable, CustomStringConvertible {
    /// The field name as sent (`X-Hub-Signature-256`, not lowercased).
    public var name: String
    /// The field value with leading and trailing spaces and tabs removed.
    public var value: String

    /// Creates a header.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// `Name: value`.
    public var description: String { "\(name): \(value)" }
}

/// A complete HTTP request as the server received it, framing removed.
///
/// `head` holds the exact bytes of the request line and header section (up to and including
/// the blank line), so a harness can assert byte-exactness; the parsed fields are views of it.
/// A request parsed off the wire keeps them as offsets into `head` (``WireLayout``) and makes
/// each String only when it is read: most requests are answered and journaled without anyone
/// reading their fields, and building them was a tenth of a request's cost (issue 16).
public struct MockRequest: Sendable {
    /// Where `method`, `target`, `version` and `headers` come from.
    private enum Fields: Sendable {
        /// Views of `head`, validated by the parser.
        case wire(WireLayout)
        /// Given as values (the public initializer, or a field set after parsing).
        case explicit(Explicit)
    }
    private struct Explicit: Sendable {
        var method: String, target: String, version: String, headers: [MockHeader]
    }
    private var fields: Fields
    private var rawHead: [UInt8]

    /// The method token (`POST`), case preserved.
    public var method: String {
        get {
            switch fields {
            case .wire(let l): return l.method(rawHead)
            case .explicit(let e): return e.method
            }
        }
        set { var e = explicitFields(); e.method = newValue; fields = .explicit(e) }
    }
    /// The request target as sent (`/v1/events?api_key=...`), percent-encoding untouched.
    public var target: String {
        get {
            switch fields {
            case .wire(let l): return l.target(rawHead)
            case .explicit(let e): return e.target
            }
        }
        set { var e = explicitFields(); e.target = newValue; fields = .explicit(e) }
    }
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String {
        get {
            switch fields {
            case .wire(let l): return l.version
            case .explicit(let e): return e.version
            }
        }
        set { var e = explicitFields(); e.version = newValue; fields = .explicit(e) }
    }
    /// Header fields in the order received, original case.
    public var headers: [MockHeader] {
        get {
            switch fields {
            case .wire(let l): return l.headers(rawHead)
            case .explicit(let e): return e.headers
            }
        }
        set { var e = explicitFields(); e.headers = newValue; fields = .explicit(e) }
    }
    /// The body after de-chunking (the exact content bytes).
    public var body: [UInt8]
    /// Trailer fields of a chunked body, in order.
    public var trailers: [MockHeader]
    /// The raw request line and header section, byte for byte.
    public var head: [UInt8] {
        get { rawHead }
        set {
            // The fields stop being views of the old bytes first.
            fields = .explicit(explicitFields())
            rawHead = newValue
        }
    }
    /// True if the body arrived with `Transfer-Encoding: chunked`.
    public var chunked: Bool

    /// Creates a request (tests and tools; the server builds them from the wire).
    public init(method: String, target: String, version: String = "HTTP/1.1", headers: [MockHeader], body: [UInt8],
                trailers: [MockHeader] = [], head: [UInt8] = [], chunked: Bool = false) {
        fields = .explicit(Explicit(method: method, target: target, version: version, headers: headers))
        rawHead = head
        self.body = body
        self.trailers = trailers
        self.chunked = chunked
    }

    /// A request whose fields are views of `head` at `layout` (the parser's fast path).
    init(head: [UInt8], layout: WireLayout, body: [UInt8], trailers: [MockHeader], chunked: Bool) {
        fields = .wire(layout)
        rawHead = head
        self.body = body
        self.trailers = trailers
        self.chunked = chunked
    }

    private func explicitFields() -> Explicit {
        switch fields {
        case .wire(let l): return Explicit(method: l.method(rawHead), target: l.target(rawHead), version: l.version, headers: l.headers(rawHead))
        case .explicit(let e): return e
        }
    }

    /// Whether the fields are views of `head` (for tests of the fast path).
    var isWireBacked: Bool {
        if case .wire = fields { return true }
        return false
    }

    /// True for a `HEAD` request (compared on the bytes when the fields are views).
    var isHEAD: Bool {
        switch fields {
        case .wire(let l): return l.methodIs(rawHead, "HEAD")
        case .explicit(let e): return e.method == "HEAD"
        }
    }

    /// The target's path (everything before `?`), still percent-encoded, as signing's
    /// `@path` sees it. For an absolute-form target (`http://host/p`) the path part.
    public var path: String {
        if case .wire(let l) = fields { return l.path(rawHead) }
        // On the UTF-8 bytes: Character iteration (grapheme breaking) cost more than the rest
        // of a request's routing.
        let range = Self.pathRange(target)
        if range == 0..<target.utf8.count { return target }
        if range.isEmpty { return "/" }
        return utf8Slice(target, range)
    }

    /// The raw query string after `?` (without it), or nil when the target has none.
    public var query: String? {
        guard let q = utf8Offset(of: UInt8(ascii: "?"), in: target) else { return nil }
        return utf8Slice(target, (q + 1)..<target.utf8.count)
    }

    /// The byte range of the path in `target` (empty: an absolute-form target without one).
    static func pathRange(_ target: String) -> Range<Int> {
        let u = target.utf8
        var from = 0
        // Only an absolute-form target starts with "h" (origin-form starts with "/").
        let absolute = u.first == UInt8(ascii: "h")
        let https = absolute && u.starts(with: "https://".utf8)
        if https || (absolute && u.starts(with: "http://".utf8)) {
            let afterScheme = https ? 8 : 7
            guard let slash = utf8Offset(of: UInt8(ascii: "/"), in: target, from: afterScheme) else { return 0..<0 }
            from = slash
        }
        let end = utf8Offset(of: UInt8(ascii: "?"), in: target, from: from) ?? u.count
        return from..<end
    }

    /// The value of the first header named `name` (ASCII case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        if case .wire(let l) = fields { return l.header(name, in: rawHead) }
        for h in headers where asciiCaseInsensitiveEquals(h.name, name) { return h.value }
        return nil
    }

    /// Every value of the headers named `name`, in order.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { asciiCaseInsensitiveEquals($0.name, name) }.map(\.value)
    }

    /// The body decoded as UTF-8 (invalid sequences replaced), for messages and logs.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// ASCII case-insensitive equality, as HTTP field names and tokens compare.
@inline(__always)
func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    let x = a.utf8, y = b.utf8
    guard x.count == y.count else { return false }
    // Contiguous (native) strings compare as byte buffers: the generic zip over two UTF-8
    // views cost ~100 instructions a byte.
    if let equal = x.withContiguousStorageIfAvailable({ p in
        y.withContiguousStorageIfAvailable { q in
            for i in 0..<p.count where p[i] != q[i] && asciiLower(p[i]) != asciiLower(q[i]) { return false }
            return true
        }
    }), let equal { return equal }
    for (p, q) in zip(x, y) where p != q {
        if asciiLower(p) != asciiLower(q) { return false }
    }
    return true
}

/// The offset of the first `byte` in `s`'s UTF-8 at or after `from`, by memchr when the
/// string is contiguous.
@inline(__always)
func utf8Offset(of byte: UInt8, in s: String, from: Int = 0) -> Int? {
    let u = s.utf8
    guard from < u.count else { return nil }
    if let found = u.withContiguousStorageIfAvailable({ b -> Int? in
        guard let base = b.baseAddress, let hit = memchr(base + from, Int32(byte), b.count - from) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }) { return found }
    var i = from
    for c in u.dropFirst(from) {
        if c == byte { return i }
        i += 1
    }
    return nil
}

/// The UTF-8 bytes `range` of `s` as a string (ranges found by ``utf8Offset(of:in:from:)``
/// fall on ASCII bytes, so on scalar boundaries).
@inline(__always)
func utf8Slice(_ s: String, _ range: Range<Int>) -> String {
    let u = s.utf8
    if let sliced = u.withContiguousStorageIfAvailable({ String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }) {
        return sliced
    }
    return String(decoding: Array(u)[range], as: UTF8.self)
}

/// Lowercases one ASCII letter byte; other bytes pass through.
@inline(__always)
func asciiLower(_ c: UInt8) -> UInt8 {
    (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
}
