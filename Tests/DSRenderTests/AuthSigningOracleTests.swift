import DSCrypto
import DSJSON
import DSPlan
@testable import DSRender
import Foundation
import XCTest

/// The per-request auth kinds (`aws_sigv4`, `oauth1`, `azure_sas`) against independent
/// implementations: published vectors (AWS's Signature Version 4 test suite, RFC 5849 and X's
/// "Creating a signature" example) and the PyPI oracles run on the very request dspec
/// rendered (botocore's `SigV4Auth`, oauthlib's RFC 5849 signature functions, the Azure
/// Event Hubs SDK's `generate_sas_token`), compared byte for byte. A missing package skips
/// with the `pip install` line; `.ci/run` installs them.
final class AuthSigningOracleTests: XCTestCase {
    static let event = TestPlans.trackEvent
    /// 2026-01-01T01:02:03Z: not midnight, so a wrong hour/minute/second field shows.
    static let time: Int64 = 1_767_229_323

    func render(_ spec: String, secrets: [(String, String)], settings: [(String, JSONValue)] = [], event: JSONValue = AuthSigningOracleTests.event,
                time: Int64 = AuthSigningOracleTests.time, environment: (any RenderEnvironment)? = nil) throws -> RenderedRequest {
        let plan = try TestPlans.compile(spec)
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: JSONObject(settings), secrets: JSONObject(secrets.map { ($0.0, .string($0.1)) })))
        if let environment { return try renderer.render(event, environment: environment) }
        return try renderer.render(event, environment: VectorEnvironment(timestamp: time, id: "msg_auth_signing_0001"))
    }

    // MARK: python

    /// Runs `script` with python3 and a JSON job on standard input; skips when `module` is missing.
    func python(_ script: String, job: JSONValue, module: String, package: String) throws -> (status: Int32, output: String) {
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        guard let python = (onPath + ["/usr/bin/python3", "/usr/local/bin/python3"]).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("python3 is not installed")
        }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: python)
        probe.arguments = ["-c", "import \(module)"]
        probe.standardError = Pipe()
        probe.standardOutput = Pipe()
        try probe.run()
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else { throw XCTSkip("\(module) is not installed (pip install \(package))") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script]
        let input = Pipe(), out = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = out
        try process.run()
        input.fileHandleForWriting.write(Data(JSONWriter.bytes(job)))
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func job(_ request: RenderedRequest, _ extra: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject([
            ("method", .string(request.method)), ("url", .string(request.url)), ("body", .string(request.bodyText)),
            ("headers", .array(request.headers.map { .array([.string($0.name), .string($0.value)]) })),
            ("signing_string", .string(request.signingStringText ?? "")),
        ] + extra))
    }

    // MARK: AWS Signature Version 4

    static func sigV4Spec(url: String, query: String = "{}", sessionToken: Bool, contentSHA256: Bool, format: String = "json") -> String {
        """
        {"dspec": 1, "name": "sigv4", "secrets": {"aws_secret": {}\(sessionToken ? ", \"aws_session\": {}" : "")},
         "endpoint": {"url": "\(url)", "query": \(query)},
         "headers": {"X-Amz-Target": "Kinesis_20131202.PutRecord", "X-Custom":  "  spaced   value  "},
         "auth": {"type": "aws_sigv4", "access_key_id": "AKIDEXAMPLE", "secret_access_key": "{{@secrets.aws_secret}}",
                  \(sessionToken ? "\"session_token\": \"{{@secrets.aws_session}}\"," : "") "region": "eu-central-1", "service": "kinesis",
                  "content_sha256": \(contentSHA256)},
         "payload": {"format": "\(format)", "mapping": {"StreamName": "clicks", "PartitionKey": {"@path": "user_id"}, "Data": {"@path": "event", "@transform": "base64"}}}}
        """
    }

    static let botocoreScript = """
    import sys, json
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    job = json.load(sys.stdin)
    skip = {'authorization', 'x-amz-date', 'x-amz-security-token'}
    headers = [(k, v) for k, v in job['headers'] if k.lower() not in skip]
    request = AWSRequest(method=job['method'], url=job['url'], data=job['body'].encode('utf-8'), headers=dict(headers))
    auth = SigV4Auth(Credentials(job['key_id'], job['secret'], job.get('token')), job['service'], job['region'])
    request.context['timestamp'] = job['amz_date']
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    auth._inject_signature_to_request(request, signature)
    sent = dict((k.lower(), v) for k, v in job['headers'])
    problems = []
    if canonical != job['signing_string']:
        problems.append('canonical request differs:\\n' + canonical + '\\n---\\n' + job['signing_string'])
    for name in ['Authorization', 'X-Amz-Date', 'X-Amz-Security-Token']:
        if request.headers.get(name) != sent.get(name.lower()):
            problems.append(name + ': botocore ' + repr(request.headers.get(name)) + ' dspec ' + repr(sent.get(name.lower())))
    print('\\n'.join(problems) or 'ok'); sys.exit(1 if problems else 0)
    """

    func checkWithBotocore(_ request: RenderedRequest, secret: String, token: String?) throws {
        var extra: [(String, JSONValue)] = [("key_id", "AKIDEXAMPLE"), ("secret", .string(secret)), ("service", "kinesis"), ("region", "eu-central-1"),
                                            ("amz_date", .string(try XCTUnwrap(request.header("X-Amz-Date"))))]
        if let token { extra.append(("token", .string(token))) }
        let r = try python(Self.botocoreScript, job: Self.job(request, extra), module: "botocore", package: "botocore")
        XCTAssertEqual(r.status, 0, r.output)
    }

    /// Session token, a custom header with inner spaces, a query needing re-encoding and sorting.
    func testSigV4MatchesBotocoreWithSessionToken() throws {
        let spec = Self.sigV4Spec(url: "https://kinesis.eu-central-1.amazonaws.com/v1/streams/my%20stream/records",
                                  query: #"{"b": "two words", "a": "x/y~z", "A": "*", "a ": "1"}"#, sessionToken: true, contentSHA256: false)
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        let token = "IQoJb3JpZ2luX2VjEXAMPLE//token=="
        let request = try render(spec, secrets: [("aws_secret", secret), ("aws_session", token)])
        XCTAssertEqual(request.header("X-Amz-Date"), "20260101T010203Z")
        XCTAssertEqual(request.header("X-Amz-Security-Token"), token)
        XCTAssertTrue(try XCTUnwrap(request.header("Authorization")).hasPrefix(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-central-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target;x-custom, Signature="))
        XCTAssertTrue(request.signingStringText?.contains("\n/v1/streams/my%2520stream/records\n") ?? false, request.signingStringText ?? "")
        try checkWithBotocore(request, secret: secret, token: token)
    }

    /// `content_sha256` sends X-Amz-Content-Sha256 (the body's hash), signed; a port and dot segments.
    func testSigV4MatchesBotocoreWithContentHashAndPort() throws {
        let spec = Self.sigV4Spec(url: "https://localhost:8443/a/c//d/", sessionToken: false, contentSHA256: true)
        let request = try render(spec, secrets: [("aws_secret", "secret-key")])
        XCTAssertEqual(request.header("X-Amz-Content-Sha256"), Hex.encode(Digest.hash(.sha256, request.body)))
        XCTAssertNil(request.header("X-Amz-Security-Token"))
        XCTAssertTrue(request.signingStringText?.hasPrefix("POST\n/a/c/d/\n\n") ?? false, request.signingStringText ?? "")
        XCTAssertTrue(request.signingStringText?.contains("\nhost:localhost:8443\n") ?? false)
        try checkWithBotocore(request, secret: "secret-key", token: nil)
    }

    /// AWS's Signature Version 4 test suite (get-vanilla, post-vanilla,
    /// get-vanilla-query-order-key-case): credentials AKIDEXAMPLE, 20150830T123600Z,
    /// us-east-1, service "service".
    func testSigV4PublishedTestSuiteVectors() throws {
        let t: Int64 = 1_440_938_160
        XCTAssertEqual(AWSSigV4.amzDate(t), "20150830T123600Z")
        func authorization(_ method: String, _ url: String) throws -> String {
            let signed = try AWSSigV4.sign(method: method, url: url, headers: [], body: [], timestamp: t, accessKeyID: "AKIDEXAMPLE",
                                           secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: nil, region: "us-east-1",
                                           service: "service", contentSHA256: false)
            return try XCTUnwrap(signed.headers.last { $0.name == "Authorization" }).value
        }
        let prefix = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature="
        XCTAssertEqual(try authorization("GET", "https://example.amazonaws.com/"), prefix + "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        XCTAssertEqual(try authorization("POST", "https://example.amazonaws.com/"), prefix + "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
        XCTAssertEqual(try authorization("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1"),
                       prefix + "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    func testAmzDateCalendar() {
        XCTAssertEqual(AWSSigV4.amzDate(0), "19700101T000000Z")
        XCTAssertEqual(AWSSigV4.amzDate(951_782_400), "20000229T000000Z")
        XCTAssertEqual(AWSSigV4.amzDate(1_767_225_599), "20251231T235959Z")
        XCTAssertEqual(AWSSigV4.amzDate(-1), "19691231T235959Z")
    }

    /// A retried attempt renders at its own time: a new X-Amz-Date and a new signature.
    func testSigV4ResignsAtEachAttemptsTime() throws {
        let spec = Self.sigV4Spec(url: "https://kinesis.eu-central-1.amazonaws.com/", sessionToken: false, contentSHA256: false)
        let first = try render(spec, secrets: [("aws_secret", "k")], time: 1_767_225_600)
        let retry = try render(spec, secrets: [("aws_secret", "k")], time: 1_767_225_600 + 90_061)
        XCTAssertEqual(first.header("X-Amz-Date"), "20260101T000000Z")
        XCTAssertEqual(retry.header("X-Amz-Date"), "20260102T010101Z")
        XCTAssertNotEqual(first.header("Authorization"), retry.header("Authorization"))
        XCTAssertTrue(retry.header("Authorization")?.contains("/20260102/eu-central-1/") ?? false)
    }

    // MARK: OAuth 1.0a

    /// RFC 5849 section 1.2's example (no oauth_version) and X's "Creating a signature" example
    /// (a form body whose parameters are signed, oauth_version 1.0).
    func testOAuth1PublishedVectors() throws {
        let rfc = try OAuth1Signature.sign(method: "GET", url: "http://photos.example.net/photos?file=vacation.jpg&size=original", headers: [], body: [],
                                           timestamp: 137_131_202, nonce: "chapoH", consumerKey: "dpf43f3p2l4k3l03", consumerSecret: "kd94hf93k423kf44",
                                           token: "nnch734d00sl2jdk", tokenSecret: "pfkkdhi9sl3r4s00", version: nil)
        XCTAssertTrue(rfc.headers[0].value.contains(#"oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D""#), rfc.headers[0].value)
        let body = Array("status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21".utf8)
        let x = try OAuth1Signature.sign(method: "POST", url: "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
                                         headers: [HTTPHeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded")], body: body,
                                         timestamp: 1_318_622_958, nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", consumerKey: "xvz1evFS4wEEPTGEFPHBog",
                                         consumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                                         tokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
        XCTAssertEqual(x.headers[0].value, #"OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0""#)
    }

    static func oauth1Spec(format: String, token: Bool = true) -> String {
        let mapping = format == "form" ? #"{"event": {"@path": "event"}, "note": "a+b c&d=e~*"}"# : #"{"event": {"@path": "event"}, "user": {"@path": "user_id"}}"#
        return """
        {"dspec": 1, "name": "oauth1", "secrets": {"consumer_secret": {}\(token ? ", \"token_secret\": {}" : "")},
         "endpoint": {"url": "https://ads-api.x.com:443/12/measurement/conversions/o8z6j", "query": {"debug": "tRue value", "a~b": "c%d"}},
         "auth": {"type": "oauth1", "consumer_key": "key with space", "consumer_secret": "{{@secrets.consumer_secret}}"
                  \(token ? ", \"token\": \"370773112-tok\", \"token_secret\": \"{{@secrets.token_secret}}\"" : "")},
         "payload": {"format": "\(format)", "mapping": \(mapping)}}
        """
    }

    static let oauthlibScript = """
    import sys, json
    from urllib.parse import urlsplit
    from oauthlib.oauth1.rfc5849 import signature as S
    from oauthlib.common import Request
    job = json.load(sys.stdin)
    headers = dict(job['headers'])
    form = headers.get('Content-Type', '').startswith('application/x-www-form-urlencoded')
    body = job['body'] if form else None
    # The signature functions, step by step (RFC 5849 section 3.4.1).
    params = S.collect_parameters(uri_query=urlsplit(job['url']).query, body=body, headers={'Authorization': headers['Authorization']}, exclude_oauth_signature=True)
    base = S.signature_base_string(job['method'], S.base_string_uri(job['url']), S.normalize_parameters(params))
    problems = []
    if base != job['signing_string']:
        problems.append('base string differs:\\n' + base + '\\n---\\n' + job['signing_string'])
    ours = dict(S.collect_parameters(headers={'Authorization': headers['Authorization']}, exclude_oauth_signature=False))['oauth_signature']
    theirs = S.sign_hmac_sha1(base, job['consumer_secret'], job['token_secret'])
    if ours != theirs:
        problems.append('signature: oauthlib ' + theirs + ' dspec ' + ours)
    # And oauthlib's verifier on the whole request.
    request = Request(job['url'], job['method'], job['body'] if form else None, headers)
    request.params = [(k, v) for k, v in params]
    request.signature = ours
    if not S.verify_hmac_sha1(request, job['consumer_secret'], job['token_secret']):
        problems.append('verify_hmac_sha1 rejects the request')
    if S.verify_hmac_sha1(request, job['consumer_secret'] + 'x', job['token_secret']):
        problems.append('verify_hmac_sha1 accepts another consumer secret')
    print('\\n'.join(problems) or 'ok'); sys.exit(1 if problems else 0)
    """

    func checkWithOauthlib(_ request: RenderedRequest, consumerSecret: String, tokenSecret: String) throws {
        let r = try python(Self.oauthlibScript, job: Self.job(request, [("consumer_secret", .string(consumerSecret)), ("token_secret", .string(tokenSecret))]),
                           module: "oauthlib", package: "oauthlib")
        XCTAssertEqual(r.status, 0, r.output)
    }

    func testOAuth1JSONBodyMatchesOauthlib() throws {
        let request = try render(Self.oauth1Spec(format: "json"), secrets: [("consumer_secret", "cs/+ secret"), ("token_secret", "ts&secret")],
                                 environment: FixedRenderEnvironment(timestamp: Self.time))
        let auth = try XCTUnwrap(request.header("Authorization"))
        XCTAssertTrue(auth.hasPrefix(#"OAuth oauth_consumer_key="key%20with%20space", oauth_nonce=""#), auth)
        XCTAssertFalse(request.signingStringText?.contains("user") ?? true, "a JSON body is not signed")
        try checkWithOauthlib(request, consumerSecret: "cs/+ secret", tokenSecret: "ts&secret")
    }

    func testOAuth1FormBodyParametersAreSignedAsOauthlibDoes() throws {
        let request = try render(Self.oauth1Spec(format: "form"), secrets: [("consumer_secret", "cs"), ("token_secret", "ts")])
        XCTAssertTrue(request.signingStringText?.contains("note%3Da%252Bb%2520c%2526d%253De~%252A") ?? false, request.signingStringText ?? "")
        try checkWithOauthlib(request, consumerSecret: "cs", tokenSecret: "ts")
    }

    func testOAuth1TwoLeggedMatchesOauthlib() throws {
        let request = try render(Self.oauth1Spec(format: "json", token: false), secrets: [("consumer_secret", "cs")])
        XCTAssertFalse(request.header("Authorization")?.contains("oauth_token") ?? true)
        try checkWithOauthlib(request, consumerSecret: "cs", tokenSecret: "")
    }

    /// Fixtures derive the nonce (same bytes every render, different per request); delivery
    /// draws a random one on every attempt.
    func testOAuth1NonceIsFixedInFixturesAndRandomAtDelivery() throws {
        let fixed = FixedRenderEnvironment()
        XCTAssertEqual(fixed.nonce(forRequestID: "a", timestamp: 1), fixed.nonce(forRequestID: "a", timestamp: 1))
        XCTAssertNotEqual(fixed.nonce(forRequestID: "a", timestamp: 1), fixed.nonce(forRequestID: "b", timestamp: 1))
        XCTAssertNotEqual(fixed.nonce(forRequestID: "a", timestamp: 1), fixed.nonce(forRequestID: "a", timestamp: 2))
        XCTAssertEqual(fixed.nonce(forRequestID: "a", timestamp: 1).count, 32)
        let system = SystemRenderEnvironment()
        XCTAssertNotEqual(system.nonce(forRequestID: "a", timestamp: 1), system.nonce(forRequestID: "a", timestamp: 1))
        let spec = Self.oauth1Spec(format: "json")
        let secrets = [("consumer_secret", "cs"), ("token_secret", "ts")]
        XCTAssertEqual(try render(spec, secrets: secrets, environment: fixed).header("Authorization"),
                       try render(spec, secrets: secrets, environment: fixed).header("Authorization"))
        XCTAssertNotEqual(try render(spec, secrets: secrets, environment: system).header("Authorization"),
                          try render(spec, secrets: secrets, environment: system).header("Authorization"))
    }

    // MARK: Azure SAS

    static func sasSpec(resource: String, expiry: String = "") -> String {
        """
        {"dspec": 1, "name": "sas", "secrets": {"sas_key": {}},
         "endpoint": {"url": "https://dspec-ns.servicebus.windows.net/hub-1/messages", "query": {"api-version": "2014-01"}},
         "auth": {"type": "azure_sas", "key_name": "Send.Policy_1-x", "key": "{{@secrets.sas_key}}", "resource": "\(resource)"\(expiry)},
         "payload": {"format": "json", "mapping": {"event": {"@path": "event"}}}}
        """
    }

    static let azureScript = """
    import sys, json
    from azure.eventhub._pyamqp.utils import generate_sas_token
    job = json.load(sys.stdin)
    token = generate_sas_token(job['resource'], job['key_name'], job['key'], job['expiry'])
    sent = dict(job['headers'])['Authorization']
    if token != sent:
        print('azure-eventhub: ' + token + '\\ndspec:         ' + sent); sys.exit(1)
    print('ok')
    """

    func testSASMatchesAzureEventHubsSDK() throws {
        for (resource, key, expiry) in [("https://dspec-ns.servicebus.windows.net/hub-1", "k3y+/base64ish=", 3600),
                                         ("sb://Dspec-NS.servicebus.windows.net/Hub 1/~x*", "plain key", 60)] {
            let request = try render(Self.sasSpec(resource: resource, expiry: ", \"expiry_seconds\": \(expiry)"), secrets: [("sas_key", key)])
            let value = try XCTUnwrap(request.header("Authorization"))
            XCTAssertTrue(value.hasPrefix("SharedAccessSignature sr="), value)
            XCTAssertTrue(value.hasSuffix("&se=\(Self.time + Int64(expiry))&skn=Send.Policy_1-x"), value)
            let job = Self.job(request, [("resource", .string(resource)), ("key_name", "Send.Policy_1-x"), ("key", .string(key)),
                                         ("expiry", .int(Int(Self.time) + expiry))])
            let r = try python(Self.azureScript, job: job, module: "azure.eventhub", package: "azure-eventhub")
            XCTAssertEqual(r.status, 0, r.output)
        }
    }

    /// Microsoft's documented algorithm (the Python sample of "Generate SAS token"), computed
    /// here with DSCrypto's HMAC: the signed string is the encoded resource, LF, the expiry.
    func testSASSignedStringAndDefaultExpiry() throws {
        let request = try render(Self.sasSpec(resource: "https://dspec-ns.servicebus.windows.net/hub-1"), secrets: [("sas_key", "key")])
        let expiry = Self.time + 3600
        let sr = "https%3A%2F%2Fdspec-ns.servicebus.windows.net%2Fhub-1"
        XCTAssertEqual(request.signingStringText, "\(sr)\n\(expiry)")
        let sig = Base64.encode(HMAC.authenticationCode(.sha256, key: Array("key".utf8), message: Array("\(sr)\n\(expiry)".utf8)))
        let encoded = sig.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: "/", with: "%2F").replacingOccurrences(of: "=", with: "%3D")
        XCTAssertEqual(request.header("Authorization"), "SharedAccessSignature sr=\(sr)&sig=\(encoded)&se=\(expiry)&skn=Send.Policy_1-x")
    }
}
