import DSCrypto
import DSJSON

/// The stateful OAuth 2.0 token endpoint: validates token requests, issues opaque access
/// tokens (and rotated refresh tokens) and tells protected routes whether a bearer token is
/// live. Thread-safe; one instance lives for one case (it is replaced on reset).
public final class MockTokenAuthority: @unchecked Sendable {
    /// What it accepts.
    public let configuration: MockOAuthConfiguration
    private let lock = MockLock()
    /// Live access tokens -> monotonic expiry (ns).
    private var accessTokens: [String: UInt64] = [:]
    /// Tokens issued and later expired, rotated or revoked, to tell "stale" from "unknown".
    private var retiredAccessTokens: Set<String> = []
    private var refreshTokens: Set<String>
    private var retiredRefreshTokens: Set<String> = []
    private var issuedCount = 0
    private var grantCounts: [String: Int] = [:]

    /// Creates an authority with the configuration's initial refresh tokens.
    public init(configuration: MockOAuthConfiguration) {
        self.configuration = configuration
        refreshTokens = Set(configuration.refreshTokens)
    }

    /// How many tokens each grant type has issued (`client_credentials`, `refresh_token`,
    /// `urn:ietf:params:oauth:grant-type:jwt-bearer`).
    public var grants: [String: Int] { lock.withLock { grantCounts } }

    /// Refresh tokens currently valid.
    public var validRefreshTokens: Set<String> { lock.withLock { refreshTokens } }

    /// Access tokens currently live.
    public var liveAccessTokens: [String] {
        let now = MonotonicClock.now()
        return lock.withLock { accessTokens.filter { $0.value > now }.map(\.key).sorted() }
    }

    /// Makes every issued access token stale at once, so the next protected request gets 401.
    public func expireAllAccessTokens() {
        lock.withLock {
            retiredAccessTokens.formUnion(accessTokens.keys)
            accessTokens.removeAll()
        }
    }

    /// Checks the bearer token of a protected request: the `auth.access_token` result.
    func validate(authorization: String?) -> MockCheckResult {
        let name = "auth.access_token"
        guard let authorization else { return MockCheckResult(name: name, passed: false, detail: "no Authorization header") }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return MockCheckResult(name: name, passed: false, detail: "Authorization is not a Bearer token")
        }
        let token = String(parts[1])
        let now = MonotonicClock.now()
        return lock.withLock {
            if let expiry = accessTokens[token] {
                if expiry > now { return MockCheckResult(name: name, passed: true, detail: "live access token") }
                accessTokens[token] = nil
                retiredAccessTokens.insert(token)
                return MockCheckResult(name: name, passed: false, detail: "access token expired \((now - expiry) / 1_000_000) ms ago")
            }
            if retiredAccessTokens.contains(token) { return MockCheckResult(name: name, passed: false, detail: "stale access token (expired or revoked)") }
            return MockCheckResult(name: name, passed: false, detail: "unknown access token (not issued by this token endpoint)")
        }
    }

    /// Handles one request to the token endpoint.
    func handle(_ request: MockRequest) -> (response: EncodedResponse, checks: [MockCheckResult]) {
        do {
            let (body, checks) = try grant(request)
            let headers = [MockHeader(name: "Content-Type", value: "application/json"), MockHeader(name: "Cache-Control", value: "no-store"),
                           MockHeader(name: "Pragma", value: "no-cache")]
            return (EncodedResponse(status: 200, headers: headers, body: JSONWriter.bytes(body)), checks)
        } catch {
            var headers = [MockHeader(name: "Content-Type", value: "application/json"), MockHeader(name: "Cache-Control", value: "no-store")]
            if let w = error.wwwAuthenticate { headers.append(MockHeader(name: "WWW-Authenticate", value: w)) }
            let body: JSONValue = ["error": .string(error.error), "error_description": .string(error.description)]
            return (EncodedResponse(status: error.status, headers: headers, body: JSONWriter.bytes(body)),
                    [MockCheckResult(name: error.check, passed: false, detail: "\(error.error): \(error.description)")])
        }
    }

    private func grant(_ request: MockRequest) throws(TokenError) -> (JSONValue, [MockCheckResult]) {
        guard request.method == "POST" else {
            throw TokenError(status: 405, error: "invalid_request", description: "the token endpoint takes POST, not \(request.method)", check: "oauth.grant")
        }
        let form = try Self.parameters(of: request, accepting: configuration.requestEncodings)
        let grantType = FormEncoding.value("grant_type", in: form) ?? ""
        var checks: [MockCheckResult] = []
        var refreshToRotate: String?
        var scope = FormEncoding.value("scope", in: form)
        for (name, expected) in configuration.requiredParameters.sorted(by: { $0.key < $1.key }) {
            guard let value = FormEncoding.value(name, in: form) else {
                throw TokenError(status: 400, error: "invalid_request", description: "missing parameter \(name)", check: "oauth.grant")
            }
            guard ConstantTime.equals(Array(value.utf8), Array(expected.utf8)) else {
                throw TokenError(status: 400, error: "invalid_request", description: "parameter \(name) does not carry the expected value", check: "oauth.grant")
            }
        }
        switch grantType {
        case _ where configuration.clientGrantTypes.contains(grantType):
            checks.append(try authenticateClient(request, form, publicAllowed: false))
            if let required = configuration.requiredAudience, FormEncoding.value("audience", in: form) != required {
                throw TokenError(status: 400, error: "invalid_request", description: "audience must be \"\(required)\"", check: "oauth.grant")
            }
            checks.append(MockCheckResult(name: "oauth.grant", passed: true, detail: grantType))
        case "refresh_token":
            checks.append(try authenticateClient(request, form, publicAllowed: true))
            guard let token = FormEncoding.value("refresh_token", in: form), !token.isEmpty else {
                throw TokenError(status: 400, error: "invalid_request", description: "missing refresh_token", check: "oauth.grant")
            }
            let known = lock.withLock { (refreshTokens.contains(token), retiredRefreshTokens.contains(token)) }
            guard known.0 else {
                throw TokenError(status: 400, error: "invalid_grant",
                                 description: known.1 ? "refresh token was already rotated away" : "unknown refresh token", check: "oauth.grant")
            }
            refreshToRotate = token
            checks.append(MockCheckResult(name: "oauth.grant", passed: true, detail: "refresh_token"))
        case "urn:ietf:params:oauth:grant-type:jwt-bearer":
            guard let assertion = FormEncoding.value("assertion", in: form) else {
                throw TokenError(status: 400, error: "invalid_request", description: "missing assertion", check: "oauth.assertion")
            }
            let claims = try JWTAssertion.verify(assertion, configuration: configuration)
            scope = scope ?? claims.scope
            checks.append(MockCheckResult(name: "oauth.assertion", passed: true, detail: "RS256 assertion from \(claims.issuer) verified"))
        case "":
            throw TokenError(status: 400, error: "invalid_request", description: "missing grant_type", check: "oauth.grant")
        default:
            throw TokenError(status: 400, error: "unsupported_grant_type", description: "grant_type \"\(grantType)\" is not supported", check: "oauth.grant")
        }
        if let required = configuration.requiredScope {
            guard let scope, Set(scope.split(separator: " ")) == Set(required.split(separator: " ")) else {
                throw TokenError(status: 400, error: "invalid_scope", description: "scope must be \"\(required)\", not \"\(scope ?? "")\"", check: "oauth.scope")
            }
            checks.append(MockCheckResult(name: "oauth.scope", passed: true, detail: "scope \"\(required)\""))
        }
        return (issue(grantType: grantType, rotating: refreshToRotate, scope: scope), checks)
    }

    /// The token request's parameters from a form body (RFC 6749 appendix B) or a JSON
    /// object body (strings as they are, numbers and booleans as their text); which ones are
    /// accepted is `encodings` (`form`, `json`).
    static func parameters(of request: MockRequest, accepting encodings: Set<String>) throws(TokenError) -> [(name: String, value: String)] {
        let contentType = request.header("Content-Type")?.lowercased() ?? ""
        let expected = encodings.sorted().map { $0 == "json" ? "application/json" : "application/x-www-form-urlencoded" }.joined(separator: " or ")
        func refuse(_ detail: String) -> TokenError { TokenError(status: 400, error: "invalid_request", description: detail, check: "oauth.grant") }
        if contentType.hasPrefix("application/x-www-form-urlencoded") {
            guard encodings.contains("form") else { throw refuse("Content-Type must be \(expected) (token_request.encoding), not a form") }
            guard let form = FormEncoding.decode(request.body) else { throw refuse("malformed form body") }
            return form
        }
        if contentType.hasPrefix("application/json") {
            guard encodings.contains("json") else { throw refuse("Content-Type must be \(expected), not application/json") }
            guard case .object(let object)? = try? JSONParser().parseValue(request.body) else { throw refuse("the JSON body is not an object") }
            var out: [(name: String, value: String)] = []
            for (name, value) in object {
                switch value {
                case .string(let s): out.append((name, s))
                case .number(let n): out.append((name, n.text))
                case .bool(let b): out.append((name, b ? "true" : "false"))
                default: throw refuse("JSON parameter \(name) must be a string, number or boolean, not \(value.typeName)")
                }
            }
            return out
        }
        throw refuse("Content-Type must be \(expected)")
    }

    /// RFC 6749 section 2.3.1: HTTP Basic or form fields, never both.
    private func authenticateClient(_ request: MockRequest, _ form: [(name: String, value: String)], publicAllowed: Bool) throws(TokenError) -> MockCheckResult {
        let name = "oauth.client"
        var basic: (id: String, secret: String)?
        if let auth = request.header("Authorization") {
            let parts = auth.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "basic", let decoded = Base64.decode(String(parts[1])),
                  let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
            else {
                throw TokenError(status: 401, error: "invalid_client", description: "malformed Basic client authentication", check: name, wwwAuthenticate: "Basic realm=\"dspec-mock\"")
            }
            // RFC 6749 form-encodes id and secret before Basic; accept the raw form too.
            let rawID = String(decoding: decoded[..<colon], as: UTF8.self), rawSecret = String(decoding: decoded[(colon + 1)...], as: UTF8.self)
            let id = FormEncoding.percentDecode(rawID.utf8) ?? rawID, secret = FormEncoding.percentDecode(rawSecret.utf8) ?? rawSecret
            basic = configuration.clients[id] == nil && configuration.clients[rawID] != nil ? (rawID, rawSecret) : (id, secret)
        }
        let formID = FormEncoding.value("client_id", in: form), formSecret = FormEncoding.value("client_secret", in: form)
        if let basic {
            if formSecret != nil {
                throw TokenError(status: 400, error: "invalid_request", description: "client authenticated with both Basic and client_secret", check: name)
            }
            guard configuration.clientAuthMethods.contains("basic") else {
                throw TokenError(status: 401, error: "invalid_client", description: "client used HTTP Basic; expected client_id and client_secret form fields (client_auth body)", check: name)
            }
            guard case let expected?? = configuration.clients[basic.id], ConstantTime.equals(Array(expected.utf8), Array(basic.secret.utf8)) else {
                throw TokenError(status: 401, error: "invalid_client", description: "unknown client or wrong secret (Basic)", check: name, wwwAuthenticate: "Basic realm=\"dspec-mock\"")
            }
            return MockCheckResult(name: name, passed: true, detail: "client \(basic.id) authenticated with HTTP Basic")
        }
        guard let id = formID else {
            throw TokenError(status: 401, error: "invalid_client", description: "no client authentication", check: name, wwwAuthenticate: "Basic realm=\"dspec-mock\"")
        }
        guard let registered = configuration.clients[id] else {
            throw TokenError(status: 401, error: "invalid_client", description: "unknown client \"\(id)\"", check: name)
        }
        if let expected = registered {
            guard configuration.clientAuthMethods.contains("body") else {
                throw TokenError(status: 401, error: "invalid_client", description: "client used form fields; expected HTTP Basic (client_auth basic)", check: name)
            }
            guard let secret = formSecret, ConstantTime.equals(Array(expected.utf8), Array(secret.utf8)) else {
                throw TokenError(status: 401, error: "invalid_client", description: "missing or wrong client_secret", check: name)
            }
            return MockCheckResult(name: name, passed: true, detail: "client \(id) authenticated with form fields")
        }
        guard publicAllowed else { throw TokenError(status: 401, error: "invalid_client", description: "client \(id) has no secret", check: name) }
        return MockCheckResult(name: name, passed: true, detail: "public client \(id)")
    }

    /// Issues an access token (and, when rotating, a new refresh token replacing `rotating`).
    private func issue(grantType: String, rotating: String?, scope: String?) -> JSONValue {
        let lifetimeMs = configuration.tokenLifetimeMs ?? configuration.expiresIn * 1000
        let expiry = MonotonicClock.now() &+ UInt64(max(lifetimeMs, 0)) &* 1_000_000
        return lock.withLock {
            issuedCount += 1
            grantCounts[grantType, default: 0] += 1
            let access = "mock-at-\(issuedCount)-\(Hex.encode(SecureRandom.bytes(8)))"
            accessTokens[access] = expiry
            var body = JSONObject([("access_token", .string(access)), ("token_type", "Bearer"), ("expires_in", .int(configuration.expiresIn))])
            if let old = rotating, configuration.rotatesRefreshTokens {
                let next = "mock-rt-\(issuedCount)-\(Hex.encode(SecureRandom.bytes(8)))"
                refreshTokens.remove(old)
                retiredRefreshTokens.insert(old)
                refreshTokens.insert(next)
                body["refresh_token"] = .string(next)
            }
            if let scope { body["scope"] = .string(scope) }
            return .object(body)
        }
    }
}
