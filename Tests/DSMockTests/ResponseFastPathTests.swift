import DSJSON
import XCTest

@testable import DSMock

/// The answering side's fast paths (issue 16) against the general ones, on chosen and random
/// inputs: the plain fallback (`MockSession.isPlain`: the fallback's wire form used as is) against
/// `MockSession.act`, and the whole-response cache (`HTTPDateCache.write`) against the bytes
/// status line + Date + tail that `EncodedResponse.write(into:close:date:)` appends.
final class ResponseFastPathTests: XCTestCase {
    func request(_ method: String) -> MockRequest {
        MockRequest(method: method, target: "/v1/events", headers: [MockHeader(name: "Host", value: "h")], body: Array(#"{"batch":[1,2]}"#.utf8))
    }

    func responses(_ rng: inout SeededGenerator) -> [MockResponse] {
        var out: [MockResponse] = [
            MockResponse(status: 200),
            MockResponse(status: 200, json: ["ok": true]),
            MockResponse(status: 204, headers: [MockHeader(name: "X-A", value: "1")]),
            MockResponse(status: 429, headers: [MockHeader(name: "Retry-After", value: "2")], body: Array("slow".utf8)),
            MockResponse(status: 429, headers: [MockHeader(name: "X-Reset", value: "{{unix_s+30}}")]),
            MockResponse(status: 200, delayMs: 5),
            MockResponse(status: 200, randomDelayMs: 0...0),
            MockResponse(status: 200, randomDelayMs: 1...9),
            MockResponse.fault(.reset),
            MockResponse.fault(.stall(ms: 10)),
            MockResponse(status: 207, json: ["errors": []], partialFailure: MockPartialFailure(items: "/batch", selection: .every(2), errorsAt: "/errors", error: "bad")),
        ]
        for _ in 0..<200 {
            let status = [200, 201, 204, 400, 429, 500].randomElement(using: &rng)!
            var r = MockResponse(status: status, body: Bool.random(using: &rng) ? [] : Array("b".utf8),
                                 delayMs: [0, 0, 0, 3, -1].randomElement(using: &rng)!,
                                 randomDelayMs: [nil, nil, 0...0, 2...4].randomElement(using: &rng)!,
                                 fault: [nil, nil, nil, .reset, .empty].randomElement(using: &rng)!)
            if Int.random(in: 0..<4, using: &rng) == 0 { r.headers = [MockHeader(name: "X-T", value: "{{unix_ms}}")] }
            out.append(r)
        }
        return out
    }

    func testPlainFallbackIsWhatActGives() {
        var rng = SeededGenerator(seed: 7)
        var plainCount = 0
        for r in responses(&rng) {
            for method in ["POST", "GET", "HEAD"] {
                var generator = SeededGenerator(seed: 3)
                let (action, delay) = MockSession.act(r, for: request(method), rng: &generator)
                guard MockSession.isPlain(r), method != "HEAD" else { continue }
                plainCount += 1
                XCTAssertEqual(delay, 0)
                guard case .respond(let e, let d) = action else { XCTFail("a plain response is no fault"); continue }
                XCTAssertEqual(d, 0)
                XCTAssertTrue(e === r.encoded, "a plain response is answered with its own wire form")
                var untouched = SeededGenerator(seed: 3)
                XCTAssertEqual(generator.next(), untouched.next(), "a plain response draws nothing from the generator")
            }
        }
        XCTAssertGreaterThan(plainCount, 50)
        XCTAssertFalse(MockSession.isPlain(MockResponse(status: 200, randomDelayMs: 0...0)))
        XCTAssertFalse(MockSession.isPlain(MockResponse(status: 200, headers: [MockHeader(name: "X", value: "{{unix_s}}")])))
    }

    /// Through a server: the plain fallback answers GET and POST with its bytes, HEAD without a body.
    func testPlainFallbackOverTheWire() throws {
        let server = try MockServer(scenario: MockScenario(routes: [], fallback: MockResponse(status: 200, json: ["ok": true])))
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let answer = try client.roundTrip("GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.text, #"{"ok":true}"#)
        client.send("HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n")
        let head = try client.readResponseIgnoringLength()
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("Content-Length"), "11")
        XCTAssertEqual(try client.roundTrip(get("/b")).text, #"{"ok":true}"#, "no stray body bytes were sent after HEAD")
        XCTAssertEqual(server.journal.map(\.status), [200, 200, 200])
    }

    func testWholeResponseCacheWritesWhatTheGeneralPathWrites() {
        var rng = SeededGenerator(seed: 11)
        let pool = responses(&rng).filter { $0.fault == nil }.map(\.encoded)
            + [EncodedResponse(status: 200, headers: [MockHeader(name: "Date", value: "scripted")], body: [1]), ResponseEncoding.error(400, "bad")]
        var cache = HTTPDateCache()
        var unix = 1_700_000_000
        var out: [UInt8] = []
        var expected: [UInt8] = []
        for _ in 0..<3000 {
            if Int.random(in: 0..<5, using: &rng) == 0 { unix += Int.random(in: 0...2, using: &rng) }
            // Repeats are what the cache is for: half the time the same response again.
            let r = Bool.random(using: &rng) ? pool[0] : pool.randomElement(using: &rng)!
            let close = Int.random(in: 0..<4, using: &rng) == 0
            cache.write(r, close: close, into: &out, unix: unix)
            expected += r.statusLine
            if r.addsDate { expected += Array("Date: \(HTTPDateCache.format(unix: unix))\r\n".utf8) }
            expected += close ? r.closeTail : r.keepAliveTail
        }
        XCTAssertEqual(out.count, expected.count)
        XCTAssertTrue(out == expected)
    }
}
