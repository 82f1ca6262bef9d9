import DSJSON
import DSPlan
import DSRender

/// Builds the access-token provider a plan's OAuth auth block calls for.
public enum TokenProviderFactory {
    /// The provider for `plan`, or nil when its auth is not OAuth.
    ///
    /// - Parameters:
    ///   - templates: resolves the auth fields' `{{@secrets.*}}` / `{{@settings.*}}`.
    ///   - store: where a rotated refresh token is written back (nil: kept in memory only).
    ///   - transport: carries token requests (the same one as deliveries).
    ///   - endpointOverride: sends token requests to a loopback receiver (`--endpoint-override`).
    public static func provider(for plan: DeliveryPlan, templates: CredentialTemplates, store: (any SecretStore)?,
                                transport: any HTTPTransport, clock: any RuntimeClock,
                                endpointOverride: EndpointOverride? = nil) throws(OAuthError) -> (any AccessTokenProvider)? {
        /// The token URL as resolved, checked like every rendered URL (``RequestURL``, https
        /// unless loopback or overridden), then pointed at the override if there is one.
        func checked(_ url: String, from template: String?) throws(OAuthError) -> String {
            let names = template.map { CredentialTemplates.settingNames(in: $0) } ?? []
            let from = names.isEmpty ? "" : " (it is built from setting\(names.count == 1 ? "" : "s") " + names.map { "\"\($0)\"" }.joined(separator: ", ") + ")"
            let parsed: RequestURL
            do {
                parsed = try RequestURL(url)
            } catch {
                throw OAuthError("auth.token_url: \(error.message)\(from)")
            }
            if parsed.scheme == "http" && !parsed.isLoopback && endpointOverride == nil {
                throw OAuthError("auth.token_url uses http:// for host \"\(parsed.host)\"\(from); client credentials would travel unencrypted. Use https:// (http:// is allowed only for localhost, 127.0.0.0/8 and [::1], or with --endpoint-override)")
            }
            return endpointOverride?.apply(to: url) ?? url
        }
        /// The resolved extra parameters of `token_request`, and the secret values among them.
        func extra(_ t: PlanTokenRequest?) throws(OAuthError) -> (parameters: [(String, JSONValue)], secrets: [String]) {
            var parameters: [(String, JSONValue)] = [], secrets: [String] = []
            for p in t?.parameters ?? [] {
                let value = try templates.resolveValue(p.value, field: "token_request.parameters.\(p.name)")
                parameters.append((p.name, value))
                if !CredentialTemplates.secretNames(in: p.value).isEmpty { secrets.append(TokenEndpoint.text(value)) }
            }
            return (parameters, secrets)
        }
        func encoding(_ t: PlanTokenRequest?) -> TokenEndpoint.BodyEncoding { t?.encoding == "json" ? .json : .form }
        let grant: any TokenGrant
        switch plan.auth {
        case .oauth2ClientCredentials(let tokenURL, let clientID, let clientSecret, let clientAuth, let scope, let audience, let tokenRequest):
            let (parameters, secrets) = try extra(tokenRequest)
            grant = ClientCredentialsGrant(
                endpoint: TokenEndpoint(url: try checked(try templates.resolve(tokenURL, field: "token_url"), from: tokenURL), transport: transport),
                clientID: try templates.resolve(clientID, field: "client_id"), clientSecret: try templates.resolve(clientSecret, field: "client_secret"),
                clientAuth: clientAuth, scope: scope, audience: audience, grantType: tokenRequest?.grantType ?? "client_credentials",
                parameters: parameters, encoding: encoding(tokenRequest), parameterSecrets: secrets)
        case .oauth2RefreshToken(let tokenURL, let clientID, let clientSecret, let clientAuth, let refreshToken, let rotates, let scope, let tokenRequest):
            let (parameters, secrets) = try extra(tokenRequest)
            grant = RefreshTokenGrant(
                endpoint: TokenEndpoint(url: try checked(try templates.resolve(tokenURL, field: "token_url"), from: tokenURL), transport: transport),
                clientID: try templates.resolve(clientID, field: "client_id"),
                clientSecret: try clientSecret.map { s throws(OAuthError) in try templates.resolve(s, field: "client_secret") },
                clientAuth: clientAuth, refreshToken: try templates.resolve(refreshToken, field: "refresh_token"), rotates: rotates, scope: scope,
                store: store, secretName: CredentialTemplates.secretNames(in: refreshToken).first,
                parameters: parameters, encoding: encoding(tokenRequest), parameterSecrets: secrets)
        case .serviceAccount(let key, let scope, let audience, let tokenURL, let lifetimeSeconds, let subject):
            let keyFile = try ServiceAccountGrant.KeyFile(json: try templates.resolve(key, field: "key"))
            grant = ServiceAccountGrant(key: keyFile, scope: scope, audience: audience,
                                        tokenURL: try checked(try tokenURL.map { u throws(OAuthError) in try templates.resolve(u, field: "token_url") } ?? keyFile.tokenURI,
                                                              from: tokenURL),
                                        lifetimeSeconds: lifetimeSeconds, transport: transport, clock: clock,
                                        subject: try subject.map { s throws(OAuthError) in try templates.resolve(s, field: "subject") })
        default:
            return nil
        }
        return CachedTokenProvider(grant: grant, clock: clock)
    }
}
