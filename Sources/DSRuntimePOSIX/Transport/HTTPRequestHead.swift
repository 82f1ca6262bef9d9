import DSRender
import DSRuntime

/// Where an `http://` URL points and what goes on the request line, parsed without
/// Foundation's `URL` so the path and query go on the wire exactly as rendered (no
/// re-encoding, no normalisation).
struct HTTPEndpoint: Sendable, Equatable {
    /// Host to resolve (IPv6 literals without brackets).
    var host: String
    /// TCP port (80 when the URL has none).
    var port: Int
    /// The `Host` header value: the URL's authority as written.
    var authority: String
    /// Path and query as rendered (`/v1/events?a=1`); `/` when the URL has no path.
    var target: String

    /// The connection pool key: connections are shared per host and port.
    var poolKey: String { "\(host.lowercased()):\(port)" }

    /// Parses an absolute `http://` URL; anything else is an `.invalidRequest` error.
    init(url: String) throws(TransportError) {
        // Defence in depth: the renderer already validated the URL (RequestURL); a request
        // built any other way is checked again before a byte of it is written.
        do {
            _ = try RequestURL(url)
        } catch {
            throw TransportError(.invalidRequest, error.message)
        }
        guard url.utf8.count > 7, url.prefix(7).lowercased() == "http://" else { throw TransportError(.invalidRequest, "not an absolute http:// URL") }
        let rest = url.dropFirst(7)
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<end]
        // User info would be a credential in the URL: the runtime never sends one that way.
        guard !authority.isEmpty, !authority.utf8.contains(UInt8(ascii: "@")) else { throw TransportError(.invalidRequest, "URL has no host or has user info") }
        var hostPart = authority
        var portPart: Substring = ""
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw TransportError(.invalidRequest, "bad IPv6 literal in URL") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw TransportError(.invalidRequest, "bad authority in URL") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        var port = 80
        if !portPart.isEmpty {
            guard portPart.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let p = Int(portPart), p >= 1, p <= 65535 else {
                throw TransportError(.invalidRequest, "bad port in URL")
            }
            port = p
        }
        guard !hostPart.isEmpty else { throw TransportError(.invalidRequest, "URL has no host") }
        var target = rest[end...]
        if let hash = target.firstIndex(of: "#") { target = target[..<hash] }  // a fragment never goes on the wire
        self.host = String(hostPart)
        self.port = port
        self.authority = String(authority)
        self.target = target.hasPrefix("/") ? String(target) : "/" + target
    }
}

/// Serialises a rendered request for HTTP/1.1.
enum HTTPRequestHead {
    /// Methods whose requests carry `Content-Length: 0` even when the body is empty, since
    /// servers may answer 411 to a body-capable method without framing.
    private static let bodyMethods: [StaticString] = ["post", "put", "patch"]

    /// The request line, `Host` (unless the plan sets it), the rendered headers in their
    /// order and byte for byte, `Content-Length` when there is (or may be) a body, the
    /// empty line and the body. Rendered `Content-Length` / `Transfer-Encoding` fields are
    /// dropped: framing is the transport's, and a second, disagreeing length would be a
    /// request-smuggling hazard. Nothing else is added (no `Expect`, `Accept`,
    /// `User-Agent` or `Connection`).
    ///
    /// Refuses (`.invalidRequest`) a request whose method is not a token, whose target holds
    /// a byte outside printable ASCII, or with a header name that is not a token or a value
    /// holding a control byte other than HTAB (RFC 9110 sections 5.1, 5.5 and 9.1): such a
    /// request would split the request line or a header line, so nothing is written.
    static func encode(_ request: RenderedRequest, endpoint: HTTPEndpoint) throws(TransportError) -> [UInt8] {
        if let problem = WireCheck.problem(request, target: endpoint.target) { throw TransportError(.invalidRequest, problem) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128 + endpoint.target.utf8.count + request.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + request.body.count)
        func add(_ text: String) { bytes.append(contentsOf: text.utf8) }
        add(request.method); add(" "); add(endpoint.target); add(" HTTP/1.1\r\n")
        if !request.headers.contains(where: { HTTPName.equal($0.name, "host") }) { add("Host: "); add(endpoint.authority); add("\r\n") }
        for h in request.headers {
            if HTTPName.equal(h.name, "content-length") || HTTPName.equal(h.name, "transfer-encoding") { continue }
            add(h.name); add(": "); add(h.value); add("\r\n")
        }
        if !request.body.isEmpty || bodyMethods.contains(where: { HTTPName.equal(request.method, $0) }) { add("Content-Length: \(request.body.count)\r\n") }
        add("\r\n")
        bytes.append(contentsOf: request.body)
        return bytes
    }

    /// ``encode(_:endpoint:)`` for the requests of one endpoint, with what does not depend on
    /// the request prepared once (the request line's target part, the `Host` line, the
    /// target's check) and the byte checks made on UTF-8 buffers. The same bytes and the same
    /// refusals: any request the fast check does not pass goes to ``WireCheck/problem(_:target:)``
    /// for its message (differential tests compare the two).
    struct Encoder: Sendable {
        let endpoint: HTTPEndpoint
        /// `" " + target + " HTTP/1.1\r\n"`.
        private let requestLineTail: [UInt8]
        /// `"Host: " + authority + "\r\n"`.
        private let hostLine: [UInt8]
        /// The target holds only printable ASCII (else the general path reports it).
        private let targetIsClean: Bool
        /// The request line and the shared header lines (``RenderedRequest/headerParts``: the
        /// renderer's constant headers) of the last request encoded: a run sends the same
        /// method and the same shared list again and again. A request's own and final headers
        /// (an idempotency key, a signature) are never kept.
        private let lastPrefix = Locked<CachedPrefix?>(nil)

        /// What one method and one shared header list encode to; kept only when both passed the checks.
        private struct CachedPrefix: Sendable {
            let method: String
            let shared: [HTTPHeaderField]
            /// `method + " " + target + " HTTP/1.1\r\n"`.
            let requestLine: [UInt8]
            /// The shared headers' lines, without `Content-Length` and `Transfer-Encoding`.
            let sharedLines: [UInt8]
            /// A shared header is `Host`.
            let sharedHasHost: Bool
        }

        init(endpoint: HTTPEndpoint) {
            self.endpoint = endpoint
            requestLineTail = Array(" \(endpoint.target) HTTP/1.1\r\n".utf8)
            hostLine = Array("Host: \(endpoint.authority)\r\n".utf8)
            targetIsClean = !endpoint.target.utf8.contains { $0 <= 0x20 || $0 >= 0x7F }
        }

        func encode(_ request: RenderedRequest) throws(TransportError) -> [UInt8] {
            // The headers are read as held (``RenderedRequest/headerParts``): reading `headers`
            // would join the parts into a new list.
            let (shared, own, final) = request.headerParts
            guard targetIsClean else { return try HTTPRequestHead.encode(request, endpoint: endpoint) }
            // The same method and shared list as the last request (the very same strings: their
            // bytes cannot differ), which passed the checks: its prefix is reused.
            let prefix: CachedPrefix
            if let last = lastPrefix.withLock({ $0 }), sameStringValue(last.method, request.method), Self.sameFields(last.shared, shared) {
                prefix = last
            } else {
                guard Self.passes(method: request.method), Self.passes(shared) else { return try HTTPRequestHead.encode(request, endpoint: endpoint) }
                var requestLine: [UInt8] = []
                requestLine.reserveCapacity(request.method.utf8.count + requestLineTail.count)
                Self.append(request.method, to: &requestLine)
                requestLine.append(contentsOf: requestLineTail)
                var sharedLines: [UInt8] = []
                var size = 0
                for h in shared { size += h.name.utf8.count + h.value.utf8.count + 4 }
                sharedLines.reserveCapacity(size)
                Self.appendLines(shared, to: &sharedLines)
                prefix = CachedPrefix(method: request.method, shared: shared, requestLine: requestLine, sharedLines: sharedLines, sharedHasHost: Self.hasHost(shared))
                lastPrefix.withLock { $0 = prefix }
            }
            guard Self.passes(own), final.map(Self.passes) ?? true else { return try HTTPRequestHead.encode(request, endpoint: endpoint) }
            let writesHost = !prefix.sharedHasHost && !Self.hasHost(own) && !(final.map { HTTPName.equal($0.name, "host") } ?? false)
            var size = prefix.requestLine.count + (writesHost ? hostLine.count : 0) + prefix.sharedLines.count + 40 + request.body.count
            for h in own { size += h.name.utf8.count + h.value.utf8.count + 4 }
            if let h = final { size += h.name.utf8.count + h.value.count + 4 }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(size)
            bytes.append(contentsOf: prefix.requestLine)
            if writesHost { bytes.append(contentsOf: hostLine) }
            bytes.append(contentsOf: prefix.sharedLines)
            Self.appendLines(own, to: &bytes)
            if let final { Self.appendLine(final, to: &bytes) }
            if !request.body.isEmpty || bodyMethods.contains(where: { HTTPName.equal(request.method, $0) }) {
                bytes.append(contentsOf: "Content-Length: ".utf8)
                Self.appendDecimal(request.body.count, to: &bytes)
                bytes.append(13); bytes.append(10)
            }
            bytes.append(13); bytes.append(10)
            bytes.append(contentsOf: request.body)
            return bytes
        }

        static func sameFields(_ a: [HTTPHeaderField], _ b: [HTTPHeaderField]) -> Bool {
            guard a.count == b.count else { return false }
            for i in a.indices where !(sameStringValue(a[i].name, b[i].name) && sameStringValue(a[i].value, b[i].value)) { return false }
            return true
        }

        private static func hasHost(_ headers: [HTTPHeaderField]) -> Bool {
            for h in headers where HTTPName.equal(h.name, "host") { return true }
            return false
        }

        /// `name: value` CRLF for each header but `Content-Length` and `Transfer-Encoding`.
        private static func appendLines(_ headers: [HTTPHeaderField], to bytes: inout [UInt8]) {
            for h in headers { appendLine(h, to: &bytes) }
        }

        @inline(__always)
        private static func appendLine(_ h: HTTPHeaderField, to bytes: inout [UInt8]) {
            if HTTPName.equal(h.name, "content-length") || HTTPName.equal(h.name, "transfer-encoding") { return }
            append(h.name, to: &bytes)
            bytes.append(58); bytes.append(32)
            append(h.value, to: &bytes)
            bytes.append(13); bytes.append(10)
        }

        /// True when ``WireCheck/problem(_:target:)`` has nothing to say about the method (the
        /// target was checked once; headers: ``passes(_:)``).
        private static func passes(method: String) -> Bool {
            var method = method
            return method.withUTF8 { !$0.isEmpty && $0.allSatisfy(HTTPResponseBytes.isTokenByte) }
        }

        private static func passes(_ headers: [HTTPHeaderField]) -> Bool {
            for h in headers where !passes(h) { return false }
            return true
        }

        /// `name: value` CRLF for a header whose value is held inline (no `String` made), but
        /// `Content-Length` and `Transfer-Encoding`: the bytes the text form writes.
        @inline(__always)
        private static func appendLine(_ h: InlineHeaderField, to bytes: inout [UInt8]) {
            if HTTPName.equal(h.name, "content-length") || HTTPName.equal(h.name, "transfer-encoding") { return }
            append(h.name, to: &bytes)
            bytes.append(58); bytes.append(32)
            h.value.withUnsafeBytes { bytes.append(contentsOf: $0) }
            bytes.append(13); bytes.append(10)
        }

        /// The header check of `passes` for a header whose value is held inline.
        @inline(__always)
        private static func passes(_ h: InlineHeaderField) -> Bool {
            var name = h.name
            guard name.withUTF8({ !$0.isEmpty && $0.allSatisfy(HTTPResponseBytes.isTokenByte) }) else { return false }
            return h.value.withUnsafeBytes({ !$0.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F } })
        }

        @inline(__always)
        private static func passes(_ h: HTTPHeaderField) -> Bool {
            var name = h.name, value = h.value
            guard name.withUTF8({ !$0.isEmpty && $0.allSatisfy(HTTPResponseBytes.isTokenByte) }) else { return false }
            return value.withUTF8({ !$0.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F } })
        }

        private static func append(_ text: String, to bytes: inout [UInt8]) {
            var text = text
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }

        static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
            guard value > 0 else { bytes.append(48); return }
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var n = value
            var count = 0
            withUnsafeMutableBytes(of: &digits) { d in
                while n > 0 {
                    d[count] = UInt8(48 + n % 10)
                    n /= 10
                    count += 1
                }
                for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(d[i]) }
            }
        }
    }

    /// True when the request itself asks for the connection to close after the response.
    static func asksToClose(_ request: RenderedRequest) -> Bool {
        let close = { (h: HTTPHeaderField) in HTTPName.equal(h.name, "connection") && h.value.lowercased().utf8.firstRange(of: "close".utf8) != nil }
        let (shared, own, final) = request.headerParts
        // The final header (a signature) is read as text only when it is named Connection.
        return shared.contains(where: close) || own.contains(where: close) || (final.map { HTTPName.equal($0.name, "connection") && close($0.field) } ?? false)
    }
}

/// The byte rules of an HTTP/1.1 request head, checked by every transport before sending.
enum WireCheck {
    /// RFC 9110 `tchar`: the bytes of a method or a header name.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    /// A secret-free reason `request` must not be sent, or nil. `target` is the request
    /// target when the caller has one (the URL itself is checked by ``RequestURL``).
    static func problem(_ request: RenderedRequest, target: String?) -> String? {
        if request.method.isEmpty || !request.method.utf8.allSatisfy(isTokenByte) { return "the method is not an HTTP token" }
        if let target, let i = target.utf8.firstIndex(where: { $0 <= 0x20 || $0 >= 0x7F }) {
            return "the request target holds a byte that is not printable ASCII (0x\(String(target.utf8[i], radix: 16, uppercase: true))); nothing was sent"
        }
        for h in request.headers {
            if h.name.isEmpty || !h.name.utf8.allSatisfy(isTokenByte) { return "a header name is not an HTTP token; nothing was sent" }
            if h.value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) {
                return "header \"\(h.name)\": the value holds a control byte (CR, LF, NUL or another, tab excepted); nothing was sent"
            }
        }
        return nil
    }
}
