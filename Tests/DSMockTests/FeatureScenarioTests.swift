import DSJSON
import DSPlan
import XCTest

@testable import DSMock

/// Issue 14: what the mock can play for the batching and response features: a route that
/// answers only requests whose body holds a marked event, rate-limit reset times computed
/// when the answer is sent, and a stale token answered with a 2xx body instead of a 401.
final class FeatureScenarioTests: XCTestCase {
    func testARouteMatchesOnTheRequestBody() throws {
        let server = try MockServer.start(scenario: try MockScenario(json: #"""
            {"routes": [{"name": "bad", "body_contains": "\"bad-sku\"", "responses": [{"status": 400, "body": {"message": "bad sku"}}]}],
             "default": {"status": 201}}
            """#))
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        XCTAssertEqual(try client.roundTrip(post("/users/track", body: #"{"events":[{"sku":"ok"},{"sku":"bad-sku"}]}"#)).status, 400)
        XCTAssertEqual(try client.roundTrip(post("/users/track", body: #"{"events":[{"sku":"ok"}]}"#)).status, 201)
        XCTAssertEqual(try client.roundTrip(post("/users/track", body: #"{"events":[{"sku":"bad-sku-2"}]}"#)).status, 201, "the quotes are part of the needle")
        XCTAssertEqual(server.journal.map(\.route), ["bad", nil, nil])
    }

    func testClockPlaceholdersInHeaderValues() throws {
        XCTAssertEqual(MockResponse.expandClock("{{unix_s+2}}", nowMs: 1_767_225_600_900), "1767225602")
        XCTAssertEqual(MockResponse.expandClock("{{unix_ms-100}}", nowMs: 1_767_225_600_900), "1767225600800")
        XCTAssertEqual(MockResponse.expandClock("t={{unix_s}};x", nowMs: 1_000), "t=1;x")
        XCTAssertEqual(MockResponse.expandClock("{{unix_h+1}} {{unix_s+x}} {{unix_s", nowMs: 0), "{{unix_h+1}} {{unix_s+x}} {{unix_s", "anything else is kept as written")
        let server = try MockServer.start(scenario: try MockScenario(json: #"{"default": {"status": 200, "headers": {"X-RateLimit-Reset": "{{unix_s+60}}"}}}"#))
        defer { server.stop() }
        let reset = try XCTUnwrap(Int64(try XCTUnwrap(try RawClient(port: server.port).roundTrip(get("/")).header("X-RateLimit-Reset"))))
        let now = MonotonicClock.unixTime()
        XCTAssertTrue((now + 58...now + 61).contains(reset), "\(reset) vs now \(now)")
    }

    func testAStaleTokenCanBeAnsweredWithA2xxBody() throws {
        let plan = makePlan(auth: .oauth2ClientCredentials(tokenURL: "https://auth.example.com/oauth/token", clientID: "client-1",
                                                            clientSecret: "{{@secrets.cs}}", clientAuth: "basic", scope: nil, audience: nil))
        let verifier = MockVerifier(plan: plan, secrets: ["cs": "s3cret"])
        let scenario = try MockScenario(json: #"""
            {"routes": [{"path": "/v1/events", "responses": [{"status": 200, "body": {"errcode": 0}}]}],
             "invalid_token_response": {"status": 200, "body": {"errcode": 40001, "errmsg": "access_token expired"}}}
            """#)
        let server = try MockServer.start(scenario: scenario, verifier: verifier)
        defer { server.stop() }
        let answer = try RawClient(port: server.port).roundTrip(post("/v1/events", body: "{}", headers: [("Authorization", "Bearer stale")]))
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.text, #"{"errcode":40001,"errmsg":"access_token expired"}"#)
        let entry = try XCTUnwrap(server.journal.first)
        XCTAssertTrue(entry.failedChecks.contains { $0.name == "auth.access_token" }, "the refusal is still recorded as a failed token check")
        XCTAssertNil(entry.route)
    }
}
