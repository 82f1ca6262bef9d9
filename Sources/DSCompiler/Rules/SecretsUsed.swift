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
        guard !context.hadShapeErrors else { return }
        let used = Set(ReferenceIndex.uses(in: context, namespace: "secrets").map(\.name))
        for secret in context.spec.secrets where !used.contains(secret.name.value) {
            context.report(Self.self, "secret \"\(secret.name.value)\" is declared but never used", at: secret.name)
        }
    }
}
