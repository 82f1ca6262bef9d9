import DSCore
import DSSpec

/// A declared setting nobody references is dead configuration.
public struct SettingsUsed: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0304", name: "declared-settings-used", severity: .warning,
        summary: "Every declared setting should be referenced somewhere.",
        hint: "Remove the declaration, or reference it as {{@settings.NAME}}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        DeclarationCheck.reportUnused(Self.self, context, namespace: "settings", declared: context.spec.settings.map(\.name), noun: "setting")
    }
}
