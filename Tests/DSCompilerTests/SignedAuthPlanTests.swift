import DSCore
import DSJSON
import DSPlan
import XCTest

@testable import DSCompiler

/// The plan fields of `aws_sigv4`, `oauth1` and `azure_sas`: every default explicit, a
/// canonical round trip through the plan decoder, ranges refused, literal credentials hoisted.
final class SignedAuthPlanTests: XCTestCase {
    func compile(_ auth: String, secrets: String = #"{"k": {}, "t": {}}"#) throws -> (CompilationResult, [Diagnostic]) {
        let text = #"{"dspec": 1, "name": "signed", "secrets": \#(secrets), "endpoint": {"url": "https://ns.servicebus.windows.net/hub/messages"}, "auth": \#(auth), "payload": {"format": "json", "mapping": {"e": {"@path": "event"}}}}"#
        let source = SourceFile(path: "inline.json", text: text)
        let diagnostics = DiagnosticCollector(source: source)
        return (SpecCompiler().compile(source, diagnostics: diagnostics), diagnostics.sorted)
    }

    func authJSON(_ result: CompilationResult) throws -> String {
        let plan = try XCTUnwrap(result.plan)
        let json = try JSONParser().parseValue(plan.canonicalJSON)
        let decoded = try DeliveryPlan(json: json)
        XCTAssertEqual(decoded, plan)
        XCTAssertEqual(decoded.canonicalJSON, plan.canonicalJSON)
        return JSONWriter.string(try XCTUnwrap(json["auth"]))
    }

    func testDefaultsAreExplicitAndRoundTrip() throws {
        let sigv4 = try compile(#"{"type": "aws_sigv4", "access_key_id": "AKID", "secret_access_key": "{{@secrets.k}}", "region": "us-east-1", "service": "kinesis"}"#,
                                secrets: #"{"k": {}}"#)
        XCTAssertEqual(try authJSON(sigv4.0), #"{"access_key_id":"AKID","content_sha256":false,"region":"us-east-1","secret_access_key":"{{@secrets.k}}","service":"kinesis","session_token":null,"type":"aws_sigv4"}"#)
        let oauth1 = try compile(#"{"type": "oauth1", "consumer_key": "ck", "consumer_secret": "{{@secrets.k}}", "token": "tok", "token_secret": "{{@secrets.t}}"}"#)
        XCTAssertEqual(try authJSON(oauth1.0), #"{"consumer_key":"ck","consumer_secret":"{{@secrets.k}}","signature_method":"HMAC-SHA1","token":"tok","token_secret":"{{@secrets.t}}","type":"oauth1"}"#)
        let sas = try compile(#"{"type": "azure_sas", "key_name": "send", "key": "{{@secrets.k}}", "resource": "https://ns.servicebus.windows.net/hub"}"#,
                              secrets: #"{"k": {}}"#)
        XCTAssertEqual(try authJSON(sas.0), #"{"expiry_seconds":3600,"key":"{{@secrets.k}}","key_name":"send","resource":"https://ns.servicebus.windows.net/hub","type":"azure_sas"}"#)
        for (_, diagnostics) in [sigv4, oauth1, sas] { XCTAssertEqual(diagnostics.map(\.code), []) }
    }

    func testLiteralCredentialsAreHoistedOutOfThePlan() throws {
        let (result, diagnostics) = try compile(
            #"{"type": "aws_sigv4", "access_key_id": "AKID", "secret_access_key": "wJalrXUtnFEMI", "session_token": "FwoGZX", "region": "us-east-1", "service": "events"}"#,
            secrets: "{}")
        XCTAssertEqual(Set(result.hoistedSecrets), ["aws_secret_access_key", "aws_session_token"])
        XCTAssertEqual(diagnostics.filter { $0.code == "DS0310" }.count, 2)
        let plan = String(decoding: try XCTUnwrap(result.plan).canonicalJSON, as: UTF8.self)
        XCTAssertFalse(plan.contains("wJalrXUtnFEMI") || plan.contains("FwoGZX"))
        let oauth = try compile(#"{"type": "oauth1", "consumer_key": "ck", "consumer_secret": "cs-literal", "token": "tok", "token_secret": "ts-literal"}"#, secrets: "{}")
        XCTAssertEqual(Set(oauth.0.hoistedSecrets), ["consumer_secret", "token_secret"])
        let sas = try compile(#"{"type": "azure_sas", "key_name": "send", "key": "sas-literal", "resource": "https://ns.servicebus.windows.net/hub"}"#, secrets: "{}")
        XCTAssertEqual(sas.0.hoistedSecrets, ["sas_key"])
    }

    func testDecoderRefusesOutOfRangeAndUnknownMethods() throws {
        let sas = try compile(#"{"type": "azure_sas", "key_name": "send", "key": "{{@secrets.k}}", "resource": "https://ns.servicebus.windows.net/hub"}"#, secrets: #"{"k": {}}"#)
        let text = String(decoding: try XCTUnwrap(sas.0.plan).canonicalJSON, as: UTF8.self)
        let original = try XCTUnwrap(text.range(of: #""expiry_seconds":\s*3600"#, options: .regularExpression))
        for bad in ["\"expiry_seconds\":59", "\"expiry_seconds\":2592001", "\"expiry_seconds\":1e400"] {
            let edited = text.replacingCharacters(in: original, with: bad)
            XCTAssertThrowsError(try DeliveryPlan(json: try JSONParser().parseValue(Array(edited.utf8))), bad)
        }
        let oauth1 = try compile(#"{"type": "oauth1", "consumer_key": "ck", "consumer_secret": "{{@secrets.k}}"}"#, secrets: #"{"k": {}}"#)
        let o = String(decoding: try XCTUnwrap(oauth1.0.plan).canonicalJSON, as: UTF8.self).replacingOccurrences(of: "HMAC-SHA1", with: "PLAINTEXT")
        XCTAssertThrowsError(try DeliveryPlan(json: try JSONParser().parseValue(Array(o.utf8))))
        // In a spec, the range is DS0104 and another method is refused too.
        let (_, spec) = try compile(#"{"type": "azure_sas", "key_name": "send", "key": "{{@secrets.k}}", "resource": "https://ns.servicebus.windows.net/hub", "expiry_seconds": 30}"#,
                                    secrets: #"{"k": {}}"#)
        XCTAssertEqual(spec.map(\.code), ["DS0104"])
        let (_, method) = try compile(#"{"type": "oauth1", "consumer_key": "ck", "consumer_secret": "{{@secrets.k}}", "signature_method": "RSA-SHA1"}"#, secrets: #"{"k": {}}"#)
        XCTAssertEqual(method.map(\.code), ["DS0104"])
    }
}
