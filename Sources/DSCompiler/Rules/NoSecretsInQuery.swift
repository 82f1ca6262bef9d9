import DSCore
import DSSpec

/// Query strings end up in access logs, proxies and browser history; a credential there
/// leaks more easily than one in a header. Some vendors require it, so this is a warning.
public struct NoSecretsInQuery: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0311", name: "no-secrets-in-query", severity: .warning,
        summary: "Secrets placed in the URL or query string are logged by servers and proxies.",
        hint: "Prefer a header (api_key with \"in\": \"header\") when the vendor accepts one; if it does not, suppress this warning with a reason.")
    public init() {}
    public func check(_ context: ValidationContext) {
        for t in context.templates where t.isInURL {
            guard let compiled = t.compiled else { continue }
            if compiled.references.contains(where: { $0.isData && $0.segments.first == "secrets" }) || t.isSecretBearing {
                context.report(Self.self, "\(t.site) puts a secret into the URL", at: t.text)
            }
        }
    }
}
