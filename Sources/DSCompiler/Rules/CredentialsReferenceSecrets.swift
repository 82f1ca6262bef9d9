import DSCore
import DSSpec

/// Credentials belong in the secrets store, not in the spec file (which is committed and
/// reviewed). A literal is accepted, as the seed's config allows, but warned about; the
/// compiler hoists it out of the plan either way.
public struct CredentialsReferenceSecrets: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0310", name: "credentials-reference-secrets", severity: .warning,
        summary: "Credential fields should reference a declared secret instead of holding a literal value.",
        hint: "Declare a secret and write \"{{@secrets.NAME}}\"; pass the value with --secrets.")
    public init() {}
    public func check(_ context: ValidationContext) {
        for t in context.templates where t.isSecretBearing {
            guard let compiled = t.compiled else { continue }
            let readsSecret = compiled.references.contains { $0.isData && $0.segments.first == "secrets" }
            if !readsSecret, !t.text.value.isEmpty {
                // Never echo the literal: it is a credential.
                context.report(Self.self, "\(t.site) holds a literal credential instead of a {{@secrets.NAME}} reference", at: t.text)
            }
        }
    }
}
