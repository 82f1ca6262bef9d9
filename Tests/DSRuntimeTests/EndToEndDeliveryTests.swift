import DSJSON
import DSRender
@testable import DSRuntime
@testable import DSRuntimePOSIX
import XCTest

/// 10,000 events through the default transport (``AutoTransport``: dspec's socket client for
/// `http://`, the path every http delivery takes) to a loopback server that fails a fifth of
/// the requests (5xx, 429, connection resets): every event ends in exactly one outcome and
/// every delivered event reached the server.
///
/// These runs once went through URLSession. Under this fault load FoundationNetworking on
/// Linux crashed the test process in libdispatch (`_dispatch_event_loop_drain`, 1 of 20
/// loaded runs; the known swift-corelibs-foundation crash family around libcurl socket
/// teardown on timeouts and resets, see docs/runtime.md). URLSession keeps its own tests
/// (URLSessionTransportTests) without injected resets.
final class EndToEndDeliveryTests: XCTestCase {
    /// A deterministic fault for the n-th request: about 12% 5xx, 4% 429, 4% resets.
    private static func fault(_ n: Int) -> LoopbackHTTPServer.Action? {
        let bucket = (n &* 2_654_435_761) % 100
        switch bucket {
        case 0..<12: return .respond(status: [500, 502, 503, 504][n % 4], body: #"{"error":"transient"}"#)
        case 12..<16: return .respond(status: 429, headers: [("Retry-After", "0")])
        case 16..<20: return .reset
        default: return nil
        }
    }

    private func run(batching: String?, events count: Int, onEventLoop: Bool = false) async throws {
        let counter = Locked(0)
        let server = try LoopbackHTTPServer { _ in
            let n = counter.withLock { $0 += 1; return $0 }
            return Self.fault(n) ?? .respond(status: 200, body: "{}")
        }
        defer { server.stop() }
        let plan = try RuntimeTestSupport.plan(url: server.baseURL + "/ingest", batching: batching, response: #"""
        {"error_message": "/error", "idempotency_key": {"header": "Idempotency-Key"},
         "retry": {"max_attempts": 12, "initial_backoff_ms": 2, "max_backoff_ms": 20, "multiplier": 2, "jitter": "full", "max_elapsed_ms": 20000}}
        """#, events: #"{"types": ["track"]}"#, timeoutMs: 200)
        let renderer = try RuntimeTestSupport.renderer(plan)
        // Every 20th event is a page event, which the plan filters out.
        let events: [JSONValue] = (1...count).map { i in
            .object(JSONObject([("type", .string(i % 20 == 0 ? "page" : "track")), ("event", "Signed Up"), ("event_id", .string("evt-\(i)"))]))
        }
        let fates = FateLog()
        let ledger = DeliveryLedger(observer: { line, id, fate in fates.record(line, id, fate) })
        let deliverer = Deliverer(renderer: renderer, transport: AutoTransport(maxConnectionsPerHost: 16), clock: SystemClock(), ledger: ledger,
                                  options: DeliveryOptions(concurrency: 16), jitter: SeededJitterSource(seed: 1))
        let jobsBefore = SocketEventLoop.shared?.jobsEnqueued ?? 0
        let counts = onEventLoop
            ? await Task(executorPreference: SocketHTTPTransport.taskExecutor) { await deliverer.run(.closed(events: events)) }.value
            : await deliverer.run(.closed(events: events))
        if onEventLoop {
            // The run's tasks ran as the loop's jobs (at least one per HTTP attempt resumed).
            XCTAssertGreaterThanOrEqual((SocketEventLoop.shared?.jobsEnqueued ?? 0) - jobsBefore, counts.attempts)
            XCTAssertGreaterThan(counts.attempts, 0)
        }

        XCTAssertEqual(counts.delivered + counts.deadLettered + counts.filtered, count)
        XCTAssertEqual(counts.filtered, count / 20)
        XCTAssertEqual(fates.all.count, count, "one fate per event")
        XCTAssertTrue(fates.duplicates.isEmpty, "events with two fates: \(fates.duplicates.prefix(5))")
        XCTAssertGreaterThan(counts.retries, 0, "faults were injected")
        // Every delivered event reached the server in some request that was answered 2xx (or
        // at least was received; at-least-once).
        var received = Set<String>()
        for r in server.requests {
            guard let body = try? JSONParser().parseValue(r.body) else { continue }
            let items = body.arrayValue ?? [body]
            for item in items { if let id = item["id"]?.stringValue { received.insert(id) } }
        }
        let missing = fates.deliveredIDs.filter { !received.contains($0) }
        XCTAssertTrue(missing.isEmpty, "delivered but never received: \(missing.prefix(5))")
        XCTAssertEqual(counts.delivered, count - count / 20 - counts.deadLettered)
    }

    func testTenThousandSingleEventRequestsWithInjectedFaults() async throws {
        try await run(batching: nil, events: 10_000)
    }

    func testTenThousandBatchedEventsWithInjectedFaults() async throws {
        try await run(batching: #"{"max_events": 50, "max_wait_ms": 50}"#, events: 10_000)
    }

    /// The same faults with the run's tasks on the socket event loop's thread, as `dspec
    /// deliver` runs them (SocketHTTPTransport.taskExecutor): retries, Retry-After, resets
    /// retried on fresh connections (worker threads resuming the loop's tasks) and backoff
    /// timers all end in one outcome per event.
    func testTenThousandSingleEventRequestsOnTheEventLoopExecutor() async throws {
        try XCTSkipIf(SocketHTTPTransport.taskExecutor == nil, "no epoll on this platform")
        try await run(batching: nil, events: 10_000, onEventLoop: true)
    }

    func testTenThousandBatchedEventsOnTheEventLoopExecutor() async throws {
        try XCTSkipIf(SocketHTTPTransport.taskExecutor == nil, "no epoll on this platform")
        try await run(batching: #"{"max_events": 50, "max_wait_ms": 50}"#, events: 10_000, onEventLoop: true)
    }

    /// Cancelling a run on the event loop executor reaches the requests waiting on the wire:
    /// the run ends, their events are counted as interrupted, none delivered twice or lost.
    func testCancellingARunOnTheEventLoopExecutorInterruptsTheRequestsInFlight() async throws {
        try XCTSkipIf(SocketHTTPTransport.taskExecutor == nil, "no epoll on this platform")
        let answered = Locked(0)
        // Later requests are answered only once the run has returned: no timing decides
        // whether the cancellation comes first.
        let release = DispatchSemaphore(value: 0)
        let server = try LoopbackHTTPServer { _ in
            // The first two requests are answered; later ones hang until released.
            if answered.withLock({ $0 += 1; return $0 }) <= 2 { return .respond(status: 200, body: "{}") }
            release.wait()
            return .respond(status: 200, body: "{}")
        }
        defer {
            for _ in 0..<4 { release.signal() }
            server.stop()
        }
        let plan = try RuntimeTestSupport.plan(url: server.baseURL + "/ingest", batching: nil, response: nil, events: nil, timeoutMs: 20_000)
        let renderer = try RuntimeTestSupport.renderer(plan)
        let events: [JSONValue] = (1...6).map { .object(JSONObject([("type", "track"), ("event", "Signed Up"), ("event_id", .string("evt-\($0)"))])) }
        let fates = FateLog()
        let ledger = DeliveryLedger(observer: { line, id, fate in fates.record(line, id, fate) })
        let deliverer = Deliverer(renderer: renderer, transport: AutoTransport(maxConnectionsPerHost: 8), clock: SystemClock(), ledger: ledger,
                                  options: DeliveryOptions(concurrency: 8))
        let run = Task(executorPreference: SocketHTTPTransport.taskExecutor) { await deliverer.run(.closed(events: events)) }
        // Cancel once four requests hang on the server (no sleep: wait for the fact).
        while server.requests.count < 6 { await Task.yield() }
        run.cancel()
        let counts = await run.value
        XCTAssertEqual(counts.delivered, 2)
        XCTAssertEqual(counts.interrupted, 4)
        XCTAssertEqual(counts.deadLettered, 0)
        XCTAssertTrue(fates.duplicates.isEmpty)
    }
}
