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
        guard let rules = context.spec.response?.rules, !rules.isEmpty else { return }
        for (index, earlier) in Self.shadowed(rules) {
            let rule = rules[index]
            let bodyNote = rule.bodyContains != nil || rule.bodyPointer != nil ? " (its body condition never gets a chance)" : ""
            context.report(Self.self, "response rule \(index + 1) can never match: every status it lists is matched by rule \(earlier + 1) first\(bodyNote)", at: rule.node)
        }
    }

    /// The rules that can never match, in order, each with the earlier unconditional rule that
    /// first matched its first status. The codes matched so far are one bit each (on the
    /// stack), read and set range by range; the earlier rule is looked up only for a rule
    /// that is shadowed. No list of every code a rule matches ("4xx" is 100 codes), no heap
    /// (`ResponseRulesShadowedTests` compares it with that general form on random rules).
    static func shadowed(_ rules: [StatusRule]) -> [(index: Int, earlier: Int)] {
        var out: [(index: Int, earlier: Int)] = []
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: (codeLimit + 63) / 64) { bits in
            bits.initialize(repeating: 0)
            // The decoder admits 100-599 only; a code outside the table is never covered.
            func covered(_ c: Int) -> Bool { c >= 0 && c < codeLimit && bits[c >> 6] & (1 << UInt64(c & 63)) != 0 }
            for (index, rule) in rules.enumerated() {
                let status = rule.status
                if !status.isEmpty, status.allSatisfy({ $0.value.codes.allSatisfy(covered) }) {
                    out.append((index, firstCovering(status[0].value.codes.lowerBound, in: rules, before: index)))
                }
                // Only unconditional rules shadow later ones.
                if unconditional(rule) {
                    for pattern in status {
                        let codes = pattern.value.codes
                        let low = max(codes.lowerBound, 0), high = min(codes.upperBound, codeLimit - 1)
                        guard low <= high else { continue }
                        for c in low...high { bits[c >> 6] |= 1 << UInt64(c & 63) }
                    }
                }
            }
        }
        return out
    }

    /// Status codes below this are tracked (the decoder's range is 100-599).
    static let codeLimit = 600

    static func unconditional(_ rule: StatusRule) -> Bool { rule.bodyContains == nil && rule.bodyPointer == nil }

    /// The first unconditional rule before `end` that matches `code` (-1: none).
    static func firstCovering(_ code: Int, in rules: [StatusRule], before end: Int) -> Int {
        for i in 0..<end where unconditional(rules[i]) && rules[i].status.contains(where: { $0.value.codes.contains(code) }) { return i }
        return -1
    }
}
