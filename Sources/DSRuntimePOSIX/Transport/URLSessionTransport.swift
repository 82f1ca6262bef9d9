import DSRender
import DSRuntime
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The production transport, on Foundation's `URLSession` (libcurl underneath on Linux).
///
/// - **TLS verification stays on**: no delegate accepts a server trust challenge, so
///   certificate and host-name checks are the system's.
/// - **Redirects are not followed** (spec section 16.2: a 3xx is an outcome like any
///   other), so credentials can never be replayed to another host: the redirect delegate
///   answers nil and the 3xx is returned as the response.
/// - **Headers exactly as rendered**: each header is set explicitly; the session adds no
///   additional headers, cookies, cache validators or credentials. A body is always given
///   as data, for which FoundationNetworking suppresses curl's `Expect: 100-continue`, and a
///   plan always declares `Content-Type`, so no default is added. What libcurl on Linux
///   still adds, and URLSession offers no way to remove, is ``headersAddedByLibcurl``.
/// - **Known stall**: a reset on a reused keep-alive connection makes libcurl retry on a
///   fresh connection, which FoundationNetworking never completes; the attempt then ends at
///   its timeout and is retried like any timeout.
/// - **Keep-alive**: one session per transport, connections reused across requests.
/// - **Timeout**: the whole attempt (connect to last byte) is bounded by racing the request
///   against the clock, because `URLRequest.timeoutInterval` is whole seconds on Linux.
public final class URLSessionTransport: HTTPTransport {
    /// Nil when libcurl could not be loaded (``unavailable`` says why): every send then fails
    /// with that reason instead of the process ending inside FoundationNetworking.
    private let session: URLSession?
    private let unavailable: String
    private let delegate: RedirectRefusingDelegate

    /// Request headers libcurl under FoundationNetworking adds on Linux when the request does
    /// not set them, beyond HTTP/1.1 framing (`Host`, `Content-Length`, `Connection`). They
    /// cannot be removed through URLSession's API (FoundationNetworking builds curl's header
    /// list itself); a plan that declares one of these names overrides it. Their values, and
    /// the `Connection: keep-alive` FoundationNetworking adds, as measured over https: ``HTTPSWireNote``.
    public static let headersAddedByLibcurl: Set<String> = ["accept", "accept-encoding", "accept-language"]

    /// Creates a transport allowing up to `maxConnectionsPerHost` parallel connections.
    public init(maxConnectionsPerHost: Int = 8) {
        delegate = RedirectRefusingDelegate()
        // libcurl is loaded here, on first use (LazyLibcurl), not at process start.
        if let why = LazyLibcurl.load() {
            session = nil
            unavailable = "https requests need libcurl (libcurl.so.4), which could not be loaded: \(why)"
            return
        }
        unavailable = ""
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, maxConnectionsPerHost)
        configuration.httpShouldSetCookies = false
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.urlCredentialStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpAdditionalHeaders = nil
        configuration.timeoutIntervalForRequest = 3600
        configuration.timeoutIntervalForResource = 3600
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session?.invalidateAndCancel() }

    /// The `URLRequest` for a rendered request: method, URL, body and every header, nothing else.
    static func urlRequest(_ request: RenderedRequest, timeout: Duration) throws(TransportError) -> URLRequest {
        do {
            _ = try RequestURL(request.url)
        } catch {
            throw TransportError(.invalidRequest, error.message)
        }
        if let problem = WireCheck.problem(request, target: nil) { throw TransportError(.invalidRequest, problem) }
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            throw TransportError(.invalidRequest, "not an absolute http(s) URL")
        }
        var r = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: max(1, (timeout.seconds + 1).rounded(.up)))
        r.httpMethod = request.method
        r.httpShouldHandleCookies = false
        var seen = Set<String>()
        for h in request.headers {
            // A repeated name is joined with a comma, which RFC 9110 section 5.3 makes equivalent.
            if seen.insert(h.name.lowercased()).inserted {
                r.setValue(h.value, forHTTPHeaderField: h.name)
            } else {
                r.addValue(h.value, forHTTPHeaderField: h.name)
            }
        }
        if !request.body.isEmpty { r.httpBody = Data(request.body) }
        return r
    }

    /// Sends with the completion-handler API. The timeout and task cancellation end the
    /// exchange from a dispatch queue, never from inside a Swift cancellation handler: on
    /// Linux, `URLSessionTask.cancel()` waits for the session's queue, which may at that
    /// moment be resuming this very task and waiting for the task's status lock that a
    /// cancellation handler holds (a deadlock seen with `session.data(for:)` inside a task
    /// group that cancelled it on timeout).
    public func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        let urlRequest = try Self.urlRequest(request, timeout: timeout)
        guard let session else { throw TransportError(.tls, unavailable) }
        let exchange = URLSessionExchange()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) in
                let task = session.dataTask(with: urlRequest) { data, response, error in
                    exchange.finish(Self.result(data, response, error))
                }
                exchange.attach(continuation, task: task)
                task.resume()
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: timeout.nanoseconds))) {
                    exchange.finish(.failure(TransportError(.timeout, "no complete response within \(timeout.milliseconds) ms")))
                }
            }
        } onCancel: {
            DispatchQueue.global().async { exchange.finish(.failure(TransportError(.other, "cancelled"))) }
        }
        return try result.get()
    }

    private static func result(_ data: Data?, _ response: URLResponse?, _ error: (any Error)?) -> Result<HTTPResponse, TransportError> {
        if let error {
            if let error = error as? URLError { return .failure(classify(error)) }
            return .failure(TransportError(.other, "\(error)"))
        }
        guard let http = response as? HTTPURLResponse else { return .failure(TransportError(.other, "not an HTTP response")) }
        var headers: [HTTPHeaderField] = []
        for (name, value) in http.allHeaderFields {
            headers.append(HTTPHeaderField(name: "\(name)", value: "\(value)"))
        }
        return .success(HTTPResponse(status: http.statusCode, headers: headers, body: [UInt8](data ?? Data())))
    }

    /// Maps a `URLError` to the runtime's kinds.
    static func classify(_ error: URLError) -> TransportError {
        switch error.code {
        case .timedOut:
            return TransportError(.timeout, "timed out")
        case .cannotFindHost, .dnsLookupFailed:
            return TransportError(.dns, "host name did not resolve")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
             .serverCertificateHasUnknownRoot, .clientCertificateRejected, .clientCertificateRequired:
            return TransportError(.tls, "TLS failed (\(error.code.rawValue))")
        case .networkConnectionLost, .cannotConnectToHost, .notConnectedToInternet, .badServerResponse, .cannotParseResponse:
            return TransportError(.connection, "connection failed or was reset (\(error.code.rawValue))")
        default:
            return TransportError(.other, "URL error \(error.code.rawValue)")
        }
    }
}

/// Refuses every redirect so the 3xx itself becomes the response (and no request, with its
/// credentials, ever goes to a host the plan did not name).
final class RedirectRefusingDelegate: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

/// One URLSession exchange: the first of response, timeout or cancellation resumes the
/// caller; a timeout or cancellation also cancels the URL task (outside any lock).
final class URLSessionExchange: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>?
        var task: URLSessionDataTask?
        var result: Result<HTTPResponse, TransportError>?
        var resumed = false
    }

    private let state = Locked(State())

    func attach(_ continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>, task: URLSessionDataTask) {
        let early = state.withLock { s -> Result<HTTPResponse, TransportError>? in
            s.task = task
            if let r = s.result { s.resumed = true; return r }
            s.continuation = continuation
            return nil
        }
        if let early {
            task.cancel()
            continuation.resume(returning: early)
        }
    }

    func finish(_ result: Result<HTTPResponse, TransportError>) {
        let (continuation, task) = state.withLock { s -> (CheckedContinuation<Result<HTTPResponse, TransportError>, Never>?, URLSessionDataTask?) in
            guard s.result == nil else { return (nil, nil) }
            s.result = result
            guard let c = s.continuation, !s.resumed else { return (nil, nil) }
            s.resumed = true
            s.continuation = nil
            return (c, s.task)
        }
        guard let continuation else { return }
        if case .failure = result { task?.cancel() }
        continuation.resume(returning: result)
    }
}
