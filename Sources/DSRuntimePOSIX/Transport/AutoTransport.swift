import DSCore
import DSRender
import DSRuntime

/// The default transport: `http://` URLs go to ``SocketHTTPTransport`` (exact headers,
/// header order kept, several times URLSession's request rate on Linux), everything else —
/// in practice `https://` — to ``URLSessionTransport``, because TLS needs a library the
/// project does not link (libssl).
public final class AutoTransport: HTTPTransport {
    /// Where `http://` requests go.
    public let plain: any HTTPTransport
    /// Where every other request goes, made on first use: a run that only sends `http://`
    /// (loopback, the conformance harness) never creates a URLSession, so never loads libcurl.
    public var other: any HTTPTransport {
        otherTransport.withLock { made in
            if let made { return made }
            let t = makeOther()
            made = t
            return t
        }
    }
    private let makeOther: @Sendable () -> any HTTPTransport
    private let otherTransport = Locked<(any HTTPTransport)?>(nil)

    /// Creates the default pair, both allowing `maxConnectionsPerHost` connections per host.
    public convenience init(maxConnectionsPerHost: Int = 8) {
        self.init(plain: SocketHTTPTransport(maxConnectionsPerHost: maxConnectionsPerHost),
                  makeOther: { URLSessionTransport(maxConnectionsPerHost: maxConnectionsPerHost) })
    }

    /// Creates a router over two given transports (tests inject scripted ones).
    public convenience init(plain: any HTTPTransport, other: any HTTPTransport) {
        self.init(plain: plain, makeOther: { other })
    }

    /// Creates a router whose non-http transport is made by `makeOther` on first use.
    public init(plain: any HTTPTransport, makeOther: @escaping @Sendable () -> any HTTPTransport) {
        self.plain = plain
        self.makeOther = makeOther
    }

    /// True when `url` is routed to ``plain``: its scheme is `http`, in any case.
    public static func isPlainHTTP(_ url: String) -> Bool {
        url.utf8.count > 7 && zip(url.utf8, "http://".utf8).allSatisfy { ($0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0) == $1 }
    }

    /// The last URL that passed the checks below (a run sends every request to one URL), and
    /// its route.
    private let lastChecked = Locked<(url: String, plain: Bool)?>(nil)

    nonisolated(nonsending) public func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        if let last = lastChecked.withLock({ $0 }), last.url == request.url {
            return try await (last.plain ? plain : other).send(request, timeout: timeout)
        }
        // A URL that cannot be sent (malformed, another scheme) fails here, the same way
        // for both routes, instead of in whichever transport it would fall through to.
        let url: RequestURL
        do {
            url = try RequestURL(request.url)
        } catch {
            throw TransportError(.invalidRequest, error.message)
        }
        // The https rule once more, at delivery time: plain http only to loopback hosts (the
        // renderer allows nothing else, an endpoint override included, which is loopback).
        if url.scheme == "http" && !url.isLoopback {
            throw TransportError(.invalidRequest, "http:// to host \"\(url.host)\" is refused: events and credentials would travel unencrypted (https is required except for loopback hosts)")
        }
        let isPlain = Self.isPlainHTTP(request.url)
        lastChecked.withLock { $0 = (request.url, isPlain) }
        return try await (isPlain ? plain : other).send(request, timeout: timeout)
    }
}
