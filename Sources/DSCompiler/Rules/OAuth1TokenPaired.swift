import DSCore
import DSSpec

/// OAuth 1.0a signs with `consumer_secret&token_secret`: an access token without its secret
/// (or a secret without its token) gives a signature the provider refuses on every request.
public struct OAuth1TokenPaired: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0206", name: "oauth1-token-paired", severity: .error,
        summary: "An oauth1 auth sets token and token_secret together, or neither (consumer-only requests).",
        hint: "Add the missing field: the access token and its secret come as a pair from the provider (X: Keys and tokens > Access token and secret).")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard case .oauth1(let o)? = context.spec.auth else { return }
        switch (o.token, o.tokenSecret) {
        case (let token?, nil):
            context.report(Self.self, "oauth1 has a token but no token_secret; the signature key would lack the token secret", at: token)
        case (nil, let secret?):
            context.report(Self.self, "oauth1 has a token_secret but no token; the request would not name the access token it signs for", at: secret)
        default:
            break
        }
    }
}
