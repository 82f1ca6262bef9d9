import DSJSON
import XCTest

@testable import DSMock

/// The per-request helpers rewritten on bytes for throughput (issue 16) keep their meaning.
final class HotPathTests: XCTestCase {
    func request(_ target: String) -> MockRequest {
        MockRequest(method: "GET", target: target, headers: [MockHeader(name: "Host", value: "x")], body: [])
    }

    func testPathAndQueryOfOriginAndAbsoluteForms() {
        let cases: [(String, String, String?)] = [
            ("/v1/events", "/v1/events", nil),
            ("/v1/events?api_key=k&x=1", "/v1/events", "api_key=k&x=1"),
            ("/a?", "/a", ""),
            ("/a?b?c", "/a", "b?c"),
            ("*", "*", nil),
            ("http://host:8080/p/q?x=%20", "/p/q", "x=%20"),
            ("https://host/p", "/p", nil),
            ("http://host", "/", nil),
            ("http://host?x=1", "/", "x=1"),
            ("/caf%C3%A9/é?ü=1", "/caf%C3%A9/é", "ü=1"),
        ]
        for (target, path, query) in cases {
            XCTAssertEqual(request(target).path, path, target)
            XCTAssertEqual(request(target).query, query, target)
        }
    }

    func testClockPlaceholderDetection() {
        XCTAssertTrue(MockResponse.containsClockPlaceholder("{{unix_s+60}}"))
        XCTAssertTrue(MockResponse.containsClockPlaceholder("reset at {{unix_ms}} ms"))
        XCTAssertTrue(MockResponse.containsClockPlaceholder("{{{unix_s}}"))
        XCTAssertFalse(MockResponse.containsClockPlaceholder("{{unix"))
        XCTAssertFalse(MockResponse.containsClockPlaceholder("{unix_s}"))
        XCTAssertFalse(MockResponse.containsClockPlaceholder(""))
        XCTAssertFalse(MockResponse.containsClockPlaceholder("60"))
        let r = MockResponse(status: 429, headers: [MockHeader(name: "X-RateLimit-Reset", value: "{{unix_s+30}}")])
        XCTAssertTrue(r.hasClockPlaceholders)
        XCTAssertFalse(MockResponse(status: 200, headers: [MockHeader(name: "Retry-After", value: "1")]).hasClockPlaceholders)
    }

    /// The placeholder flag is computed once per response, not per request: setting the
    /// headers afterwards must recompute it (like the encoded bytes).
    func testClockPlaceholderFlagFollowsHeaderChanges() {
        var r = MockResponse(status: 429)
        XCTAssertFalse(r.hasClockPlaceholders)
        r.headers = [MockHeader(name: "X-RateLimit-Reset", value: "{{unix_s+30}}")]
        XCTAssertTrue(r.hasClockPlaceholders)
        r.headers.removeAll()
        XCTAssertFalse(r.hasClockPlaceholders)
        let json = MockResponse(status: 429, headers: [MockHeader(name: "X-Reset", value: "{{unix_ms}}")], json: .bool(true))
        XCTAssertTrue(json.hasClockPlaceholders)
    }

    /// The request count goes on past the journal's bound (the CLI reports it at stop and keeps
    /// only a short journal).
    func testRequestCountIncludesRequestsTheJournalDropped() throws {
        let server = try MockServer(configuration: MockServerConfiguration(journalLimit: 3), scenario: .always(200))
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        for i in 0..<8 { XCTAssertEqual(try client.roundTrip(get("/\(i)")).status, 200) }
        XCTAssertEqual(server.requestCount, 8)
        XCTAssertEqual(server.journal.count, 3)
        server.clearJournal()
        XCTAssertEqual(server.requestCount, 8, "clearing the journal does not unsay requests")
        server.reset(to: .always(200))
        XCTAssertEqual(server.requestCount, 0)
    }

    /// The head scan jumps from line feed to line feed (memchr); the 414 and 431 bounds still
    /// fall on the same byte, however the input is split into reads.
    func testHeadLimitsFallOnTheSameByteForEverySplit() {
        let limits = MockLimits(maxRequestLineBytes: 32, maxHeadBytes: 64)
        func outcome(_ text: String) -> [String] {
            let bytes = Array(text.utf8)
            let all = [0, 1, 2, 5, 31].map { RequestParserProbe.outcomes(bytes, step: $0, limits: limits) }
            for other in all.dropFirst() { XCTAssertEqual(other, all[0], text) }
            return all[0]
        }
        // "GET /" + path + " HTTP/1.1\r" is 15 + path bytes: 32 with a 17-byte path.
        let atLimit = "GET /" + String(repeating: "a", count: 17) + " HTTP/1.1\r\nHost: x\r\n\r\n"
        XCTAssertEqual(outcome(atLimit).count, 1)
        XCTAssertTrue(outcome(atLimit)[0].hasPrefix("request GET"))
        let overLimit = "GET /" + String(repeating: "a", count: 18) + " HTTP/1.1\r\nHost: x\r\n\r\n"
        XCTAssertEqual(outcome(overLimit), ["failure 414"])
        XCTAssertEqual(outcome(String(repeating: "G", count: 33)), ["failure 414"])
        XCTAssertEqual(outcome(String(repeating: "G", count: 32)), [])
        // Head: "GET / HTTP/1.1\r\n" (16) + "Host: x\r\n" (9) + field + "\r\n\r" must stay within 64.
        let field = { (n: Int) in "X: " + String(repeating: "v", count: n) + "\r\n" }
        let headAt = "GET / HTTP/1.1\r\nHost: x\r\n" + field(31) + "\r\n"  // 16 + 9 + 36 + 1 (CR) = 62... under
        XCTAssertTrue(outcome(headAt).first?.hasPrefix("request GET") ?? false)
        let exactly = "GET / HTTP/1.1\r\nHost: x\r\n" + field(33) + "\r\n"  // 16 + 9 + 38 + 1 = 64
        XCTAssertTrue(outcome(exactly).first?.hasPrefix("request GET") ?? false)
        let over = "GET / HTTP/1.1\r\nHost: x\r\n" + field(34) + "\r\n"
        XCTAssertEqual(outcome(over), ["failure 431"])
        XCTAssertEqual(outcome("GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n"), ["failure 400"])
    }

    /// `status`, `headers` and `body` are public and settable: the pre-built wire form must
    /// follow them (it was built once, at init, so a changed response sent the old bytes).
    func testChangingAResponseChangesWhatIsSent() {
        var r = MockResponse(status: 200, headers: [MockHeader(name: "X-A", value: "1")], body: Array("{}".utf8))
        r.status = 503
        r.headers.append(MockHeader(name: "Retry-After", value: "7"))
        r.body = Array(#"{"error":"busy"}"#.utf8)
        let fresh = EncodedResponse(status: 503, headers: r.headers, body: r.body)
        XCTAssertEqual(r.encoded.status, 503)
        XCTAssertEqual(r.encoded.statusLine, fresh.statusLine)
        XCTAssertEqual(r.encoded.keepAliveTail, fresh.keepAliveTail)
        XCTAssertEqual(r.encoded.body, Array(#"{"error":"busy"}"#.utf8))
        XCTAssertEqual(r.encoded.headers.map(\.name), ["X-A", "Retry-After"])
    }
}
