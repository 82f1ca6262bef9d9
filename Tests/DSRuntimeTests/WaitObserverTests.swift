import DSCore
import DSJSON
import DSPlan
import DSRender
@testable import DSRuntime
import XCTest

/// `DeliveryOptions.waitObserver`: the engine reports every wait it schedules
/// (``ScheduledWait``), and observing changes nothing about the delivery.
final class WaitObserverTests: XCTestCase {
    private final class Recorder: Sendable {
        let waits = Locked<[ScheduledWait]>([])
        var all: [ScheduledWait] { waits.withLock { $0 } }
        func options(_ base: DeliveryOptions = DeliveryOptions(concurrency: 1)) -> DeliveryOptions {
            var o = base
            o.waitObserver = { w in self.waits.withLock { $0.append(w) } }
            return o
        }
    }

    /// Chosen script: 503, 503, 429 with `Retry-After: 1`, then 200, with no jitter: the
    /// retry waits are 100, 200 and max(400, 1000) ms, each reported with its backoff, its
    /// Retry-After, the status and the attempt it retries.
    func testRetryWaitsAreReportedAsScheduled() async throws {
        let plan = try RuntimeTestSupport.plan(response: RuntimeTestSupport.fastRetry(attempts: 5, initial: 100))
        let transport = ScriptedTransport(answers: [RuntimeTestSupport.response(503), RuntimeTestSupport.response(503),
                                                    RuntimeTestSupport.response(429, headers: [HTTPHeaderField(name: "Retry-After", value: "1")])])
        let recorder = Recorder()
        let clock = VirtualClock(autoAdvance: true)
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(1), transport: transport,
                                                           clock: clock, options: recorder.options())
        XCTAssertEqual(counts.delivered, 1)
        let waits = recorder.all
        XCTAssertEqual(waits.map(\.kind), [.retry, .retry, .retry])
        XCTAssertEqual(waits.map(\.attempt), [2, 3, 4])
        XCTAssertEqual(Set(waits.map(\.request)), [1])
        XCTAssertEqual(waits.map(\.duration), [.milliseconds(100), .milliseconds(200), .seconds(1)])
        XCTAssertEqual(waits.map(\.backoff), [.milliseconds(100), .milliseconds(200), .milliseconds(400)])
        XCTAssertEqual(waits.map(\.retryAfter), [nil, nil, .seconds(1)])
        XCTAssertEqual(waits.map(\.status), [503, 503, 429])
        XCTAssertEqual(waits.compactMap(\.retried).map(\.body), transport.requests.prefix(3).map(\.body))
        // One wait follows another: each starts where the previous attempt's answer came.
        XCTAssertEqual(waits[0].start, .zero)
        XCTAssertEqual(clock.now(), waits[2].end, "the run ends when the last wait does (virtual time)")
    }

    /// Token waits: 10 rps, burst 1, one request at a time: every request after the first
    /// waits 100 ms for its token, reported before it sleeps.
    func testTokenWaitsAreReported() async throws {
        let plan = try RuntimeTestSupport.plan(response: RuntimeTestSupport.fastRetry(attempts: 3, initial: 50), rateLimit: #"{"rps": 10, "burst": 1}"#)
        let recorder = Recorder()
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(4), transport: ScriptedTransport(answers: []),
                                                           options: recorder.options())
        XCTAssertEqual(counts.delivered, 4)
        XCTAssertEqual(recorder.all.map(\.kind), [.rateLimit, .rateLimit, .rateLimit])
        XCTAssertEqual(recorder.all.map(\.duration), [.milliseconds(100), .milliseconds(100), .milliseconds(100)])
        XCTAssertEqual(recorder.all.map(\.request), [2, 3, 4])
        XCTAssertEqual(recorder.all.map(\.attempt), [1, 1, 1])

    }

    /// A split batch: each half is a request of its own in the reports, starting from its
    /// first attempt. Batch of 4 (413), halves of 2 at 10 rps: the first half waits for its
    /// token, gets a 503 and retries; every wait before a half's first send is attempt 1, and
    /// its retry is attempt 2 and names the half, not the batch (before the fix the halves
    /// carried on the batch's attempt count and request).
    func testHalvesOfASplitBatchAreReportedFromTheirFirstAttempt() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 4, "max_wait_ms": 1000}"#,
                                               response: RuntimeTestSupport.fastRetry(attempts: 3, initial: 50), rateLimit: #"{"rps": 10, "burst": 1}"#)
        let seen = Locked<[[String]: Int]>([:])
        let transport = ScriptedTransport { request, _ in
            let n = seen.withLock { (counts: inout [[String]: Int]) -> Int in counts[request.eventIDs, default: 0] += 1; return counts[request.eventIDs]! }
            if request.eventIDs.count > 2 { return RuntimeTestSupport.response(413) }
            return RuntimeTestSupport.response(request.eventIDs == ["e1", "e2"] && n == 1 ? 503 : 200)
        }
        let recorder = Recorder()
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(4), transport: transport,
                                                           options: recorder.options())
        XCTAssertEqual(counts.delivered, 4)
        XCTAssertEqual(transport.requests.map(\.eventIDs), [["e1", "e2", "e3", "e4"], ["e1", "e2"], ["e1", "e2"], ["e3", "e4"]])
        let waits = recorder.all
        let halves = Array(Set(waits.map(\.request)).sorted())
        XCTAssertEqual(halves.count, 2, "\(waits)")
        for half in halves {
            let own = waits.filter { $0.request == half }
            let firstSend = own.firstIndex { $0.kind == .retry } ?? own.count
            XCTAssertEqual(own[..<firstSend].map(\.attempt), Array(repeating: 1, count: firstSend), "request \(half): \(own)")
        }
        let retry = try XCTUnwrap(waits.first { $0.kind == .retry })
        XCTAssertEqual(retry.attempt, 2)
        XCTAssertEqual(retry.backoff, .milliseconds(50))
        XCTAssertEqual(retry.retried?.eventIDs, ["e1", "e2"])
    }

    /// Rate-limit header pauses are announced with their length (capped at `max_ms`).
    func testRateLimitHeaderPausesAreReported() async throws {
        let response = #"{"rate_limit_headers": {"reset": "X-Reset", "reset_unit": "seconds", "max_ms": 1500}, "retry": {"max_attempts": 2, "initial_backoff_ms": 10, "max_backoff_ms": 10, "multiplier": 1, "jitter": "none", "max_elapsed_ms": 60000}}"#
        let plan = try RuntimeTestSupport.plan(response: response)
        let transport = ScriptedTransport(answers: [RuntimeTestSupport.response(429, headers: [HTTPHeaderField(name: "X-Reset", value: "5")])])
        let recorder = Recorder()
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(1), transport: transport,
                                                           options: recorder.options())
        XCTAssertEqual(counts.delivered, 1)
        let header = try XCTUnwrap(recorder.all.first { $0.kind == .rateLimitHeaders })
        XCTAssertEqual(header.duration, .milliseconds(1500))
        XCTAssertEqual(header.attempt, 1)
        // The retry itself waits its 10 ms backoff, then the rest of the header pause.
        let retry = try XCTUnwrap(recorder.all.first { $0.kind == .retry })
        XCTAssertEqual(retry.duration, .milliseconds(10))
        let pause = try XCTUnwrap(recorder.all.first { $0.kind == .partitionPause })
        XCTAssertEqual(pause.end, header.end)
        XCTAssertEqual(pause.request, retry.request)
        XCTAssertEqual(pause.attempt, 2)
    }

    /// Differential: on many random scripts (statuses, Retry-After values, jitter, rate
    /// limits, concurrency), a run with an observer sends exactly the same requests, records
    /// the same outcomes and ends at the same virtual instant as one without; and every
    /// reported retry wait is the policy's wait for that retry (its backoff within the
    /// jitter range, raised to the capped Retry-After).
    func testObservingChangesNothingOnRandomScripts() async throws {
        var rng = SplitMix(seed: 0x5EED_0016)
        let jitters = ["none", "full", "equal"]
        var seen: [ScheduledWait.Kind: Int] = [:]
        for round in 0..<60 {
            let jitter = jitters[Int(rng.next() % 3)]
            let attempts = 2 + Int(rng.next() % 4)
            let rate = rng.next() % 2 == 0 ? #"{"rps": \#(1 + rng.next() % 20), "burst": \#(1 + rng.next() % 3)}"# : nil
            let plan = try RuntimeTestSupport.plan(response: RuntimeTestSupport.fastRetry(attempts: attempts, initial: 10 + Int(rng.next() % 200), jitter: jitter),
                                                   rateLimit: rate)
            let statuses = (0..<40).map { _ in [200, 200, 503, 500, 429, 429][Int(rng.next() % 6)] }
            let retryAfters = (0..<40).map { _ in rng.next() % 3 == 0 ? String(rng.next() % 3) : nil }
            let script: ScriptedTransport.Script = { request, _ in
                // By event id and attempt (not call order), so both runs see the same answers.
                let id = request.eventIDs.first.flatMap { Int($0.dropFirst()) } ?? 0
                let n = Int(request.headers.first { $0.name == "X-Attempt" }?.value ?? "0") ?? 0
                let i = (id * 7 + n) % statuses.count
                let headers = retryAfters[i].map { [HTTPHeaderField(name: "Retry-After", value: $0)] } ?? []
                return RuntimeTestSupport.response(statuses[i], headers: headers)
            }
            let events = RuntimeTestSupport.events(1 + Int(rng.next() % 5))
            let options = DeliveryOptions(concurrency: 1)
            func run(observe: Recorder?) async throws -> ([RenderedRequest], [String], RuntimeInstant) {
                let transport = ScriptedTransport(Self.perEventAttempts(script))
                let clock = VirtualClock(autoAdvance: true)
                let (_, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), events, transport: transport, clock: clock,
                                                                  options: observe?.options(options) ?? options)
                return (transport.requests, fates.all.map { "\($0.line) \($0.id) \($0.fate)" }, clock.now())
            }
            let plain = try await run(observe: nil)
            let recorder = Recorder()
            let observed = try await run(observe: recorder)
            XCTAssertEqual(observed.0.map { [$0.method, $0.url, String(decoding: $0.body, as: UTF8.self)] }, plain.0.map { [$0.method, $0.url, String(decoding: $0.body, as: UTF8.self)] }, "round \(round)")
            XCTAssertEqual(observed.1, plain.1, "round \(round)")
            XCTAssertEqual(observed.2, plain.2, "round \(round)")
            let policy = BackoffPolicy(plan.response.retry)
            for w in recorder.all where w.kind == .retry {
                let base = policy.baseDelay(retry: w.attempt - 1)
                let backoff = try XCTUnwrap(w.backoff)
                let low: Duration = jitter == "none" ? base : jitter == "equal" ? .nanoseconds(base.nanoseconds / 2) : .zero
                XCTAssertTrue(backoff >= low && backoff <= base, "round \(round): backoff \(backoff) outside \(low)...\(base)")
                XCTAssertEqual(w.duration, policy.combine(backoff: backoff, retryAfter: w.retryAfter), "round \(round)")
            }
            XCTAssertEqual(recorder.all.filter { $0.kind == .retry }.count, plain.0.count - Set(plain.0.map(\.eventIDs)).count, "round \(round): one retry wait per retry")
            for w in recorder.all { seen[w.kind, default: 0] += 1 }
        }
        // The scripts did exercise retries with and without Retry-After, and token waits.
        XCTAssertGreaterThan(seen[.retry] ?? 0, 100, "\(seen)")
        XCTAssertGreaterThan(seen[.rateLimit] ?? 0, 20, "\(seen)")
    }

    /// Answers by event and by that event's attempt number (the script sees it as a header).
    private static func perEventAttempts(_ script: @escaping ScriptedTransport.Script) -> ScriptedTransport.Script {
        let seen = Locked<[String: Int]>([:])
        return { request, call in
            let key = request.eventIDs.joined(separator: ",")
            let n = seen.withLock { $0[key, default: 0] += 1; return $0[key]! }
            var r = request
            r.headers.append(HTTPHeaderField(name: "X-Attempt", value: String(n)))
            return script(r, call)
        }
    }

    private typealias SplitMix = SplitMix64
}
