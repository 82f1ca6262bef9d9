import DSRender

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

    /// Parses an absolute `http://` URL; anything else is a `.other` error.
    init(url: String) throws(TransportError) {
        guard url.utf8.count > 7, url.prefix(7).lowercased() == "http://" else { throw TransportError(.other, "not an absolute http:// URL") }
        let rest = url.dropFirst(7)
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<end]
        // User info would be a credential in the URL: the runtime never sends one that way.
        guard !authority.isEmpty, !authority.contains("@") else { throw TransportError(.other, "URL has no host or has user info") }
        var hostPart = authority
        var portPart: Substring = ""
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw TransportError(.other, "bad IPv6 literal in URL") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw TransportError(.other, "bad authority in URL") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        var port = 80
        if !portPart.isEmpty {
            guard portPart.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let p = Int(portPart), p >= 1, p <= 65535 else {
                throw TransportError(.other, "bad port in URL")
            }
            port = p
        }
        guard !hostPart.isEmpty else { throw TransportError(.other, "URL has no host") }
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
    private static let bodyMethods: Set<String> = ["POST", "PUT", "PATCH"]

    /// The request line, `Host` (unless the plan sets it), the rendered headers in their
    /// order and byte for byte, `Content-Length` when there is (or may be) a body, the
    /// empty line and the body. Rendered `Content-Length` / `Transfer-Encoding` fields are
    /// dropped: framing is the transport's, and a second, disagreeing length would be a
    /// request-smuggling hazard. Nothing else is added (no `Expect`, `Accept`,
    /// `User-Agent` or `Connection`).
    static func encode(_ request: RenderedRequest, endpoint: HTTPEndpoint) -> [UInt8] {
        var head = "\(request.method) \(endpoint.target) HTTP/1.1\r\n"
        if request.header("Host") == nil { head += "Host: \(endpoint.authority)\r\n" }
        for h in request.headers {
            let lower = h.name.lowercased()
            if lower == "content-length" || lower == "transfer-encoding" { continue }
            head += h.name
            head += ": "
            head += h.value
            head += "\r\n"
        }
        if !request.body.isEmpty || bodyMethods.contains(request.method.uppercased()) { head += "Content-Length: \(request.body.count)\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: request.body)
        return bytes
    }

    /// True when the request itself asks for the connection to close after the response.
    static func asksToClose(_ request: RenderedRequest) -> Bool {
        request.headers.contains { $0.name.lowercased() == "connection" && $0.value.lowercased().contains("close") }
    }
}
