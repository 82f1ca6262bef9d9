import DSJSON
import DSRender
@testable import DSRuntime
@testable import DSRuntimePOSIX
import XCTest

/// The delivery loop over a scripted transport on virtual time: retries, Retry-After,
/// 429 pauses, 413 splits, partial failures, give-up rules and the ledger.
final class DelivererTests: XCTestCase {
    func testRetriesUntilSuccessWithTheSameIdempotencyKey() async throws {
        let plan = try RuntimeTestSupport.plan(response: #"{"idempotency_key": {"header": "Idempotency-Key"}, "retry": {"max_attempts": 5, "initial_backoff_ms": 100, "max_backoff_ms": 1000, "multiplier": 2, "jitter": "none", "max_elapsed_ms": 60000}}"#)
        let clock = VirtualClock(autoAdvance: true)
        let times = Locked<[RuntimeInstant]>([])
        // Scripted by event id and attempt: e1's attempts 1-2 get 503, attempt 3 a reset, then 200.
        let attempts = Locked<[String: Int]>([:])
        let transport = ScriptedTransport { request, _ in
            times.withLock { $0.append(clock.now()) }
            let id = request.eventIDs.first ?? ""
            let attempt = attempts.withLock { a -> Int in a[id, default: 0] += 1; return a[id, default: 0] }
            return attempt <= 2 ? RuntimeTestSupport.response(503) : (attempt == 3 ? .failure(TransportError(.connection, "reset")) : RuntimeTestSupport.response(200))
        }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(1), transport: transport, clock: clock)
        XCTAssertEqual(counts.delivered, 1)
        XCTAssertEqual(counts.attempts, 4)
        XCTAssertEqual(counts.retries, 3)
        XCTAssertEqual(fates.deliveredIDs, ["e1"])
        XCTAssertEqual(transport.requests.map { $0.header("Idempotency-Key") }, Array(repeating: "e1", count: 4))
        // Backoff 100, 200, 400 ms, exactly (no jitter).
        XCTAssertEqual(times.withLock { $0.map(\.offset) }, [.zero, .milliseconds(100), .milliseconds(300), .milliseconds(700)])
    }

    func testBatchIdempotencyKeyIsDerivedFromTheEventIDs() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 3, "max_wait_ms": 1000}"#, response: #"{"idempotency_key": {"header": "Idempotency-Key"}}"#)
        let transport = ScriptedTransport(answers: [RuntimeTestSupport.response(500)])
        _ = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(3), transport: transport)
        let keys = transport.requests.map { $0.header("Idempotency-Key") ?? "" }
        XCTAssertEqual(keys.count, 2)
        XCTAssertEqual(keys[0], keys[1], "the retry carries the same key")
        XCTAssertEqual(keys[0], DeliveryRenderEnvironment.requestID(for: ["e1", "e2", "e3"]))
        XCTAssertTrue(keys[0].hasPrefix("batch_"))
        XCTAssertNotEqual(keys[0], DeliveryRenderEnvironment.requestID(for: ["e1", "e2"]))
    }

    func testRetryAfterIsHonouredAndA429PausesThePartition() async throws {
        // Scripted by event id and attempt, never by call order: e1's first attempt is
        // answered 429 (Retry-After: 7) only once e2's first attempt has reached the
        // transport, and e2's first attempt gets a 503 (retry after 100 ms). Then e2's retry
        // is due at 100 ms but must wait for the partition's pause until 7 s. Time is moved
        // by hand (no auto-advance), so the interleaving cannot change what is asserted.
        let plan = try RuntimeTestSupport.plan(response: RuntimeTestSupport.fastRetry())
        let clock = VirtualClock()
        let transport = EventScriptedTransport(clock: clock) { id, attempt in
            switch (id, attempt) {
            case ("e1", 1): return .init(RuntimeTestSupport.response(429, "", headers: [HTTPHeaderField(name: "Retry-After", value: "7")]), after: "e2")
            case ("e2", 1): return .init(RuntimeTestSupport.response(503))
            default: return .init(RuntimeTestSupport.response(200))
            }
        }
        let ledger = DeliveryLedger()
        let deliverer = Deliverer(renderer: try RuntimeTestSupport.renderer(plan), transport: transport, clock: clock, ledger: ledger,
                                  options: DeliveryOptions(concurrency: 2), jitter: SeededJitterSource(seed: 7))
        let run = Task { await deliverer.run(.closed(events: RuntimeTestSupport.events(2))) }
        // e1 sleeps until 7 s (Retry-After), e2 until 100 ms (its backoff).
        await clock.waitForSleepers(2)
        XCTAssertEqual(clock.nextDeadline, .zero + .milliseconds(100))
        clock.advance(to: .zero + .milliseconds(100))
        // e2 wakes at 100 ms and goes back to sleep for the pause instead of sending (if it
        // sent, the request count would reach 3: wait for whichever happens, not for a time).
        while clock.sleeperCount < 2 && transport.sent.count < 3 { await Task.yield() }
        XCTAssertEqual(transport.sent.count, 2, "no retry before the pause ends: \(transport.sent)")
        clock.advance(to: .zero + .seconds(7))
        let counts = await run.value
        XCTAssertEqual(counts.delivered, 2)
        let log = transport.sent
        XCTAssertEqual(log.count, 4)
        XCTAssertEqual(Set(log.prefix(2).map(\.id)), ["e1", "e2"])
        XCTAssertTrue(log.prefix(2).allSatisfy { $0.at == .zero })
        // Both retries at exactly 7 s: e1's Retry-After, and e2's pause (not its 100 ms backoff).
        XCTAssertEqual(log.suffix(2).map(\.at), [.zero + .seconds(7), .zero + .seconds(7)])
        XCTAssertEqual(Set(log.suffix(2).map(\.id)), ["e1", "e2"])
    }

    func testTotalElapsedCapDeadLettersWithTheLastStatus() async throws {
        let plan = try RuntimeTestSupport.plan(response: #"{"error_message": "/error/message", "retry": {"max_attempts": 100, "initial_backoff_ms": 1000, "max_backoff_ms": 1000, "multiplier": 1, "jitter": "none", "max_elapsed_ms": 3500}}"#)
        let clock = VirtualClock(autoAdvance: true)
        let transport = ScriptedTransport { _, _ in RuntimeTestSupport.response(503, #"{"error":{"message":"overloaded"}}"#) }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(1), transport: transport, clock: clock)
        XCTAssertEqual(counts.deadLettered, 1)
        // Attempts at 0, 1, 2, 3 s; a fifth would start at 4 s > 3.5 s.
        XCTAssertEqual(transport.requests.count, 4)
        XCTAssertEqual(clock.now(), .zero + .seconds(3))
        let letter = try XCTUnwrap(fates.deadLetters.first)
        XCTAssertEqual(letter.status, 503)
        XCTAssertEqual(letter.errorMessage, "overloaded")
        XCTAssertEqual(letter.attempts, 4)
        XCTAssertTrue(letter.reason.contains("max_elapsed_ms"), letter.reason)
    }

    func testDropOutcomeIsDeadLetteredAtOnce() async throws {
        let plan = try RuntimeTestSupport.plan(response: #"{"error_message": "/error"}"#)
        let transport = ScriptedTransport { _, _ in RuntimeTestSupport.response(400, #"{"error":"bad field"}"#) }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(2), transport: transport)
        XCTAssertEqual(counts.deadLettered, 2)
        XCTAssertEqual(counts.attempts, 2)
        XCTAssertEqual(fates.deadLetters.map(\.errorMessage), ["bad field", "bad field"])
        XCTAssertEqual(fates.deadLetters.map(\.reason), ["status 400 is classified drop", "status 400 is classified drop"])
    }

    func testA413SplitsTheBatchInHalvesUntilItFits() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 8, "max_wait_ms": 1000}"#)
        // The "server" accepts at most 2 events per request.
        let transport = ScriptedTransport { request, _ in RuntimeTestSupport.response(request.eventIDs.count > 2 ? 413 : 200) }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(7), transport: transport)
        XCTAssertEqual(counts.delivered, 7)
        XCTAssertEqual(transport.requests.map(\.eventIDs), [
            ["e1", "e2", "e3", "e4", "e5", "e6", "e7"], ["e1", "e2", "e3", "e4"], ["e1", "e2"], ["e3", "e4"], ["e5", "e6", "e7"], ["e5", "e6"], ["e7"],
        ])
        XCTAssertEqual(fates.deliveredIDs.sorted(), (1...7).map { "e\($0)" }.sorted())
        XCTAssertTrue(fates.duplicates.isEmpty)
    }

    func testPartialFailureDeadLettersOnlyTheListedEvents() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 4, "max_wait_ms": 1000}"#, response: #"""
        {"rules": [{"status": 400, "body_contains": "\"failed_records\"", "outcome": "success"}],
         "partial_failure": {"errors": "/failed_records", "index": "/index", "message": "/message"}}
        """#)
        let transport = ScriptedTransport { _, _ in
            RuntimeTestSupport.response(400, #"{"code":400,"failed_records":[{"index":1,"message":"bad time"},{"index":3,"message":"no id"}]}"#)
        }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(4), transport: transport)
        XCTAssertEqual(counts.delivered, 2)
        XCTAssertEqual(counts.deadLettered, 2)
        XCTAssertEqual(fates.deliveredIDs.sorted(), ["e1", "e3"])
        XCTAssertEqual(fates.deadLetters.map(\.eventID), ["e2", "e4"])
        XCTAssertEqual(fates.deadLetters.map(\.errorMessage), ["bad time", "no id"])
    }

    func testPartialFailureRetryResendsOnlyTheFailedEvents() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 3, "max_wait_ms": 1000}"#, response: #"""
        {"partial_failure": {"errors": "/errors", "index": "/i", "outcome": "retry"},
         "retry": {"max_attempts": 3, "initial_backoff_ms": 10, "max_backoff_ms": 10, "multiplier": 1, "jitter": "none", "max_elapsed_ms": 1000}}
        """#)
        // Scripted by the events a request carries: the full batch reports e3 (index 2) failed.
        let transport = ScriptedTransport { request, _ in RuntimeTestSupport.response(200, request.eventIDs.count == 3 ? #"{"errors":[{"i":2}]}"# : "{}") }
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(3), transport: transport)
        XCTAssertEqual(counts.delivered, 3)
        XCTAssertEqual(transport.requests.map(\.eventIDs), [["e1", "e2", "e3"], ["e3"]])
    }

    func testFilteredEventsAreRecordedWithTheReason() async throws {
        let plan = try RuntimeTestSupport.plan(events: #"{"types": ["track"]}"#)
        let events = RuntimeTestSupport.events(2) + RuntimeTestSupport.events(1, type: "page").map { e -> JSONValue in
            var o = e.objectValue!
            o["event_id"] = "p1"
            return .object(o)
        }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), events, transport: ScriptedTransport(answers: []))
        XCTAssertEqual(counts.filtered, 1)
        XCTAssertEqual(counts.delivered, 2)
        XCTAssertEqual(fates.all.first { $0.id == "p1" }?.fate, .filtered(reason: #"type "page" is not selected (events.types: track)"#))
    }

    func testMaxWaitFlushesWhileInputIsIdle() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 100, "max_wait_ms": 2000}"#)
        let renderer = try RuntimeTestSupport.renderer(plan)
        let clock = VirtualClock()
        let transport = ScriptedTransport(answers: [])
        let ledger = DeliveryLedger()
        let deliverer = Deliverer(renderer: renderer, transport: transport, clock: clock, ledger: ledger, options: DeliveryOptions(concurrency: 1))
        let input = EventInputQueue(capacity: 10)
        let run = Task { await deliverer.run(input) }
        for e in RuntimeTestSupport.events(2) { input.put(.event(line: Int(e["event_id"]!.stringValue!.dropFirst())!, event: e)) }
        // The loop waits for input with the batch deadline (a timer sleeping on the clock).
        await clock.waitForSleepers(1)
        XCTAssertTrue(transport.requests.isEmpty)
        clock.advance(by: .milliseconds(1999))
        XCTAssertTrue(transport.requests.isEmpty)
        clock.advance(by: .milliseconds(1))
        while ledger.snapshot.delivered < 2 { await Task.yield() }
        XCTAssertEqual(transport.requests.map(\.eventIDs), [["e1", "e2"]])
        input.finish()
        let counts = await run.value
        XCTAssertEqual(counts.delivered, 2)
    }

    func testCheckpointSkipsAcknowledgedLinesOnRestart() async throws {
        let path = NSTemporaryDirectory() + "dspec-checkpoint-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let plan = try RuntimeTestSupport.plan()
        let renderer = try RuntimeTestSupport.renderer(plan)
        // First run: only the first 3 of 6 events reach an outcome (a "kill" after 3).
        let first = try CheckpointLog(path: path)
        let firstTransport = ScriptedTransport(answers: [])
        _ = await RuntimeTestSupport.deliver(renderer, Array(RuntimeTestSupport.events(3)), transport: firstTransport, checkpoint: first)
        first.close()
        // A torn record at the end, as a kill in mid-write leaves it.
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data("4".utf8))
        handle.closeFile()
        // Restart over the full input.
        let second = try CheckpointLog(path: path)
        XCTAssertEqual(second.acknowledged.ranges, [1...3])
        let queue = EventInputQueue(capacity: 16)
        for (i, e) in RuntimeTestSupport.events(6).enumerated() {
            queue.put(second.acknowledged.contains(i + 1) ? .acknowledged(line: i + 1) : .event(line: i + 1, event: e))
        }
        queue.finish()
        let transport = ScriptedTransport(answers: [])
        let ledger = DeliveryLedger(checkpoint: second)
        let counts = await Deliverer(renderer: renderer, transport: transport, clock: VirtualClock(autoAdvance: true), ledger: ledger).run(queue)
        second.close()
        XCTAssertEqual(counts.alreadyAcknowledged, 3)
        XCTAssertEqual(counts.delivered, 3)
        XCTAssertEqual(transport.requests.flatMap(\.eventIDs).sorted(), ["e4", "e5", "e6"])
        XCTAssertEqual(try CheckpointLog(path: path).acknowledged.ranges, [1...6])
    }
}

/// A transport scripted by event id and attempt number (never by call order). An answer
/// can be held back until another event's first request has reached the transport, which
/// pins down an interleaving of concurrent requests without any timing.
final class EventScriptedTransport: HTTPTransport {
    struct Answer: Sendable {
        var result: ScriptedTransport.Answer
        /// Answer only once this event id has been sent at least once.
        var after: String?
        init(_ result: ScriptedTransport.Answer, after: String? = nil) {
            self.result = result
            self.after = after
        }
    }

    private let clock: any RuntimeClock
    private let script: @Sendable (_ eventID: String, _ attempt: Int) -> Answer
    private let log = Locked<[(id: String, at: RuntimeInstant)]>([])
    private let arrivals = Locked<[String: CompletionSignal]>([:])

    init(clock: any RuntimeClock, _ script: @escaping @Sendable (_ eventID: String, _ attempt: Int) -> Answer) {
        self.clock = clock
        self.script = script
    }

    /// Every request sent: its first event id and the clock's time.
    var sent: [(id: String, at: RuntimeInstant)] { log.withLock { $0 } }

    private func arrival(_ id: String) -> CompletionSignal {
        arrivals.withLock { a in
            if let s = a[id] { return s }
            let s = CompletionSignal()
            a[id] = s
            return s
        }
    }

    func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        let id = request.eventIDs.first ?? ""
        let attempt = log.withLock { l -> Int in
            l.append((id, clock.now()))
            return l.filter { $0.id == id }.count
        }
        arrival(id).fire()
        let answer = script(id, attempt)
        if let other = answer.after { await arrival(other).wait() }
        return try answer.result.get()
    }
}

/// Cancelling a run reaches the requests in flight (structured concurrency).
final class DelivererCancellationTests: XCTestCase {
    func testCancellingTheRunCancelsEveryRequestInFlight() async throws {
        let plan = try RuntimeTestSupport.plan(response: RuntimeTestSupport.fastRetry())
        let path = NSTemporaryDirectory() + "dspec-cancel-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let checkpoint = try CheckpointLog(path: path)
        let transport = BlockingTransport(expected: 2)
        let fates = FateLog()
        let ledger = DeliveryLedger(checkpoint: checkpoint, observer: { line, id, fate in fates.record(line, id, fate) })
        let deliverer = Deliverer(renderer: try RuntimeTestSupport.renderer(plan), transport: transport, clock: VirtualClock(), ledger: ledger,
                                  options: DeliveryOptions(concurrency: 2))
        // Input that stays open, like a pipe on standard input.
        let input = EventInputQueue(capacity: 8)
        for (i, e) in RuntimeTestSupport.events(2).enumerated() { input.put(.event(line: i + 1, event: e)) }
        let run = Task { await deliverer.run(input) }
        await transport.allStarted.wait()
        run.cancel()
        // A watchdog against a hang, not a timing assertion: it only expires if cancellation
        // never reaches the requests (each blocks until it is cancelled).
        let cancelled = expectation(description: "every request in flight sees the cancellation")
        Task { await transport.allCancelled.wait(); cancelled.fulfill() }
        await fulfillment(of: [cancelled], timeout: 30)
        guard transport.cancelledIDs.count == 2 else { return }
        let counts = await run.value
        checkpoint.close()
        XCTAssertEqual(transport.cancelledIDs.sorted(), ["e1", "e2"])
        XCTAssertEqual(counts.interrupted, 2)
        XCTAssertEqual(counts.delivered + counts.deadLettered, 0, "a cancelled request is neither delivered nor dead-lettered")
        XCTAssertTrue(fates.all.isEmpty, "no outcome recorded for cancelled requests")
        XCTAssertTrue(try CheckpointLog(path: path).acknowledged.ranges.isEmpty, "nothing acknowledged: a rerun sends both again")
    }
}

/// A transport whose requests block until their task is cancelled.
final class BlockingTransport: HTTPTransport {
    let allStarted = CompletionSignal()
    let allCancelled = CompletionSignal()
    private let expected: Int
    private let state = Locked<(started: Int, cancelled: [String])>((0, []))

    init(expected: Int) { self.expected = expected }

    var cancelledIDs: [String] { state.withLock { $0.cancelled } }

    func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        if state.withLock({ $0.started += 1; return $0.started }) == expected { allStarted.fire() }
        let gate = CompletionSignal()
        await withTaskCancellationHandler { await gate.wait() } onCancel: { gate.fire() }
        let id = request.eventIDs.first ?? ""
        if state.withLock({ $0.cancelled.append(id); return $0.cancelled.count }) == expected { allCancelled.fire() }
        throw TransportError(.other, "cancelled")
    }
}

/// The end-of-run cause tally: grouping, order, and bounds on what vendor text can do.
final class ReasonTallyTests: XCTestCase {
    func testGroupsByCauseMostFrequentFirstAndBoundsVendorText() {
        let tally = ReasonTally()
        tally.add("HTTP 400: bad")
        tally.add("connection refused (127.0.0.1:9)", count: 3)
        tally.add("HTTP 400: bad")
        tally.add("HTTP 500: \u{1B}[2Jwiped\r\nX")
        XCTAssertEqual(tally.grouped.map(\.cause), ["connection refused (127.0.0.1:9)", "HTTP 400: bad", "HTTP 500:  [2Jwiped  X"])
        XCTAssertEqual(tally.grouped.map(\.count), [3, 2, 1])
        tally.add(String(repeating: "x", count: 10_000))
        XCTAssertEqual(tally.grouped.last?.cause.count, ReasonTally.maxCauseLength + 3)
        for i in 0..<(ReasonTally.maxCauses * 2) { tally.add("cause \(i)") }
        XCTAssertEqual(tally.grouped.count, ReasonTally.maxCauses + 1)
        XCTAssertEqual(tally.total, 3 + 2 + 1 + 1 + ReasonTally.maxCauses * 2)
        XCTAssertTrue(tally.grouped.contains { $0.cause == ReasonTally.overflowCause })
        XCTAssertEqual(urlAuthority("https://user:pw@api.example.com/v1?key=s"), "api.example.com:443")
        XCTAssertEqual(urlAuthority("http://[::1]:8080/x"), "[::1]:8080")
    }
}
