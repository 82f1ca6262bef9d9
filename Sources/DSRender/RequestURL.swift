/// A rendered absolute URL, parsed and checked before anything is sent: the one definition
/// of "a URL dspec may put on a request line", used by the renderer on every rendered URL
/// and by the runtime for OAuth token URLs.
///
/// Accepted: `http` or `https` (any case), `://`, an authority that is host[:port] (a
/// registered name or IPv4 address of letters, digits and `-._~`, or a bracketed IPv6
/// literal; port 1-65535; no user info), then an optional path, query and fragment. Every
/// byte is printable ASCII (0x21-0x7E): no space, tab, CR, LF, NUL, other control byte, DEL
/// or raw non-ASCII byte, which could end or split the request line. No path segment may be
/// `.` or `..` (also as `%2E`), which a server or proxy would resolve to another path.
public struct RequestURL: Sendable, Equatable {
    /// The scheme, lowercased: `http` or `https`.
    public var scheme: String
    /// The host as written (IPv6 literals with their brackets).
    public var host: String
    /// The explicit port, if any.
    public var port: Int?
    /// The authority as written: host[:port].
    public var authority: String
    /// Everything after the authority (path, query, fragment), possibly empty.
    public var rest: String

    /// Why a URL cannot be sent. Messages never quote the URL (it may carry a credential).
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// One line, secret-free.
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Parses and checks `url`.
    public init(_ url: String) throws(Problem) {
        let bytes = Array(url.utf8)
        if let bad = bytes.firstIndex(where: { $0 <= 0x20 || $0 >= 0x7F }) {
            throw Problem("the URL contains \(Self.describe(bytes[bad])) at byte \(bad) (only printable ASCII may go on a request line)")
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              bytes.count >= colon + 3, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/") else {
            throw Problem("the URL is not absolute (expected http:// or https:// followed by a host)")
        }
        let scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw Problem("unsupported URL scheme \"\(scheme.prefix(16))\" (only http and https can be sent)")
        }
        let start = colon + 3
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "/"), bytes[end] != UInt8(ascii: "?"), bytes[end] != UInt8(ascii: "#") { end += 1 }
        let authority = String(decoding: bytes[start..<end], as: UTF8.self)
        let (host, port) = try Self.parseAuthority(authority)
        var pathEnd = end
        while pathEnd < bytes.count, bytes[pathEnd] != UInt8(ascii: "?"), bytes[pathEnd] != UInt8(ascii: "#") { pathEnd += 1 }
        for segment in bytes[end..<pathEnd].split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) where Self.isDotSegment(segment) {
            throw Problem("a path segment is \".\" or \"..\" (a dot segment would address another path); the request was not built")
        }
        self.scheme = scheme
        self.host = host
        self.port = port
        self.authority = authority
        self.rest = String(decoding: bytes[end...], as: UTF8.self)
    }

    /// Checks `authority` as host[:port] and returns its parts.
    public static func parseAuthority(_ authority: String) throws(Problem) -> (host: String, port: Int?) {
        guard !authority.isEmpty else { throw Problem("the URL has no host") }
        guard !authority.contains("@") else { throw Problem("the URL has user info before the host (credentials never go in a URL's authority)") }
        var host = Substring(authority)
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Problem("the URL's IPv6 host has no closing ']'") }
            host = authority[...close]
            let inner = authority[authority.index(after: authority.startIndex)..<close]
            guard !inner.isEmpty, inner.utf8.allSatisfy({ isHex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else {
                throw Problem("the URL's IPv6 host is not a valid address")
            }
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Problem("the URL's authority must be host[:port]") }
                portText = after.dropFirst()
            }
        } else {
            if let c = authority.firstIndex(of: ":") {
                host = authority[..<c]
                portText = authority[authority.index(after: c)...]
            }
            guard !host.isEmpty, host.utf8.allSatisfy(isRegNameByte) else {
                throw Problem("the URL's host must be a name or address of letters, digits, '-', '.', '_' or '~', with an optional :port")
            }
        }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let p = Int(portText), p >= 1, p <= 65535 else {
                throw Problem("the URL's port must be a number from 1 to 65535")
            }
            port = p
        }
        return (String(host), port)
    }

    /// True for loopback hosts: `localhost` (and `*.localhost`), 127.0.0.0/8 and `[::1]`.
    public var isLoopback: Bool { Self.isLoopback(host: host) }

    /// True for loopback hosts: `localhost` (and `*.localhost`), 127.0.0.0/8 and `[::1]`.
    public static func isLoopback(host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h.hasSuffix(".localhost") || h == "[::1]" { return true }
        let octets = h.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { o in !o.isEmpty && o.count <= 3 && o.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && (Int(o) ?? 256) <= 255 }
    }

    /// The origin: `scheme://authority`.
    public var origin: String { scheme + "://" + authority }

    private static func isDotSegment(_ segment: ArraySlice<UInt8>) -> Bool {
        // "." or "..", each dot possibly written %2E / %2e.
        let s = Array(segment)
        var dots = 0
        var i = 0
        while i < s.count {
            if s[i] == UInt8(ascii: ".") {
                i += 1
            } else if s[i] == UInt8(ascii: "%"), i + 2 < s.count, s[i + 1] == UInt8(ascii: "2"), s[i + 2] | 0x20 == UInt8(ascii: "e") {
                i += 3
            } else {
                return false
            }
            dots += 1
        }
        return dots == 1 || dots == 2
    }

    @inline(__always)
    private static func isHex(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "f"))
    }

    @inline(__always)
    private static func isRegNameByte(_ b: UInt8) -> Bool { PercentEncoding.isUnreserved(b) }

    private static func describe(_ b: UInt8) -> String {
        switch b {
        case 0x0D: return "a CR"
        case 0x0A: return "an LF"
        case 0x00: return "a NUL byte"
        case 0x20: return "a space"
        case 0x09: return "a tab"
        case 0x7F: return "a DEL byte"
        case 0x80...: return "a non-ASCII byte"
        default: return "a control byte"
        }
    }
}

/// `--endpoint-override http://127.0.0.1:PORT`: every request (and OAuth token request)
/// goes to a loopback receiver instead of the host its URL names. The scheme, host and port
/// of each rendered URL are replaced; path, query and fragment are kept byte for byte.
/// Loopback only, so a typo cannot send production traffic (or credentials) elsewhere.
public struct EndpointOverride: Sendable, Equatable {
    /// The replacement origin, `http://127.0.0.1:PORT` (no trailing slash).
    public let origin: String

    /// Parses the option's value: `http(s)://HOST[:PORT]` with a loopback HOST (localhost,
    /// 127.0.0.0/8 or [::1]) and nothing after the authority but an optional `/`.
    public init(_ text: String) throws(RequestURL.Problem) {
        var text = text
        if text.hasSuffix("/") { text.removeLast() }
        let url: RequestURL
        do {
            url = try RequestURL(text)
        } catch {
            throw RequestURL.Problem("--endpoint-override: \(error.message); expected http://127.0.0.1:PORT")
        }
        guard url.rest.isEmpty else {
            throw RequestURL.Problem("--endpoint-override takes an origin only (scheme, host and port), e.g. http://127.0.0.1:8080; paths come from the plan")
        }
        guard url.isLoopback else {
            throw RequestURL.Problem("--endpoint-override must name a loopback host (localhost, 127.0.0.0/8 or [::1]), not \"\(url.host.prefix(64))\"; it is for local receivers only")
        }
        origin = url.origin
    }

    /// `url` with its scheme and authority replaced by ``origin``.
    public func apply(to url: String) -> String {
        guard let sep = url.range(of: "://") else { return url }
        let rest = url[sep.upperBound...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        return origin + rest[end...]
    }
}
