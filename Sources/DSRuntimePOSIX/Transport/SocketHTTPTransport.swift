import DSRender
import DSRuntime

/// An HTTP/1.1 client on POSIX sockets for `http://` URLs (loopback test vendors, internal
/// services), used instead of URLSession where TLS is not needed (``AutoTransport``).
///
/// - **Bytes exactly as rendered**: the request line carries the URL's path and query as
///   rendered, then `Host`, then the rendered headers in order and byte for byte, then
///   `Content-Length` for a body. Nothing else: no `Expect`, `Accept*`, `User-Agent` or
///   `Connection` (unlike FoundationNetworking, see ``URLSessionTransport/headersAddedByLibcurl``).
/// - **Keep-alive pool** per host and port, at most `maxConnectionsPerHost` open; requests
///   beyond that wait (without a thread) for a connection to come back. Idle connections
///   are closed after `idleTimeout` and checked with a zero-timeout `poll` before reuse.
/// - **Stale connection retry**: a server may close a kept-alive connection just as a
///   request is written on it. When a request on a *reused* connection fails with a
///   connection error before *any* byte of the response arrived, it is sent once more on a
///   fresh connection. The server may then see the request twice; deliveries are
///   at-least-once and carry their idempotency key, so that is safe (and it is what
///   browsers and curl do). A fresh connection's failure, a timeout, or a failure after
///   part of the response are never retried here — the runtime's retry policy decides.
/// - **Timeout**: one deadline bounds the attempt (connect, write, read); every wait is a
///   `poll` with the time left, so sub-second timeouts are exact.
/// - **Redirects are not followed**: a 3xx is the response. 1xx interim responses are
///   skipped; HEAD, 204 and 304 have no body; chunked, `Content-Length` and read-until-close
///   bodies are read; header and body sizes are bounded (``SocketResponseLimits``).
/// - **Threads**: the blocking exchange runs on ``SocketWorkerPool`` threads and resumes the
///   caller's continuation, never blocking Swift's cooperative pool. Task cancellation is
///   observed: the worker's waits are sliced (``SocketCancellation/sliceMs``) and a
///   cancelled attempt ends with an `other` error "cancelled during ..." and closes its
///   connection (a stopped delivery run does not wait for slow vendors).
public final class SocketHTTPTransport: HTTPTransport {
    /// The most connections (idle plus busy) to one host and port.
    public let maxConnectionsPerHost: Int
    /// How long a connection may sit idle before it is closed instead of reused.
    public let idleTimeout: Duration
    /// Response size limits.
    public let limits: SocketResponseLimits
    private let pools = Locked<[String: SocketConnectionPool]>([:])
    /// The last URL sent to, parsed, with its pool.
    private let lastTarget = Locked<Target?>(nil)

    /// A parsed URL with its pool and the start of its requests' wire form (boxed: one
    /// retain to read it).
    private final class Target: Sendable {
        let url: String
        let endpoint: HTTPEndpoint
        let pool: SocketConnectionPool
        let encoder: HTTPRequestHead.Encoder

        init(url: String, endpoint: HTTPEndpoint, pool: SocketConnectionPool) {
            self.url = url
            self.endpoint = endpoint
            self.pool = pool
            encoder = HTTPRequestHead.Encoder(endpoint: endpoint)
        }
    }
    private let workers = SocketWorkerPool.shared

    /// Creates a transport. `idleTimeout` defaults below the 5 s that common servers keep
    /// idle connections, so we usually close first and rarely meet a closed connection.
    public init(maxConnectionsPerHost: Int = 8, idleTimeout: Duration = .seconds(4), limits: SocketResponseLimits = SocketResponseLimits()) {
        self.maxConnectionsPerHost = max(1, maxConnectionsPerHost)
        self.idleTimeout = idleTimeout
        self.limits = limits
    }

    deinit {
        for pool in pools.withLock({ Array($0.values) }) { pool.closeIdle() }
    }

    /// The executor a delivery run should prefer (`Task(executorPreference:)`), nil where
    /// there is no epoll: the socket transports' event loop thread. Tasks that prefer it run
    /// between the loop's `epoll_wait`s, so a response resumes its request without a thread
    /// switch (see ``SocketEventLoop``). One thread then does the run's rendering, sending
    /// and response parsing; the input is still read and parsed on the reader's thread.
    public static var taskExecutor: (any TaskExecutor)? { SocketEventLoop.shared }

    nonisolated(nonsending) public func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        let cancellation = SocketCancellation()
        let deadline = SocketDeadline(after: timeout, cancellation: cancellation)
        // A run sends every request to one URL: its parse and its pool are kept.
        let target: Target
        if let last = lastTarget.withLock({ $0 }), last.url == request.url {
            target = last
        } else {
            let endpoint = try HTTPEndpoint(url: request.url)
            let pool = pools.withLock { pools in
                if let pool = pools[endpoint.poolKey] { return pool }
                let pool = SocketConnectionPool(limit: maxConnectionsPerHost, idleTimeout: idleTimeout)
                pools[endpoint.poolKey] = pool
                return pool
            }
            target = Target(url: request.url, endpoint: endpoint, pool: pool)
            lastTarget.withLock { $0 = target }
        }
        let endpoint = target.endpoint, pool = target.pool
        let wire = try target.encoder.encode(request)
        let lease = await pool.acquire()
        var exchange = SocketExchange(endpoint: endpoint, wire: wire, method: request.method, closeAfter: HTTPRequestHead.asksToClose(request),
                                      limits: limits, deadline: deadline, timeout: timeout)
        // The fast path (SocketEventLoop): a kept-alive connection, the request written from
        // here at once, the response awaited by the event loop.
        var leased = lease
        if case .reuse(let idle) = lease, let loop = SocketEventLoop.shared, deadline.remainingMs != nil, !Task.isCancelled, !idle.isStale {
            idle.receivedThisExchange = 0
            idle.sawEOF = false
            if let sent = idle.sendNow(wire) {
                if sent == wire.count {
                    let waited: Result<HTTPResponse, TransportError>? = await withTaskCancellationHandler {
                        await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, TransportError>?, Never>) in
                            let waiter = SocketEventLoop.Waiter(connection: idle, exchange: exchange, pool: pool) { continuation.resume(returning: $0) }
                            if !loop.watch(waiter) { continuation.resume(returning: nil) }
                        }
                    } onCancel: {
                        cancellation.cancel()
                    }
                    if let waited { return try waited.get() }
                    // Not watchable (never expected): the request went out but nobody reads the
                    // answer, so it is sent once more on a fresh connection, like a stale one.
                    idle.close()
                    leased = .fresh
                } else {
                    exchange.startOffset = sent
                }
            } else {
                // A send error, perhaps after part of the request went out (how much is not
                // known): this connection is done; the worker sends it all on a fresh one.
                idle.close()
                leased = .fresh
            }
        }
        let result: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                workers.submit { [exchange, leased] in continuation.resume(returning: exchange.run(lease: leased, pool: pool)) }
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }
}

/// One attempt's blocking work, run on a worker thread.
struct SocketExchange: Sendable {
    let endpoint: HTTPEndpoint
    let wire: [UInt8]
    let method: String
    let closeAfter: Bool
    let limits: SocketResponseLimits
    let deadline: SocketDeadline
    let timeout: Duration
    /// Bytes of `wire` already written on the leased connection (the fast path's partial
    /// send); a fresh connection always starts from the first byte.
    var startOffset = 0

    /// Sends the request on the leased slot and gives the slot back, with the connection
    /// when it may be reused.
    func run(lease: SocketLease, pool: SocketConnectionPool) -> Result<HTTPResponse, TransportError> {
        // The whole wait for a connection slot may have used the budget: then nothing is
        // sent (a request written after its deadline would be answered to nobody).
        guard deadline.remainingMs != nil else {
            if case .reuse(let idle) = lease {
                // A connection the fast path already wrote part of this request on is never
                // reusable: the server would read the next request as the rest of this one.
                if startOffset > 0 { idle.close(); pool.release(nil) } else { pool.release(idle) }
            } else {
                pool.release(nil)
            }
            return .failure(TransportError(.timeout, "no complete response within \(timeout.milliseconds) ms (waiting for a connection)"))
        }
        var connection: SocketConnection
        var reused = false
        do {
            if case .reuse(let idle) = lease, !idle.isStale {
                connection = idle
                reused = true
            } else {
                if case .reuse(let stale) = lease { stale.close() }
                connection = try open()
            }
        } catch {
            pool.release(nil)
            return .failure(error)
        }
        var retried = false
        var offset = reused ? startOffset : 0
        while true {
            do {
                let result = try exchange(on: connection, from: offset)
                if result.keepAlive && !closeAfter {
                    pool.release(connection)
                } else {
                    connection.close()
                    pool.release(nil)
                }
                return .success(result.response)
            } catch {
                connection.close()
                // The stale keep-alive case (see SocketHTTPTransport): retried once, only
                // when the server provably has not started answering.
                if reused, !retried, error.kind == .connection, connection.receivedThisExchange == 0 {
                    retried = true
                    reused = false
                    offset = 0
                    do {
                        connection = try open()
                        continue
                    } catch {
                        pool.release(nil)
                        return .failure(error)
                    }
                }
                pool.release(nil)
                return .failure(error)
            }
        }
    }

    private func open() throws(TransportError) -> SocketConnection {
        do {
            return try SocketConnection.open(host: endpoint.host, port: endpoint.port, deadline: deadline)
        } catch {
            throw stamped(error)
        }
    }

    private func exchange(on connection: SocketConnection, from offset: Int) throws(TransportError) -> SocketExchangeResult {
        connection.receivedThisExchange = 0
        do {
            try connection.writeAll(wire, from: offset, deadline: deadline)
            return try connection.readResponse(method: method, limits: limits, deadline: deadline)
        } catch {
            throw stamped(error)
        }
    }

    /// Timeouts read the same as URLSessionTransport's, naming the attempt's budget.
    func stamped(_ error: TransportError) -> TransportError {
        error.kind == .timeout ? TransportError(.timeout, "no complete response within \(timeout.milliseconds) ms (\(error.message))") : error
    }
}
