import DSCore
import DSSpec

/// Rules match in order and the first match wins, so a rule whose every status is already
/// matched by earlier unconditional rules can never fire: usually an ordering mistake
/// (e.g. "4xx" -> drop placed before 429 -> retry).
public struct ResponseRulesReachable: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0701", name: "response-rules-reachable", severity: .error,
        summary: "A response rule must not be shadowed by earlier rules that match all its status codes.",
        hint: "Move the more specific rule above the broader one.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let rules = context.spec.response?.rules else { return }
        var covered = [Bool](repeating: false, count: 600)
        var coverer = [Int](repeating: -1, count: 600)
        for (index, rule) in rules.enumerated() {
            let codes = rule.status.flatMap { Array($0.value.codes) }
            if !codes.isEmpty, codes.allSatisfy({ covered[$0] }) {
                let earlier = coverer[codes[0]]
                let bodyNote = rule.bodyContains != nil || rule.bodyPointer != nil ? " (its body condition never gets a chance)" : ""
                context.report(Self.self, "response rule \(index + 1) can never match: every status it lists is matched by rule \(earlier + 1) first\(bodyNote)", at: rule.node)
            }
            // Only unconditional rules shadow later ones.
            if rule.bodyContains == nil && rule.bodyPointer == nil {
                for c in codes where !covered[c] {
                    covered[c] = true
                    coverer[c] = index
                }
            }
        }
    }
}
