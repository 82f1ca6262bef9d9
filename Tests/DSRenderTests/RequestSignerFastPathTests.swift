import DSCore
import DSCrypto
import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// The renderer signs through `RequestSigner.appendSignature`, which keeps the MAC on the
/// stack and writes slot-form header values in place. It must give exactly the general
/// path's signing string, headers and errors: checked on chosen and random signing blocks,
/// bodies, timestamps and request ids.
final class RequestSignerFastPathTests: XCTestCase {
    private struct Outcome: Equatable {
        var signingString: [UInt8]?
        var headers: [HTTPHeaderField]
        var error: String?
    }

    private func both(_ signing: PlanSigning, secrets: JSONObject, body: [UInt8], timestamp: Int64, requestID: String,
                      file: StaticString = #filePath, line: UInt = #line) throws -> [HTTPHeaderField] {
        let signer = try RequestSigner(signing, secrets: secrets)
        // Headers already in the list stay in front of the signing headers.
        let existing = [HTTPHeaderField(name: "Content-Type", value: "application/json")]
        var fast = Outcome(signingString: nil, headers: existing, error: nil)
        do {
            fast.signingString = try signer.appendSignature(body: body, timestamp: timestamp, requestID: requestID, method: "POST", path: "/e",
                                                            url: "https://api.example.com/e", event: .null, sentAt: nil, to: &fast.headers)
        } catch {
            fast.error = "\(error)"
        }
        var general = Outcome(signingString: nil, headers: existing, error: nil)
        do {
            general.signingString = try signer.sign(body: body, timestamp: timestamp, requestID: requestID, method: "POST", path: "/e",
                                                    url: "https://api.example.com/e", event: .null, sentAt: nil,
                                                    appendingHeadersTo: &general.headers).signingString
        } catch {
            general.error = "\(error)"
        }
        XCTAssertEqual(fast, general, "\(signing) body \(body) timestamp \(timestamp) id \(requestID)", file: file, line: line)
        return fast.headers
    }

    private static let secrets = JSONObject([("k", .string("test-hmac-secret-0001")), ("w", .string("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))])

    func testTheSeedSignatureHeader() throws {
        let seed = PlanSigning(preset: "seed", algorithm: "hmac-sha256", secret: "{{@secrets.k}}", keyEncoding: "utf8", content: "{{@body}}",
                               encoding: "hex", header: "X-Signature-256", value: "sha256={{@signature}}", headers: [])
        let body = Array(#"{"event_type":"Order Completed","user":"user-1042"}"#.utf8)
        let headers = try both(seed, secrets: Self.secrets, body: body, timestamp: 1_767_225_600, requestID: "evt-1")
        let key = HMACKey(.sha256, key: Array("test-hmac-secret-0001".utf8))
        XCTAssertEqual(headers.last, HTTPHeaderField(name: "X-Signature-256", value: "sha256=" + Hex.encode(key.authenticationCode(body))))
    }

    func testStandardWebhooksShapeWithBase64AndExtraHeaders() throws {
        let signing = PlanSigning(preset: nil, algorithm: "hmac-sha256", secret: "{{@secrets.w}}", keyEncoding: "whsec_base64",
                                  content: "{{@request_id}}.{{@timestamp}}.{{@body}}", encoding: "base64", header: "webhook-signature",
                                  value: "v1,{{@signature}}", headers: [PlanHeader(name: "webhook-id", value: "{{@request_id}}"),
                                                                         PlanHeader(name: "webhook-timestamp", value: "{{@timestamp}}")])
        let headers = try both(signing, secrets: Self.secrets, body: Array("{}".utf8), timestamp: -1, requestID: "msg_1")
        XCTAssertEqual(headers.map(\.name), ["Content-Type", "webhook-id", "webhook-timestamp", "webhook-signature"])
        XCTAssertEqual(headers[2].value, "-1")
        // A request id with a line break is refused the same way on both paths.
        _ = try both(signing, secrets: Self.secrets, body: [], timestamp: 0, requestID: "a\r\nb")
    }

    private typealias SplitMix = SplitMix64

    func testRandomSigningBlocksGiveTheGeneralPathsHeaders() throws {
        var rng = SplitMix(seed: 0x5EED_5167)
        let values = ["{{@signature}}", "sha256={{@signature}}", "t={{@timestamp}},v1={{@signature}}", "v1,{{@signature}} id={{@request_id}}", "v1,{{@signature}}",
                      "{{@timestamp}}", "x", "", "{{@signature}}{{@signature}}", "s={{ @signature }}"]
        let contents = ["{{@body}}", "{{@timestamp}}.{{@body}}", "{{@method}} {{@path}} {{@url}}\n{{@body}}", "v0:{{@timestamp}}:{{@body}}"]
        let timestamps: [Int64] = [0, 1, -1, 9, 10, 1_767_225_600, Int64.max, Int64.min, -1_000_000_007]
        for _ in 0..<400 {
            let extras = (0..<Int.random(in: 0...2, using: &rng)).map { i in PlanHeader(name: "x-extra-\(i)", value: values.randomElement(using: &rng)!) }
            let signing = PlanSigning(preset: nil, algorithm: ["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"].randomElement(using: &rng)!,
                                      secret: ["{{@secrets.k}}", "{{@secrets.w}}", "literal-key"].randomElement(using: &rng)!,
                                      keyEncoding: ["utf8", "whsec_base64"].randomElement(using: &rng)!,
                                      content: contents.randomElement(using: &rng)!, encoding: Bool.random(using: &rng) ? "hex" : "base64",
                                      header: "X-Sig", value: values.randomElement(using: &rng)!, headers: extras)
            guard (try? RequestSigner(signing, secrets: Self.secrets)) != nil else { continue }  // a key that does not decode
            let body = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let id = ["evt-1", "", "msg_\(Int.random(in: 0...999_999, using: &rng))", "é🎉"].randomElement(using: &rng)!
            _ = try both(signing, secrets: Self.secrets, body: body, timestamp: timestamps.randomElement(using: &rng)!, requestID: id)
        }
    }

    func testWritersMatchTheEncoders() {
        var rng = SplitMix(seed: 0x5EED_B64)
        for count in 0..<70 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var out = [UInt8](repeating: 0, count: 2 * count + 8)
            let hex = bytes.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { writeHex(b, to: $0, at: 3) } }
            XCTAssertEqual(String(decoding: out[3..<(3 + hex)], as: UTF8.self), Hex.encode(bytes))
            out = [UInt8](repeating: 0, count: 2 * count + 8)
            let pairs = bytes.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { writeHexPairs(b, to: $0, at: 5) } }
            XCTAssertEqual(String(decoding: out[5..<(5 + pairs)], as: UTF8.self), Hex.encode(bytes))
            XCTAssertEqual(Array(out[..<5] + out[(5 + pairs)...]), [UInt8](repeating: 0, count: 8), "nothing written outside the range")
            let b64 = bytes.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { writeBase64(b, to: $0, at: 1) } }
            XCTAssertEqual(String(decoding: out[1..<(1 + b64)], as: UTF8.self), Base64.encode(bytes))
        }
        for value: Int64 in [0, 7, -7, 10, 1_767_225_600, .max, .min, .max - 1, .min + 1] {
            var out = [UInt8](repeating: 0, count: 24)
            let n = out.withUnsafeMutableBufferPointer { writeDecimal(value, to: $0, at: 2) }
            XCTAssertEqual(String(decoding: out[2..<(2 + n)], as: UTF8.self), String(value))
        }
    }
}
