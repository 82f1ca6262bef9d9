import DeliverySpec
import DSConformance
@testable import DSMock
import DSRuntime
import Foundation
import XCTest

/// `token_request` (issue 13): token requests with a JSON body (Salesforce Marketing Cloud
/// `/v2/token`) or a form with another grant type and extra parameters (Zoom
/// `account_credentials`), sent by the real runtime over loopback to the mock's token
/// endpoint, and the bytes that arrived parsed by Python's own `json` / `urllib.parse`.
final class TokenRequestEncodingTests: XCTestCase {
    static let marketingCloud = #"""
    {"dspec": 1, "name": "sfmc",
     "settings": {"client_id": {"type": "string", "required": true}, "account_id": {"type": "integer", "required": true}},
     "secrets": {"client_secret": {}},
     "endpoint": {"url": "https://mc-tenant.rest.marketingcloudapis.com/interaction/v1/events"},
     "auth": {"type": "oauth2_client_credentials", "token_url": "https://mc-tenant.auth.marketingcloudapis.com/v2/token",
              "client_id": "{{@settings.client_id}}", "client_secret": "{{@secrets.client_secret}}", "client_auth": "body",
              "token_request": {"encoding": "json", "parameters": {"account_id": "{{@settings.account_id}}"}}},
     "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}}}}
    """#

    static let zoom = #"""
    {"dspec": 1, "name": "zoom",
     "settings": {"client_id": {"type": "string", "required": true}, "account_id": {"type": "string", "required": true}},
     "secrets": {"client_secret": {}},
     "endpoint": {"url": "https://api.zoom.us/v2/users"},
     "auth": {"type": "oauth2_client_credentials", "token_url": "https://zoom.us/oauth/token",
              "client_id": "{{@settings.client_id}}", "client_secret": "{{@secrets.client_secret}}",
              "token_request": {"grant_type": "account_credentials", "parameters": {"account_id": "{{@settings.account_id}}"}}},
     "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}}}}
    """#

    /// Parses a token request the way a Python server would, independently of dspec: by
    /// Content-Type, `json.loads` or `urllib.parse.parse_qsl(strict_parsing=True)`, and the
    /// Basic credentials with `base64`; prints what it found as JSON.
    static let parser = #"""
import base64, json, sys, urllib.parse
content_type, authorization = sys.argv[1], sys.argv[2]
body = sys.stdin.buffer.read()
if content_type == "application/json":
    params = json.loads(body.decode("utf-8"))
    assert isinstance(params, dict)
elif content_type == "application/x-www-form-urlencoded":
    pairs = urllib.parse.parse_qsl(body.decode("ascii"), strict_parsing=True, keep_blank_values=True)
    params = dict(pairs)
    assert len(params) == len(pairs), "duplicate parameter"
else:
    raise SystemExit("unexpected Content-Type " + content_type)
basic = None
if authorization.startswith("Basic "):
    user, _, password = base64.b64decode(authorization[6:], validate=True).decode("utf-8").partition(":")
    basic = [urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password)]
print(json.dumps({"params": params, "basic": basic}, sort_keys=True))
"""#

    static func compile(_ text: String) throws -> DeliveryPlan {
        let source = SourceFile(path: "inline.json", text: text)
        let diagnostics = DiagnosticCollector(source: source)
        guard let plan = SpecCompiler().compile(source, diagnostics: diagnostics).plan else {
            XCTFail(diagnostics.sorted.map { "\($0.code): \($0.message)" }.joined(separator: "; "))
            throw XCTSkip("uncompilable")
        }
        return plan
    }

    /// Fetches a token with the runtime against the mock built from the plan; returns the
    /// token request as the mock received it.
    func fetchFromMock(_ plan: DeliveryPlan, settings: JSONObject, secret: String) async throws -> MockRequest {
        var mockSettings: [String: JSONValue] = [:]
        for (k, v) in settings { mockSettings[k] = v }
        let verifier = MockVerifier(plan: plan, secrets: ["client_secret": secret], settings: mockSettings)
        let server = try MockServer.start(scenario: .always(202), verifier: verifier)
        defer { server.stop() }
        let transport = LoopbackRedirectTransport(baseURL: "http://127.0.0.1:\(server.port)", inner: SocketHTTPTransport())
        let templates = CredentialTemplates(plan: plan, settings: settings, secrets: JSONObject([("client_secret", .string(secret))]))
        let provider = try XCTUnwrap(try TokenProviderFactory.provider(for: plan, templates: templates, store: nil, transport: transport, clock: SystemClock()))
        let token = try await provider.accessToken()
        XCTAssertTrue(token.hasPrefix("mock-at-"), token)
        let entry = try XCTUnwrap(server.journal.first(where: \.isTokenRequest))
        XCTAssertEqual(entry.failedChecks.map(\.detail), [])
        return entry.request
    }

    func parse(_ request: MockRequest) throws -> JSONValue {
        let (status, output) = try AuthReachPython.run(Self.parser, [request.header("Content-Type") ?? "", request.header("Authorization") ?? ""], stdin: request.body)
        XCTAssertEqual(status, 0, output)
        return try JSONParser().parseValue(Array(output.utf8))
    }

    func testMarketingCloudJSONTokenRequest() async throws {
        let plan = try Self.compile(Self.marketingCloud)
        XCTAssertEqual(try DeliveryPlan(json: try JSONParser().parseValue(plan.canonicalJSON)).auth, plan.auth, "token_request survives the plan file")
        let request = try await fetchFromMock(plan, settings: JSONObject([("client_id", "mc-client"), ("account_id", .int(514009876))]), secret: "s3cr3t&+")
        XCTAssertEqual(request.header("Content-Type"), "application/json")
        XCTAssertNil(request.header("Authorization"))
        let parsed = try parse(request)
        XCTAssertEqual(parsed["params"], .object(JSONObject([("account_id", .int(514009876)), ("client_id", "mc-client"), ("client_secret", "s3cr3t&+"),
                                                              ("grant_type", "client_credentials")])),
                       "account_id stays a JSON number, as the Marketing Cloud docs type it")
        XCTAssertEqual(parsed["basic"], .null)

        // The mock built from this plan refuses a form body and a wrong account_id.
        let mockSettings: [String: JSONValue] = ["client_id": "mc-client", "account_id": .int(514009876)]
        let authority = MockTokenAuthority(configuration: try XCTUnwrap(MockVerifier(plan: plan, secrets: ["client_secret": "s3cr3t&+"], settings: mockSettings).oauth))
        func post(_ contentType: String, _ body: String) -> (Int, String) {
            let r = authority.handle(MockRequest(method: "POST", target: "/v2/token", headers: [MockHeader(name: "Content-Type", value: contentType)], body: Array(body.utf8)))
            return (r.response.status, String(decoding: r.response.body, as: UTF8.self))
        }
        XCTAssertEqual(post("application/json", #"{"grant_type":"client_credentials","client_id":"mc-client","client_secret":"s3cr3t&+","account_id":514009876}"#).0, 200)
        let form = post("application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=mc-client&client_secret=s3cr3t%26%2B&account_id=514009876")
        XCTAssertEqual(form.0, 400)
        XCTAssertTrue(form.1.contains("Content-Type must be application/json"), form.1)
        let wrong = post("application/json", #"{"grant_type":"client_credentials","client_id":"mc-client","client_secret":"s3cr3t&+","account_id":1}"#)
        XCTAssertEqual(wrong.0, 400)
        XCTAssertTrue(wrong.1.contains("account_id does not carry the expected value"), wrong.1)
    }

    func testZoomAccountCredentialsFormTokenRequest() async throws {
        let plan = try Self.compile(Self.zoom)
        let request = try await fetchFromMock(plan, settings: JSONObject([("client_id", "zoom-client"), ("account_id", "gYz8S9w5Q5yrDoIvmdClYw")]), secret: "zs:ecret")
        XCTAssertEqual(request.header("Content-Type"), "application/x-www-form-urlencoded")
        let parsed = try parse(request)
        XCTAssertEqual(parsed["params"], .object(JSONObject([("account_id", "gYz8S9w5Q5yrDoIvmdClYw"), ("grant_type", "account_credentials")])))
        XCTAssertEqual(parsed["basic"], ["zoom-client", "zs:ecret"])

        // The plain client_credentials grant is not what this plan's endpoint takes.
        let authority = MockTokenAuthority(configuration: try XCTUnwrap(
            MockVerifier(plan: plan, secrets: ["client_secret": "zs:ecret"], settings: ["client_id": "zoom-client", "account_id": "gYz8S9w5Q5yrDoIvmdClYw"]).oauth))
        let basic = "Basic " + Base64.encode(Array("zoom-client:zs%3Aecret".utf8))
        let r = authority.handle(MockRequest(method: "POST", target: "/oauth/token", headers: [MockHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                                                                                               MockHeader(name: "Authorization", value: basic)],
                                             body: Array("grant_type=client_credentials&account_id=gYz8S9w5Q5yrDoIvmdClYw".utf8)))
        XCTAssertEqual(r.response.status, 400)
        XCTAssertTrue(String(decoding: r.response.body, as: UTF8.self).contains("unsupported_grant_type"))
    }

    /// `--endpoint-override` sends a `token_request` plan's token request to the loopback
    /// receiver too (same path, the plan's JSON encoding), with no redirecting transport.
    func testEndpointOverrideAppliesToJSONTokenRequest() async throws {
        let plan = try Self.compile(Self.marketingCloud)
        let settings = JSONObject([("client_id", "mc-client"), ("account_id", .int(514009876))])
        let verifier = MockVerifier(plan: plan, secrets: ["client_secret": "s3cr3t"], settings: ["client_id": "mc-client", "account_id": .int(514009876)])
        let server = try MockServer.start(scenario: .always(202), verifier: verifier)
        defer { server.stop() }
        let templates = CredentialTemplates(plan: plan, settings: settings, secrets: JSONObject([("client_secret", "s3cr3t")]))
        let provider = try XCTUnwrap(try TokenProviderFactory.provider(for: plan, templates: templates, store: nil, transport: SocketHTTPTransport(),
                                                                      clock: SystemClock(), endpointOverride: try EndpointOverride("http://127.0.0.1:\(server.port)")))
        let token = try await provider.accessToken()
        XCTAssertTrue(token.hasPrefix("mock-at-"), token)
        let entry = try XCTUnwrap(server.journal.first(where: \.isTokenRequest))
        XCTAssertEqual(entry.request.target, "/v2/token")
        XCTAssertEqual(entry.request.header("Content-Type"), "application/json")
        XCTAssertEqual(entry.failedChecks.map(\.detail), [])
    }

    /// A token parameter that references a secret is kept out of token errors, even when the
    /// endpoint echoes the body back as it was sent (form-encoded or JSON-escaped); the plan
    /// holds the reference, never the value.
    func testSecretTokenParameterIsRedactedInErrors() async throws {
        struct Echo: HTTPTransport {
            func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
                let body = String(decoding: request.body, as: UTF8.self)
                let description = JSONWriter.string(.string("bad request: " + body))
                return HTTPResponse(status: 400, headers: [HTTPHeaderField(name: "Content-Type", value: "application/json")],
                                    body: Array(#"{"error": "invalid_request", "error_description": \#(description)}"#.utf8))
            }
        }
        for (encoding, sent) in [("form", "account_key=<redacted>"), ("json", #""account_key":"<redacted>""#)] {
            let spec = Self.zoom.replacingOccurrences(of: #""secrets": {"client_secret": {}}"#, with: #""secrets": {"client_secret": {}, "account_key": {}}"#)
                .replacingOccurrences(of: #""parameters": {"account_id": "{{@settings.account_id}}"}"#,
                                      with: #""encoding": "\#(encoding)", "parameters": {"account_id": "{{@settings.account_id}}", "account_key": "key-{{@secrets.account_key}}"}"#)
            let plan = try Self.compile(spec)
            XCTAssertFalse(String(decoding: plan.canonicalJSON, as: UTF8.self).contains("p4ss-w0rd"))
            XCTAssertTrue(String(decoding: plan.canonicalJSON, as: UTF8.self).contains("key-{{@secrets.account_key}}"))
            let templates = CredentialTemplates(plan: plan, settings: JSONObject([("client_id", "zoom-client"), ("account_id", "acct")]),
                                                secrets: JSONObject([("client_secret", "zs"), ("account_key", "p4ss-w0rd &+\\\"")]))
            let provider = try XCTUnwrap(try TokenProviderFactory.provider(for: plan, templates: templates, store: nil, transport: Echo(), clock: SystemClock()))
            do {
                _ = try await provider.accessToken()
                XCTFail("a 400 from the token endpoint is an error")
            } catch {
                let message = "\(error)"
                XCTAssertTrue(message.contains(sent), "\(encoding): \(message)")
                XCTAssertFalse(message.contains("p4ss"), "\(encoding): \(message)")
            }
        }
    }

    func testTokenRequestCannotOverrideStandardParameters() throws {
        let text = Self.zoom.replacingOccurrences(of: #""parameters": {"account_id""#, with: #""parameters": {"client_secret": "x", "account_id""#)
        let source = SourceFile(path: "inline.json", text: text)
        let diagnostics = DiagnosticCollector(source: source)
        XCTAssertNil(SpecCompiler().compile(source, diagnostics: diagnostics).plan)
        let messages = diagnostics.sorted.map(\.message)
        XCTAssertTrue(messages.contains { $0.hasPrefix(#"token_request.parameters cannot set "client_secret""#) }, "\(messages)")
    }
}

/// Runs Python scripts for the auth-reach tests; exit status 77 skips.
enum AuthReachPython {
    static func run(_ script: String, _ arguments: [String], stdin: [UInt8] = []) throws -> (status: Int32, output: String) {
        // The python3 on PATH first, then the system one.
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        guard let python = (path + ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"]).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("python3 is not installed")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script] + arguments
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 77 { throw XCTSkip(String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }
        return (process.terminationStatus, String(decoding: out, as: UTF8.self) + String(decoding: err, as: UTF8.self))
    }
}
