import DSCore
import DSSpec

/// A suppression must name an existing rule, or it silently suppresses nothing.
public struct SuppressionsNameRules: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0901", name: "suppressions-name-rules", severity: .warning,
        summary: "Each lint suppression must name an existing rule code and give a reason.",
        hint: "Use a code listed in docs/rules.md.")
    public init() {}
    /// Every rule code (`RuleCatalog.all` is a constant: formed once, not per file).
    static let codes = RuleCatalog.all.map(\.code)

    public func check(_ context: ValidationContext) {
        let codes = Self.codes
        for s in context.spec.suppressions where !codes.contains(s.rule.value) {
            let suggestion = Suggestions.closest(to: s.rule.value, in: codes)
            context.report(Self.self, "suppression names unknown rule \"\(s.rule.value)\"", at: s.rule, suggestion: suggestion)
        }
    }
}
