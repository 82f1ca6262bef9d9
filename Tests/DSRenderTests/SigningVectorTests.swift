import DSCrypto
import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// Published vendor vectors, run through the whole renderer (plan -> request) and through
/// the signer on its own.
final class SigningVectorTests: XCTestCase {
    private func render(body: String, signing: PlanSigning, secret: String, timestamp: Int64 = 0, requestID: String = "req",
                        format: String = "json", contentType: String = "application/json") throws -> RenderedRequest {
        let plan = TestPlans.plan(format: format, contentType: contentType, body: .template(body), signing: signing, secrets: ["signing_secret"])
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("signing_secret", .string(secret))])))
        return try renderer.render(TestPlans.trackEvent, environment: VectorEnvironment(timestamp: timestamp, id: requestID))
    }

    func testGitHubDocumentedExample() throws {
        let request = try render(body: "Hello, World!", signing: TestPlans.preset("github"), secret: "It's a Secret to Everybody")
        XCTAssertEqual(request.bodyText, "Hello, World!")
        XCTAssertEqual(request.header("X-Hub-Signature-256"), "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
        XCTAssertEqual(request.signingStringText, "Hello, World!")
    }

    func testSlackDocumentedExample() throws {
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
        let request = try render(body: body, signing: TestPlans.preset("slack"), secret: "8f742231b10e8888abcd99yyyzzz85a5", timestamp: 1_531_420_618)
        XCTAssertEqual(request.header("X-Slack-Signature"), "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
        XCTAssertEqual(request.header("X-Slack-Request-Timestamp"), "1531420618")
        XCTAssertEqual(request.signingStringText, "v0:1531420618:" + body)
    }

    func testStandardWebhooksSpecExample() throws {
        let request = try render(body: #"{"test": 2432232314}"#, signing: TestPlans.preset("standard-webhooks"), secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                 timestamp: 1_614_265_330, requestID: "msg_p5jXN8AQM9LWM0D4loKWxJek")
        XCTAssertEqual(request.header("webhook-signature"), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        XCTAssertEqual(request.header("webhook-id"), "msg_p5jXN8AQM9LWM0D4loKWxJek")
        XCTAssertEqual(request.header("webhook-timestamp"), "1614265330")
        XCTAssertEqual(request.signingStringText, #"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}"#)
    }

    func testStripeHeaderFormat() throws {
        // Expected value computed with Python's hmac module (an independent implementation).
        let request = try render(body: #"{"id":"evt_1","object":"event"}"#, signing: TestPlans.preset("stripe"), secret: "whsec_test_secret", timestamp: 1_767_225_600)
        XCTAssertEqual(request.header("Stripe-Signature"), "t=1767225600,v1=238d47ccc3251152491130a4587f0a855c0e33e88993ce968255c6d168ef7601")
        XCTAssertEqual(request.signingStringText, #"1767225600.{"id":"evt_1","object":"event"}"#)
    }

    func testShopifyBase64() throws {
        // Expected value computed with Python's hmac + base64 modules.
        let request = try render(body: #"{"id":820982911946154508,"email":"jon@doe.ca"}"#, signing: TestPlans.preset("shopify"), secret: "hush")
        XCTAssertEqual(request.header("X-Shopify-Hmac-Sha256"), "fp5HwmAHEVGQQwJU1KRpk57Ts2YHF6/TLOCczCtB5bs=")
    }

    func testSHA1AndSHA512ThroughTheSigner() throws {
        var signing = PlanSigning(preset: nil, algorithm: "hmac-sha1", secret: "{{@secrets.k}}", keyEncoding: "utf8", content: "{{@body}}",
                                  encoding: "hex", header: "X-Sig", value: "{{@signature}}", headers: [])
        let body = Array("The quick brown fox jumps over the lazy dog".utf8)
        let secrets = JSONObject([("k", .string("key"))])
        var signer = try RequestSigner(signing, secrets: secrets)
        var result = try signer.sign(body: body, timestamp: 0, requestID: "", method: "POST", path: "/", url: "https://x/")
        XCTAssertEqual(result.signature, "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9")
        signing.algorithm = "hmac-sha512"
        signer = try RequestSigner(signing, secrets: secrets)
        result = try signer.sign(body: body, timestamp: 0, requestID: "", method: "POST", path: "/", url: "https://x/")
        XCTAssertEqual(result.signature, "b42af09057bac1e2d41708e48a902e09b5ff7f12ab428a4fe86653c73dd248fb82f948a549f7b791a5b41915ee4d1ec3935357e4e2317250d0372afa2ebeeb3a")
        XCTAssertEqual(result.headers, [HTTPHeaderField(name: "X-Sig", value: result.signature)])
    }

    /// HMAC-SHA384 through the signer (value from Python's hmac module) and through a spec.
    func testSHA384ThroughTheSignerAndASpec() throws {
        let signing = PlanSigning(preset: nil, algorithm: "hmac-sha384", secret: "{{@secrets.k}}", keyEncoding: "utf8", content: "{{@body}}",
                                  encoding: "hex", header: "X-Sig", value: "{{@signature}}", headers: [])
        let body = Array("The quick brown fox jumps over the lazy dog".utf8)
        let signer = try RequestSigner(signing, secrets: JSONObject([("k", .string("key"))]))
        let result = try signer.sign(body: body, timestamp: 0, requestID: "", method: "POST", path: "/", url: "https://x/")
        XCTAssertEqual(result.signature, "d7f4727e2c0b39ae0f1e40cc96f60242d5b7801841cea6fc592c5d3e1ae50700582a96cf35e1e554995fe4e03381c237")
        let plan = try TestPlans.compile("""
        {"dspec": 1, "name": "sha384", "secrets": {"k": {}}, "endpoint": {"url": "https://api.example.com/e"},
         "payload": {"format": "canonical", "normalize": "javascript"},
         "signing": {"algorithm": "hmac-sha384", "secret": "{{@secrets.k}}", "header": "X-Sig"}}
        """)
        XCTAssertEqual(plan.signing?.algorithm, "hmac-sha384")
    }

    func testEngineFallbackGivesTheSameSignatureAsTheFastPath() throws {
        // `{{@settings.prefix}}` forces the template engine for content and value; the MAC
        // must equal one computed directly over the same string.
        let signing = PlanSigning(preset: nil, algorithm: "hmac-sha256", secret: "{{@secrets.k}}", keyEncoding: "utf8",
                                  content: "{{@settings.prefix}}:{{@method}}:{{@path}}:{{@timestamp}}:{{@body}}", encoding: "hex",
                                  header: "X-Sig", value: "{{@settings.prefix}}={{@signature}}", headers: [])
        let signer = try RequestSigner(signing, settings: JSONObject([("prefix", .string("v9"))]), secrets: JSONObject([("k", .string("key"))]))
        let result = try signer.sign(body: Array(#"{"a":"<&>"}"#.utf8), timestamp: 42, requestID: "r", method: "PUT", path: "/p/q", url: "https://x/p/q?z=1")
        let expected = Hex.encode(HMAC.authenticationCode(.sha256, key: Array("key".utf8), message: Array(#"v9:PUT:/p/q:42:{"a":"<&>"}"#.utf8)))
        XCTAssertEqual(String(decoding: result.signingString, as: UTF8.self), #"v9:PUT:/p/q:42:{"a":"<&>"}"#)
        XCTAssertEqual(result.headers.last?.value, "v9=" + expected)
    }

    func testBadWhsecKeyIsAnErrorWithoutTheValue() {
        let secret = "whsec_@@not-base64@@"
        XCTAssertThrowsError(try RequestSigner(TestPlans.preset("standard-webhooks"), secrets: JSONObject([("signing_secret", .string(secret))]))) { error in
            let message = (error as? RenderError)?.message ?? ""
            XCTAssertTrue(message.contains("base64"), message)
            XCTAssertFalse(message.contains("not-base64"), message)
        }
    }

    func testPathSlotIsThePercentEncodedPathWithoutQuery() throws {
        let signing = PlanSigning(preset: nil, algorithm: "hmac-sha256", secret: "{{@secrets.signing_secret}}", keyEncoding: "utf8",
                                  content: "{{@method}} {{@path}}", encoding: "hex", header: "X-Sig", value: "{{@signature}}", headers: [])
        let plan = TestPlans.plan(url: "https://api.example.com/v1/users/{{user_id}}/events?x=1", query: [PlanHeader(name: "y", value: "2")],
                                  body: .template("{}"), signing: signing, secrets: ["signing_secret"])
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("signing_secret", "s")])))
        let request = try renderer.render(TestPlans.event(#"{"type":"track","user_id":"a b/c"}"#), environment: FixedRenderEnvironment())
        XCTAssertEqual(request.url, "https://api.example.com/v1/users/a%20b%2Fc/events?x=1&y=2")
        XCTAssertEqual(request.signingStringText, "POST /v1/users/a%20b%2Fc/events")
    }
}
