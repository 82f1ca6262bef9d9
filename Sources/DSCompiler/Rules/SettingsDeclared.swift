import DSCore
import DSSpec

/// Every `{{@settings.NAME}}` must name a declared setting.
public struct SettingsDeclared: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0303", name: "settings-declared", severity: .error,
        summary: "Every referenced setting must be declared under `settings`.",
        hint: "Declare it: \"settings\": {\"NAME\": {\"type\": \"string\", \"required\": true}}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        let declared = context.declaredSettings
        for use in ReferenceIndex.uses(in: context, namespace: "settings") where !declared.contains(use.name) {
            let suggestion = Suggestions.closest(to: use.name, in: declared)
            var message = "setting \"\(use.name)\" is referenced but not declared"
            if let suggestion { message += "; did you mean \"\(suggestion)\"?" }
            context.report(Self.self, message, span: context.span(of: use), pointer: use.pointer, suggestion: suggestion)
        }
    }
}
