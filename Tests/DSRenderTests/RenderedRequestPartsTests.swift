import DSCore
import DSCrypto
import DSJSON
import DSPlan
@testable import DSRender
import XCTest

/// A rendered request holds its headers as parts (the renderer's shared constant list, the
/// request's own list, and one final header for a plan signed with one header), one event id
/// inline, the signing string as "the body" when it is the body, and a request id that is its
/// event's id as that id. Differential tests: every request the renderer makes, on chosen and
/// random plans and events, reads exactly as the same request built with the general
/// representation (the public initializer, one header list, the id lists); the signer's
/// one-header path (`RequestSigner.signatureHeader`) gives what its list path
/// (`appendSignature`) appends, errors included; and changing a request afterwards keeps
/// what it was rendered with.
final class RenderedRequestPartsTests: XCTestCase {
    private static let secrets = JSONObject([("k", .string("test-hmac-secret-0001")), ("w", .string("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))])

    /// The same request in the general representation (one own list, ids as a list, every
    /// field stored).
    private func general(_ r: RenderedRequest) -> RenderedRequest {
        RenderedRequest(method: r.method, url: r.url, headers: r.headers, body: r.body, signingString: r.signingString, eventIDs: r.eventIDs,
                        timestamp: r.timestamp, requestID: r.requestID)
    }

    private func assertReadsAsGeneral(_ r: RenderedRequest, file: StaticString = #filePath, line: UInt = #line) {
        let g = general(r)
        XCTAssertEqual(r, g, file: file, line: line)
        let parts = r.headerParts
        XCTAssertEqual(parts.shared + parts.list + (parts.final.map { [$0.field] } ?? []), r.headers, file: file, line: line)
        XCTAssertEqual(r.sharedHeaders + r.ownHeaders, r.headers, file: file, line: line)
        XCTAssertEqual(r.eventIDCount, r.eventIDs.count, file: file, line: line)
        XCTAssertEqual(r.firstEventID, r.eventIDs.first, file: file, line: line)
        XCTAssertEqual(r.requestID, g.requestID, file: file, line: line)
        for name in Set(r.headers.map(\.name) + ["x-sig", "X-SIG", "content-type", "Missing"]) {
            XCTAssertEqual(r.header(name), g.header(name), name, file: file, line: line)
        }
    }

    func testTheSeedWebhookIsHeldInParts() throws {
        let plan = TestPlans.plan(signing: TestPlans.preset("seed", secret: "{{@secrets.k}}"), secrets: ["k"])
        let request = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: Self.secrets))
            .render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
        let parts = request.headerParts
        XCTAssertEqual(parts.shared.map(\.name), ["Content-Type", "User-Agent"])
        XCTAssertEqual(parts.list, [])
        XCTAssertEqual(parts.final?.name, "X-Signature-256")
        let key = HMACKey(.sha256, key: Array("test-hmac-secret-0001".utf8))
        XCTAssertEqual(parts.final?.value.text, "sha256=" + Hex.encode(key.authenticationCode(request.body)))
        XCTAssertEqual(request.signingString, request.body)
        XCTAssertEqual(request.eventIDs, [TestPlans.trackEvent["event_id"]?.stringValue ?? "?"])
        XCTAssertEqual(request.requestID, request.eventIDs[0])
        assertReadsAsGeneral(request)
    }

    func testRandomPlansAndEventsReadAsTheGeneralRepresentation() throws {
        var rng = SplitMix64(seed: 0xBA27_5EED)
        let values = ["{{@signature}}", "sha256={{@signature}}", "v1,{{@signature}}", "t={{@timestamp}},v1={{@signature}}",
                      "v1={{@signature}} id={{@request_id}}", "{{@timestamp}}", "a-much-longer-literal-prefix-than-fifteen-bytes={{@signature}}"]
        let contents = ["{{@body}}", "{{@timestamp}}.{{@body}}", "{{@request_id}}.{{@timestamp}}.{{@body}}"]
        let headerValues = ["application/json", "x", "", "a value longer than fifteen bytes", "dspec/1.0", "é🎉 non-ASCII but no controls"]
        var checked = 0, final = 0, unsigned = 0
        for round in 0..<300 {
            var planHeaders: [PlanHeader] = []
            for i in 0..<Int.random(in: 0...4, using: &rng) {
                planHeaders.append(PlanHeader(name: "X-H\(i)", value: headerValues.randomElement(using: &rng)!))
            }
            if Int.random(in: 0...3, using: &rng) == 0 { planHeaders.append(PlanHeader(name: "X-Event", value: "{{event_id}}")) }
            let extras = (0..<[0, 0, 1, 2].randomElement(using: &rng)!).map { i in PlanHeader(name: "x-extra-\(i)", value: values.randomElement(using: &rng)!) }
            var signing: PlanSigning? = PlanSigning(
                preset: nil, algorithm: ["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"].randomElement(using: &rng)!,
                secret: ["{{@secrets.k}}", "{{@secrets.w}}"].randomElement(using: &rng)!, keyEncoding: ["utf8", "whsec_base64"].randomElement(using: &rng)!,
                content: contents.randomElement(using: &rng)!, encoding: Bool.random(using: &rng) ? "hex" : "base64",
                header: "X-Sig", value: values.randomElement(using: &rng)!, headers: extras,
                previousSecrets: Int.random(in: 0...5, using: &rng) == 0 ? ["{{@secrets.k}}"] : [])
            if Int.random(in: 0...4, using: &rng) == 0 { signing = nil }
            if let s = signing, (try? RequestSigner(s, secrets: Self.secrets)) == nil { continue }  // a key that does not decode
            var plan = TestPlans.plan(headers: planHeaders, signing: signing, secrets: ["k", "w"])
            if Bool.random(using: &rng) { plan.response.idempotencyKeyHeader = "Idempotency-Key" }
            let id = ["evt_\(round)", "an-event-id-longer-than-fifteen-bytes-\(round)", "e", ""].randomElement(using: &rng)!
            let event = TestPlans.event(#"{"type":"track","event":"E\#(round)","event_id":"\#(id)","properties":{"n":\#(Int.random(in: 0...1_000_000, using: &rng))}}"#)
            let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: Self.secrets))
            let request = try renderer.render(event, environment: FixedRenderEnvironment())
            assertReadsAsGeneral(request)
            if request.headerParts.final != nil { final += 1 }
            if signing == nil { unsigned += 1; XCTAssertNil(request.signingString) }
            // The signature header is the last one either way.
            if signing != nil { XCTAssertEqual(request.headers.last?.name, "X-Sig") }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 150)
        XCTAssertGreaterThan(final, 20, "the one-header path was taken")
        XCTAssertGreaterThan(unsigned, 20)
    }

    /// `signatureHeader` (the one-header path) against `appendSignature` (the list path) on
    /// random signings, request ids (one with a line break: both refuse, same message) and bodies.
    /// Values that fit are written inline (``InlineHeaderValue``), longer ones come back as text:
    /// both happen.
    func testSignatureHeaderIsWhatAppendSignatureAppends() throws {
        var rng = SplitMix64(seed: 0x0AE_4EAD)
        let values = ["{{@signature}}", "sha256={{@signature}}", "v1,{{@signature}}", "t={{@timestamp}},v1={{@signature}}",
                      "v1={{@signature}} id={{@request_id}}", "a-much-longer-literal-prefix-than-fifteen-bytes={{@signature}}"]
        let contents = ["{{@body}}", "{{@timestamp}}.{{@body}}", "{{@request_id}}.{{@timestamp}}.{{@body}}", "{{@method}} {{@path}}\n{{@body}}"]
        var compared = 0, inline = 0, text = 0
        for _ in 0..<2_000 {
            let signing = PlanSigning(preset: nil, algorithm: ["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"].randomElement(using: &rng)!,
                                      secret: ["{{@secrets.k}}", "{{@secrets.w}}"].randomElement(using: &rng)!,
                                      keyEncoding: ["utf8", "whsec_base64"].randomElement(using: &rng)!,
                                      content: contents.randomElement(using: &rng)!, encoding: Bool.random(using: &rng) ? "hex" : "base64",
                                      header: "X-Sig", value: values.randomElement(using: &rng)!, headers: [])
            guard let signer = try? RequestSigner(signing, secrets: Self.secrets) else { continue }
            XCTAssertTrue(signer.signsOneHeader)
            let body = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 32...126, using: &rng) }
            let requestID = ["r1", "a-request-id-longer-than-fifteen-bytes", "", "bad\r\nid", String(repeating: "long-id-", count: 12)].randomElement(using: &rng)!
            let timestamp = Int64.random(in: -10...2_000_000_000, using: &rng)
            func one() -> String {
                do {
                    var value = InlineHeaderValue()
                    let s = try signer.signatureHeader(body: body, timestamp: timestamp, requestID: requestID, method: "POST", path: "/p", url: "https://x/p",
                                                       event: .null, sentAt: nil, into: &value)
                    // nil signed bytes are the body itself, and only for a plan signing {{@body}}.
                    XCTAssertEqual(s.signingString == nil, signing.content == "{{@body}}")
                    let signed = s.signingString ?? body
                    if let field = s.text {
                        text += 1
                        XCTAssertEqual(value.count, 0, "the inline value is left alone")
                        XCTAssertGreaterThan(field.value.utf8.count, InlineHeaderValue.capacity)
                        return "\(field) \(signed)"
                    }
                    inline += 1
                    return "\(HTTPHeaderField(name: signer.signatureHeaderName, value: value.text)) \(signed)"
                } catch { return "error \(error.kind) \(error.message)" }
            }
            func list() -> String {
                do {
                    var headers: [HTTPHeaderField] = []
                    let s = try signer.appendSignature(body: body, timestamp: timestamp, requestID: requestID, method: "POST", path: "/p", url: "https://x/p",
                                                       event: .null, sentAt: nil, to: &headers)
                    XCTAssertEqual(headers.count, 1)
                    return "\(headers[0]) \(s)"
                } catch { return "error \(error.kind) \(error.message)" }
            }
            XCTAssertEqual(one(), list())
            compared += 1
        }
        XCTAssertGreaterThan(compared, 1_000)
        XCTAssertGreaterThan(inline, 500)
        XCTAssertGreaterThan(text, 50)
    }

    /// Changing a rendered request keeps what it was rendered with: its signing string when
    /// the body changes, its request id when the event ids change; setting the headers makes
    /// them all its own.
    /// A request id equal to the one event id as a String but spelled with other bytes (a
    /// canonically equivalent form) is kept as given, not replaced by the event id's bytes.
    func testARequestIDIsKeptByItsBytes() {
        for (id, requestID) in [("caf\u{E9}", "cafe\u{301}"), ("cafe\u{301}", "caf\u{E9}"), ("\u{212A}", "K"), ("e1", "e1"), ("e1", "e2")] {
            let r = RenderedRequest(method: "POST", url: "http://h/", headers: [], body: [], signingString: nil, eventIDs: [id], timestamp: 0, requestID: requestID)
            XCTAssertEqual(Array(r.requestID.utf8), Array(requestID.utf8), "\(id) / \(requestID)")
            XCTAssertEqual(r.eventIDs.map { Array($0.utf8) }, [Array(id.utf8)])
        }
    }

    func testChangesKeepWhatWasRendered() throws {
        let plan = TestPlans.plan(signing: TestPlans.preset("seed", secret: "{{@secrets.k}}"), secrets: ["k"])
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: Self.secrets))
        var request = try renderer.render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
        let body = request.body, id = request.requestID, headers = request.headers
        request.body = Array("changed".utf8)
        XCTAssertEqual(request.signingString, body)
        request.eventIDs = ["other"]
        XCTAssertEqual(request.requestID, id)
        XCTAssertEqual(request.eventIDs, ["other"])
        XCTAssertEqual(request.eventIDCount, 1)
        request.eventIDs = ["a", "b"]
        XCTAssertEqual(request.eventIDs, ["a", "b"])
        XCTAssertEqual(request.firstEventID, "a")
        XCTAssertEqual(request.requestID, id)
        request.headers = headers + [HTTPHeaderField(name: "X-More", value: "1")]
        XCTAssertEqual(request.headers, headers + [HTTPHeaderField(name: "X-More", value: "1")])
        XCTAssertEqual(request.headerParts.shared, [])
        XCTAssertNil(request.headerParts.final)
        request.eventIDs = []
        XCTAssertEqual(request.eventIDCount, 0)
        XCTAssertNil(request.firstEventID)
        request.signingString = nil
        XCTAssertNil(request.signingString)

        // A request rendered without its id (derived when read) still derives it from its ids.
        let unsigned = try RequestRenderer(plan: TestPlans.plan(), configuration: RenderConfiguration(secrets: Self.secrets))
        var plain = try unsigned.render(TestPlans.trackEvent, environment: FixedRenderEnvironment())
        XCTAssertEqual(plain.requestID, plain.eventIDs[0])
        plain.eventIDs = ["x", "y"]
        XCTAssertEqual(plain.requestID, RequestIdentity.id(forEventIDs: ["x", "y"]))
    }

    /// The one-id environment questions answer as the list ones.
    func testOneIDEnvironmentAnswersAsTheListOnes() {
        let fixed = FixedRenderEnvironment()
        for id in ["", "e", "an-event-id-longer-than-fifteen-bytes"] {
            XCTAssertEqual(fixed.requestID(forEventID: id), fixed.requestID(forEventIDs: [id]))
            XCTAssertEqual(fixed.derivesRequestIDFromEventID(id), fixed.derivesRequestIDFromEventIDs([id]))
        }
        let system = SystemRenderEnvironment()
        XCTAssertFalse(system.derivesRequestIDFromEventID("e"))
        XCTAssertTrue(system.requestID(forEventID: "e").hasPrefix("msg_"))
    }
}
