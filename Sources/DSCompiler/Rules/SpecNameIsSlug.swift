import DSCore
import DSSpec

/// The name names the fixtures directory and appears in reports: a lowercase slug keeps
/// it portable across file systems and stable in CI.
public struct SpecNameIsSlug: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0804", name: "spec-name-is-slug", severity: .error,
        summary: "The spec name must be a lowercase slug: a-z, 0-9 and '-', starting with a letter, at most 64 characters.",
        hint: "E.g. \"acme-events\".")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let name = context.spec.name else { return }
        let v = name.value
        let ok = !v.isEmpty && v.count <= 64 && v.first!.isLetter && v.first!.isLowercase
            && v.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        if !ok {
            let slug = String(v.lowercased().map { ($0.isLetter && $0.isASCII) || $0.isNumber ? $0 : "-" })
            context.report(Self.self, "spec name \"\(v)\" is not a lowercase slug", at: name, suggestion: slug)
        }
    }
}
