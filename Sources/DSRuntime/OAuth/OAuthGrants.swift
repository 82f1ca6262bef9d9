import DSCrypto
import DSJSON
import DSPlan

/// RFC 6749 section 4.4: `grant_type=client_credentials`, client authenticated with HTTP
/// Basic (`client_auth: basic`) or with `client_id` / `client_secret` form fields
/// (`client_auth: body`), optional `scope` and `audience`.
public struct ClientCredentialsGrant: TokenGrant {
    /// The token endpoint.
    public let endpoint: TokenEndpoint
    /// Client id and secret (resolved values).
    public let clientID: String, clientSecret: String
    /// `basic` or `body`.
    public let clientAuth: String
    /// Requested scope and audience, if any.
    public let scope: String?, audience: String?
    /// The `grant_type` sent (`client_credentials`; Zoom: `account_credentials`).
    public let grantType: String
    /// Extra parameters (resolved), after the standard ones.
    public let parameters: [(String, JSONValue)]
    /// Body encoding.
    public let encoding: TokenEndpoint.BodyEncoding
    /// Secret values among `parameters`, kept out of error messages.
    public let parameterSecrets: [String]

    /// Creates the grant.
    public init(endpoint: TokenEndpoint, clientID: String, clientSecret: String, clientAuth: String, scope: String?, audience: String?,
                grantType: String = "client_credentials", parameters: [(String, JSONValue)] = [], encoding: TokenEndpoint.BodyEncoding = .form,
                parameterSecrets: [String] = []) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientAuth = clientAuth
        self.scope = scope
        self.audience = audience
        self.grantType = grantType
        self.parameters = parameters
        self.encoding = encoding
        self.parameterSecrets = parameterSecrets
    }

    public func fetch() async throws(OAuthError) -> TokenResponse {
        var body: [(String, JSONValue)] = [("grant_type", .string(grantType))]
        if let scope { body.append(("scope", .string(scope))) }
        if let audience { body.append(("audience", .string(audience))) }
        var basic: (id: String, secret: String)?
        if clientAuth == "body" {
            body += [("client_id", .string(clientID)), ("client_secret", .string(clientSecret))]
        } else {
            basic = (clientID, clientSecret)
        }
        body += parameters
        return try await endpoint.request(parameters: body, encoding: encoding, basicAuth: basic, secrets: [clientSecret] + parameterSecrets)
    }
}

/// RFC 6749 section 6: `grant_type=refresh_token`. With `rotates`, a refresh token returned
/// by the server replaces the current one for the next refresh and is written back to the
/// secret store under the name the plan's `refresh_token` template references, so the next
/// run starts from the live token rather than a revoked one.
public final class RefreshTokenGrant: TokenGrant {
    /// The token endpoint.
    public let endpoint: TokenEndpoint
    private let clientID: String
    private let clientSecret: String?
    private let clientAuth: String
    private let scope: String?
    private let rotates: Bool
    private let store: (any SecretStore)?
    private let secretName: String?
    private let refreshToken: Locked<String>
    private let parameters: [(String, JSONValue)]
    private let encoding: TokenEndpoint.BodyEncoding
    private let parameterSecrets: [String]

    /// Creates the grant. `secretName` is where a rotated token is stored in `store`;
    /// `parameters` follow the standard ones in a body written in `encoding`.
    public init(endpoint: TokenEndpoint, clientID: String, clientSecret: String?, clientAuth: String, refreshToken: String, rotates: Bool,
                scope: String?, store: (any SecretStore)?, secretName: String?, parameters: [(String, JSONValue)] = [],
                encoding: TokenEndpoint.BodyEncoding = .form, parameterSecrets: [String] = []) {
        self.parameters = parameters
        self.encoding = encoding
        self.parameterSecrets = parameterSecrets
        self.endpoint = endpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientAuth = clientAuth
        self.scope = scope
        self.rotates = rotates
        self.store = store
        self.secretName = secretName
        self.refreshToken = Locked(refreshToken)
    }

    /// The refresh token the next fetch will use.
    public var currentRefreshToken: String { refreshToken.withLock { $0 } }

    public func fetch() async throws(OAuthError) -> TokenResponse {
        let current = currentRefreshToken
        var form: [(String, JSONValue)] = [("grant_type", "refresh_token"), ("refresh_token", .string(current))]
        if let scope { form.append(("scope", .string(scope))) }
        var basic: (id: String, secret: String)?
        if clientAuth == "body" || clientSecret == nil {
            form.append(("client_id", .string(clientID)))
            if let clientSecret { form.append(("client_secret", .string(clientSecret))) }
        } else {
            basic = (clientID, clientSecret ?? "")
        }
        form += parameters
        let response = try await endpoint.request(parameters: form, encoding: encoding, basicAuth: basic, secrets: [current, clientSecret ?? ""] + parameterSecrets)
        if rotates, let next = response.refreshToken, !next.isEmpty, next != current {
            refreshToken.withLock { $0 = next }
            if let store, let secretName { try store.update(secretName, to: next) }
        }
        return response
    }
}

/// RFC 7523 JWT bearer grant with a Google-style service-account key file: an RS256
/// assertion with `iss` = `client_email`, `scope`, `aud` (default: the key's `token_uri`),
/// `iat` = now and `exp` = now + lifetime, posted as
/// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=...`.
public struct ServiceAccountGrant: TokenGrant {
    /// The fields of the key file the grant uses.
    public struct KeyFile: Sendable {
        /// `client_email`: the assertion's issuer.
        public var clientEmail: String
        /// `token_uri`: default token endpoint and audience.
        public var tokenURI: String
        /// `private_key_id`, sent as the JWT `kid` when present.
        public var keyID: String?
        /// The RSA key from `private_key`.
        public var privateKey: RSAPrivateKey

        /// Reads a key file's JSON text. Errors never quote the file.
        public init(json: String) throws(OAuthError) {
            guard case .object(let o)? = try? JSONParser().parseValue(json) else {
                throw OAuthError("auth.key: the service-account key is not a JSON object (give the whole key file as the secret)")
            }
            guard let email = o["client_email"]?.stringValue, !email.isEmpty else { throw OAuthError("auth.key: the key file has no client_email") }
            guard let pem = o["private_key"]?.stringValue, !pem.isEmpty else { throw OAuthError("auth.key: the key file has no private_key") }
            guard let uri = o["token_uri"]?.stringValue, !uri.isEmpty else { throw OAuthError("auth.key: the key file has no token_uri") }
            do {
                privateKey = try RSAPrivateKey(pem: pem)
            } catch {
                throw OAuthError("auth.key: the key file's private_key is not a readable RSA key")
            }
            clientEmail = email
            tokenURI = uri
            keyID = o["private_key_id"]?.stringValue
        }
    }

    /// The key.
    public let key: KeyFile
    /// Requested scopes (space-separated).
    public let scope: String
    /// The `aud` claim.
    public let audience: String
    /// Assertion lifetime.
    public let lifetimeSeconds: Int
    /// The `sub` claim (the user the service account acts for), if any.
    public let subject: String?
    /// The token endpoint.
    public let endpoint: TokenEndpoint
    private let clock: any RuntimeClock

    /// Creates the grant; `audience` and the endpoint default to the key's `token_uri`.
    public init(key: KeyFile, scope: String, audience: String?, tokenURL: String?, lifetimeSeconds: Int, transport: any HTTPTransport, clock: any RuntimeClock,
                subject: String? = nil) {
        self.key = key
        self.subject = subject
        self.scope = scope
        self.audience = audience ?? key.tokenURI
        self.lifetimeSeconds = lifetimeSeconds
        self.endpoint = TokenEndpoint(url: tokenURL ?? key.tokenURI, transport: transport)
        self.clock = clock
    }

    /// The signed assertion for issue time `now` (Unix seconds).
    public func assertion(now: Int64) throws(OAuthError) -> String {
        var header: [(String, JSONValue)] = [("alg", "RS256"), ("typ", "JWT")]
        if let kid = key.keyID { header.append(("kid", .string(kid))) }
        var claimPairs: [(String, JSONValue)] = [("iss", .string(key.clientEmail))]
        if let subject { claimPairs.append(("sub", .string(subject))) }
        claimPairs += [("scope", .string(scope)), ("aud", .string(audience)), ("iat", .int(Int(now))), ("exp", .int(Int(now) + lifetimeSeconds))]
        let claims = JSONValue.object(JSONObject(claimPairs))
        let signingInput = Base64.encodeURLSafe(JSONWriter.bytes(.object(JSONObject(header)))) + "." + Base64.encodeURLSafe(JSONWriter.bytes(claims))
        let signature: [UInt8]
        do {
            signature = try key.privateKey.signSHA256(Array(signingInput.utf8))
        } catch {
            throw OAuthError("auth.key: signing the assertion failed")
        }
        return signingInput + "." + Base64.encodeURLSafe(signature)
    }

    public func fetch() async throws(OAuthError) -> TokenResponse {
        let jwt = try assertion(now: Int64(clock.unixTime()))
        return try await endpoint.request(form: [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", jwt)],
                                          basicAuth: nil, secrets: [jwt])
    }
}
