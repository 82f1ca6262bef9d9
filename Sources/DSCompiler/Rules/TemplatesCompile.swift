import DSCore
import DSSpec

/// Every template must compile: syntax, known helpers and helper arity are checked when
/// the spec is written, with the position inside the spec file.
public struct TemplatesCompile: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0307", name: "templates-compile", severity: .error,
        summary: "Every template must be valid Handlebars using only known helpers with the right number of arguments.",
        hint: "See docs/templates.md for the syntax and the helper list.")
    public init() {}
    public func check(_ context: ValidationContext) {
        for t in context.templates {
            guard let error = t.error else { continue }
            context.report(Self.self, "\(t.site): \(error.message)", span: context.span(in: t.text, offset: error.offset, length: error.length), pointer: t.text.pointer)
        }
    }
}
