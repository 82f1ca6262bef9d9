import DSPlan

/// Builds the access-token provider a plan's OAuth auth block calls for.
public enum TokenProviderFactory {
    /// The provider for `plan`, or nil when its auth is not OAuth.
    ///
    /// - Parameters:
    ///   - templates: resolves the auth fields' `{{@secrets.*}}` / `{{@settings.*}}`.
    ///   - store: where a rotated refresh token is written back (nil: kept in memory only).
    ///   - transport: carries token requests (the same one as deliveries).
    public static func provider(for plan: DeliveryPlan, templates: CredentialTemplates, store: (any SecretStore)?,
                                transport: any HTTPTransport, clock: any RuntimeClock) throws(OAuthError) -> (any AccessTokenProvider)? {
        let grant: any TokenGrant
        switch plan.auth {
        case .oauth2ClientCredentials(let tokenURL, let clientID, let clientSecret, let clientAuth, let scope, let audience):
            grant = ClientCredentialsGrant(
                endpoint: TokenEndpoint(url: try templates.resolve(tokenURL, field: "token_url"), transport: transport),
                clientID: try templates.resolve(clientID, field: "client_id"), clientSecret: try templates.resolve(clientSecret, field: "client_secret"),
                clientAuth: clientAuth, scope: scope, audience: audience)
        case .oauth2RefreshToken(let tokenURL, let clientID, let clientSecret, let clientAuth, let refreshToken, let rotates, let scope):
            grant = RefreshTokenGrant(
                endpoint: TokenEndpoint(url: try templates.resolve(tokenURL, field: "token_url"), transport: transport),
                clientID: try templates.resolve(clientID, field: "client_id"),
                clientSecret: try clientSecret.map { s throws(OAuthError) in try templates.resolve(s, field: "client_secret") },
                clientAuth: clientAuth, refreshToken: try templates.resolve(refreshToken, field: "refresh_token"), rotates: rotates, scope: scope,
                store: store, secretName: CredentialTemplates.secretNames(in: refreshToken).first)
        case .serviceAccount(let key, let scope, let audience, let tokenURL, let lifetimeSeconds, let subject):
            let keyFile = try ServiceAccountGrant.KeyFile(json: try templates.resolve(key, field: "key"))
            grant = ServiceAccountGrant(key: keyFile, scope: scope, audience: audience,
                                        tokenURL: try tokenURL.map { u throws(OAuthError) in try templates.resolve(u, field: "token_url") },
                                        lifetimeSeconds: lifetimeSeconds, transport: transport, clock: clock,
                                        subject: try subject.map { s throws(OAuthError) in try templates.resolve(s, field: "subject") })
        default:
            return nil
        }
        return CachedTokenProvider(grant: grant, clock: clock)
    }
}
