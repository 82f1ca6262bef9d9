import DSJSON
import DSPlan
@testable import DSRender
import Foundation
import XCTest

/// A request signed from the seed's Custom Webhook config must verify with the seed
/// document's own Python receiver code, run unchanged.
final class SeedVerifierTests: XCTestCase {
    /// The five-line `verify_signature` from build-your-own-integration.txt, plus a driver.
    static let verifier = """
    import hmac
    import hashlib
    import sys
    def verify_signature(body: bytes, signature: str, secret: str) -> bool:
        expected = 'sha256=' + hmac.new(
            secret.encode(), body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(signature, expected)
    body = open(sys.argv[1], 'rb').read()
    sys.exit(0 if verify_signature(body, sys.argv[2], sys.argv[3]) else 1)
    """

    static let inlineSeedSpec = """
    {
      "dspec": 1,
      "integration": "custom_webhook",
      "name": "custom-webhook",
      "secrets": {"hmac_secret": {"description": "Shared HMAC secret."}},
      "config": {
        "url": "https://hooks.example.com/events",
        "auth": "hmac",
        "hmac_secret": "{{@secrets.hmac_secret}}",
        "hmac_header": "X-Signature-256",
        "payload_format": "custom",
        "payload_template": "{ \\"event_type\\": \\"{{event}}\\", \\"user\\": \\"{{user_id}}\\", \\"data\\": { \\"page\\": \\"{{context.page.url}}\\", \\"revenue\\": {{properties.total}} } }"
      }
    }
    """

    private func python() -> String? {
        for path in ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"] where FileManager.default.isExecutableFile(atPath: path) { return path }
        return nil
    }

    private func verify(body: [UInt8], signature: String, secret: String) throws -> Int32 {
        guard let python = python() else { throw XCTSkip("python3 is not installed") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-seed-body-\(UUID().uuidString)")
        try Data(body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", Self.verifier, file.path, signature, secret]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func testSeedSignedRequestVerifiesWithTheSeedsPythonVerifier() throws {
        let examplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("specs/examples/custom-webhook.json").path
        let specText = (try? String(contentsOfFile: examplePath, encoding: .utf8)) ?? Self.inlineSeedSpec
        let plan = try TestPlans.compile(specText)
        guard let signing = plan.signing else { return XCTFail("the seed config must sign") }
        XCTAssertEqual(signing.preset, "seed")
        let secret = "seed-test-secret-\u{00E9}"
        let secretName = SecretReferenceScanner.names(inTemplate: signing.secret).first ?? "hmac_secret"
        var settings = JSONObject()
        for s in plan.settings where s.required && s.defaultValue == nil { settings[s.name] = s.type == "string" ? "x" : 1 }
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: settings, secrets: JSONObject([(secretName, .string(secret))])))
        let request = try renderer.render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
        let signature = try XCTUnwrap(request.header(signing.header))
        XCTAssertTrue(signature.hasPrefix("sha256="))
        XCTAssertEqual(try verify(body: request.body, signature: signature, secret: secret), 0, "the seed verifier rejected the signature")
        // And the verifier is not vacuous: one changed body byte must fail.
        var tampered = request.body
        tampered[tampered.count / 2] ^= 0x01
        XCTAssertEqual(try verify(body: tampered, signature: signature, secret: secret), 1)
    }
}
