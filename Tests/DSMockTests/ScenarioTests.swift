import DSJSON
import XCTest

@testable import DSMock

/// Response sequences, reset, delays, faults and partial failures, over real sockets.
final class ScenarioTests: XCTestCase {
    var server: MockServer!

    override func setUpWithError() throws {
        server = try MockServer.start()
    }

    override func tearDown() {
        server.stop()
    }

    private let retryScenario = """
        {"name": "retry", "routes": [{"name": "events", "method": "POST", "path": "/v1/events", "responses": [
          {"status": 429, "headers": {"Retry-After": "1"}, "body": {"error": "slow down"}},
          {"status": 500, "body": "oops"},
          {"status": 200, "body": {"ok": true}}
        ]}]}
        """

    func testResponseSequenceRepeatsItsLastEntry() throws {
        server.reset(to: try MockScenario(json: retryScenario))
        let client = try RawClient(port: server.port)
        let first = try client.roundTrip(post("/v1/events", body: "{}"))
        XCTAssertEqual(first.status, 429)
        XCTAssertEqual(first.header("Retry-After"), "1")
        XCTAssertEqual(first.header("Content-Type"), "application/json")
        XCTAssertEqual(first.text, #"{"error":"slow down"}"#)
        let second = try client.roundTrip(post("/v1/events", body: "{}"))
        XCTAssertEqual(second.status, 500)
        XCTAssertEqual(second.text, "oops")
        XCTAssertEqual(try client.roundTrip(post("/v1/events", body: "{}")).status, 200)
        XCTAssertEqual(try client.roundTrip(post("/v1/events", body: "{}")).status, 200)
        XCTAssertEqual(server.journal.map(\.responseIndex), [0, 1, 2, 3])
        XCTAssertEqual(server.journal.map(\.route), Array(repeating: "events", count: 4))
    }

    /// The journal keeps what was answered: status line and header fields (a Retry-After for
    /// reports), never the body; a fault has neither.
    func testJournalRecordsTheResponseStatusLineAndHeaders() throws {
        server.reset(to: try MockScenario(json: retryScenario))
        let client = try RawClient(port: server.port)
        _ = try client.roundTrip(post("/v1/events", body: "{}"))
        _ = try client.roundTrip(post("/v1/events", body: "{}"))
        let first = server.journal[0]
        XCTAssertEqual(first.responseStatusLine, "HTTP/1.1 429 Too Many Requests")
        XCTAssertEqual(first.responseHeader("retry-after"), "1")
        XCTAssertEqual(first.responseHeaders.map(\.name), ["Retry-After", "Content-Type"])
        XCTAssertEqual(server.journal[1].responseStatusLine, "HTTP/1.1 500 Internal Server Error")
        XCTAssertNil(server.journal[1].responseHeader("Retry-After"))
        server.reset(to: try MockScenario(json: #"{"routes": [{"responses": [{"fault": "reset"}]}]}"#))
        _ = try? RawClient(port: server.port).roundTrip(post("/v1/events", body: "{}"))
        XCTAssertNil(server.journal.first?.responseStatusLine)
        XCTAssertEqual(server.journal.first?.responseHeaders.count, 0)
    }

    func testMethodAndPathMatchingAndFallback() throws {
        server.reset(to: try MockScenario(json: """
            {"routes": [{"method": "POST", "path_prefix": "/api/", "responses": [{"status": 202}]}],
             "default": {"status": 418, "body": "nope"}}
            """))
        let client = try RawClient(port: server.port)
        XCTAssertEqual(try client.roundTrip(post("/api/x/y", body: "")).status, 202)
        XCTAssertEqual(try client.roundTrip(get("/api/x")).status, 418, "GET does not match a POST route")
        XCTAssertEqual(try client.roundTrip(post("/other", body: "")).status, 418)
    }

    func testCycleAndRepeat() throws {
        server.reset(to: try MockScenario(json: """
            {"routes": [{"path": "/c", "cycle": true, "responses": [{"status": 503, "repeat": 2}, {"status": 200}]}]}
            """))
        let client = try RawClient(port: server.port)
        let statuses = try (0..<6).map { _ in try client.roundTrip(get("/c")).status }
        XCTAssertEqual(statuses, [503, 503, 200, 503, 503, 200])
    }

    func testResetRestartsSequencesAndClearsTheJournal() throws {
        let scenario = try MockScenario(json: retryScenario)
        server.reset(to: scenario)
        let client = try RawClient(port: server.port)
        XCTAssertEqual(try client.roundTrip(post("/v1/events", body: "{}")).status, 429)
        XCTAssertEqual(try client.roundTrip(post("/v1/events", body: "{}")).status, 500)
        server.reset(to: scenario)
        XCTAssertTrue(server.journal.isEmpty)
        XCTAssertEqual(try client.roundTrip(post("/v1/events", body: "{}")).status, 429)
        XCTAssertEqual(server.journal.map(\.sequence), [0])
    }

    func testFixedDelayHoldsTheResponse() throws {
        server.reset(to: try MockScenario(json: #"{"routes": [{"path": "/slow", "responses": [{"status": 200, "delay_ms": 200}]}]}"#))
        let client = try RawClient(port: server.port)
        let start = MonotonicClock.now()
        XCTAssertEqual(try client.roundTrip(get("/slow")).status, 200)
        XCTAssertGreaterThanOrEqual(ms(start, MonotonicClock.now()), 195)
        XCTAssertEqual(server.journal.first?.delayMs, 200)
    }

    func testDelayedConnectionDoesNotBlockOthers() throws {
        server.reset(to: try MockScenario(json: """
            {"routes": [{"path": "/slow", "responses": [{"status": 200, "delay_ms": 60000}]}, {"path": "/fast", "responses": [{"status": 204}]}]}
            """))
        let slow = try RawClient(port: server.port)
        slow.send(get("/slow"))
        XCTAssertTrue(server.waitForRequests(1, timeoutMs: 10_000))
        for _ in 0..<4 { XCTAssertEqual(try RawClient(port: server.port).roundTrip(get("/fast")).status, 204) }
        // The fast ones were answered while the slow answer is still pending (a state check,
        // not a stopwatch; testFixedDelayHoldsTheResponse covers the delayed answer itself).
        var byte: UInt8 = 0
        let n = recv(slow.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        XCTAssertTrue(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK), "the slow response is still pending")
    }

    func testRandomDelaysAreSeededAndInRange() throws {
        let text = #"{"seed": 7, "routes": [{"path": "/r", "responses": [{"status": 200, "random_delay_ms": [0, 40]}]}]}"#
        var runs: [[Int]] = []
        for _ in 0..<2 {
            server.reset(to: try MockScenario(json: text))
            let client = try RawClient(port: server.port)
            for _ in 0..<6 { _ = try client.roundTrip(get("/r")) }
            runs.append(server.journal.map(\.delayMs))
        }
        XCTAssertEqual(runs[0], runs[1], "the same seed gives the same delays")
        XCTAssertTrue(runs[0].allSatisfy { (0...40).contains($0) })
        XCTAssertGreaterThan(Set(runs[0]).count, 1, "delays vary")
    }

    func testResetFaultAbortsTheConnection() throws {
        server.reset(to: try MockScenario(json: #"{"routes": [{"path": "/f", "responses": [{"fault": "reset"}, {"status": 200}]}]}"#))
        let client = try RawClient(port: server.port)
        client.send(get("/f"))
        let (bytes, end) = client.readToEnd()
        XCTAssertEqual(bytes, [])
        XCTAssertEqual(end, .reset)
        XCTAssertEqual(server.journal.first?.fault, .reset)
        XCTAssertEqual(try RawClient(port: server.port).roundTrip(get("/f")).status, 200)
    }

    func testEmptyFaultClosesWithoutBytes() throws {
        server.reset(to: try MockScenario(json: #"{"routes": [{"path": "/f", "responses": [{"fault": "empty"}]}]}"#))
        let client = try RawClient(port: server.port)
        client.send(get("/f"))
        let (bytes, end) = client.readToEnd()
        XCTAssertEqual(bytes, [])
        XCTAssertEqual(end, .eof)
    }

    func testMalformedFaultSendsGarbageThenCloses() throws {
        server.reset(to: try MockScenario(json: #"{"routes": [{"path": "/f", "responses": [{"fault": "malformed", "bytes": "HTTP/1.1 abc\r\n\r\n"}]}]}"#))
        let client = try RawClient(port: server.port)
        client.send(get("/f"))
        let (bytes, end) = client.readToEnd()
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "HTTP/1.1 abc\r\n\r\n")
        XCTAssertEqual(end, .eof)
    }

    func testStallHoldsTheConnectionSilentThenCloses() throws {
        server.reset(to: try MockScenario(json: #"{"routes": [{"path": "/f", "responses": [{"fault": "stall", "stall_ms": 1500}]}]}"#))
        let client = try RawClient(port: server.port, timeoutMs: 300)
        client.send(get("/f"))
        let (early, end) = client.readToEnd()
        XCTAssertEqual(early, [])
        XCTAssertEqual(end, .timeout, "nothing arrives while stalled (the client's 300 ms timeout fires first)")
        client.setTimeout(ms: 5000)
        let (late, lateEnd) = client.readToEnd()
        XCTAssertEqual(late, [])
        XCTAssertEqual(lateEnd, .eof, "the server closes after the stall")
    }

    func testPartialFailureMarksEveryNthEvent() throws {
        server.reset(to: try MockScenario(json: """
            {"routes": [{"path": "/import", "responses": [{"status": 200, "body": {"code": 200},
              "partial_failure": {"items": "/events", "every": 2, "errors_at": "/failed_records",
                                  "error": {"index": "@index", "insert_id": "@/event_id", "message": "bad event {{/event_id}} at {{index}}"}}}]}]}
            """))
        let body = #"{"events": [{"event_id": "a"}, {"event_id": "b"}, {"event_id": "c"}, {"event_id": "d"}, {"event_id": "e"}]}"#
        let r = try RawClient(port: server.port).roundTrip(post("/import", body: body))
        let json = try JSONParser().parseValue(r.body)
        XCTAssertEqual(json["code"], .int(200))
        XCTAssertEqual(json["failed_records"], [
            ["index": 1, "insert_id": "b", "message": "bad event b at 1"],
            ["index": 3, "insert_id": "d", "message": "bad event d at 3"],
        ])
    }

    func testPartialFailureByEventIDOverArrayAndNDJSON() throws {
        let failure = MockPartialFailure(selection: .valueIn(pointer: "/event_id", values: ["x2"]), errorsAt: "/errors", error: ["i": "@index"])
        XCTAssertEqual(failure.failedIndexes(in: Array(#"[{"event_id":"x1"},{"event_id":"x2"}]"#.utf8)), [1])
        XCTAssertEqual(failure.failedIndexes(in: Array("{\"event_id\":\"x2\"}\n{\"event_id\":\"x3\"}\n".utf8)), [0])
        XCTAssertNil(failure.failedIndexes(in: Array("not json".utf8)))
        let contains = MockPartialFailure(selection: .valueContains(pointer: "/event_id", text: "bad"), errorsAt: "/e", error: "@index")
        XCTAssertEqual(contains.failedIndexes(in: Array(#"[{"event_id":"ok"},{"event_id":"bad-1"},{"event_id":"bad-2"}]"#.utf8)), [1, 2])
        let nested = MockPartialFailure(selection: .indexes([0]), errorsAt: "/partialFailureError/details/0/errors", error: ["index": "@index"])
        let body = nested.responseBody(base: ["partialFailureError": ["details": [["errors": []]]]], requestBody: Array("[1,2]".utf8))
        XCTAssertEqual(try JSONParser().parseValue(body), ["partialFailureError": ["details": [["errors": [["index": 0]]]]]])
    }

    func testScenarioErrorsNameThePointer() {
        XCTAssertThrowsError(try MockScenario(json: #"{"routes": [{"path": "/a", "responses": [{"status": 200, "delay": 5}]}]}"#)) { error in
            XCTAssertEqual((error as? MockScenarioError)?.pointer, "/routes/0/responses/0/delay")
        }
        XCTAssertThrowsError(try MockScenario(json: #"{"routes": [{"path": "/a", "responses": [{"status": 42}]}]}"#))
        XCTAssertThrowsError(try MockScenario(json: #"{"routes": [{"path": "/a", "path_prefix": "/b", "responses": [{}]}]}"#))
        XCTAssertThrowsError(try MockScenario(json: #"{"routes": [{"path": "/a", "responses": [{"fault": "explode"}]}]}"#))
        XCTAssertThrowsError(try MockScenario(json: #"{"routes": [{"path": "/a", "responses": []}]}"#))
        XCTAssertThrowsError(try MockScenario(json: "{"))
    }
}
