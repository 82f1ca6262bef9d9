import DSRender
import DSRuntime

/// Sends every request to the mock server instead of the host the plan names: the scheme,
/// host and port of the rendered URL are replaced by the mock's base URL; path and query
/// are kept byte for byte. Everything else about the request (headers, body, signature) is
/// untouched, so the runtime under test renders exactly what it would send to the vendor.
///
/// Plans target real hosts (`https://api.vendor.com/...`) and must, since the compiler
/// requires https for non-loopback hosts; the mock verifies URL-signing schemes against the
/// original origin through `MockVerifierOptions.publicBaseURL`. OAuth token requests go
/// through the same transport (``TokenProviderFactory`` is given this one), so token
/// endpoints are redirected as well.
public struct LoopbackRedirectTransport: HTTPTransport {
    /// The mock's base URL (`http://127.0.0.1:PORT`).
    public let baseURL: String
    private let inner: any HTTPTransport

    /// Creates the transport over `inner` (the real ``AutoTransport`` in the harness).
    public init(baseURL: String, inner: any HTTPTransport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.inner = inner
    }

    public func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        var redirected = request
        redirected.url = baseURL + Self.target(of: request.url)
        return try await inner.send(redirected, timeout: timeout)
    }

    /// The request target of an absolute URL: path and query (`/v1/events?x=1`), `/` when
    /// the path is empty. The fragment, which never goes on the wire, is dropped.
    public static func target(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) else { return "/" }
        var target = rest[slash...]
        if let hash = target.firstIndex(of: "#") { target = target[..<hash] }
        return target.hasPrefix("/") ? String(target) : "/" + target
    }

    /// The origin of an absolute URL (`https://api.vendor.com:8443`), or nil.
    public static func origin(of url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        return String(url[..<end])
    }
}
