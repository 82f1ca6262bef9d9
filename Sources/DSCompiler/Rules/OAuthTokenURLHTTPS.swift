import DSCore
import DSSpec

/// OAuth token endpoints receive client secrets and refresh tokens: https only.
public struct OAuthTokenURLHTTPS: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0203", name: "oauth-token-url-https", severity: .error,
        summary: "An OAuth token URL must use https (loopback excepted).",
        hint: "Use the provider's https token endpoint.")
    public init() {}

    static func tokenURL(_ auth: Auth?) -> TemplateText? {
        switch auth {
        case .oauth2ClientCredentials(let o): return o.tokenURL
        case .oauth2RefreshToken(let o): return o.tokenURL
        case .serviceAccount(let s): return s.tokenURL
        default: return nil
        }
    }

    public func check(_ context: ValidationContext) {
        guard let url = Self.tokenURL(context.spec.auth), let parts = URLParts(url.value), parts.scheme == "http", !parts.isLoopback else { return }
        context.report(Self.self, "OAuth token URL uses http://; client credentials would travel unencrypted", at: url,
                       suggestion: "https://" + url.value.dropFirst("http://".count))
    }
}
