import DSCore
import DSSpec

/// A declared secret nobody references is usually a typo on one side.
public struct SecretsUsed: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0302", name: "declared-secrets-used", severity: .warning,
        summary: "Every declared secret should be referenced somewhere.",
        hint: "Remove the declaration, or reference it as {{@secrets.NAME}}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        DeclarationCheck.reportUnused(Self.self, context, namespace: "secrets", declared: context.spec.secrets.map(\.name), noun: "secret")
    }
}
