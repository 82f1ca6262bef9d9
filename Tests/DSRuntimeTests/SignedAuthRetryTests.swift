import DSCore
import DSJSON
import DSPlan
import DSRender
@testable import DSRuntime
import XCTest

/// Per-request signing auth at delivery: every attempt is rendered again, so a retried
/// SigV4 request carries the retry's X-Amz-Date and a new signature, and each OAuth 1.0a
/// attempt a fresh random nonce (the virtual clock makes the times exact).
final class SignedAuthRetryTests: XCTestCase {
    func deliverTwice(auth: String, secrets: String, values: [(String, JSONValue)]) async throws -> [RenderedRequest] {
        let plan = try RuntimeTestSupport.plan(auth: auth, secrets: secrets, response: RuntimeTestSupport.fastRetry(attempts: 3, initial: 2000))
        let attempts = Locked<[String: Int]>([:])
        let transport = ScriptedTransport { request, _ in
            let id = request.eventIDs.first ?? ""
            let attempt = attempts.withLock { a -> Int in a[id, default: 0] += 1; return a[id, default: 0] }
            return RuntimeTestSupport.response(attempt == 1 ? 503 : 200)
        }
        let (counts, _) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan, secrets: values), RuntimeTestSupport.events(1), transport: transport,
                                                           clock: VirtualClock(autoAdvance: true))
        XCTAssertEqual(counts.delivered, 1)
        XCTAssertEqual(transport.requests.count, 2)
        return transport.requests
    }

    func testSigV4RetryIsSignedAtTheRetrysTime() async throws {
        let requests = try await deliverTwice(
            auth: #"{"type": "aws_sigv4", "access_key_id": "AKIDEXAMPLE", "secret_access_key": "{{@secrets.k}}", "region": "us-east-1", "service": "events"}"#,
            secrets: #"{"k": {}}"#, values: [("k", "secret")])
        let dates = requests.compactMap { $0.header("X-Amz-Date") }
        XCTAssertEqual(dates.count, 2)
        XCTAssertNotEqual(dates[0], dates[1])
        XCTAssertEqual(requests[1].timestamp - requests[0].timestamp, 2, "the retry waited 2 s of virtual time and was signed then")
        XCTAssertNotEqual(requests[0].header("Authorization"), requests[1].header("Authorization"))
    }

    func testOAuth1EachAttemptHasAFreshNonce() async throws {
        let requests = try await deliverTwice(
            auth: #"{"type": "oauth1", "consumer_key": "ck", "consumer_secret": "{{@secrets.cs}}"}"#, secrets: #"{"cs": {}}"#, values: [("cs", "secret")])
        func nonce(_ r: RenderedRequest) -> String? {
            r.header("Authorization")?.components(separatedBy: "oauth_nonce=\"").dropFirst().first?.components(separatedBy: "\"").first
        }
        XCTAssertEqual(nonce(requests[0])?.count, 32)
        XCTAssertNotEqual(nonce(requests[0]), nonce(requests[1]))
        XCTAssertTrue(requests[1].header("Authorization")?.contains("oauth_timestamp=\"\(requests[1].timestamp)\"") ?? false)
    }

    func testSASRetryGetsANewExpiry() async throws {
        let requests = try await deliverTwice(
            auth: #"{"type": "azure_sas", "key_name": "send", "key": "{{@secrets.k}}", "resource": "https://api.example.com/v1"}"#,
            secrets: #"{"k": {}}"#, values: [("k", "key")])
        XCTAssertTrue(requests[0].header("Authorization")?.contains("&se=\(requests[0].timestamp + 3600)&") ?? false)
        XCTAssertTrue(requests[1].header("Authorization")?.contains("&se=\(requests[1].timestamp + 3600)&") ?? false)
    }
}
