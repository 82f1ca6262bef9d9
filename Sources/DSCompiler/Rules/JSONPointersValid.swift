import DSCore
import DSJSON
import DSSpec

/// Error-body locations are RFC 6901 pointers; a malformed one silently finds nothing.
public struct JSONPointersValid: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0702", name: "json-pointers-valid", severity: .error,
        summary: "error_message, partial_failure and body_pointer locations must be RFC 6901 JSON pointers.",
        hint: "A pointer starts with / and separates keys with /, e.g. /error/message.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let r = context.spec.response else { return }
        var pointers: [TemplateText] = []
        if let e = r.errorMessage { pointers.append(e) }
        if let p = r.partialFailure { pointers += [p.errors, p.index, p.message, p.array].compactMap { $0 } }
        pointers += r.rules.compactMap(\.bodyPointer)
        for p in pointers where !JSONPointer.isValid(p.value) {
            let fixed = "/" + p.value.replacingDots()
            context.report(Self.self, "\"\(p.value)\" is not a JSON pointer", at: p, suggestion: JSONPointer.isValid(fixed) ? fixed : nil)
        }
    }
}

extension String {
    func replacingDots() -> String {
        String(map { $0 == "." ? "/" : $0 }).drop { $0 == "/" || $0 == "$" }.description
    }
}
