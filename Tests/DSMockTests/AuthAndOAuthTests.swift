import DSCrypto
import DSJSON
import DSPlan
import Foundation
import XCTest

@testable import DSMock

/// Static credential checks and the OAuth 2.0 token endpoint, over real sockets.
final class AuthAndOAuthTests: XCTestCase {
    func request(_ headers: [(String, String)], target: String = "/v1/events") -> MockRequest {
        MockRequest(method: "POST", target: target, headers: headers.map { MockHeader(name: $0.0, value: $0.1) }, body: [])
    }

    func testBearerBasicAndAPIKeyChecks() {
        let bearer = MockVerifier(plan: makePlan(auth: .bearer(token: "{{@secrets.t}}")), secrets: ["t": "tok-1"])
        XCTAssertEqual(bearer.check(request([("Authorization", "Bearer tok-1")])).first?.passed, true)
        XCTAssertEqual(bearer.check(request([("Authorization", "Bearer tok-2")])).first?.passed, false)
        XCTAssertEqual(bearer.check(request([])).first?.detail, "missing Authorization")

        let basic = MockVerifier(plan: makePlan(auth: .basic(username: "{{@settings.site}}", password: "{{@secrets.p}}"),
                                                settings: [PlanSetting(name: "site", type: "string", required: false, defaultValue: "site-9", allowed: nil)]),
                                 secrets: ["p": "pw"])
        XCTAssertEqual(basic.check(request([("Authorization", "Basic " + Base64.encode(Array("site-9:pw".utf8)))])).first?.passed, true)
        XCTAssertEqual(basic.check(request([("Authorization", "Basic " + Base64.encode(Array("site-9:px".utf8)))])).first?.passed, false)

        let header = MockVerifier(plan: makePlan(auth: .apiKey(location: "header", name: "X-Api-Key", value: "{{@secrets.k}}", prefix: "Token ")), secrets: ["k": "abc"])
        XCTAssertEqual(header.check(request([("x-api-key", "Token abc")])).first?.passed, true)
        XCTAssertEqual(header.check(request([("X-Api-Key", "abc")])).first?.passed, false)

        let query = MockVerifier(plan: makePlan(auth: .apiKey(location: "query", name: "api_secret", value: "{{@secrets.k}}", prefix: "")), secrets: ["k": "a b&c"])
        XCTAssertEqual(query.check(request([], target: "/mp/collect?measurement_id=G-1&api_secret=a%20b%26c")).first?.passed, true)
        XCTAssertEqual(query.check(request([], target: "/mp/collect?api_secret=abc")).first?.passed, false)
        XCTAssertEqual(query.check(request([], target: "/mp/collect")).first?.passed, false)
    }

    /// A failed credential check says which credential, never anything about its value
    /// (not even its length); the verifier's redactor hides the secret in log lines,
    /// percent-encoded in a query string included.
    func testCheckFailuresAndLogsDoNotDescribeTheSecret() {
        let bearer = MockVerifier(plan: makePlan(auth: .bearer(token: "{{@secrets.t}}")), secrets: ["t": "tok-123456"])
        let failed = bearer.check(request([("Authorization", "Bearer wrong")])).first
        XCTAssertEqual(failed?.detail, "Authorization does not carry the expected credential")
        let query = MockVerifier(plan: makePlan(auth: .apiKey(location: "query", name: "api_secret", value: "{{@secrets.k}}", prefix: "")), secrets: ["k": "a b&c-secret"])
        XCTAssertEqual(query.redactor.redact("POST /mp/collect?api_secret=a%20b%26c-secret -> 200"), "POST /mp/collect?api_secret=<redacted:k> -> 200")
    }

    func testCredentialTemplateReadingEventFieldsIsANoteNotAFailure() {
        let v = MockVerifier(plan: makePlan(auth: .bearer(token: "{{user_id}}")), secrets: [:])
        XCTAssertTrue(v.check(request([])).isEmpty)
        XCTAssertEqual(v.notes.count, 1)
    }

    // MARK: - Token endpoint

    func form(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0)=\($0.1.addingPercentEncodingForForm())" }.joined(separator: "&")
    }

    func tokenRequest(_ path: String, _ body: String, basic: (String, String)? = nil) -> String {
        var headers = [("Content-Type", "application/x-www-form-urlencoded")]
        if let basic { headers.append(("Authorization", "Basic " + Base64.encode(Array("\(basic.0):\(basic.1)".utf8)))) }
        return post(path, body: body, headers: headers)
    }

    func json(_ r: RawResponse) throws -> JSONValue { try JSONParser().parseValue(r.body) }

    func testClientCredentialsWithBasicAndStaleTokenRejection() throws {
        let plan = makePlan(auth: .oauth2ClientCredentials(tokenURL: "https://auth.example.com/oauth/token", clientID: "{{@settings.id}}",
                                                            clientSecret: "{{@secrets.cs}}", clientAuth: "basic", scope: "events:write", audience: nil),
                            settings: [PlanSetting(name: "id", type: "string", required: true, defaultValue: nil, allowed: nil)])
        let verifier = MockVerifier(plan: plan, secrets: ["cs": "s3cret"], settings: ["id": "client-1"])
        var scenario = try MockScenario(json: #"{"routes": [{"path": "/v1/events", "responses": [{"status": 201}, {"status": 200}]}]}"#)
        var overrides = MockOAuthOverrides()
        overrides.tokenLifetimeMs = 1000
        scenario.oauth = overrides
        let server = try MockServer.start(scenario: scenario, verifier: verifier)
        defer { server.stop() }
        let client = try RawClient(port: server.port)

        // No token yet: 401 from the protected route.
        let denied = try client.roundTrip(post("/v1/events", body: "{}"))
        XCTAssertEqual(denied.status, 401)
        XCTAssertEqual(denied.header("WWW-Authenticate"), "Bearer error=\"invalid_token\"")

        // Form client auth is refused: the plan says basic.
        let wrongMethod = try client.roundTrip(tokenRequest("/oauth/token", form([("grant_type", "client_credentials"), ("client_id", "client-1"),
                                                                                  ("client_secret", "s3cret"), ("scope", "events:write")])))
        XCTAssertEqual(wrongMethod.status, 401)
        XCTAssertEqual(try json(wrongMethod)["error"], "invalid_client")

        let wrongSecret = try client.roundTrip(tokenRequest("/oauth/token", form([("grant_type", "client_credentials"), ("scope", "events:write")]),
                                                            basic: ("client-1", "nope")))
        XCTAssertEqual(wrongSecret.status, 401)

        let wrongScope = try client.roundTrip(tokenRequest("/oauth/token", form([("grant_type", "client_credentials"), ("scope", "admin")]),
                                                           basic: ("client-1", "s3cret")))
        XCTAssertEqual(try json(wrongScope)["error"], "invalid_scope")

        let granted = try client.roundTrip(tokenRequest("/oauth/token", form([("grant_type", "client_credentials"), ("scope", "events:write")]),
                                                        basic: ("client-1", "s3cret")))
        XCTAssertEqual(granted.status, 200, granted.text)
        XCTAssertEqual(granted.header("Cache-Control"), "no-store")
        let body = try json(granted)
        XCTAssertEqual(body["token_type"], "Bearer")
        XCTAssertEqual(body["expires_in"], 3600)
        let token = try XCTUnwrap(body["access_token"]?.stringValue)

        let ok = try client.roundTrip(post("/v1/events", body: "{}", headers: [("Authorization", "Bearer \(token)")]))
        XCTAssertEqual(ok.status, 201, "the earlier 401 did not consume the first scripted response")
        XCTAssertEqual(try client.roundTrip(post("/v1/events", body: "{}", headers: [("Authorization", "Bearer made-up")])).status, 401)

        usleep(1_300_000)  // past the 1 s real lifetime, although expires_in said 3600
        let stale = try client.roundTrip(post("/v1/events", body: "{}", headers: [("Authorization", "Bearer \(token)")]))
        XCTAssertEqual(stale.status, 401)
        XCTAssertTrue(server.journal.last?.failedChecks.first?.detail.contains("expired") ?? false)
        XCTAssertEqual(server.tokenAuthority?.grants["client_credentials"], 1)
        XCTAssertEqual(server.journal.filter(\.isTokenRequest).count, 4)
    }

    func testRefreshTokenRotationInvalidatesTheOldToken() throws {
        let plan = makePlan(auth: .oauth2RefreshToken(tokenURL: "https://api.example.com/oauth/v1/token", clientID: "app", clientSecret: "{{@secrets.cs}}",
                                                       clientAuth: "body", refreshToken: "{{@secrets.rt}}", rotates: true, scope: nil))
        let server = try MockServer.start(scenario: .always(200), verifier: MockVerifier(plan: plan, secrets: ["cs": "csec", "rt": "rt-initial"]))
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        func refresh(_ token: String) throws -> RawResponse {
            try client.roundTrip(tokenRequest("/oauth/v1/token", form([("grant_type", "refresh_token"), ("refresh_token", token),
                                                                       ("client_id", "app"), ("client_secret", "csec")])))
        }
        let first = try refresh("rt-initial")
        XCTAssertEqual(first.status, 200, first.text)
        let rotated = try XCTUnwrap(try json(first)["refresh_token"]?.stringValue)
        XCTAssertNotEqual(rotated, "rt-initial")
        let reused = try refresh("rt-initial")
        XCTAssertEqual(reused.status, 400)
        XCTAssertEqual(try json(reused)["error"], "invalid_grant")
        XCTAssertTrue(try json(reused)["error_description"]?.stringValue?.contains("rotated") ?? false)
        XCTAssertEqual(try refresh(rotated).status, 200)
        XCTAssertEqual(try refresh("never-issued").status, 400)
        XCTAssertEqual(server.tokenAuthority?.grants["refresh_token"], 2)

        let access = try XCTUnwrap(try json(try refresh(server.tokenAuthority?.validRefreshTokens.first ?? "")).dictionaryAccessToken)
        XCTAssertEqual(try client.roundTrip(post("/v1/events", body: "[]", headers: [("Authorization", "Bearer \(access)")])).status, 200)
        server.tokenAuthority?.expireAllAccessTokens()
        XCTAssertEqual(try client.roundTrip(post("/v1/events", body: "[]", headers: [("Authorization", "Bearer \(access)")])).status, 401)
        XCTAssertEqual(try client.roundTrip(tokenRequest("/oauth/v1/token", "grant_type=password")).status, 400)
    }

    // MARK: - JWT bearer

    static let key = try! RSAPrivateKey.generate(bits: 2048)
    static let otherKey = try! RSAPrivateKey.generate(bits: 2048)
    static let now: Int64 = 1_767_225_600

    func assertion(iss: String = "svc@example.iam", aud: String = "https://oauth2.example.com/token", iat: Int64 = now, exp: Int64 = now + 3600,
                   scope: String = "https://www.googleapis.com/auth/adwords", key: RSAPrivateKey = key, sub: String? = nil) throws -> String {
        let header = Base64.encodeURLSafe(Array(#"{"alg":"RS256","typ":"JWT"}"#.utf8))
        var claimObject = JSONObject([("iss", .string(iss)), ("aud", .string(aud)), ("iat", .int(Int(iat))), ("exp", .int(Int(exp))), ("scope", .string(scope))])
        if let sub { claimObject["sub"] = .string(sub) }
        let claims = Base64.encodeURLSafe(JSONWriter.bytes(.object(claimObject)))
        return "\(header).\(claims)." + Base64.encodeURLSafe(try key.signSHA256(Array("\(header).\(claims)".utf8)))
    }

    func testJWTBearerAssertions() throws {
        var config = MockOAuthConfiguration(path: "/token", assertionKeys: ["svc@example.iam": Self.key.publicKey],
                                            assertionAudiences: ["https://oauth2.example.com/token"], requiredScope: "https://www.googleapis.com/auth/adwords")
        config.unixTime = { Self.now + 5 }
        let authority = MockTokenAuthority(configuration: config)
        func exchange(_ jwt: String) -> (Int, JSONValue?) {
            let body = form([("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", jwt)])
            let r = authority.handle(MockRequest(method: "POST", target: "/token", headers: [MockHeader(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                                                 body: Array(body.utf8)))
            return (r.response.status, try? JSONParser().parseValue(r.response.body))
        }
        XCTAssertEqual(exchange(try assertion()).0, 200)
        XCTAssertEqual(exchange(try assertion(iat: Self.now - 3720, exp: Self.now - 120)).0, 400, "expired")
        XCTAssertEqual(exchange(try assertion(iat: Self.now + 600, exp: Self.now + 1200)).0, 400, "issued in the future")
        XCTAssertEqual(exchange(try assertion(exp: Self.now + 7200)).0, 400, "lifetime over an hour")
        XCTAssertEqual(exchange(try assertion(aud: "https://elsewhere")).0, 400, "wrong audience")
        XCTAssertEqual(exchange(try assertion(iss: "stranger@example.iam")).0, 400, "unknown issuer")
        XCTAssertEqual(exchange(try assertion(key: Self.otherKey)).0, 400, "signed with another key")
        XCTAssertEqual(exchange(try assertion(scope: "other")).0, 400, "wrong scope")
        XCTAssertEqual(exchange("a.b").0, 400)
        let (_, error) = exchange(try assertion(key: Self.otherKey))
        XCTAssertEqual(error?["error"], "invalid_grant")
        XCTAssertEqual(authority.grants["urn:ietf:params:oauth:grant-type:jwt-bearer"], 1)
    }

    /// A service account acting for a user (`subject`): the mock requires the plan's `sub`.
    func testServiceAccountSubjectIsRequired() throws {
        let keyFile = JSONWriter.string(["client_email": "svc@example.iam", "private_key": .string(Self.key.privateKeyPEM),
                                         "token_uri": "https://oauth2.example.com/token"])
        let plan = makePlan(auth: .serviceAccount(key: "{{@secrets.sa}}", scope: "https://www.googleapis.com/auth/adwords", audience: nil, tokenURL: nil,
                                                  lifetimeSeconds: 3600, subject: "{{@settings.user}}"),
                            settings: [PlanSetting(name: "user", type: "string", required: true, defaultValue: nil, allowed: nil)])
        let verifier = MockVerifier(plan: plan, secrets: ["sa": keyFile], settings: ["user": "ada@example.com"])
        var config = try XCTUnwrap(verifier.oauth)
        XCTAssertEqual(config.requiredSubject, "ada@example.com")
        config.unixTime = { Self.now + 5 }
        let authority = MockTokenAuthority(configuration: config)
        func status(_ jwt: String) -> Int {
            let body = form([("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", jwt)])
            return authority.handle(MockRequest(method: "POST", target: "/token", headers: [MockHeader(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                                                body: Array(body.utf8))).response.status
        }
        XCTAssertEqual(status(try assertion(sub: "ada@example.com")), 200)
        XCTAssertEqual(status(try assertion(sub: "eve@example.com")), 400, "acting for another user")
        XCTAssertEqual(status(try assertion()), 400, "no sub")
    }

    func testServiceAccountPlanOverTheWire() throws {
        let keyFile = JSONWriter.string(["client_email": "svc@example.iam", "private_key": .string(Self.key.privateKeyPEM),
                                         "token_uri": "https://oauth2.example.com/token"])
        let plan = makePlan(auth: .serviceAccount(key: "{{@secrets.sa}}", scope: "https://www.googleapis.com/auth/adwords", audience: nil, tokenURL: nil,
                                                  lifetimeSeconds: 3600))
        let verifier = MockVerifier(plan: plan, secrets: ["sa": keyFile])
        XCTAssertEqual(verifier.oauth?.path, "/token")
        let now = MonotonicClock.unixTime()
        let server = try MockServer.start(scenario: .always(202), verifier: verifier)
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let jwt = try assertion(iat: now, exp: now + 3600)
        let granted = try client.roundTrip(tokenRequest("/token", form([("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", jwt)])))
        XCTAssertEqual(granted.status, 200, granted.text)
        let token = try XCTUnwrap(try json(granted).dictionaryAccessToken)
        XCTAssertEqual(try client.roundTrip(post("/v1/x", body: "{}", headers: [("Authorization", "Bearer \(token)")])).status, 202)
        XCTAssertTrue(server.journal.allSatisfy { $0.failedChecks.isEmpty })
    }
}

extension JSONValue {
    var dictionaryAccessToken: String? { self["access_token"]?.stringValue }
}

extension String {
    /// Form encoding for test bodies: unreserved characters kept, everything else %XX.
    func addingPercentEncodingForForm() -> String {
        var out = ""
        for b in utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(b)))
            default:
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }
}
