import DSCore
import DSSpec

/// Every table a mapping or template looks values up in must be declared under `lookups`.
public struct LookupTablesDeclared: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0312", name: "lookup-tables-declared", severity: .error,
        summary: "Every lookup table used by @lookup or lookup_table must be declared under `lookups`.",
        hint: "Declare the table: \"lookups\": {\"NAME\": {\"map\": {...}}}, or fix the name.")
    public init() {}
    public func check(_ context: ValidationContext) {
        let declared = Set(context.spec.lookups.map(\.name.value))
        for use in LookupUses.collect(in: context).uses where !declared.contains(use.name) {
            let suggestion = Suggestions.closest(to: use.name, in: declared)
            var message = "lookup table \"\(use.name)\" is used but not declared under \"lookups\""
            if let suggestion { message += "; did you mean \"\(suggestion)\"?" }
            context.report(Self.self, message, span: use.span, pointer: use.pointer, suggestion: suggestion)
        }
    }
}
