import DSJSON
import DSPlan
import XCTest

@testable import DSMock

/// Signature verification for every preset and the explicit scheme fields, with known-answer
/// vectors computed outside dspec (GitHub's and Standard Webhooks' published examples; the
/// others with Python's hmac module).
final class SignatureCheckTests: XCTestCase {
    static let body = #"{"type":"track","event":"Order Completed"}"#
    static let now: Int64 = 1_767_225_600

    /// The preset expansions of docs/spec-format.md section 14, written out independently.
    static func preset(_ name: String) -> PlanSigning {
        switch name {
        case "github":
            return PlanSigning(preset: name, algorithm: "hmac-sha256", secret: "{{@secrets.s}}", keyEncoding: "utf8", content: "{{@body}}", encoding: "hex",
                               header: "X-Hub-Signature-256", value: "sha256={{@signature}}", headers: [])
        case "stripe":
            return PlanSigning(preset: name, algorithm: "hmac-sha256", secret: "{{@secrets.s}}", keyEncoding: "utf8", content: "{{@timestamp}}.{{@body}}",
                               encoding: "hex", header: "Stripe-Signature", value: "t={{@timestamp}},v1={{@signature}}", headers: [])
        case "slack":
            return PlanSigning(preset: name, algorithm: "hmac-sha256", secret: "{{@secrets.s}}", keyEncoding: "utf8", content: "v0:{{@timestamp}}:{{@body}}",
                               encoding: "hex", header: "X-Slack-Signature", value: "v0={{@signature}}",
                               headers: [PlanHeader(name: "X-Slack-Request-Timestamp", value: "{{@timestamp}}")])
        case "shopify":
            return PlanSigning(preset: name, algorithm: "hmac-sha256", secret: "{{@secrets.s}}", keyEncoding: "utf8", content: "{{@body}}", encoding: "base64",
                               header: "X-Shopify-Hmac-Sha256", value: "{{@signature}}", headers: [])
        case "standard-webhooks":
            return PlanSigning(preset: name, algorithm: "hmac-sha256", secret: "{{@secrets.s}}", keyEncoding: "whsec_base64",
                               content: "{{@request_id}}.{{@timestamp}}.{{@body}}", encoding: "base64", header: "webhook-signature", value: "v1,{{@signature}}",
                               headers: [PlanHeader(name: "webhook-id", value: "{{@request_id}}"), PlanHeader(name: "webhook-timestamp", value: "{{@timestamp}}")])
        default:
            return PlanSigning(preset: "seed", algorithm: "hmac-sha256", secret: "{{@secrets.s}}", keyEncoding: "utf8", content: "{{@body}}", encoding: "hex",
                               header: "X-Signature-256", value: "sha256={{@signature}}", headers: [])
        }
    }

    func verifier(_ signing: PlanSigning, secret: String, idempotency: String? = nil, tolerance: Int? = nil, base: String? = nil) -> MockVerifier {
        MockVerifier(plan: makePlan(signing: signing, idempotencyHeader: idempotency), secrets: ["s": secret],
                     options: MockVerifierOptions(publicBaseURL: base, timestampToleranceSeconds: tolerance, unixTime: { Self.now + 10 }))
    }

    func request(_ headers: [(String, String)], body: String = body, target: String = "/v1/events") -> MockRequest {
        MockRequest(method: "POST", target: target, headers: [MockHeader(name: "Host", value: "127.0.0.1:1")] + headers.map { MockHeader(name: $0.0, value: $0.1) },
                    body: Array(body.utf8))
    }

    func assertSignature(_ v: MockVerifier, _ r: MockRequest, passes: Bool, _ why: String = "", file: StaticString = #filePath, line: UInt = #line) {
        let result = v.check(r).first { $0.name == "signing.signature" }
        XCTAssertEqual(result?.passed, passes, "\(why) \(result?.detail ?? "no signing.signature result")", file: file, line: line)
    }

    func testGitHubPublishedVector() {
        let v = verifier(Self.preset("github"), secret: "It's a Secret to Everybody")
        let good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        assertSignature(v, request([("X-Hub-Signature-256", good)], body: "Hello, World!"), passes: true)
        assertSignature(v, request([("X-Hub-Signature-256", good)], body: "Hello, World?"), passes: false)
        assertSignature(v, request([("X-Hub-Signature-256", "sha1=" + good.dropFirst(7))], body: "Hello, World!"), passes: false)
        assertSignature(v, request([], body: "Hello, World!"), passes: false)
    }

    func testStandardWebhooksPublishedVector() {
        let v = verifier(Self.preset("standard-webhooks"), secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let headers = [("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"), ("webhook-timestamp", "1614265330"),
                       ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
        assertSignature(v, request(headers, body: #"{"test": 2432232314}"#), passes: true)
        var wrongID = headers
        wrongID[0].1 = "msg_other"
        assertSignature(v, request(wrongID, body: #"{"test": 2432232314}"#), passes: false)
        assertSignature(v, request(Array(headers.dropFirst()), body: #"{"test": 2432232314}"#), passes: false)
    }

    /// HMAC-SHA384 (value from Python's hmac module).
    func testSHA384() {
        var signing = Self.preset("seed")
        signing.preset = nil
        signing.algorithm = "hmac-sha384"
        signing.value = "sha384={{@signature}}"
        let v = verifier(signing, secret: "sha384-secret")
        let good = "sha384=ef8fc7cdcbfca694abca783de9d9bd3b8e982090b4df5d8c8eae8ecb733989115c664d93c1660e5efeb1a8b5e6fbc070"
        assertSignature(v, request([("X-Signature-256", good)]), passes: true)
        assertSignature(v, request([("X-Signature-256", good)], body: "{}"), passes: false)
    }

    func testStripe() {
        let v = verifier(Self.preset("stripe"), secret: "whsec_stripe_test")
        let sig = "86a053c552000d6ccdb8cb541c0da27505594ba8524ab3fba0e28ed41ccfef28"
        assertSignature(v, request([("Stripe-Signature", "t=1767225600,v1=\(sig)")]), passes: true)
        assertSignature(v, request([("Stripe-Signature", "t=1767225601,v1=\(sig)")]), passes: false)
        assertSignature(v, request([("Stripe-Signature", "v1=\(sig),t=1767225600")]), passes: false)
    }

    func testSlack() {
        let v = verifier(Self.preset("slack"), secret: "8f742231b10e8888abcd99yyyzzz85a5")
        let sig = "v0=5fcd01ea7065271abfd6f5a058746d063d71ae4a3dc2b3fb0496b54e50f82bc3"
        assertSignature(v, request([("X-Slack-Request-Timestamp", "1767225600"), ("X-Slack-Signature", sig)]), passes: true)
        assertSignature(v, request([("X-Slack-Signature", sig)]), passes: false)
        assertSignature(v, request([("X-Slack-Request-Timestamp", "1767225601"), ("X-Slack-Signature", sig)]), passes: false)
    }

    func testShopify() {
        let v = verifier(Self.preset("shopify"), secret: "shpss_test")
        assertSignature(v, request([("X-Shopify-Hmac-Sha256", "GM9x2leeYq088o8mHSMpjWqG4lJVsCdJ+6DwzFZNynY=")]), passes: true)
        assertSignature(v, request([("X-Shopify-Hmac-Sha256", "GM9x2leeYq088o8mHSMpjWqG4lJVsCdJ+6DwzFZNynZ=")]), passes: false)
    }

    func testSeed() {
        let v = verifier(Self.preset("seed"), secret: "test-hmac-secret-0001")
        assertSignature(v, request([("X-Signature-256", "sha256=13b78b6a8b834c7650a9805c51ad2c31ddd4c9acac6744af5cd15eedc38f6dd5")]), passes: true)
        assertSignature(v, request([("X-Signature-256", "sha256=13B78B6A8B834C7650A9805C51AD2C31DDD4C9ACAC6744AF5CD15EEDC38F6DD5")]), passes: false,
                        "hex is lowercase per the plan")
    }

    func testSHA1OverMethodAndPath() {
        let signing = PlanSigning(preset: nil, algorithm: "hmac-sha1", secret: "{{@secrets.s}}", keyEncoding: "utf8", content: "{{@method}}\n{{@path}}\n{{@body}}",
                                  encoding: "hex", header: "X-Sig", value: "{{@signature}}", headers: [])
        let v = verifier(signing, secret: "k1")
        assertSignature(v, request([("X-Sig", "fc9bf5458de0928ae11bc00b2df724fcedeaab37")], target: "/v1/events?ignored=1"), passes: true)
    }

    func testSHA512WithBase64KeyOverURLAndIdempotencyRequestID() {
        let signing = PlanSigning(preset: nil, algorithm: "hmac-sha512", secret: "{{@secrets.s}}", keyEncoding: "base64", content: "{{@url}}|{{@request_id}}",
                                  encoding: "base64", header: "X-Sig", value: "{{@signature}}", headers: [])
        let v = verifier(signing, secret: "c2VjcmV0LWtleQ==", idempotency: "Idempotency-Key", base: "http://api.example.com")
        let sig = "nn/OdE1G2pin0W6s4le5rzMYFTtBZLPthwRXoNM1zZd3IeZcX9ZQITMhKc/g93OsQxuXIle2f0kHzw3ePLS/CQ=="
        assertSignature(v, request([("Idempotency-Key", "msg_00000000000000000000abcd"), ("X-Sig", sig)], target: "/v1/events?x=1"), passes: true)
        assertSignature(v, request([("X-Sig", sig)], target: "/v1/events?x=1"), passes: false)
    }

    /// Any-of verification during a key rotation, as Stripe's SDK does: the header may carry
    /// several `v1=` signatures and the plan several keys; one match is enough.
    func testStripeRotationAnyOf() {
        var signing = Self.preset("stripe")
        signing.signatureJoiner = ",v1="
        signing.previousSecrets = ["{{@secrets.old}}"]
        let v = MockVerifier(plan: makePlan(signing: signing), secrets: ["s": "whsec_stripe_test", "old": "whsec_old"],
                             options: MockVerifierOptions(publicBaseURL: nil, timestampToleranceSeconds: nil, unixTime: { Self.now }))
        let new = "86a053c552000d6ccdb8cb541c0da27505594ba8524ab3fba0e28ed41ccfef28"
        let old = "6f0a42de11434c0030a127f85528b69832b70108e3e8a6ab4e636ae5517324a5"
        let bogus = String(repeating: "0", count: 64)
        assertSignature(v, request([("Stripe-Signature", "t=1767225600,v1=\(new),v1=\(old)")]), passes: true)
        assertSignature(v, request([("Stripe-Signature", "t=1767225600,v1=\(bogus),v1=\(old)")]), passes: true, "the old key alone")
        assertSignature(v, request([("Stripe-Signature", "t=1767225600,v1=\(old)")]), passes: true)
        assertSignature(v, request([("Stripe-Signature", "t=1767225600,v1=\(bogus),v1=\(bogus)")]), passes: false)
        // Without the old key configured, only the new signature counts.
        var single = Self.preset("stripe")
        single.signatureJoiner = ",v1="
        let w = verifier(single, secret: "whsec_stripe_test")
        assertSignature(w, request([("Stripe-Signature", "t=1767225600,v1=\(bogus),v1=\(new)")]), passes: true)
        assertSignature(w, request([("Stripe-Signature", "t=1767225600,v1=\(old)")]), passes: false)
    }

    /// Standard Webhooks: a space-separated list of `v1,` signatures, one of which is the
    /// specification's published example.
    func testStandardWebhooksListAnyOf() {
        var signing = Self.preset("standard-webhooks")
        signing.signatureJoiner = " v1,"
        let v = verifier(signing, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let good = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        let other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        let base = [("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"), ("webhook-timestamp", "1614265330")]
        assertSignature(v, request(base + [("webhook-signature", "v1,\(other) v1,\(good)")], body: #"{"test": 2432232314}"#), passes: true)
        assertSignature(v, request(base + [("webhook-signature", "v1,\(good) v1,\(other)")], body: #"{"test": 2432232314}"#), passes: true)
        assertSignature(v, request(base + [("webhook-signature", "v1,\(other) v1,\(other)")], body: #"{"test": 2432232314}"#), passes: false)
    }

    /// Twilio's scheme, over the URL and the sorted form parameters: the published example.
    func testTwilioSortedFormParameters() {
        let signing = PlanSigning(preset: nil, algorithm: "hmac-sha1", secret: "{{@secrets.s}}", keyEncoding: "utf8", content: "{{@url}}{{@form_sorted}}",
                                  encoding: "base64", header: "X-Twilio-Signature", value: "{{@signature}}", headers: [])
        let v = verifier(signing, secret: "12345", base: "https://mycompany.com")
        let body = "To=%2B18005551212&From=%2B12349013030&CallSid=CA1234567890ABCDE&Digits=1234&Caller=%2B12349013030"
        assertSignature(v, request([("X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")], body: body, target: "/myapp.php?foo=1&bar=2"), passes: true)
        assertSignature(v, request([("X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")], body: body + "&Extra=1", target: "/myapp.php?foo=1&bar=2"), passes: false)
    }

    /// key_encoding hex (value from Python's hmac over bytes.fromhex(key)).
    func testHexKey() {
        var signing = Self.preset("seed")
        signing.keyEncoding = "hex"
        let v = verifier(signing, secret: "00112233445566778899AABBCCDDEEFF")
        assertSignature(v, request([("X-Signature-256", "sha256=3bf68f08af691ac0c2597c0009a6a3101d1524cd602e052f14b2c986ddcc4e85")]), passes: true)
        let bad = verifier(signing, secret: "0011223")
        XCTAssertEqual(bad.check(request([("X-Signature-256", "sha256=00")])).first?.passed, false)
    }

    func testTimestampToleranceCheck() {
        let sig = "86a053c552000d6ccdb8cb541c0da27505594ba8524ab3fba0e28ed41ccfef28"
        let near = verifier(Self.preset("stripe"), secret: "whsec_stripe_test", tolerance: 300)
        let result = near.check(request([("Stripe-Signature", "t=1767225600,v1=\(sig)")]))
        XCTAssertEqual(result.map(\.name), ["signing.signature", "signing.timestamp"])
        XCTAssertTrue(result.allSatisfy(\.passed))
        let strict = verifier(Self.preset("stripe"), secret: "whsec_stripe_test", tolerance: 5)
        XCTAssertEqual(strict.check(request([("Stripe-Signature", "t=1767225600,v1=\(sig)")])).last?.passed, false)
    }

    func testMissingSecretFailsLoudly() {
        let v = MockVerifier(plan: makePlan(signing: Self.preset("github")), secrets: [:])
        let result = v.check(request([("X-Hub-Signature-256", "sha256=00")]))
        XCTAssertEqual(result.first?.passed, false)
        XCTAssertTrue(result.first?.detail.contains("no value for secret \"s\"") ?? false)
    }

    func testHeaderPatternMatching() throws {
        let values = TemplateValues(secrets: [:], settings: ["v": "2"])
        let p = try HeaderPattern("t={{@timestamp}},v{{@settings.v}}={{@signature}}", values: values)
        XCTAssertEqual(p.match(Array("t=12,v2=abc".utf8)), ["timestamp": Array("12".utf8), "signature": Array("abc".utf8)])
        XCTAssertNil(p.match(Array("t=12,v1=abc".utf8)))
        let adjacent = try HeaderPattern("{{@timestamp}}{{@signature}}", values: values)
        XCTAssertEqual(adjacent.match(Array("123abc".utf8))?["signature"], Array("abc".utf8))
        XCTAssertThrowsError(try HeaderPattern("{{uppercase @signature}}", values: values))
    }

    func testSignatureOverTheWire() throws {
        let server = try MockServer.start(scenario: .always(200), verifier: verifier(Self.preset("github"), secret: "It's a Secret to Everybody"))
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let ok = post("/hook", body: "Hello, World!", headers: [("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")])
        XCTAssertEqual(try client.roundTrip(ok).status, 200)
        let chunked = "POST /hook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + "X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17\r\n\r\n"
            + "6\r\nHello,\r\n7\r\n World!\r\n0\r\n\r\n"
        XCTAssertEqual(try client.roundTrip(chunked).status, 200)
        let bad = post("/hook", body: "Hello, World", headers: [("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")])
        XCTAssertEqual(try client.roundTrip(bad).status, 200, "checks record; they do not change the scripted answer")
        XCTAssertEqual(server.journal.map { $0.failedChecks.isEmpty }, [true, true, false])
    }
}
