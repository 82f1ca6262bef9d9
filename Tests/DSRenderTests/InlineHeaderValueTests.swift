import DSCore
import DSCrypto
import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// A header value held inline (`InlineHeaderValue`: the signature header of a request signed
/// with one header) holds exactly the bytes it was given, reads back as the same text, and
/// compares and hashes as those bytes; a value longer than the capacity is refused (the
/// renderer then keeps the header as text, last in the request's own list). A request's path
/// reaches a signing string that reads `@path` (the renderer makes it only for those).
final class InlineHeaderValueTests: XCTestCase {
    private func assertHolds(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let bytes = Array(text.utf8)
        guard let value = InlineHeaderValue(text) else {
            XCTAssertGreaterThan(bytes.count, InlineHeaderValue.capacity, "refused although it fits", file: file, line: line)
            XCTAssertNil(bytes.withUnsafeBufferPointer { InlineHeaderValue(bytes: $0) }, file: file, line: line)
            return
        }
        XCTAssertLessThanOrEqual(bytes.count, InlineHeaderValue.capacity, file: file, line: line)
        XCTAssertEqual(value.count, bytes.count, file: file, line: line)
        XCTAssertEqual(value.bytes, bytes, file: file, line: line)
        XCTAssertEqual(value.withUnsafeBytes { Array($0) }, bytes, file: file, line: line)
        XCTAssertEqual(Array(value.text.utf8), bytes, "the text is the very bytes", file: file, line: line)
        XCTAssertEqual(value, bytes.withUnsafeBufferPointer { InlineHeaderValue(bytes: $0) }, file: file, line: line)
        let field = InlineHeaderField(name: "X-Sig", value: value)
        XCTAssertEqual(field.field, HTTPHeaderField(name: "X-Sig", value: text), file: file, line: line)
        XCTAssertEqual(InlineHeaderField(HTTPHeaderField(name: "X-Sig", value: text)), field, file: file, line: line)
    }

    func testChosenValues() {
        let fits = String(repeating: "a", count: InlineHeaderValue.capacity)
        for text in ["", "a", "sha256=" + String(repeating: "0f", count: 32), "t=1700000000,v1=" + String(repeating: "ab", count: 32),
                     "é🎉 not ASCII", "tab\there", fits, fits + "b", String(repeating: "x", count: 1_000), String(fits.dropLast()) + "é"] {
            assertHolds(text)
        }
        XCTAssertNotNil(InlineHeaderValue(fits))
        XCTAssertNil(InlineHeaderValue(fits + "b"))
        XCTAssertEqual(InlineHeaderValue(), InlineHeaderValue(""))
        XCTAssertEqual(InlineHeaderValue().count, 0)
    }

    /// Random texts of every length around the capacity, compared pairwise: equal values are
    /// equal bytes (not `==` on String, which equates canonically equivalent spellings), and
    /// hash alike.
    func testRandomValuesAreTheirBytes() {
        var rng = SplitMix64(seed: 0x1A11_E5EE)
        let pieces = ["a", "Z", "0", "=", ",", " ", "\t", "é", "e\u{301}", "🎉", "\u{7F}", "\r\n", "ß"]
        var values: [(String, InlineHeaderValue)] = []
        var refused = 0
        for _ in 0..<4_000 {
            var text = ""
            let target = Int.random(in: 0...(InlineHeaderValue.capacity + 24), using: &rng)
            while text.utf8.count < target { text += pieces.randomElement(using: &rng)! }
            assertHolds(text)
            if let value = InlineHeaderValue(text) { values.append((text, value)) } else { refused += 1 }
        }
        XCTAssertGreaterThan(refused, 200)
        XCTAssertGreaterThan(values.count, 2_000)
        for _ in 0..<4_000 {
            let (a, x) = values.randomElement(using: &rng)!, (b, y) = Bool.random(using: &rng) ? (a, x) : values.randomElement(using: &rng)!
            XCTAssertEqual(x == y, Array(a.utf8) == Array(b.utf8))
            if x == y { XCTAssertEqual(x.hashValue, y.hashValue) }
        }
        // Canonically equivalent spellings are different values.
        XCTAssertNotEqual(InlineHeaderValue("caf\u{E9}"), InlineHeaderValue("cafe\u{301}"))
    }

    /// The seed's signature header is held inline; a value longer than the capacity (a hex
    /// HMAC-SHA-512 after a long prefix) is the last header of the request's own list. Both
    /// read as the general representation and carry the MAC an independent HMAC gives.
    func testSignatureHeadersInlineAndAsText() throws {
        let secrets = JSONObject([("k", .string("test-hmac-secret-0001"))])
        for (algorithm, prefix, inline) in [("hmac-sha256", "sha256=", true), ("hmac-sha512", "a-prefix-that-is-long-enough=", false),
                                            ("hmac-sha1", "", true), ("hmac-sha384", "", true), ("hmac-sha384", "sha384=", false)] {
            let signing = PlanSigning(preset: nil, algorithm: algorithm, secret: "{{@secrets.k}}", keyEncoding: "utf8", content: "{{@body}}",
                                      encoding: "hex", header: "X-Signature", value: prefix + "{{@signature}}", headers: [])
            let plan = TestPlans.plan(signing: signing, secrets: ["k"])
            let request = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: secrets))
                .render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
            let hash: HashAlgorithm = ["hmac-sha1": .sha1, "hmac-sha256": .sha256, "hmac-sha384": .sha384][algorithm] ?? .sha512
            let expected = prefix + Hex.encode(HMAC.authenticationCode(hash, key: Array("test-hmac-secret-0001".utf8), message: request.body))
            let parts = request.headerParts
            XCTAssertEqual(parts.final != nil, inline, algorithm + prefix)
            XCTAssertEqual(parts.final?.value.text ?? parts.list.last?.value, expected)
            XCTAssertEqual(request.header("x-signature"), expected)
            XCTAssertEqual(request.headers.last, HTTPHeaderField(name: "X-Signature", value: expected))
            XCTAssertEqual(request, RenderedRequest(method: request.method, url: request.url, headers: request.headers, body: request.body,
                                                    signingString: request.body, eventIDs: request.eventIDs, timestamp: request.timestamp,
                                                    requestID: request.requestID))
        }
    }

    /// A constant URL's path reaches a signing string that reads `@path`, through the slot
    /// form and through the template engine (the renderer hands the path only to those).
    func testAConstantURLsPathReachesTheSigningString() throws {
        let secrets = JSONObject([("k", .string("key"))])
        for content in ["{{@method}} {{@path}}\n{{@body}}", "{{@settings.p}}{{@path}}|{{@body}}", "{{@body}}"] {
            let signing = PlanSigning(preset: nil, algorithm: "hmac-sha256", secret: "{{@secrets.k}}", keyEncoding: "utf8", content: content,
                                      encoding: "hex", header: "X-Sig", value: "{{@signature}}", headers: [])
            let plan = TestPlans.plan(url: "https://api.example.com/v1/a%20b/events?x=1", signing: signing,
                                      settings: [PlanSetting(name: "p", type: "string", required: false, defaultValue: .string(">"), allowed: nil)], secrets: ["k"])
            let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: secrets))
            let request = try renderer.render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
            let body = request.bodyText
            let expected = ["{{@method}} {{@path}}\n{{@body}}": "POST /v1/a%20b/events\n" + body, "{{@settings.p}}{{@path}}|{{@body}}": ">/v1/a%20b/events|" + body,
                            "{{@body}}": body][content]!
            XCTAssertEqual(request.signingStringText, expected, content)
            XCTAssertEqual(request.header("X-Sig"), Hex.encode(HMAC.authenticationCode(.sha256, key: Array("key".utf8), message: Array(expected.utf8))))
        }
    }
}
