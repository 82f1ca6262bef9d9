import DSCore
import DSSpec

/// Data variables (`{{@name}}`) must be ones the site provides: `@settings` and `@secrets`
/// everywhere, `@body`/`@timestamp`/... only in signing strings, the block frames
/// (`@index`, `@key`, ...) inside blocks. Anything else renders as nothing at run time.
public struct DataVariablesKnown: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0305", name: "data-variables-known", severity: .error,
        summary: "Template data variables must be in a namespace the site provides (@settings, @secrets, and site-specific ones).",
        hint: "Event fields are written without @ ({{properties.total}}); configuration is {{@settings.NAME}} or {{@secrets.NAME}}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        for use in ReferenceIndex.all(in: context) where use.isData {
            guard let namespace = use.segments.first, !use.allowedData.contains(namespace) else { continue }
            let suggestion = Suggestions.closest(to: namespace, in: use.allowedData)
            var message = "unknown data variable \"@\(namespace)\" in \(use.site); available here: \(use.allowedData.sorted().map { "@" + $0 }.joined(separator: ", "))"
            if let suggestion { message += "; did you mean \"@\(suggestion)\"?" }
            context.report(Self.self, message, span: context.span(of: use), pointer: use.pointer, suggestion: suggestion.map { "@" + $0 })
        }
    }
}
