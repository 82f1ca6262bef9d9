import DSCore
import DSSpec

/// A declared lookup table that nothing uses is dead configuration (or a typo'd use).
public struct LookupTablesUsed: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0313", name: "declared-lookup-tables-used", severity: .warning,
        summary: "Every declared lookup table should be used by a mapping (@lookup) or a template (lookup_table).",
        hint: "Remove the table, or use it: {\"@path\": \"event\", \"@lookup\": \"NAME\"} or {{lookup_table \"NAME\" event}}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard !context.hadShapeErrors, !context.spec.lookups.isEmpty else { return }
        let (uses, complete) = LookupUses.collect(in: context)
        guard complete else { return }
        let used = Set(uses.map(\.name))
        for table in context.spec.lookups where !used.contains(table.name.value) {
            context.report(Self.self, "lookup table \"\(table.name.value)\" is declared but never used", at: table.name)
        }
    }
}
