import DSCrypto
import DSJSON
import DSPlan
import Foundation
import XCTest

@testable import DSMock

/// The mock's own checks of per-request signatures (`auth.sigv4`, `auth.oauth1`, `auth.sas`),
/// fed requests signed by others: AWS's Signature Version 4 test suite, X's OAuth 1.0a
/// example and a token from the Azure Event Hubs SDK (`generate_sas_token`). A wrong key, a
/// changed body or URL, a stale clock and an expired token are refused; details never quote
/// a key.
final class SignedAuthCheckTests: XCTestCase {
    func request(_ method: String, _ target: String, _ headers: [(String, String)], body: String = "") -> MockRequest {
        MockRequest(method: method, target: target, headers: headers.map { MockHeader(name: $0.0, value: $0.1) }, body: Array(body.utf8))
    }

    func verifier(_ auth: PlanAuth, _ secrets: [String: String], base: String, now: Int64, tolerance: Int? = 300) -> MockVerifier {
        MockVerifier(plan: makePlan(auth: auth), secrets: secrets,
                     options: MockVerifierOptions(publicBaseURL: base, timestampToleranceSeconds: tolerance, unixTime: { now }))
    }

    // AWS sig-v4 test suite, get-vanilla-query-order-key-case and post-vanilla.
    static let awsSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let awsTime: Int64 = 1_440_938_160
    static let sigV4 = PlanAuth.awsSigV4(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "{{@secrets.k}}", sessionToken: nil, region: "us-east-1",
                                         service: "service", contentSHA256: false)
    static func awsHeaders(_ signature: String) -> [(String, String)] {
        [("Host", "127.0.0.1:9999"), ("X-Amz-Date", "20150830T123600Z"),
         ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=\(signature)")]
    }
    static let queryOrderSignature = "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
    static let postVanillaSignature = "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"

    func testSigV4AcceptsAWSTestSuiteRequests() {
        let v = verifier(Self.sigV4, ["k": Self.awsSecret], base: "https://example.amazonaws.com", now: Self.awsTime)
        let get = v.check(request("GET", "/?Param2=value2&Param1=value1", Self.awsHeaders(Self.queryOrderSignature)))
        XCTAssertEqual(get.map(\.name), ["auth.sigv4"])
        XCTAssertTrue(get[0].passed, get[0].detail)
        let post = v.check(request("POST", "/", Self.awsHeaders(Self.postVanillaSignature)))
        XCTAssertTrue(post[0].passed, post[0].detail)
    }

    func testSigV4RefusesWrongKeyTamperingAndStaleDates() {
        let wrongKey = verifier(Self.sigV4, ["k": "another-secret"], base: "https://example.amazonaws.com", now: Self.awsTime)
        let r = wrongKey.check(request("POST", "/", Self.awsHeaders(Self.postVanillaSignature)))[0]
        XCTAssertFalse(r.passed)
        XCTAssertFalse(r.detail.contains("another-secret"))
        let v = verifier(Self.sigV4, ["k": Self.awsSecret], base: "https://example.amazonaws.com", now: Self.awsTime)
        XCTAssertFalse(v.check(request("POST", "/", Self.awsHeaders(Self.postVanillaSignature), body: "x"))[0].passed, "a changed body")
        XCTAssertFalse(v.check(request("POST", "/other", Self.awsHeaders(Self.postVanillaSignature)))[0].passed, "a changed path")
        XCTAssertFalse(v.check(request("GET", "/?Param2=value2&Param1=value3", Self.awsHeaders(Self.queryOrderSignature)))[0].passed, "a changed query")
        let otherHost = verifier(Self.sigV4, ["k": Self.awsSecret], base: "https://evil.amazonaws.com", now: Self.awsTime)
        XCTAssertFalse(otherHost.check(request("POST", "/", Self.awsHeaders(Self.postVanillaSignature)))[0].passed, "another host")
        let late = verifier(Self.sigV4, ["k": Self.awsSecret], base: "https://example.amazonaws.com", now: Self.awsTime + 301)
        XCTAssertTrue(late.check(request("POST", "/", Self.awsHeaders(Self.postVanillaSignature)))[0].detail.contains("server clock"))
        let otherRegion = verifier(.awsSigV4(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "{{@secrets.k}}", sessionToken: nil, region: "eu-west-1",
                                             service: "service", contentSHA256: false), ["k": Self.awsSecret], base: "https://example.amazonaws.com", now: Self.awsTime)
        XCTAssertFalse(otherRegion.check(request("POST", "/", Self.awsHeaders(Self.postVanillaSignature)))[0].passed)
        let withToken = verifier(.awsSigV4(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "{{@secrets.k}}", sessionToken: "{{@secrets.t}}", region: "us-east-1",
                                           service: "service", contentSHA256: false), ["k": Self.awsSecret, "t": "tok"], base: "https://example.amazonaws.com", now: Self.awsTime)
        XCTAssertTrue(withToken.check(request("POST", "/", Self.awsHeaders(Self.postVanillaSignature)))[0].detail.contains("X-Amz-Security-Token"))
        XCTAssertTrue(v.check(request("POST", "/", []))[0].detail == "missing Authorization")
    }

    func testAmzDateParsing() {
        XCTAssertEqual(SignedAuthVerifier.parseAmzDate("20150830T123600Z"), Self.awsTime)
        XCTAssertEqual(SignedAuthVerifier.parseAmzDate("20000229T000000Z"), 951_782_400)
        XCTAssertNil(SignedAuthVerifier.parseAmzDate("2015-08-30T12:36Z"))
    }

    // X's "Creating a signature" example (developer.x.com).
    static let xAuthorization = #"OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0""#
    static let xBody = "status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21"
    static let oauth1 = PlanAuth.oauth1(consumerKey: "xvz1evFS4wEEPTGEFPHBog", consumerSecret: "{{@secrets.cs}}",
                                        token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", tokenSecret: "{{@secrets.ts}}", signatureMethod: "HMAC-SHA1")
    static let xSecrets = ["cs": "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", "ts": "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"]

    func xRequest(body: String = SignedAuthCheckTests.xBody, target: String = "/1.1/statuses/update.json?include_entities=true") -> MockRequest {
        request("POST", target, [("Authorization", Self.xAuthorization), ("Content-Type", "application/x-www-form-urlencoded")], body: body)
    }

    func testOAuth1AcceptsXExampleAndRefusesChanges() {
        let v = verifier(Self.oauth1, Self.xSecrets, base: "https://api.twitter.com", now: 1_318_622_958)
        let ok = v.check(xRequest())
        XCTAssertEqual(ok.map(\.name), ["auth.oauth1"])
        XCTAssertTrue(ok[0].passed, ok[0].detail)
        XCTAssertFalse(v.check(xRequest(body: "status=Hello"))[0].passed, "form body parameters are signed")
        XCTAssertFalse(v.check(xRequest(target: "/1.1/statuses/update.json?include_entities=false"))[0].passed, "query parameters are signed")
        var secrets = Self.xSecrets
        secrets["ts"] = "other"
        XCTAssertFalse(verifier(Self.oauth1, secrets, base: "https://api.twitter.com", now: 1_318_622_958).check(xRequest())[0].passed)
        XCTAssertTrue(verifier(Self.oauth1, Self.xSecrets, base: "https://api.twitter.com", now: 1_318_622_958 + 400).check(xRequest())[0].detail.contains("server clock"))
        XCTAssertTrue(verifier(Self.oauth1, Self.xSecrets, base: "https://api.twitter.com", now: 0, tolerance: nil).check(xRequest())[0].passed,
                      "no freshness check on a virtual clock")
    }

    // A token written by azure-eventhub 5.15's generate_sas_token(resource, "RootManageSharedAccessKey", "k3y+/base64ish=", 1767232923).
    static let sasToken = "SharedAccessSignature sr=https%3A%2F%2Fdspec-ns.servicebus.windows.net%2Fhub-1&sig=m9OvE7lRDcgU4zS%2FAVNzZadgkIoASBJiuRlzkuAVdkA%3D&se=1767232923&skn=RootManageSharedAccessKey"
    static let sas = PlanAuth.azureSAS(keyName: "RootManageSharedAccessKey", key: "{{@secrets.k}}", resource: "https://dspec-ns.servicebus.windows.net/hub-1", expirySeconds: 3600)

    func testSASAcceptsAzureSDKTokenAndRefusesOthers() {
        let v = verifier(Self.sas, ["k": "k3y+/base64ish="], base: "https://dspec-ns.servicebus.windows.net", now: 1_767_232_000)
        let ok = v.check(request("POST", "/hub-1/messages", [("Authorization", Self.sasToken)]))
        XCTAssertEqual(ok.map(\.name), ["auth.sas"])
        XCTAssertTrue(ok[0].passed, ok[0].detail)
        XCTAssertFalse(verifier(Self.sas, ["k": "other"], base: "https://dspec-ns.servicebus.windows.net", now: 1_767_232_000)
            .check(request("POST", "/hub-1/messages", [("Authorization", Self.sasToken)]))[0].passed)
        XCTAssertTrue(v.check(request("POST", "/hub-2/messages", [("Authorization", Self.sasToken)]))[0].detail.contains("outside"))
        let expired = verifier(Self.sas, ["k": "k3y+/base64ish="], base: "https://dspec-ns.servicebus.windows.net", now: 1_767_232_923)
        XCTAssertTrue(expired.check(request("POST", "/hub-1/messages", [("Authorization", Self.sasToken)]))[0].detail.contains("expired"))
        let extended = Self.sasToken.replacingOccurrences(of: "se=1767232923", with: "se=1767299999")
        XCTAssertFalse(v.check(request("POST", "/hub-1/messages", [("Authorization", extended)]))[0].passed, "the expiry is signed")
    }
}

/// Hostile Authorization values get a failed check, never a crash or a pass.
final class SignedAuthHostileInputTests: XCTestCase {
    func testMalformedHeadersFailCleanly() {
        let verifiers = [
            MockVerifier(plan: makePlan(auth: SignedAuthCheckTests.sigV4), secrets: ["k": "s"], options: MockVerifierOptions(publicBaseURL: "https://h", unixTime: { 0 })),
            MockVerifier(plan: makePlan(auth: SignedAuthCheckTests.oauth1), secrets: SignedAuthCheckTests.xSecrets, options: MockVerifierOptions(publicBaseURL: "https://h", unixTime: { 0 })),
            MockVerifier(plan: makePlan(auth: SignedAuthCheckTests.sas), secrets: ["k": "s"], options: MockVerifierOptions(publicBaseURL: "https://h", unixTime: { 0 })),
        ]
        let values = [
            "", "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host;x-amz-date, Signature=",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/99999999/us-east-1/service/aws4_request,SignedHeaders=,Signature=0", "AWS4-HMAC-SHA256 ,,,==,=",
            #"OAuth oauth_timestamp="-9223372036854775808", oauth_signature_method="HMAC-SHA1", oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_nonce="n""#,
            #"OAuth oauth_timestamp="99999999999999999999""#, #"OAuth a=", b=""""#, "OAuth =", #"OAuth x="%zz%""#,
            "SharedAccessSignature sr=&sig=&se=-9223372036854775808&skn=", "SharedAccessSignature &&&=", "SharedAccessSignature sr=%&sig=%%&se=9999999999999&skn=%ZZ",
        ]
        for v in verifiers {
            for value in values {
                for date in ["99999999T999999Z", "00000000T000000Z", "20150830T123600Z", "2015083OT123600Z"] {
                    let results = v.check(MockRequest(method: "POST", target: "/?%=&=%&&", headers: [MockHeader(name: "Authorization", value: value),
                                                                                                     MockHeader(name: "X-Amz-Date", value: date)], body: []))
                    XCTAssertFalse(results.isEmpty)
                    XCTAssertTrue(results.allSatisfy { !$0.passed }, "\(value): \(results)")
                }
            }
        }
    }
}
