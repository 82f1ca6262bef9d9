import DSCore
import DSJSON
import DSSpec

/// A setting's default must have its declared type and be one of its allowed values, or
/// every installation that relies on the default is misconfigured.
public struct SettingDefaultsMatchType: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0805", name: "setting-defaults-match-type", severity: .error,
        summary: "A setting's default must have the declared type and be in its enum.",
        hint: "Fix the default or the declared type.")
    public init() {}
    public func check(_ context: ValidationContext) {
        for s in context.spec.settings {
            guard let d = s.defaultValue else { continue }
            let type = s.type?.value ?? .string
            let ok: Bool
            switch (type, d.value) {
            case (.string, .string), (.boolean, .bool), (.number, .number): ok = true
            case (.integer, .number(let n)): ok = n.isIntegerLiteral
            default: ok = false
            }
            if !ok { context.report(Self.self, "default of setting \"\(s.name.value)\" is \(d.value.typeName), not \(type.rawValue)", at: d) }
            if let allowed = s.allowed, !allowed.value.contains(d.value) {
                context.report(Self.self, "default of setting \"\(s.name.value)\" is not one of its enum values", at: d)
            }
            if s.required?.value == true {
                context.report(Self.self, "setting \"\(s.name.value)\" is required and has a default; the default can never apply", at: d, severity: .warning)
            }
        }
    }
}
