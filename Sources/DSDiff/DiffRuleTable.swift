/// The classification rules as documentation (docs/diff-rules.md is generated from this).
public enum DiffRuleTable {
    /// Every rule id, plan rules then wire rules.
    public static var ids: [String] { DiffRules.plan.map(\.id) + WireRules.all.map(\.id) }

    /// Markdown tables of the plan and wire rules.
    public static func markdown() -> String {
        var out = "| Rule id | Layer | Applies to (normalized plan pointer) | Class |\n|---|---|---|---|\n"
        for rule in DiffRules.plan {
            let prefixes = rule.prefixes.map { $0.isEmpty ? "anything else" : "`\($0)`" }.joined(separator: ", ")
            out += "| `\(rule.id)` | plan | \(prefixes) | \(rule.summary) |\n"
        }
        for rule in WireRules.all {
            out += "| `\(rule.id)` | wire | rendered requests | **\(rule.changeClass.rawValue)**: \(rule.summary) |\n"
        }
        return out
    }
}
