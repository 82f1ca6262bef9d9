import DeliverySpec
import XCTest

/// The harness's building blocks, each shown to fail when it should.
final class HarnessUnitTests: XCTestCase {
    func testRedirectTargetAndOrigin() {
        XCTAssertEqual(LoopbackRedirectTransport.target(of: "https://api.vendor.com/v1/events?a=1&b=%20"), "/v1/events?a=1&b=%20")
        XCTAssertEqual(LoopbackRedirectTransport.target(of: "https://api.vendor.com"), "/")
        XCTAssertEqual(LoopbackRedirectTransport.target(of: "https://api.vendor.com?x=1#frag"), "/?x=1")
        XCTAssertEqual(LoopbackRedirectTransport.origin(of: "https://api.vendor.com:8443/v1/x"), "https://api.vendor.com:8443")
    }

    func testRedirectKeepsEverythingButTheOrigin() async throws {
        final class Recorder: HTTPTransport, @unchecked Sendable {
            var seen: [RenderedRequest] = []
            func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
                seen.append(request)
                return HTTPResponse(status: 200)
            }
        }
        let recorder = Recorder()
        let transport = LoopbackRedirectTransport(baseURL: "http://127.0.0.1:9/", inner: recorder)
        let request = RenderedRequest(method: "PUT", url: "https://track.customer.io/api/v1/customers/u%2F1?x=1",
                                      headers: [HTTPHeaderField(name: "X-A", value: "b")], body: [1, 2], signingString: nil, eventIDs: ["e"], timestamp: 1, requestID: "r")
        _ = try await transport.send(request, timeout: .seconds(1))
        var expected = request
        expected.url = "http://127.0.0.1:9/api/v1/customers/u%2F1?x=1"
        XCTAssertEqual(recorder.seen, [expected])
    }

    func testShapeKeepsTheSchemeAndHidesVariableParts() {
        XCTAssertEqual(FixtureShape.of("sha256=bcf55f4fcb7048554d44edb49b5e46d7337a85b34162a2bfb9734991c7f00eb1"), "sha256=<token>")
        XCTAssertEqual(FixtureShape.of("t=1767225600,v1=0123456789abcdef0123"), "t=<timestamp>,v1=<token>")
        XCTAssertEqual(FixtureShape.of("v1,K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols="), "v1,<token>=")
        XCTAssertNotEqual(FixtureShape.of("sha256=abcdefabcdefabcdef"), FixtureShape.of("sha1=abcdefabcdefabcdef"))
    }

    func testSuiteDecodingReportsPointers() throws {
        func error(_ text: String) -> String? {
            do { _ = try SuiteDocument(json: try JSONParser().parseValue(text)); return nil } catch let e as SuiteError { return e.description } catch { return "\(error)" }
        }
        XCTAssertEqual(error(#"{"cases": [{"name": "a", "expect": {"requets": 1}}]}"#)?.hasPrefix("/cases/0/expect/requets: unknown key"), true)
        XCTAssertEqual(error(#"{"cases": [{"name": "a"}, {"name": "a"}]}"#), "/cases/1/name: duplicate case name \"a\"")
        XCTAssertEqual(error(#"{"cases": [{"name": "a", "scenario": {"routes": [{"responses": [{"status": 99}]}]}}]}"#)?.hasPrefix("/cases/0/scenario/routes/0/responses/0/status"), true)
        let doc = try SuiteDocument(json: try JSONParser().parseValue(#"""
            {"spec": "x.json", "standard": false, "cases": [{"name": "c", "events": {"generate": 7}, "concurrency": 1,
             "expect": {"requests": {"min": 2}, "delivered": ["e1", "#2"], "dead_lettered": "none", "filtered": 0,
                        "dead_letter": {"status": 400}, "headers": {"X-Sig": "v1=<token>"}}}]}
            """#))
        XCTAssertFalse(doc.standard)
        let c = try XCTUnwrap(doc.cases.first)
        XCTAssertEqual(c.expect.requests, 2...Int.max)
        XCTAssertEqual(c.expect.delivered, .ids(["e1", "#2"]))
        XCTAssertEqual(c.expect.deadLettered, EventSet.none)
        XCTAssertEqual(c.expect.filtered, .count(0))
        XCTAssertEqual(c.expect.deadLetter, DeadLetterExpectation(status: 400))
        XCTAssertEqual(c.expect.headers, ["X-Sig": "v1=<token>"])
        if case .generated(let n) = c.events { XCTAssertEqual(n, 7) } else { XCTFail("events") }
    }

    func testBackoffBoundsFollowTheSpecFormula() {
        var retry = PlanRetry(maxAttempts: 5, initialBackoffMs: 40, maxBackoffMs: 200, multiplier: 2, jitter: "equal", maxElapsedMs: 1000,
                              honourRetryAfter: true, retryAfterMaxMs: 60000)
        XCTAssertEqual(HarnessPlan.backoffBounds(retry, retry: 1), 20...40)
        XCTAssertEqual(HarnessPlan.backoffBounds(retry, retry: 3), 80...160)
        XCTAssertEqual(HarnessPlan.backoffBounds(retry, retry: 9), 100...200)
        retry.jitter = "full"
        XCTAssertEqual(HarnessPlan.backoffBounds(retry, retry: 2), 0...80)
        retry.jitter = "none"
        XCTAssertEqual(HarnessPlan.backoffBounds(retry, retry: 2), 80...80)
    }
}
