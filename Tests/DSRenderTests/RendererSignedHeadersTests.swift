import DSCore
import DSCrypto
import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// The renderer assembles a signed request's headers on its hot path: the constant plan
/// headers copied into a list of the final size, then the signing headers written in place
/// (`RequestSigner.appendSignature`, with the prefix-and-signature shape written in one
/// copy). Checked against an independent assembly: the plan's header values, then the
/// signer's general path (`RequestSigner.sign`) over the rendered body, on chosen and random
/// plans and events; a header that reads the event takes the renderer's general header path
/// and must give the same list.
final class RendererSignedHeadersTests: XCTestCase {
    private static let secrets = JSONObject([("k", .string("test-hmac-secret-0001")), ("w", .string("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))])

    private func check(_ plan: DeliveryPlan, _ event: JSONValue, expectedPlanHeaders: [HTTPHeaderField],
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: Self.secrets))
        let environment = FixedRenderEnvironment()
        let request = try renderer.render(event, environment: environment)
        let signer = try RequestSigner(plan.signing!, secrets: Self.secrets)
        let signature = try signer.sign(body: request.body, timestamp: environment.timestamp, requestID: request.requestID, method: plan.endpoint.method,
                                        path: "/v1/events", url: request.url, event: event)
        XCTAssertEqual(request.headers, expectedPlanHeaders + signature.headers, "\(plan.headers) \(plan.signing!)", file: file, line: line)
        XCTAssertEqual(request.signingString, signature.signingString, file: file, line: line)
        XCTAssertEqual(request.headers.count, plan.headers.count + signer.headerCount, file: file, line: line)
    }

    func testTheSeedWebhookHeaders() throws {
        let plan = TestPlans.plan(signing: TestPlans.preset("seed", secret: "{{@secrets.k}}"), secrets: ["k"])
        try check(plan, TestPlans.trackEvent, expectedPlanHeaders: [HTTPHeaderField(name: "Content-Type", value: "application/json"),
                                                                     HTTPHeaderField(name: "User-Agent", value: "dspec/1.0")])
        let key = HMACKey(.sha256, key: Array("test-hmac-secret-0001".utf8))
        let request = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: Self.secrets))
            .render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
        XCTAssertEqual(request.header("X-Signature-256"), "sha256=" + Hex.encode(key.authenticationCode(request.body)))
    }

    func testRandomPlansAndEvents() throws {
        var rng = SplitMix64(seed: 0x5EED_4EAD)
        let values = ["{{@signature}}", "sha256={{@signature}}", "v1,{{@signature}}", "t={{@timestamp}},v1={{@signature}}",
                      "v1={{@signature}} id={{@request_id}}", "{{@timestamp}}", "a-much-longer-literal-prefix-than-fifteen-bytes={{@signature}}"]
        let contents = ["{{@body}}", "{{@timestamp}}.{{@body}}", "{{@request_id}}.{{@timestamp}}.{{@body}}"]
        let headerValues = ["application/json", "x", "", "a value longer than fifteen bytes", "dspec/1.0", "é🎉 non-ASCII but no controls"]
        var checked = 0
        for round in 0..<150 {
            // Constant plan headers (the prepared list), or one that reads the event (the general path).
            var planHeaders: [PlanHeader] = []
            var expected: [HTTPHeaderField] = []
            for i in 0..<Int.random(in: 0...4, using: &rng) {
                let value = headerValues.randomElement(using: &rng)!
                planHeaders.append(PlanHeader(name: "X-H\(i)", value: value))
                expected.append(HTTPHeaderField(name: "X-H\(i)", value: value))
            }
            let id = ["evt_\(round)", "an-event-id-longer-than-fifteen-bytes-\(round)", "e"].randomElement(using: &rng)!
            if Bool.random(using: &rng) {
                planHeaders.append(PlanHeader(name: "X-Event", value: "{{event_id}}"))
                expected.append(HTTPHeaderField(name: "X-Event", value: id))
            }
            let extras = (0..<Int.random(in: 0...2, using: &rng)).map { i in PlanHeader(name: "x-extra-\(i)", value: values.randomElement(using: &rng)!) }
            let signing = PlanSigning(preset: nil, algorithm: ["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"].randomElement(using: &rng)!,
                                      secret: ["{{@secrets.k}}", "{{@secrets.w}}"].randomElement(using: &rng)!,
                                      keyEncoding: ["utf8", "whsec_base64"].randomElement(using: &rng)!,
                                      content: contents.randomElement(using: &rng)!, encoding: Bool.random(using: &rng) ? "hex" : "base64",
                                      header: "X-Sig", value: values.randomElement(using: &rng)!, headers: extras)
            guard (try? RequestSigner(signing, secrets: Self.secrets)) != nil else { continue }  // a key that does not decode
            let plan = TestPlans.plan(headers: planHeaders, signing: signing, secrets: ["k", "w"])
            let event = TestPlans.event(#"{"type":"track","event":"E\#(round)","event_id":"\#(id)","properties":{"n":\#(Int.random(in: 0...1_000_000, using: &rng))}}"#)
            try check(plan, event, expectedPlanHeaders: expected)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 50)
    }
}
