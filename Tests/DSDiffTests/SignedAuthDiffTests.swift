import DeliverySpec
import XCTest

/// With `aws_sigv4`, `oauth1` or `azure_sas`, the Authorization header is a signature over
/// the request: it follows any change of what it signs (a derived, safe wire change), while a
/// change of the Authorization header alone would still be reported; the SAS lifetime is a
/// safe plan change.
final class SignedAuthDiffTests: XCTestCase {
    static let events: [JSONValue] = [try! JSONParser().parseValue(#"{"type": "track", "event": "Order Completed", "event_id": "e1", "user_id": "u1"}"#)]

    static func spec(auth: String, header: String = "1") -> String {
        #"{"dspec": 1, "name": "signed", "secrets": {"k": {}}, "endpoint": {"url": "https://ns.servicebus.windows.net/hub/messages"}, "headers": {"X-Version": "\#(header)"}, "auth": \#(auth), "payload": {"format": "json", "mapping": {"e": {"@path": "event"}}}}"#
    }

    func side(_ text: String) throws -> DiffSide {
        let source = SourceFile(path: "spec.json", text: text)
        let diagnostics = DiagnosticCollector(source: source)
        let result = SpecCompiler().compile(source, diagnostics: diagnostics)
        let plan = try XCTUnwrap(result.plan, diagnostics.sorted.map(\.message).joined(separator: "\n"))
        return DiffSide(plan: plan, source: source, document: result.document, configuration: RenderConfiguration(secrets: JSONObject([("k", "key-1")])))
    }

    func report(_ old: String, _ new: String) throws -> DiffReport {
        SpecDiff.compare(old: try side(old), new: try side(new), events: Self.events)
    }

    static let sas = #"{"type": "azure_sas", "key_name": "send", "key": "{{@secrets.k}}", "resource": "https://ns.servicebus.windows.net/hub", "expiry_seconds": 3600}"#
    static let sigv4 = #"{"type": "aws_sigv4", "access_key_id": "AKID", "secret_access_key": "{{@secrets.k}}", "region": "us-east-1", "service": "events"}"#

    func testSASExpiryIsASafeChangeAndTheTokenFollowsIt() throws {
        let r = try report(Self.spec(auth: Self.sas), Self.spec(auth: Self.sas.replacingOccurrences(of: "3600", with: "7200")))
        XCTAssertEqual(r.changes.map(\.rule).sorted(), ["auth.expiry-changed", "wire.derived-header-changed"], r.changes.map(\.message).joined(separator: "\n"))
        XCTAssertTrue(r.changes.allSatisfy { $0.changeClass == .safe })
    }

    func testSigV4SignatureFollowsAHeaderChange() throws {
        let r = try report(Self.spec(auth: Self.sigv4), Self.spec(auth: Self.sigv4, header: "2"))
        let wire = r.changes.filter { $0.layer == "wire" }
        XCTAssertEqual(Set(wire.map(\.rule)), ["wire.header-changed", "wire.derived-header-changed"], wire.map(\.message).joined(separator: "\n"))
        XCTAssertEqual(wire.first { $0.rule == "wire.derived-header-changed" }?.pointer, "/requests/0/headers/authorization")
    }

    func testSameSpecHasNoWireChange() throws {
        XCTAssertEqual(try report(Self.spec(auth: Self.sigv4), Self.spec(auth: Self.sigv4)).changes.map(\.rule), [])
    }
}
