import DSCore
import DSSpec

/// A signature without a key is no signature.
public struct SigningHasSecret: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0601", name: "signing-has-secret", severity: .error,
        summary: "Request signing needs a secret.",
        hint: "Add \"secret\": \"{{@secrets.signing_key}}\" and declare the secret.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let s = context.spec.signing else { return }
        if s.secret == nil || s.secret?.value.isEmpty == true {
            context.report(Self.self, "signing is configured without a secret", at: s.secret?.anchor ?? s.node)
        }
    }
}
