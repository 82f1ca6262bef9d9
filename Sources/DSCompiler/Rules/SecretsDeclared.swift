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
        let declared = context.declaredSecrets
        for use in ReferenceIndex.uses(in: context, namespace: "secrets") where !declared.contains(use.name) {
            let suggestion = Suggestions.closest(to: use.name, in: declared)
            var message = "secret \"\(use.name)\" is referenced but not declared"
            if let suggestion { message += "; did you mean \"\(suggestion)\"?" }
            context.report(Self.self, message, span: context.span(of: use), pointer: use.pointer, suggestion: suggestion)
        }
    }
}
