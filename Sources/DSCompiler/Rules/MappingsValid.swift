import DSCore
import DSJSON
import DSSpec

/// Field mappings must be well formed: known directives, one source each, valid
/// transforms and types, no mixing of directives and output fields.
public struct MappingsValid: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0309", name: "mappings-valid", severity: .error,
        summary: "Field mappings must use known directives, transforms and types, one source per field.",
        hint: "See the mapping language in docs/spec-format.md.")
    public init() {}
    public func check(_ context: ValidationContext) {
        for m in context.mappings {
            for error in m.errors {
                let pointer = m.pointer + error.pointer
                let span = context.spec.root.resolve(pointer)?.span ?? m.node.span
                context.report(Self.self, "\(m.site): \(error.message)", span: span, pointer: pointer)
            }
        }
    }
}
