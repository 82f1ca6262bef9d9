import DSCrypto
import Foundation
import DSJSON
import DSRender
@testable import DSRuntime
@testable import DSRuntimePOSIX
import XCTest

/// Token grants, caching, single-flight refresh, refresh_auth and refresh-token rotation.
final class OAuthTests: XCTestCase {
    private func form(_ request: RenderedRequest) -> [String: String] {
        var out: [String: String] = [:]
        for pair in request.bodyText.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            out[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        return out
    }

    private static func tokenAnswer(_ token: String, expiresIn: Int = 3600, refresh: String? = nil) -> ScriptedTransport.Answer {
        var body = #"{"access_token":"\#(token)","token_type":"Bearer","expires_in":\#(expiresIn)"#
        if let refresh { body += #","refresh_token":"\#(refresh)""# }
        return RuntimeTestSupport.response(200, body + "}")
    }

    func testClientCredentialsWithBasicAndBodyClientAuth() async throws {
        for clientAuth in ["basic", "body"] {
            let transport = ScriptedTransport { _, _ in Self.tokenAnswer("at-1") }
            let grant = ClientCredentialsGrant(endpoint: TokenEndpoint(url: "https://auth.example.com/token", transport: transport),
                                               clientID: "client 1", clientSecret: "s3cr3t&", clientAuth: clientAuth, scope: "read write", audience: "https://api.example.com")
            let token = try await grant.fetch()
            XCTAssertEqual(token.accessToken, "at-1")
            let request = try XCTUnwrap(transport.requests.first)
            XCTAssertEqual(request.header("Content-Type"), "application/x-www-form-urlencoded")
            let fields = form(request)
            XCTAssertEqual(fields["grant_type"], "client_credentials")
            XCTAssertEqual(fields["scope"], "read write")
            XCTAssertEqual(fields["audience"], "https://api.example.com")
            if clientAuth == "basic" {
                XCTAssertEqual(request.header("Authorization"), "Basic " + Base64.encode(Array("client+1:s3cr3t%26".utf8)))
                XCTAssertNil(fields["client_secret"])
            } else {
                XCTAssertNil(request.header("Authorization"))
                XCTAssertEqual(fields["client_id"], "client 1")
                XCTAssertEqual(fields["client_secret"], "s3cr3t&")
            }
        }
    }

    func testConcurrentCallersShareOneFetchAndTokensRefreshAheadOfExpiry() async throws {
        let clock = VirtualClock()
        let transport = ScriptedTransport { _, call in Self.tokenAnswer("at-\(call + 1)", expiresIn: 600) }
        let provider = CachedTokenProvider(grant: ClientCredentialsGrant(endpoint: TokenEndpoint(url: "https://auth.example.com/token", transport: transport),
                                                                         clientID: "c", clientSecret: "s", clientAuth: "basic", scope: nil, audience: nil), clock: clock)
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await provider.accessToken() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(Set(tokens), ["at-1"])
        let fetched = await provider.fetchCount
        XCTAssertEqual(fetched, 1)
        clock.advance(by: .seconds(539))
        let stillCached = try await provider.accessToken()
        XCTAssertEqual(stillCached, "at-1")
        clock.advance(by: .seconds(1))  // 60 s before expiry
        let refreshed = try await provider.accessToken()
        XCTAssertEqual(refreshed, "at-2")
    }

    func testRefreshAuthFetchesANewTokenAndRetriesOnce() async throws {
        let plan = try RuntimeTestSupport.plan(auth: #"{"type": "oauth2_client_credentials", "token_url": "https://auth.example.com/token", "client_id": "cid", "client_secret": "{{@secrets.client_secret}}"}"#,
                                               secrets: #"{"client_secret": {}}"#)
        let apiCalls = Locked(0)
        let transport = ScriptedTransport { request, _ in
            if request.url.hasSuffix("/token") { return Self.tokenAnswer("at-\(request.bodyText.count)-\(UUID().uuidString.prefix(4))") }
            let n = apiCalls.withLock { $0 += 1; return $0 }
            return RuntimeTestSupport.response(n == 1 ? 401 : 200)
        }
        let renderer = try RuntimeTestSupport.renderer(plan, secrets: [("client_secret", "cs-1")])
        let templates = CredentialTemplates(plan: plan, settings: JSONObject(), secrets: JSONObject([("client_secret", "cs-1")]))
        let clock = VirtualClock(autoAdvance: true)
        let tokens = try XCTUnwrap(try TokenProviderFactory.provider(for: plan, templates: templates, store: nil, transport: transport, clock: clock))
        let (counts, _) = await RuntimeTestSupport.deliver(renderer, RuntimeTestSupport.events(1), transport: transport, clock: clock, tokens: tokens)
        XCTAssertEqual(counts.delivered, 1)
        let api = transport.requests.filter { !$0.url.hasSuffix("/token") }
        XCTAssertEqual(api.count, 2)
        XCTAssertNotEqual(api[0].header("Authorization"), api[1].header("Authorization"), "the retry carries the new token")
        XCTAssertEqual(transport.requests.filter { $0.url.hasSuffix("/token") }.count, 2)

        // A second 401 after the refresh drops the events.
        let always401 = ScriptedTransport { request, _ in request.url.hasSuffix("/token") ? Self.tokenAnswer("t") : RuntimeTestSupport.response(401) }
        let tokens2 = try XCTUnwrap(try TokenProviderFactory.provider(for: plan, templates: templates, store: nil, transport: always401, clock: clock))
        let (counts2, fates2) = await RuntimeTestSupport.deliver(renderer, RuntimeTestSupport.events(1), transport: always401, clock: clock, tokens: tokens2)
        XCTAssertEqual(counts2.deadLettered, 1)
        XCTAssertTrue(fates2.deadLetters[0].reason.contains("again after refreshing"), fates2.deadLetters[0].reason)
    }

    func testRotatedRefreshTokenIsWrittenBackToTheSecretsFile() async throws {
        let path = NSTemporaryDirectory() + "dspec-secrets-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try #"{"client_secret": "cs", "refresh_token": "rt-1"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let store = try JSONFileSecretStore(path: path)
        let transport = ScriptedTransport { _, call in Self.tokenAnswer("at-\(call)", refresh: "rt-\(call + 2)") }
        let grant = RefreshTokenGrant(endpoint: TokenEndpoint(url: "https://auth.example.com/token", transport: transport), clientID: "cid", clientSecret: "cs",
                                      clientAuth: "body", refreshToken: "rt-1", rotates: true, scope: nil, store: store, secretName: "refresh_token")
        _ = try await grant.fetch()
        _ = try await grant.fetch()
        XCTAssertEqual(transport.requests.map { form($0)["refresh_token"] }, ["rt-1", "rt-2"], "each refresh uses the token the last one returned")
        XCTAssertEqual(form(transport.requests[0])["grant_type"], "refresh_token")
        let reread = try JSONFileSecretStore(path: path)
        XCTAssertEqual(reread.value(of: "refresh_token"), "rt-3")
        XCTAssertEqual(reread.value(of: "client_secret"), "cs", "other secrets are kept")
    }

    func testServiceAccountAssertionIsAValidRS256JWT() async throws {
        let key = try RSAPrivateKey.generate(bits: 2048)
        let keyJSON = JSONWriter.string(.object(JSONObject([
            ("type", "service_account"), ("client_email", "dspec@project.iam.gserviceaccount.com"), ("private_key_id", "kid-1"),
            ("private_key", .string(key.privateKeyPEM)), ("token_uri", "https://oauth2.example.com/token"),
        ])))
        let transport = ScriptedTransport { _, _ in Self.tokenAnswer("ya29.token") }
        let clock = VirtualClock(unixEpoch: 1_767_225_600)
        let grant = ServiceAccountGrant(key: try ServiceAccountGrant.KeyFile(json: keyJSON), scope: "https://www.googleapis.com/auth/adwords", audience: nil,
                                        tokenURL: nil, lifetimeSeconds: 1800, transport: transport, clock: clock)
        let fetched = try await grant.fetch()
        XCTAssertEqual(fetched.accessToken, "ya29.token")
        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.url, "https://oauth2.example.com/token")
        let fields = form(request)
        XCTAssertEqual(fields["grant_type"], "urn:ietf:params:oauth:grant-type:jwt-bearer")
        let parts = try XCTUnwrap(fields["assertion"]).split(separator: ".").map(String.init)
        XCTAssertEqual(parts.count, 3)
        XCTAssertTrue(key.publicKey.verifySHA256(signature: Base64.decode(parts[2]) ?? [], message: Array((parts[0] + "." + parts[1]).utf8)))
        let header = try JSONParser().parseValue(Base64.decode(parts[0]) ?? [])
        XCTAssertEqual(header["alg"], "RS256")
        XCTAssertEqual(header["kid"], "kid-1")
        let claims = try JSONParser().parseValue(Base64.decode(parts[1]) ?? [])
        XCTAssertEqual(claims["iss"], "dspec@project.iam.gserviceaccount.com")
        XCTAssertEqual(claims["scope"], "https://www.googleapis.com/auth/adwords")
        XCTAssertEqual(claims["aud"], "https://oauth2.example.com/token")
        XCTAssertEqual(claims["iat"], .int(1_767_225_600))
        XCTAssertEqual(claims["exp"], .int(1_767_225_600 + 1800))
    }

    /// `subject` becomes the assertion's `sub` claim (Google domain-wide delegation,
    /// Salesforce's JWT bearer flow). Verified with Google's own library (google-auth's
    /// `google.auth.jwt.decode`: RS256 signature, audience, then the claims) when installed.
    func testServiceAccountSubjectClaimVerifiesWithGoogleAuth() async throws {
        let key = try RSAPrivateKey.generate(bits: 2048)
        let keyJSON = JSONWriter.string(.object(JSONObject([
            ("type", "service_account"), ("client_email", "dspec@project.iam.gserviceaccount.com"), ("private_key_id", "kid-1"),
            ("private_key", .string(key.privateKeyPEM)), ("token_uri", "https://oauth2.example.com/token"),
        ])))
        let transport = ScriptedTransport { _, _ in Self.tokenAnswer("ya29.token") }
        let grant = ServiceAccountGrant(key: try ServiceAccountGrant.KeyFile(json: keyJSON), scope: "https://www.googleapis.com/auth/admin.directory.user",
                                        audience: nil, tokenURL: nil, lifetimeSeconds: 3600, transport: transport,
                                        clock: VirtualClock(unixEpoch: 1_767_225_600), subject: "admin@example.com")
        _ = try await grant.fetch()
        let jwt = try XCTUnwrap(form(try XCTUnwrap(transport.requests.first))["assertion"])
        let claims = try JSONParser().parseValue(Base64.decode(String(jwt.split(separator: ".")[1])) ?? [])
        XCTAssertEqual(claims["sub"], "admin@example.com")
        XCTAssertEqual(claims["iss"], "dspec@project.iam.gserviceaccount.com")
        // Without a subject there is no sub claim.
        let plain = ServiceAccountGrant(key: try ServiceAccountGrant.KeyFile(json: keyJSON), scope: "s", audience: nil, tokenURL: nil, lifetimeSeconds: 3600,
                                        transport: transport, clock: VirtualClock(unixEpoch: 1_767_225_600))
        XCTAssertNil(try JSONParser().parseValue(Base64.decode(String(try plain.assertion(now: 1_767_225_600).split(separator: ".")[1])) ?? [])["sub"])

        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        guard let python = (onPath + ["/usr/bin/python3"]).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("python3 is not installed")
        }
        let script = """
        import sys
        try:
            import google.auth.jwt as gjwt
        except ImportError:
            sys.exit(3)
        claims = gjwt.decode(sys.argv[1], certs=sys.argv[2], audience='https://oauth2.example.com/token', clock_skew_in_seconds=10**9)
        print(claims['sub']); sys.exit(0 if claims['sub'] == 'admin@example.com' and claims['iss'] == 'dspec@project.iam.gserviceaccount.com' else 1)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, jwt, key.publicKeyPEM]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 3 { throw XCTSkip("google-auth is not installed (pip install google-auth)") }
        XCTAssertEqual(process.terminationStatus, 0, text)
    }

    func testTokenEndpointErrorsNameTheProblemWithoutSecrets() async throws {
        let transport = ScriptedTransport { _, _ in
            RuntimeTestSupport.response(401, #"{"error":"invalid_client","error_description":"client secret sup3r-secret is wrong"}"#)
        }
        let grant = ClientCredentialsGrant(endpoint: TokenEndpoint(url: "https://auth.example.com/token", transport: transport), clientID: "c",
                                           clientSecret: "sup3r-secret", clientAuth: "basic", scope: nil, audience: nil)
        do {
            _ = try await grant.fetch()
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.message, "token endpoint https://auth.example.com/token answered 401: invalid_client (client secret <redacted> is wrong)")
        }
        XCTAssertThrowsError(try CredentialTemplates(plan: try RuntimeTestSupport.plan(), settings: JSONObject(), secrets: JSONObject())
            .resolve("{{@secrets.client_secret}}", field: "client_secret")) { error in
            XCTAssertEqual((error as? OAuthError)?.message, #"auth.client_secret: secret "client_secret" has no value; supply it in the secrets file"#)
        }
    }
}
