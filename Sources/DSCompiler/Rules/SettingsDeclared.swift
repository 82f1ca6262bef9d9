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
        DeclarationCheck.reportUndeclared(Self.self, context, namespace: "settings", declared: context.declaredSettings, noun: "setting")
    }
}
