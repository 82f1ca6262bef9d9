import DSCore
import DSSpec

/// Every `{{@secrets.NAME}}` must name a declared secret, so a missing secret is caught
/// when the spec is written, not when the first event fails in production.
public struct SecretsDeclared: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0301", name: "secrets-declared", severity: .error,
        summary: "Every referenced secret must be declared under `secrets`.",
        hint: "Declare it: \"secrets\": {\"NAME\": {}}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        DeclarationCheck.reportUndeclared(Self.self, context, namespace: "secrets", declared: context.declaredSecrets, noun: "secret")
    }
}
