import DSCrypto
import DSJSON

/// What the mock's OAuth 2.0 token endpoint accepts and issues.
///
/// Built from a plan by ``MockVerifier`` (client id and secret, refresh token, service-account
/// key) or from a scenario's `oauth` block, and adjustable in code. Access tokens are opaque
/// and tracked by the server, so a protected route can tell a live token from an expired,
/// rotated-away or invented one.
public struct MockOAuthConfiguration: Sendable {
    /// Path of the token endpoint (`/oauth/v1/token`).
    public var path: String
    /// Registered clients: id -> secret (nil for a public client, which sends only its id).
    public var clients: [String: String?]
    /// Client authentication methods accepted: `basic` (RFC 6749 section 2.3.1) and/or
    /// `body` (form fields). A plan fixes one, so the check can notice the other.
    public var clientAuthMethods: Set<String>
    /// Refresh tokens valid at the start of a case.
    public var refreshTokens: [String]
    /// Issue a new refresh token with each refresh and invalidate the old one.
    public var rotatesRefreshTokens: Bool
    /// JWT-bearer issuers (`iss`) and the keys their assertions must verify with.
    public var assertionKeys: [String: RSAPublicKey]
    /// Accepted `aud` values of assertions (empty: any).
    public var assertionAudiences: [String]
    /// Longest accepted `exp - iat` of an assertion, in seconds (Google allows 3600).
    public var maxAssertionLifetime: Int
    /// Allowed clock difference for `exp` and `iat`, in seconds.
    public var clockSkewSeconds: Int
    /// The scope a token request must ask for (space-separated, order ignored); nil: any.
    public var requiredScope: String?
    /// The `sub` claim assertions must carry (a service account acting for a user), if any.
    public var requiredSubject: String? = nil
    /// Token request body encodings accepted: `form` (RFC 6749) and/or `json`. A plan fixes
    /// one, so the check can notice the other.
    public var requestEncodings: Set<String> = ["form", "json"]
    /// `grant_type` values handled as client credentials (`client_credentials`; a plan's
    /// `token_request.grant_type` such as Zoom's `account_credentials` replaces it).
    public var clientGrantTypes: Set<String> = ["client_credentials"]
    /// Extra parameters a token request must carry with these values (numbers and booleans
    /// of a JSON body compared by their text).
    public var requiredParameters: [String: String] = [:]
    /// The `audience` a client-credentials request must send; nil: not checked.
    public var requiredAudience: String?
    /// `expires_in` reported to the client, in seconds.
    public var expiresIn: Int
    /// How long issued tokens actually stay valid on the server, in milliseconds; nil means
    /// `expiresIn`. A value shorter than `expiresIn` makes live-looking tokens go stale, so
    /// the client's 401 -> refresh path runs.
    public var tokenLifetimeMs: Int?
    /// Wall clock for `exp`/`iat` (Unix seconds); replaceable for a runtime on a virtual clock.
    public var unixTime: @Sendable () -> Int64

    /// Creates a configuration for the token endpoint at `path`.
    public init(path: String, clients: [String: String?] = [:], clientAuthMethods: Set<String> = ["basic", "body"], refreshTokens: [String] = [],
                rotatesRefreshTokens: Bool = false, assertionKeys: [String: RSAPublicKey] = [:], assertionAudiences: [String] = [],
                maxAssertionLifetime: Int = 3600, clockSkewSeconds: Int = 60, requiredScope: String? = nil, requiredAudience: String? = nil,
                expiresIn: Int = 3600, tokenLifetimeMs: Int? = nil, unixTime: @escaping @Sendable () -> Int64 = { MonotonicClock.unixTime() }) {
        self.path = path
        self.clients = clients
        self.clientAuthMethods = clientAuthMethods
        self.refreshTokens = refreshTokens
        self.rotatesRefreshTokens = rotatesRefreshTokens
        self.assertionKeys = assertionKeys
        self.assertionAudiences = assertionAudiences
        self.maxAssertionLifetime = maxAssertionLifetime
        self.clockSkewSeconds = clockSkewSeconds
        self.requiredScope = requiredScope
        self.requiredAudience = requiredAudience
        self.expiresIn = expiresIn
        self.tokenLifetimeMs = tokenLifetimeMs
        self.unixTime = unixTime
    }

    /// This configuration with a scenario's overrides applied.
    public func applying(_ o: MockOAuthOverrides) -> MockOAuthConfiguration {
        var c = self
        if let v = o.path { c.path = v }
        if let v = o.clients { for (id, secret) in v { c.clients[id] = secret } }
        if let v = o.clientAuthMethods { c.clientAuthMethods = v }
        if let v = o.refreshTokens { c.refreshTokens += v }
        if let v = o.rotatesRefreshTokens { c.rotatesRefreshTokens = v }
        for (iss, key) in o.assertionKeys { c.assertionKeys[iss] = key }
        if let v = o.assertionAudiences { c.assertionAudiences = v }
        if let v = o.requiredScope { c.requiredScope = v }
        if let v = o.expiresIn { c.expiresIn = v }
        if let v = o.tokenLifetimeMs { c.tokenLifetimeMs = v }
        return c
    }
}

/// A scenario's `oauth` block: token endpoint settings layered over what the plan implies
/// (or, without a plan, the whole configuration when `path` is given).
public struct MockOAuthOverrides: Sendable {
    /// Token endpoint path.
    public var path: String?
    /// Extra clients: id -> secret.
    public var clients: [String: String?]?
    /// Accepted client authentication methods.
    public var clientAuthMethods: Set<String>?
    /// Extra valid refresh tokens.
    public var refreshTokens: [String]?
    /// Rotation on or off.
    public var rotatesRefreshTokens: Bool?
    /// Extra assertion issuers and keys.
    public var assertionKeys: [String: RSAPublicKey] = [:]
    /// Accepted audiences.
    public var assertionAudiences: [String]?
    /// Required scope.
    public var requiredScope: String?
    /// Reported `expires_in`.
    public var expiresIn: Int?
    /// Real validity in milliseconds.
    public var tokenLifetimeMs: Int?

    /// Creates empty overrides.
    public init() {}

    /// A full configuration from the overrides alone; nil without a `path`.
    public var configuration: MockOAuthConfiguration? {
        guard let path else { return nil }
        return MockOAuthConfiguration(path: path).applying(self)
    }

    /// Reads the scenario's `oauth` object.
    init(json: JSONValue, pointer: String) throws(MockScenarioError) {
        let r = try ScenarioReader(json, pointer)
        try r.allow(["path", "clients", "client_auth", "refresh_tokens", "rotate", "jwt", "audience", "scope", "expires_in", "lifetime_ms"])
        path = try r.string("path")
        if let c = r.object["clients"] {
            guard case .object(let o) = c else { throw r.fail("clients", "expected an object of client id -> secret (or null)") }
            var clients: [String: String?] = [:]
            for (id, secret) in o {
                guard secret.isNull || secret.stringValue != nil else { throw r.fail("clients", "client \"\(id)\": the secret must be a string or null") }
                clients[id] = secret.stringValue
            }
            self.clients = clients
        }
        if let methods = try r.array("client_auth") {
            let set = Set(methods.compactMap(\.stringValue))
            guard !set.isEmpty, set.isSubset(of: ["basic", "body"]) else { throw r.fail("client_auth", "expected a list of basic and/or body") }
            clientAuthMethods = set
        }
        refreshTokens = try r.array("refresh_tokens")?.compactMap(\.stringValue)
        rotatesRefreshTokens = try r.bool("rotate")
        requiredScope = try r.string("scope")
        if let a = try r.array("audience") { assertionAudiences = a.compactMap(\.stringValue) }
        expiresIn = try r.int("expires_in")
        tokenLifetimeMs = try r.int("lifetime_ms")
        if let j = r.object["jwt"] {
            let jr = try ScenarioReader(j, pointer + "/jwt")
            try jr.allow(["issuer", "public_key_pem", "audience"])
            guard let iss = try jr.string("issuer"), let pem = try jr.string("public_key_pem") else {
                throw jr.fail("issuer", "jwt needs issuer and public_key_pem")
            }
            do {
                assertionKeys[iss] = try RSAPublicKey(pem: pem)
            } catch {
                throw jr.fail("public_key_pem", "not a readable RSA public key: \(error)")
            }
            if let aud = try jr.string("audience") { assertionAudiences = (assertionAudiences ?? []) + [aud] }
        }
    }
}
