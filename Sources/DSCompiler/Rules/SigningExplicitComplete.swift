import DSCore
import DSSpec

/// Without a preset, the explicit form must say which algorithm and which header.
public struct SigningExplicitComplete: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0602", name: "signing-scheme-complete", severity: .error,
        summary: "Signing without a preset must name the algorithm and the header.",
        hint: "Use a preset (github, stripe, slack, shopify, standard-webhooks, seed) or set algorithm and header.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let s = context.spec.signing else { return }
        // Several signatures in one header need the scheme's separator between them.
        if let node = s.previousSecretsNode, !s.previousSecrets.isEmpty {
            let joiner = s.signatureJoiner?.value ?? s.preset.map { SigningPresets.expansion($0.value).signatureJoiner } ?? ""
            if joiner.isEmpty {
                context.report(Self.self, "previous_secrets needs \"signature_joiner\": the text between two signatures in the header (Stripe \",v1=\", Standard Webhooks \" v1,\")", at: node)
            }
        }
        guard s.preset == nil else { return }
        if s.algorithm == nil { context.report(Self.self, "signing has neither a preset nor an \"algorithm\"", at: s.node) }
        if s.header == nil { context.report(Self.self, "signing has neither a preset nor a \"header\"", at: s.node) }
        if let h = s.header, !HeaderNamesValid.isToken(h.value) {
            context.report(Self.self, "signing header \"\(h.value)\" is not a valid header name", at: h)
        }
    }
}
