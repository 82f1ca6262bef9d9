import DSCore
import DSSpec

/// `refresh_auth` refreshes an OAuth token; with static credentials there is nothing to
/// refresh and the rule behaves as a single retry, which is rarely what was meant.
public struct RefreshAuthNeedsOAuth: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0703", name: "refresh-auth-needs-oauth", severity: .warning,
        summary: "The refresh_auth outcome only makes sense with an OAuth auth type.",
        hint: "Use drop (credentials are wrong) or retry, or switch auth to an OAuth type.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let rules = context.spec.response?.rules, context.spec.auth?.isOAuth != true else { return }
        for rule in rules where rule.outcome?.value == .refreshAuth {
            context.report(Self.self, "refresh_auth with auth type \(context.spec.auth?.typeName ?? "none"): there is no token to refresh", at: rule.outcome!)
        }
    }
}
