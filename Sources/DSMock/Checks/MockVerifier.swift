import DSCore
import DSCrypto
import DSJSON
import DSPlan

/// Options of a ``MockVerifier``.
public struct MockVerifierOptions: Sendable {
    /// The scheme and host the client believes it is talking to (`https://api.vendor.com`),
    /// used to rebuild `@url` for signing schemes that sign the URL; nil means
    /// `http://` + the request's `Host` header.
    public var publicBaseURL: String?
    /// Largest accepted distance between a signed timestamp and the server clock, in seconds
    /// (the `signing.timestamp` check); nil skips the check, as a virtual-clock run needs.
    public var timestampToleranceSeconds: Int?
    /// Wall clock in Unix seconds, for the timestamp check.
    public var unixTime: @Sendable () -> Int64

    /// Creates options.
    public init(publicBaseURL: String? = nil, timestampToleranceSeconds: Int? = 300,
                unixTime: @escaping @Sendable () -> Int64 = { MonotonicClock.unixTime() }) {
        self.publicBaseURL = publicBaseURL
        self.timestampToleranceSeconds = timestampToleranceSeconds
        self.unixTime = unixTime
    }
}

/// The server's independent view of what a correct request looks like, computed from the
/// plan and the server's own copy of the secrets: the expected credentials, the signing
/// scheme to verify and, for OAuth plans, the token endpoint to emulate.
///
/// It never calls the renderer (DSRender): a verifier sharing the client's code would agree
/// with the client's bugs. Thread-safe and immutable.
public final class MockVerifier: Sendable {
    /// Expected credentials.
    enum AuthExpectation: Sendable {
        case none
        case bearer(String)
        case basic(username: String, password: String)
        case apiKeyHeader(name: String, value: String)
        case apiKeyQuery(name: String, value: String)
        /// The token authority decides.
        case accessToken
        /// A per-request signature (SigV4, OAuth 1.0a, SAS), verified by ``SignedAuthVerifier``.
        case signed(SignedAuthVerifier.Scheme)
        /// A check that cannot be computed (missing secret): always fails, with the reason.
        case unverifiable(check: String, reason: String)
    }

    /// Checks whose failure makes the server answer 401 instead of the scripted response:
    /// the per-request signatures, which the vendors refuse outright.
    public static let refusingChecks: Set<String> = ["auth.sigv4", "auth.oauth1", "auth.sas"]

    /// The plan the checks come from.
    public let plan: DeliveryPlan
    /// The token endpoint an OAuth plan implies; nil for other auth types.
    public let oauth: MockOAuthConfiguration?
    /// Things the verifier cannot check and why (for instance a credential template reading
    /// event fields); these produce no check results.
    public let notes: [String]
    /// Every secret value the verifier was given, and the credentials it expects (the Basic
    /// pair, prefixed API keys), for logs and reports of what the server received.
    public let redactor: SecretRedactor
    let auth: AuthExpectation
    let signature: SignatureVerifier?
    let signatureSetupError: String?
    let options: MockVerifierOptions

    /// Prepares the checks for `plan` with the given secret and setting values (settings
    /// fall back to the plan's defaults).
    public init(plan: DeliveryPlan, secrets: [String: String], settings: [String: JSONValue] = [:], options: MockVerifierOptions = MockVerifierOptions()) {
        var resolved: [String: JSONValue] = [:]
        for s in plan.settings { if let d = s.defaultValue { resolved[s.name] = d } }
        for (k, v) in settings { resolved[k] = v }
        let values = TemplateValues(secrets: secrets, settings: resolved)
        self.plan = plan
        self.options = options
        var notes: [String] = []
        func eval(_ template: String, _ field: String) -> Result<String, CheckSetupError> {
            guard let t = PlanTemplate(template) else {
                return .failure(CheckSetupError("\(field) reads more than secrets and settings; not verified"))
            }
            do { return .success(try t.string(values)) } catch { return .failure(CheckSetupError("\(field): \(error.message)")) }
        }
        func expectation(_ check: String, _ build: () throws(CheckSetupError) -> AuthExpectation) -> AuthExpectation {
            do { return try build() } catch {
                if error.message.contains("not verified") { notes.append(error.message); return .none }
                return .unverifiable(check: check, reason: error.message)
            }
        }
        var oauth: MockOAuthConfiguration?
        /// Applies a plan's `token_request` to the emulated endpoint: its encoding only, its
        /// grant type, and its parameters' resolved values required.
        func applyTokenRequest(_ t: PlanTokenRequest?, to c: inout MockOAuthConfiguration, grantType: String) throws(CheckSetupError) {
            c.requestEncodings = [t?.encoding ?? "form"]
            if grantType == "client_credentials" { c.clientGrantTypes = [t?.grantType ?? grantType] }
            for p in t?.parameters ?? [] { c.requiredParameters[p.name] = try eval(p.value, "auth.token_request.parameters.\(p.name)").get() }
        }
        switch plan.auth {
        case .none:
            auth = .none
        case .bearer(let token):
            auth = expectation("auth.bearer") { () throws(CheckSetupError) in .bearer(try eval(token, "auth.token").get()) }
        case .basic(let username, let password):
            auth = expectation("auth.basic") { () throws(CheckSetupError) in
                .basic(username: try eval(username, "auth.username").get(), password: try eval(password, "auth.password").get())
            }
        case .apiKey(let location, let name, let value, let prefix):
            auth = expectation("auth.api_key") { () throws(CheckSetupError) in
                let v = try eval(value, "auth.value").get()
                return location == "query" ? .apiKeyQuery(name: name, value: v) : .apiKeyHeader(name: name, value: prefix + v)
            }
        case .oauth2ClientCredentials(let tokenURL, let clientID, let clientSecret, let clientAuth, let scope, let audience, let tokenRequest):
            auth = expectation("auth.access_token") { () throws(CheckSetupError) in
                let id = try eval(clientID, "auth.client_id").get()
                var c = MockOAuthConfiguration(path: URLParts.path(of: try eval(tokenURL, "auth.token_url").get()),
                                               clients: [id: .some(try eval(clientSecret, "auth.client_secret").get())], clientAuthMethods: [clientAuth])
                c.requiredScope = scope
                c.requiredAudience = audience
                try applyTokenRequest(tokenRequest, to: &c, grantType: "client_credentials")
                oauth = c
                return .accessToken
            }
        case .oauth2RefreshToken(let tokenURL, let clientID, let clientSecret, let clientAuth, let refreshToken, let rotates, let scope, let tokenRequest):
            auth = expectation("auth.access_token") { () throws(CheckSetupError) in
                let id = try eval(clientID, "auth.client_id").get()
                let secret: String?? = try clientSecret.map { s throws(CheckSetupError) in try eval(s, "auth.client_secret").get() }
                var c = MockOAuthConfiguration(path: URLParts.path(of: try eval(tokenURL, "auth.token_url").get()), clients: [id: secret ?? nil],
                                               clientAuthMethods: clientSecret == nil ? ["body"] : [clientAuth],
                                               refreshTokens: [try eval(refreshToken, "auth.refresh_token").get()], rotatesRefreshTokens: rotates)
                c.requiredScope = scope
                try applyTokenRequest(tokenRequest, to: &c, grantType: "refresh_token")
                oauth = c
                return .accessToken
            }
        case .serviceAccount(let key, let scope, let audience, let tokenURL, _, let subject):
            auth = expectation("auth.access_token") { () throws(CheckSetupError) in
                let file = try ServiceAccountKey(json: try eval(key, "auth.key").get())
                let url = try tokenURL.map { u throws(CheckSetupError) in try eval(u, "auth.token_url").get() } ?? file.tokenURI
                var c = MockOAuthConfiguration(path: URLParts.path(of: url), assertionKeys: [file.clientEmail: file.publicKey],
                                               assertionAudiences: [audience ?? file.tokenURI], requiredScope: scope)
                c.requiredSubject = try subject.map { s throws(CheckSetupError) in try eval(s, "auth.subject").get() }
                oauth = c
                return .accessToken
            }
        case .awsSigV4(let keyID, let secret, let session, let region, let service, let contentSHA256):
            auth = expectation("auth.sigv4") { () throws(CheckSetupError) in
                .signed(.sigV4(accessKeyID: try eval(keyID, "auth.access_key_id").get(), secret: try eval(secret, "auth.secret_access_key").get(),
                               sessionToken: try session.map { s throws(CheckSetupError) in try eval(s, "auth.session_token").get() },
                               region: try eval(region, "auth.region").get(), service: service, contentSHA256: contentSHA256))
            }
        case .oauth1(let consumerKey, let consumerSecret, let token, let tokenSecret, _):
            auth = expectation("auth.oauth1") { () throws(CheckSetupError) in
                .signed(.oauth1(consumerKey: try eval(consumerKey, "auth.consumer_key").get(), consumerSecret: try eval(consumerSecret, "auth.consumer_secret").get(),
                                token: try token.map { t throws(CheckSetupError) in try eval(t, "auth.token").get() },
                                tokenSecret: try tokenSecret.map { t throws(CheckSetupError) in try eval(t, "auth.token_secret").get() } ?? ""))
            }
        case .azureSAS(let keyName, let key, let resource, _):
            auth = expectation("auth.sas") { () throws(CheckSetupError) in
                .signed(.sas(resource: try eval(resource, "auth.resource").get(), keyName: try eval(keyName, "auth.key_name").get(), key: try eval(key, "auth.key").get()))
            }
        }
        self.oauth = oauth
        var known = secrets.sorted { $0.key < $1.key }.map { SecretRedactor.Secret(name: $0.key, value: $0.value) }
        switch auth {
        case .bearer(let token): known.append(SecretRedactor.Secret(name: "auth_token", value: token))
        case .basic(let username, let password):
            known.append(SecretRedactor.Secret(name: "auth_password", value: Base64.encode(Array("\(username):\(password)".utf8))))
        case .apiKeyHeader(_, let value), .apiKeyQuery(_, let value): known.append(SecretRedactor.Secret(name: "api_key", value: value))
        default: break
        }
        redactor = SecretRedactor(known)
        if let signing = plan.signing {
            do {
                signature = try SignatureVerifier(signing, values: values, idempotencyHeader: plan.response.idempotencyKeyHeader)
                signatureSetupError = nil
            } catch {
                signature = nil
                signatureSetupError = error.message
            }
        } else {
            signature = nil
            signatureSetupError = nil
        }
        self.notes = notes
    }

    /// The auth and signing checks for one request to a delivery route. OAuth access tokens
    /// are validated by the server's token authority, not here.
    public func check(_ request: MockRequest) -> [MockCheckResult] {
        var results: [MockCheckResult] = []
        switch auth {
        case .none, .accessToken:
            break
        case .bearer(let token):
            results.append(compare("auth.bearer", request.header("Authorization"), "Bearer " + token, what: "Authorization"))
        case .basic(let username, let password):
            results.append(compare("auth.basic", request.header("Authorization"), "Basic " + Base64.encode(Array("\(username):\(password)".utf8)),
                                   what: "Authorization"))
        case .apiKeyHeader(let name, let value):
            results.append(compare("auth.api_key", request.header(name), value, what: name))
        case .apiKeyQuery(let name, let value):
            let pairs = request.query.flatMap { FormEncoding.decode($0.utf8) } ?? []
            results.append(compare("auth.api_key", FormEncoding.value(name, in: pairs), value, what: "query parameter \(name)"))
        case .signed(let scheme):
            results += SignedAuthVerifier.verify(scheme, request, SignedAuthVerifier.Context(url: url(of: request), now: options.unixTime(),
                                                                                             toleranceSeconds: options.timestampToleranceSeconds))
        case .unverifiable(let check, let reason):
            results.append(MockCheckResult(name: check, passed: false, detail: "cannot verify: \(reason)"))
        }
        if let signature {
            results += signature.verify(request, url: url(of: request), now: options.unixTime(), toleranceSeconds: options.timestampToleranceSeconds)
        } else if let signatureSetupError {
            results.append(MockCheckResult(name: "signing.signature", passed: false, detail: "cannot verify: \(signatureSetupError)"))
        }
        return results
    }

    /// The URL the client signed, rebuilt from the configured base or the Host header.
    func url(of request: MockRequest) -> String {
        if request.target.hasPrefix("http://") || request.target.hasPrefix("https://") { return request.target }
        let base = options.publicBaseURL ?? "http://" + (request.header("Host") ?? "localhost")
        return base + request.target
    }

    /// Constant-time comparison of a credential, with a message that never shows it, nor
    /// its length.
    private func compare(_ check: String, _ received: String?, _ expected: String, what: String) -> MockCheckResult {
        guard let received else { return MockCheckResult(name: check, passed: false, detail: "missing \(what)") }
        if ConstantTime.equals(Array(received.utf8), Array(expected.utf8)) {
            return MockCheckResult(name: check, passed: true, detail: "\(what) carries the expected credential")
        }
        return MockCheckResult(name: check, passed: false, detail: "\(what) does not carry the expected credential")
    }
}

/// The fields of a Google-style service-account key file the token endpoint needs.
struct ServiceAccountKey {
    var clientEmail: String
    var tokenURI: String
    var publicKey: RSAPublicKey

    init(json: String) throws(CheckSetupError) {
        guard case .object(let o)? = try? JSONParser().parseValue(json) else { throw CheckSetupError("auth.key: the service-account key is not a JSON object") }
        guard let email = o["client_email"]?.stringValue, let pem = o["private_key"]?.stringValue, let uri = o["token_uri"]?.stringValue else {
            throw CheckSetupError("auth.key: the key file needs client_email, private_key and token_uri")
        }
        do {
            publicKey = try RSAPrivateKey(pem: pem).publicKey
        } catch {
            throw CheckSetupError("auth.key: private_key is not a readable RSA key")
        }
        clientEmail = email
        tokenURI = uri
    }
}
