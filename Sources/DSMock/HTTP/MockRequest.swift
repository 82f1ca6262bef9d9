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
public struct MockRequest: Sendable {
    /// The method token (`POST`), case preserved.
    public var method: String
    /// The request target as sent (`/v1/events?api_key=...`), percent-encoding untouched.
    public var target: String
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String
    /// Header fields in the order received, original case.
    public var headers: [MockHeader]
    /// The body after de-chunking (the exact content bytes).
    public var body: [UInt8]
    /// Trailer fields of a chunked body, in order.
    public var trailers: [MockHeader]
    /// The raw request line and header section, byte for byte.
    public var head: [UInt8]
    /// True if the body arrived with `Transfer-Encoding: chunked`.
    public var chunked: Bool

    /// Creates a request (tests and tools; the server builds them from the wire).
    public init(method: String, target: String, version: String = "HTTP/1.1", headers: [MockHeader], body: [UInt8],
                trailers: [MockHeader] = [], head: [UInt8] = [], chunked: Bool = false) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.trailers = trailers
        self.head = head
        self.chunked = chunked
    }

    /// The target's path (everything before `?`), still percent-encoded, as signing's
    /// `@path` sees it. For an absolute-form target (`http://host/p`) the path part.
    public var path: String {
        // On the UTF-8 view: Character iteration (grapheme breaking) cost more than the rest of
        // a request's routing.
        let u = target.utf8
        var from = u.startIndex
        if Self.hasPrefix(u, "http://") || Self.hasPrefix(u, "https://") {
            let afterScheme = u.index(from, offsetBy: Self.hasPrefix(u, "https://") ? 8 : 7)
            guard let slash = u[afterScheme...].firstIndex(of: UInt8(ascii: "/")) else { return "/" }
            from = slash
        }
        let end = u[from...].firstIndex(of: UInt8(ascii: "?")) ?? u.endIndex
        if from == u.startIndex, end == u.endIndex { return target }
        return String(Substring(u[from..<end]))
    }

    /// The raw query string after `?` (without it), or nil when the target has none.
    public var query: String? {
        let u = target.utf8
        guard let q = u.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return String(Substring(u[u.index(after: q)...]))
    }

    @inline(__always)
    private static func hasPrefix(_ u: String.UTF8View, _ prefix: StaticString) -> Bool {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        return u.starts(with: p)
    }

    /// The value of the first header named `name` (ASCII case-insensitive), or nil.
    public func header(_ name: String) -> String? {
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
    for (p, q) in zip(x, y) where p != q {
        if asciiLower(p) != asciiLower(q) { return false }
    }
    return true
}

/// Lowercases one ASCII letter byte; other bytes pass through.
@inline(__always)
func asciiLower(_ c: UInt8) -> UInt8 {
    (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
}
