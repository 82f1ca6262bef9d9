import DSCore
import DSJSON
import DSPlan
import DSRender
@testable import DSRuntime
import XCTest

/// Issue 14: whole-batch rejections isolated by `isolate_on`, vendor rate-limit headers
/// pausing the partition, auth expiry read from a 2xx body, and the per-event size limit.
/// Fakes are scripted by event id; time is virtual.
final class BatchRejectionAndRateLimitHeaderTests: XCTestCase {
    // MARK: isolate_on

    func testIsolateOnSplitsAWholeBatch400UntilOnlyTheBadEventIsDeadLettered() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 8, "max_wait_ms": 1000}"#, response: #"{"isolate_on": [400]}"#)
        XCTAssertEqual(plan.response.isolateOn, [400...400])
        // Any request holding e6 is rejected whole with 400.
        let transport = ScriptedTransport { request, _ in RuntimeTestSupport.response(request.eventIDs.contains("e6") ? 400 : 200) }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(8), transport: transport)
        XCTAssertEqual(counts.delivered, 7)
        XCTAssertEqual(fates.deadLetters.map(\.eventID), ["e6"])
        XCTAssertEqual(fates.deadLetters.first?.status, 400)
        XCTAssertEqual(fates.deadLetters.first?.reason, "status 400 is classified drop")
        // [1-8] 400 -> [1-4] ok, [5-8] 400 -> [5 6] 400 -> [5] ok, [6] 400; [7 8] ok.
        XCTAssertEqual(transport.requests.map(\.eventIDs), [["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"], ["e1", "e2", "e3", "e4"],
                                                            ["e5", "e6", "e7", "e8"], ["e5", "e6"], ["e5"], ["e6"], ["e7", "e8"]])
        XCTAssertEqual(counts.isolationRequests, 6, "every request after the rejected one is the isolation's cost")
        XCTAssertEqual(fates.deadLetters.first?.attempts, 4, "e6 was in four requests")
        XCTAssertEqual(fates.duplicates, [])
    }

    func testWithoutIsolateOnAWholeBatch400DropsEveryEvent() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 4, "max_wait_ms": 1000}"#)
        let transport = ScriptedTransport { request, _ in RuntimeTestSupport.response(request.eventIDs.contains("e2") ? 400 : 200) }
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(4), transport: transport)
        XCTAssertEqual(counts.deadLettered, 4)
        XCTAssertEqual(counts.isolationRequests, 0)
        XCTAssertEqual(transport.requests.count, 1)
    }

    func testASpecRuleForTheStatusWinsOverIsolation() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 4, "max_wait_ms": 1000}"#,
                                               response: #"{"rules": [{"status": 400, "body_contains": "quota", "outcome": "drop"}], "isolate_on": [400]}"#)
        let transport = ScriptedTransport { request, _ in
            RuntimeTestSupport.response(request.eventIDs.contains("e2") ? 400 : 200, request.eventIDs.count > 1 ? "daily quota exceeded" : "")
        }
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(4), transport: transport)
        XCTAssertEqual(transport.requests.count, 1, "the spec's rule decides this 400: no isolation")
        XCTAssertEqual(counts.deadLettered, 4)
    }

    // MARK: rate-limit headers

    func testRemainingZeroWithAResetInSecondsPausesThePartition() async throws {
        let plan = try RuntimeTestSupport.plan(response: #"{"rate_limit_headers": {"remaining": "X-RateLimit-Remaining", "reset": "X-RateLimit-Reset"}}"#)
        let clock = VirtualClock(autoAdvance: true)
        let sentAt = Locked<[String: Int64]>([:])
        let transport = ScriptedTransport { request, _ in
            sentAt.withLock { $0[request.eventIDs[0]] = clock.now().offset.milliseconds }
            // The vendor answers e1 with "0 left, resets in 7 s".
            let exhausted = request.eventIDs == ["e1"]
            return RuntimeTestSupport.response(200, "", headers: [HTTPHeaderField(name: "X-RateLimit-Remaining", value: exhausted ? "0" : "5"),
                                                                  HTTPHeaderField(name: "X-RateLimit-Reset", value: "7")])
        }
        let options = DeliveryOptions(concurrency: 1, orderedPartitions: true)
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(3), transport: transport,
                                                           clock: clock, options: options)
        XCTAssertEqual(counts.delivered, 3)
        XCTAssertEqual(counts.rateLimitPauses, 1)
        let times = sentAt.withLock { $0 }
        XCTAssertEqual(times["e1"], 0)
        XCTAssertEqual(times["e2"], 7000, "e2 waits out the vendor's reset")
        XCTAssertEqual(times["e3"], 7000, "remaining 5: no further pause")
    }

    func testIETFRateLimitFieldPausesForT() async throws {
        let plan = try RuntimeTestSupport.plan(response: #"{"rate_limit_headers": {"ietf": true}}"#)
        let clock = VirtualClock(autoAdvance: true)
        let sentAt = Locked<[String: Int64]>([:])
        let transport = ScriptedTransport { request, _ in
            sentAt.withLock { $0[request.eventIDs[0]] = clock.now().offset.milliseconds }
            let field = request.eventIDs == ["e1"] ? #""default";r=0;t=3"# : #""default";r=9;t=3"#
            return RuntimeTestSupport.response(200, "", headers: [HTTPHeaderField(name: "RateLimit", value: field),
                                                                  HTTPHeaderField(name: "RateLimit-Policy", value: #""default";q=10;w=60"#)])
        }
        let (_, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(2), transport: transport,
                                                      clock: clock, options: DeliveryOptions(concurrency: 1, orderedPartitions: true))
        XCTAssertEqual(sentAt.withLock { $0["e2"] }, 3000)
    }

    func testAResetHeaderOnA429IsHonouredWithoutARemainingHeader() async throws {
        let plan = try RuntimeTestSupport.plan(response: #"{"rate_limit_headers": {"reset": "X-Rate-Limit-Reset", "reset_unit": "epoch_ms"}, "retry": {"max_attempts": 3, "initial_backoff_ms": 100, "jitter": "none"}}"#)
        let clock = VirtualClock(autoAdvance: true)
        let sentAt = Locked<[Int64]>([])
        let attempts = Locked<[String: Int]>([:])
        let transport = ScriptedTransport { request, _ in
            sentAt.withLock { $0.append(clock.now().offset.milliseconds) }
            let attempt = attempts.withLock { $0[request.eventIDs[0], default: 0] += 1; return $0[request.eventIDs[0]]! }
            // e1's first attempt: 429 with a reset 12.5 s after the clock's epoch (1767225600 s), in epoch milliseconds.
            return attempt == 1 ? RuntimeTestSupport.response(429, "", headers: [HTTPHeaderField(name: "X-Rate-Limit-Reset", value: "1767225612500")])
                                : RuntimeTestSupport.response(200)
        }
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(1), transport: transport, clock: clock)
        XCTAssertEqual(counts.delivered, 1)
        XCTAssertEqual(sentAt.withLock { $0 }, [0, 12_500])
    }

    func testResetParsingInEachUnit() {
        let now: Int64 = 1_767_225_600_000
        XCTAssertEqual(RateLimitFields.reset("30", unit: "seconds", nowUnixMs: now), .seconds(30))
        XCTAssertEqual(RateLimitFields.reset(" 1.5\t", unit: "seconds", nowUnixMs: now), .milliseconds(1500))
        XCTAssertEqual(RateLimitFields.reset("1767225630", unit: "epoch_seconds", nowUnixMs: now), .seconds(30))
        XCTAssertEqual(RateLimitFields.reset("1767225500", unit: "epoch_seconds", nowUnixMs: now), .zero, "a reset in the past: no wait")
        XCTAssertEqual(RateLimitFields.reset("1767225600250", unit: "epoch_ms", nowUnixMs: now), .milliseconds(250))
        for bad in ["", "-1", "+3", "1e3", "3.", ".5", "0x10", "ten", "1 2", "１２"] {
            XCTAssertNil(RateLimitFields.reset(bad, unit: "seconds", nowUnixMs: now), bad)
        }
        XCTAssertNil(RateLimitFields.reset("12.5", unit: "epoch_ms", nowUnixMs: now))
        XCTAssertNotNil(RateLimitFields.reset(String(repeating: "9", count: 400), unit: "epoch_ms", nowUnixMs: now), "saturates, never traps")
        XCTAssertEqual(RateLimitFields.count("0"), 0)
        XCTAssertNil(RateLimitFields.count("-0"))
        XCTAssertEqual(RateLimitFields.count(String(repeating: "9", count: 50)), Int(Int32.max))
    }

    func testStructuredFieldParsingIsStrict() {
        XCTAssertEqual(RateLimitFields.ietfWait(rateLimit: #""default";r=0;t=30"#, policy: nil), .seconds(30))
        XCTAssertEqual(RateLimitFields.ietfWait(rateLimit: #""a";r=5;t=1, "b";r=0;t=20"#, policy: nil), .seconds(20))
        XCTAssertEqual(RateLimitFields.ietfWait(rateLimit: #""day";r=0"#, policy: #""burst";q=100;w=60, "day";q=1000;w=86400"#), .seconds(86400),
                       "without t, the policy's window")
        XCTAssertNil(RateLimitFields.ietfWait(rateLimit: #""default";r=1;t=30"#, policy: nil))
        for bad in [#""default";r=0;t=30,"#, #"default;r=0;t=30"#.replacingOccurrences(of: "default", with: "1x"), #""unterminated;r=0"#,
                    #""a";R=0;t=3"#, #""a";r=0;t=1234567890123456"#, #""a";r=0;t=3 junk"#, "\u{7F}"] {
            XCTAssertNil(RateLimitFields.ietfWait(rateLimit: bad, policy: nil), "invalid field ignored: \(bad)")
        }
        XCTAssertEqual(StructuredFieldList.parse(#"a;x=?1, (b c);y=:AQI=:, @12, 1.5"#)?.count, 4)
    }

    // MARK: auth expired in a 2xx body

    func testA2xxBodyPointerMatchRefreshesTheToken() async throws {
        let plan = try RuntimeTestSupport.plan(auth: #"{"type": "oauth2_client_credentials", "token_url": "https://auth.example.com/token", "client_id": "cid", "client_secret": "{{@secrets.client_secret}}"}"#,
                                               secrets: #"{"client_secret": {}}"#,
                                               response: #"{"rules": [{"status": "2xx", "body_pointer": "/errcode", "body_equals": 40001, "outcome": "refresh_auth"}]}"#)
        let tokens = CountingTokens()
        let transport = ScriptedTransport { request, _ in
            let token = request.headers.first { $0.name == "Authorization" }?.value ?? ""
            // The first token has expired: the vendor says so inside a 200.
            return RuntimeTestSupport.response(200, token == "Bearer token-1" ? #"{"errcode":40001,"errmsg":"invalid credential"}"# : #"{"errcode":0}"#)
        }
        let renderer = try RuntimeTestSupport.renderer(plan, secrets: [("client_secret", "cs-1")])
        let (counts, _) = await RuntimeTestSupport.deliver(renderer, RuntimeTestSupport.events(1), transport: transport, tokens: tokens)
        XCTAssertEqual(counts.delivered, 1)
        XCTAssertEqual(transport.requests.count, 2)
        XCTAssertEqual(tokens.invalidated.withLock { $0 }, ["token-1"])
    }

    func testBodyMatchComparesNumbersByValueAndNeedsJSON() {
        let classifier = StatusClassifier(rules: [
            .init(status: [200...299], bodyContains: nil, outcome: "refresh_auth", origin: "spec", bodyMatch: .init(pointer: "/errors/0/code", equals: "602")),
            .init(status: [200...299], bodyContains: nil, outcome: "retry", origin: "spec", bodyMatch: .init(pointer: "/n", equals: .number(JSONNumber(text: "40001")))),
            .init(status: [200...299], bodyContains: nil, outcome: "success", origin: "default"),
        ])
        XCTAssertEqual(classifier.classify(status: 200, body: Array(#"{"success":false,"errors":[{"code":"602","message":"Access token expired"}]}"#.utf8)).outcome, .refreshAuth)
        XCTAssertEqual(classifier.classify(status: 200, body: Array(#"{"errors":[{"code":602}]}"#.utf8)).outcome, .success, "602 the number is not \"602\"")
        XCTAssertEqual(classifier.classify(status: 200, body: Array(#"{"n":4.0001e4}"#.utf8)).outcome, .retry)
        XCTAssertEqual(classifier.classify(status: 200, body: Array("not json 602".utf8)).outcome, .success)
    }

    // MARK: partial failures counted per named array

    func testAnErrorIndexInANamedArrayMapsBackToItsEvent() {
        func payload(_ id: String, _ arrays: [Int]) -> EncodedPayload {
            var p = EncodedPayload(eventID: id, event: .null, value: nil, bytes: [])
            p.parts = arrays.map { BatchArrayPart(array: $0, value: .null) }
            return p
        }
        // Request order: v1 (events), o1 (events + purchases), i1 (attributes), o2 (events + purchases).
        let layout = BatchArrayLayout(names: ["attributes", "events", "purchases"],
                                      payloads: [payload("v1", [1]), payload("o1", [1, 2]), payload("i1", [0]), payload("o2", [1, 2])])
        XCTAssertEqual(layout.positions, [[2], [0, 1, 3], [1, 3]])
        let inspector = ResponseInspector(PlanResponse(rules: [], errorMessage: nil,
                                                       partialFailure: PlanPartialFailure(errors: "/errors", index: "/index", message: "/type", outcome: "drop", array: "/input_array"),
                                                       retry: PlanRetry(maxAttempts: 1, initialBackoffMs: 0, maxBackoffMs: 0, multiplier: 1, jitter: "none", maxElapsedMs: 0,
                                                                        honourRetryAfter: true, retryAfterMaxMs: 0), idempotencyKeyHeader: nil))
        let body = #"{"errors": [{"type": "bad price", "input_array": "purchases", "index": 1}, {"type": "also o2", "input_array": "events", "index": 2}, "#
            + #"{"type": "no such array", "input_array": "x", "index": 0}, {"type": "out of range", "input_array": "attributes", "index": 1}]}"#
        let failed = inspector.partialFailures(Array(body.utf8), batchSize: 4, arrays: layout)
        XCTAssertEqual(failed, [PartialFailureEntry(index: 3, message: "bad price")], "purchases[1] and events[2] are both o2: one failure; the rest name nothing")
    }

    // MARK: payload.max_bytes

    func testAnEventOverThePerEventLimitIsDeadLetteredAndTheBatchGoesOn() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 10, "max_wait_ms": 1000}"#,
                                               payload: #"{"format": "json", "max_bytes": 60, "mapping": {"id": {"@path": "event_id"}, "name": {"@path": "event"}}}"#)
        var events = RuntimeTestSupport.events(3)
        events[1] = .object(JSONObject([("type", "track"), ("event", .string(String(repeating: "x", count: 100))), ("event_id", "e2")]))
        let transport = ScriptedTransport { _, _ in RuntimeTestSupport.response(200) }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), events, transport: transport)
        XCTAssertEqual(counts.delivered, 2)
        XCTAssertEqual(fates.deadLetters.map(\.eventID), ["e2"])
        XCTAssertEqual(fates.deadLetters.first?.reason, "the event's encoded payload is 121 bytes, more than payload.max_bytes (60) allows")
        XCTAssertEqual(transport.requests.map(\.eventIDs), [["e1", "e3"]])
    }
}

/// Hands out token-1, token-2, ... and records invalidations.
final class CountingTokens: AccessTokenProvider, @unchecked Sendable {
    let issued = Locked(0)
    let invalidated = Locked<[String]>([])
    func accessToken() async throws(OAuthError) -> String { "token-\(issued.withLock { $0 += 1; return $0 })" }
    func invalidate(_ token: String) async { invalidated.withLock { $0.append(token) } }
}
