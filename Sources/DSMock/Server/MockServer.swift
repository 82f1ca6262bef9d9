#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(CSystemEpoll) && os(Linux)
import CSystemEpoll
#endif

/// Settings of a ``MockServer``.
public struct MockServerConfiguration: Sendable {
    /// IPv4 address to bind; loopback by default, since the mock is for tests.
    public var host: String
    /// Port to bind; 0 picks a free ephemeral port (read it from ``MockServer/port``).
    public var port: Int
    /// Protocol limits and timeouts.
    public var limits: MockLimits
    /// Event loop threads; the default of 2 matches the small CI machines this runs on.
    public var eventLoops: Int
    /// Most journal entries kept; beyond it each new entry replaces the oldest (a harness
    /// resets per case long before this matters; a long standalone run must not grow forever).
    public var journalLimit: Int
    /// Called on an event loop thread after each request is journaled (logging). Keep it short.
    public var onRequest: (@Sendable (MockJournalEntry) -> Void)?

    /// Creates a configuration.
    public init(host: String = "127.0.0.1", port: Int = 0, limits: MockLimits = MockLimits(), eventLoops: Int = 2,
                journalLimit: Int = 100_000, onRequest: (@Sendable (MockJournalEntry) -> Void)? = nil) {
        self.host = host
        self.port = port
        self.limits = limits
        self.eventLoops = eventLoops
        self.journalLimit = journalLimit
        self.onRequest = onRequest
    }
}

/// A scriptable HTTP/1.1 vendor server on POSIX sockets, for conformance tests of the
/// delivery runtime over real loopback connections.
///
/// ```swift
/// let server = try MockServer.start(scenario: try MockScenario(json: text))
/// defer { server.stop() }
/// // point the client at http://127.0.0.1:\(server.port)
/// server.reset(to: nextCase, verifier: MockVerifier(plan: plan, secrets: secrets))
/// _ = server.waitForRequests(3, timeoutMs: 5000)
/// for entry in server.journal where !entry.failedChecks.isEmpty { ... }
/// ```
///
/// One acceptor thread hands connections round-robin to a few `poll` event loops; each
/// request is decided, checked and journaled in ``MockSession`` and answered from
/// precomputed bytes, which keeps throughput well above what a harness needs.
public final class MockServer: @unchecked Sendable {
    /// The configuration it was started with.
    public let configuration: MockServerConfiguration
    /// The bound port.
    public let port: Int
    private let listenFD: Int32
    private let context: ServerContext
    private let loops: [EventLoop]
    private var threads: [pthread_t] = []
    private let state = MockLock()
    private var stopped = false

    /// Binds, starts the threads and begins serving `scenario` (with `verifier` checks).
    public init(configuration: MockServerConfiguration = MockServerConfiguration(), scenario: MockScenario = MockScenario(),
                verifier: MockVerifier? = nil) throws(MockServerError) {
        self.configuration = configuration
        let session = MockSession(journalLimit: configuration.journalLimit)
        session.reset(to: scenario, verifier: verifier)
        context = ServerContext(limits: configuration.limits, session: session, onRecord: configuration.onRequest)
        var loops: [EventLoop] = []
        for _ in 0..<max(1, configuration.eventLoops) { loops.append(try EventLoop(context: context)) }
        self.loops = loops
        (listenFD, port) = try Socket.listen(host: configuration.host, port: configuration.port)
        for loop in loops {
            guard let t = startThread({ loop.run() }) else { stop(); throw MockServerError("cannot start an event loop thread") }
            threads.append(t)
        }
        let fd = listenFD, context = context, all = loops
        guard let acceptor = startThread({ Self.acceptLoop(fd: fd, loops: all, context: context) }) else {
            stop()
            throw MockServerError("cannot start the acceptor thread")
        }
        threads.append(acceptor)
    }

    /// Convenience: a loopback server on an ephemeral port.
    public static func start(scenario: MockScenario = MockScenario(), verifier: MockVerifier? = nil, limits: MockLimits = MockLimits()) throws(MockServerError) -> MockServer {
        try MockServer(configuration: MockServerConfiguration(limits: limits), scenario: scenario, verifier: verifier)
    }

    deinit { stop() }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://\(configuration.host):\(port)" }

    /// Starts a new case atomically: the scenario (with fresh sequence positions and random
    /// generator), the verifier, a fresh token authority and an empty journal. Requests
    /// already being answered finish under the previous case.
    public func reset(to scenario: MockScenario, verifier: MockVerifier? = nil) {
        context.session.reset(to: scenario, verifier: verifier)
    }

    /// A snapshot of the journal, oldest first.
    public var journal: [MockJournalEntry] { context.session.journal }

    /// Requests answered since the last reset, counting those the bounded journal no longer
    /// holds (``journal`` keeps at most `journalLimit`).
    public var requestCount: Int { context.session.requestCount }

    /// Requests refused at the protocol level since the last reset.
    public var protocolErrors: [MockProtocolError] { context.session.protocolErrors }

    /// Empties the journal and protocol errors without touching scenario state.
    public func clearJournal() { context.session.clearJournal() }

    /// Blocks until the journal holds at least `count` entries or `timeoutMs` passes;
    /// returns whether the count was reached.
    @discardableResult
    public func waitForRequests(_ count: Int, timeoutMs: Int) -> Bool {
        context.session.wait(forCount: count, timeoutMs: timeoutMs)
    }

    /// The current case's OAuth token endpoint, if the verifier or scenario configures one
    /// (to expire tokens, read grant counts or the rotated refresh token).
    public var tokenAuthority: MockTokenAuthority? { context.session.tokenAuthority }

    /// Connections currently open.
    public var openConnections: Int { context.openConnections }
    /// The most connections held at once since start; `limits.maxConnections` bounds it.
    public var peakConnections: Int { context.peakConnections }

    /// Stops accepting, closes every connection (after a last attempt to write what each
    /// owes) and joins all threads. Idempotent.
    public func stop() {
        let first = state.withLock { () -> Bool in defer { stopped = true }; return !stopped }
        guard first else { return }
        // shutdown() wakes the acceptor blocked in accept(); close after it has returned.
        shutdown(listenFD, Int32(SHUT_RDWR))
        for loop in loops { loop.stop() }
        for t in threads { pthread_join(t, nil) }
        close(listenFD)
    }

    private static func acceptLoop(fd: Int32, loops: [EventLoop], context: ServerContext) {
        var nextID = 0
        var nextLoop = 0
        while true {
            // Close-on-exec from the start: a process started meanwhile (tests start oracle
            // processes) must not inherit the connection and hold it open.
            #if canImport(CSystemEpoll) && os(Linux)
            let client = dspec_accept_cloexec(fd)
            #else
            let client = accept(fd, nil, nil)
            #endif
            if client < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: usleep(10_000); continue
                default: return  // EINVAL after shutdown(): the server is stopping
                }
            }
            // When every slot is taken, the loop evicts an idle connection for this one (or
            // refuses it): new clients keep being served while slowloris connections pile up.
            let evict = !context.admit()
            Socket.setNonBlocking(client)
            Socket.setNoDelay(client)
            nextID += 1
            loops[nextLoop].adopt(fd: client, id: nextID, evict: evict)
            nextLoop = (nextLoop + 1) % loops.count
        }
    }
}
