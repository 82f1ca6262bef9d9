import DSJSON
import DSPlan
import XCTest

@testable import DSMock

/// Issue 11 defect 3 (sweep): numbers a client sends never trap the mock's arithmetic.
final class NumericEdgeTests: XCTestCase {
    func testExtremeSignatureTimestampsFailTheCheckWithoutTrapping() {
        let stripe = PlanSigning(preset: "stripe", algorithm: "hmac-sha256", secret: "{{@secrets.s}}", keyEncoding: "utf8", content: "{{@timestamp}}.{{@body}}",
                                 encoding: "hex", header: "Stripe-Signature", value: "t={{@timestamp}},v1={{@signature}}", headers: [])
        let verifier = MockVerifier(plan: makePlan(signing: stripe), secrets: ["s": "whsec_test"],
                                    options: MockVerifierOptions(timestampToleranceSeconds: 300, unixTime: { 1_767_225_600 }))
        for t in ["-9223372036854775808", "9223372036854775807", "-1"] {
            let request = MockRequest(method: "POST", target: "/v1/events",
                                      headers: [MockHeader(name: "Host", value: "127.0.0.1:1"), MockHeader(name: "Stripe-Signature", value: "t=\(t),v1=00")],
                                      body: Array("{}".utf8))
            let results = verifier.check(request)
            let timestamp = results.first { $0.name == "signing.timestamp" }
            XCTAssertEqual(timestamp?.passed ?? false, false, "t=\(t): \(results.map(\.detail))")
        }
    }
}
