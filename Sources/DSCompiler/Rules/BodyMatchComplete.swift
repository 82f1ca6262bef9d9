import DSCore
import DSSpec

/// A rule's JSON body condition is a pair: `body_pointer` says where, `body_equals` says what.
/// Half a pair would match nothing (or everything), silently.
public struct BodyMatchComplete: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0707", name: "body-match-complete", severity: .error,
        summary: "A response rule's body_pointer and body_equals go together.",
        hint: "Write both, e.g. {\"status\": \"2xx\", \"body_pointer\": \"/errcode\", \"body_equals\": 40001, \"outcome\": \"refresh_auth\"}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let rules = context.spec.response?.rules else { return }
        for (i, rule) in rules.enumerated() {
            if let p = rule.bodyPointer, rule.bodyEquals == nil {
                context.report(Self.self, "response rule \(i + 1) has body_pointer \"\(p.value)\" but no body_equals", at: p)
            }
            if let e = rule.bodyEquals, rule.bodyPointer == nil {
                context.report(Self.self, "response rule \(i + 1) has body_equals but no body_pointer", at: e)
            }
        }
    }
}
