import DSCrypto
import DSJSON
import DSPlan
@testable import DSRender
import Foundation
import XCTest

/// Signing features checked by the vendors' own SDKs (Stripe's and Standard Webhooks'
/// Python libraries from PyPI) or published vectors: several secrets during a key
/// rotation, and keys given as hex or base64.
final class VendorSDKSigningTests: XCTestCase {
    static let newSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let oldSecret = "whsec_bm90LXRoZS1uZXctb25lLWJ1dC10aGUtb2xk"
    static let event = TestPlans.trackEvent

    static func spec(preset: String) -> String {
        """
        {"dspec": 1, "name": "rotating", "secrets": {"new_key": {}, "old_key": {}},
         "endpoint": {"url": "https://hooks.example.com/e"},
         "payload": {"format": "canonical", "normalize": "javascript"},
         "signing": {"preset": "\(preset)", "secret": "{{@secrets.new_key}}", "previous_secrets": ["{{@secrets.old_key}}"]}}
        """
    }

    func render(preset: String) throws -> RenderedRequest {
        let plan = try TestPlans.compile(Self.spec(preset: preset))
        let secrets = JSONObject([("new_key", .string(Self.newSecret)), ("old_key", .string(Self.oldSecret))])
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: secrets))
        return try renderer.render(Self.event, environment: VectorEnvironment(timestamp: 1_767_225_600, id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"))
    }

    /// Runs `script` with python3 (args: body file, then `arguments`); nil when the module is missing.
    func python(_ script: String, body: [UInt8], _ arguments: [String], module: String) throws -> (status: Int32, output: String) {
        // The python3 on PATH first: that is where `pip install` puts the SDKs.
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        let python = (onPath + ["/usr/bin/python3", "/usr/local/bin/python3"]).first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let python else { throw XCTSkip("python3 is not installed") }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: python)
        probe.arguments = ["-c", "import \(module)"]
        probe.standardError = Pipe()
        try probe.run()
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else { throw XCTSkip("the \(module) SDK is not installed (pip install \(module))") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-sdk-\(UUID().uuidString)")
        try Data(body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, file.path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Stripe's SDK (`stripe.WebhookSignature.verify_header`) accepts a rotating request with
    /// either key, and rejects it with any other.
    func testStripeSDKAcceptsBothKeysDuringRotation() throws {
        let request = try render(preset: "stripe")
        let header = try XCTUnwrap(request.header("Stripe-Signature"))
        XCTAssertTrue(header.hasPrefix("t=1767225600,v1="))
        XCTAssertEqual(header.components(separatedBy: ",v1=").count, 3, header)
        // One interpreter run (importing stripe is slow): both keys accept, another key and a
        // changed body are rejected.
        let script = """
        import sys, stripe
        body = open(sys.argv[1], 'rb').read()
        header = sys.argv[2]
        def accepts(payload, secret):
            try:
                stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=None)
                return True
            except stripe.SignatureVerificationError:
                return False
        tampered = bytes([body[0] ^ 1]) + body[1:]
        results = [accepts(body, sys.argv[3]), accepts(body, sys.argv[4]), accepts(body, 'whsec_other'), accepts(tampered, sys.argv[3])]
        print(results); sys.exit(0 if results == [True, True, False, False] else 1)
        """
        let r = try python(script, body: request.body, [header, Self.newSecret, Self.oldSecret], module: "stripe")
        XCTAssertEqual(r.status, 0, r.output)
    }

    /// The Standard Webhooks SDK (`standardwebhooks.Webhook.verify`) accepts a rotating
    /// request with either key. dspec renders on a fixed clock, so the SDK's freshness window
    /// (a receiver policy, not part of the signature) is replaced by a plain parse.
    func testStandardWebhooksSDKAcceptsBothKeysDuringRotation() throws {
        let request = try render(preset: "standard-webhooks")
        let signature = try XCTUnwrap(request.header("webhook-signature"))
        XCTAssertEqual(signature.split(separator: " ").count, 2, signature)
        XCTAssertTrue(signature.split(separator: " ").allSatisfy { $0.hasPrefix("v1,") })
        let script = """
        import sys
        from datetime import datetime, timezone
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError
        Webhook._Webhook__verify_timestamp = lambda self, ts: datetime.fromtimestamp(float(ts), tz=timezone.utc)
        body = open(sys.argv[1], 'rb').read()
        headers = {'webhook-id': sys.argv[2], 'webhook-timestamp': sys.argv[3], 'webhook-signature': sys.argv[4]}
        try:
            Webhook(sys.argv[5]).verify(body, headers)
            print('ok')
        except WebhookVerificationError as e:
            print('rejected', e); sys.exit(1)
        """
        let args = [try XCTUnwrap(request.header("webhook-id")), try XCTUnwrap(request.header("webhook-timestamp")), signature]
        for secret in [Self.newSecret, Self.oldSecret] {
            let r = try python(script, body: request.body, args + [secret], module: "standardwebhooks")
            XCTAssertEqual(r.status, 0, r.output)
        }
        XCTAssertEqual(try python(script, body: request.body, args + ["whsec_b3RoZXI="], module: "standardwebhooks").status, 1)
    }

    /// key_encoding hex: the key is hex-decoded before use (Adyen's HMAC keys). Published
    /// vector: the HPP example of the adyen_hpp_hmac_calculator README (HMAC-SHA256, base64).
    func testHexKeyAdyenVector() throws {
        let signing = PlanSigning(preset: nil, algorithm: "hmac-sha256", secret: "{{@secrets.k}}", keyEncoding: "hex", content: "{{@body}}",
                                  encoding: "base64", header: "X-Sig", value: "{{@signature}}", headers: [])
        let signingString = #"currencyCode:merchantAccount:merchantReference:paymentAmount:sessionValidity:shipBeforeDate:shopperLocale:skinCode:EUR:TestMerchant:SKINTEST-1435226439255:199:2015-06-25T10\:31\:06Z:2015-07-01:en_GB:X7hsNDWp"#
        for key in ["4468D9782DEF54FCD706C9100C71EC43932B1EBC2ACF6BA0560C05AAA7550C48", "4468d9782def54fcd706c9100c71ec43932b1ebc2acf6ba0560c05aaa7550c48"] {
            let signer = try RequestSigner(signing, secrets: JSONObject([("k", .string(key))]))
            let result = try signer.sign(body: Array(signingString.utf8), timestamp: 0, requestID: "", method: "POST", path: "/", url: "https://x/")
            XCTAssertEqual(result.signature, "GJ1asjR5VmkvihDJxCd8yE2DGYOKwWwJCBiV3R51NFg=")
        }
        for bad in ["4468D", "zz", "44 68"] {
            let signer = try? RequestSigner(signing, secrets: JSONObject([("k", .string(bad))]))
            XCTAssertNil(signer, "\(bad) is not a hex key")
        }
    }

    /// key_encoding base64: the key is base64-decoded (Coinbase's secrets; Standard Webhooks
    /// after its whsec_ prefix). Published vector: Standard Webhooks' specification example,
    /// with the prefix removed by hand.
    func testBase64KeyVector() throws {
        let signing = PlanSigning(preset: nil, algorithm: "hmac-sha256", secret: "{{@secrets.k}}", keyEncoding: "base64", content: "{{@request_id}}.{{@timestamp}}.{{@body}}",
                                  encoding: "base64", header: "X-Sig", value: "{{@signature}}", headers: [])
        let signer = try RequestSigner(signing, secrets: JSONObject([("k", .string("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))]))
        let result = try signer.sign(body: Array(#"{"test": 2432232314}"#.utf8), timestamp: 1_614_265_330, requestID: "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                     method: "POST", path: "/", url: "https://x/")
        XCTAssertEqual(result.signature, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    // MARK: - Twilio: signature over the URL and the sorted form parameters

    static let twilioBody = "To=%2B18005551212&From=%2B12349013030&CallSid=CA1234567890ABCDE&Digits=1234&Caller=%2B12349013030"

    /// Twilio's published example (docs "Webhooks security"; twilio-python's RequestValidator
    /// gives the same): token 12345, this URL and these parameters sign to 0/KCTR6DLpKmkAf8muzZqo1nDgQ=.
    func testTwilioPublishedVector() throws {
        let signing = PlanSigning(preset: nil, algorithm: "hmac-sha1", secret: "{{@secrets.k}}", keyEncoding: "utf8", content: "{{@url}}{{@form_sorted}}",
                                  encoding: "base64", header: "X-Twilio-Signature", value: "{{@signature}}", headers: [])
        let signer = try RequestSigner(signing, secrets: JSONObject([("k", .string("12345"))]))
        let result = try signer.sign(body: Array(Self.twilioBody.utf8), timestamp: 0, requestID: "", method: "POST", path: "/myapp.php",
                                     url: "https://mycompany.com/myapp.php?foo=1&bar=2")
        XCTAssertEqual(result.signature, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        XCTAssertEqual(String(decoding: result.signingString, as: UTF8.self),
                       "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212")
    }

    /// twilio-python's RequestValidator accepts form requests rendered from a spec, with
    /// parameter names and values that need encoding.
    func testTwilioSDKValidatesRenderedFormRequests() throws {
        let plan = try TestPlans.compile("""
        {"dspec": 1, "name": "twilio-style", "secrets": {"auth_token": {}},
         "endpoint": {"url": "https://hooks.example.com/sms?account=AC1&x=a%20b"},
         "payload": {"format": "form", "mapping": {"To": {"@path": "user_id"}, "Body": {"@path": "event"}, "From": "+15005550006",
                     "Amount": {"@path": "properties.total"}, "a b": "c&d=e+f", "Zz": "ü€"}},
         "signing": {"algorithm": "hmac-sha1", "secret": "{{@secrets.auth_token}}", "content": "{{@url}}{{@form_sorted}}",
                     "encoding": "base64", "header": "X-Twilio-Signature"}}
        """)
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("auth_token", .string("tw-token-\u{e9}"))])))
        let request = try renderer.render(TestPlans.event(#"{"type":"track","event":"Order \"Completed\" & paid 100%","event_id":"e1","user_id":"+44 20 7946 0958","properties":{"total":42.50}}"#),
                                          environment: FixedRenderEnvironment())
        let script = """
        import sys
        from urllib.parse import parse_qsl
        from twilio.request_validator import RequestValidator
        body = open(sys.argv[1], 'rb').read().decode('utf-8')
        params = dict(parse_qsl(body, keep_blank_values=True))
        ok = RequestValidator(sys.argv[4]).validate(sys.argv[2], params, sys.argv[3])
        print(ok, params); sys.exit(0 if ok else 1)
        """
        let signature = try XCTUnwrap(request.header("X-Twilio-Signature"))
        let r = try python(script, body: request.body, [request.url, signature, "tw-token-\u{e9}"], module: "twilio")
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(try python(script, body: request.body, [request.url, signature, "other"], module: "twilio").status, 1)
    }
}
