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
        guard !context.hadShapeErrors else { return }
        let used = Set(ReferenceIndex.uses(in: context, namespace: "settings").map(\.name))
        for setting in context.spec.settings where !used.contains(setting.name.value) {
            context.report(Self.self, "setting \"\(setting.name.value)\" is declared but never used", at: setting.name)
        }
    }
}
