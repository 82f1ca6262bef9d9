import DSRender

/// An HTTP response as the runtime needs it.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// Header fields in the order received (names as sent by the server).
    public var headers: [HTTPHeaderField]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [HTTPHeaderField] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// A request that got no HTTP response. Every kind but ``Kind/invalidRequest`` is retried
/// like a `retry` outcome (spec section 16.1: "Network errors and timeouts are retried").
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of network failure.
    public enum Kind: String, Sendable {
        /// No complete response within the per-attempt timeout (`endpoint.timeout_ms`).
        case timeout
        /// The connection was refused, reset or closed before a complete response.
        case connection
        /// TLS handshake or certificate verification failed.
        case tls
        /// The host name did not resolve.
        case dns
        /// Anything else (a local resource problem).
        case other
        /// The request cannot be sent as it is: a malformed URL, an unsupported scheme, or a
        /// byte that would break the request line or a header line. Nothing was sent, and
        /// sending again cannot help: the runtime dead-letters it at once, without retries.
        case invalidRequest = "invalid_request"
    }

    /// The kind.
    public var kind: Kind
    /// A one-line explanation (never contains request headers or body).
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

/// Sends rendered requests. The runtime never builds requests itself: it hands the render
/// stage's ``RenderedRequest`` over unchanged, and an implementation must put exactly those
/// headers and bytes on the wire (adding only what HTTP/1.1 framing needs: `Host`,
/// `Content-Length`, `Connection`).
public protocol HTTPTransport: Sendable {
    /// Sends `request`, waiting at most `timeout` for the complete response.
    func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse
}
