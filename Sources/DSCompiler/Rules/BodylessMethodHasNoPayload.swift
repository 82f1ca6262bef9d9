import DSCore
import DSSpec

/// GET and DELETE requests carry no body by convention; many servers and proxies drop one.
public struct BodylessMethodHasNoPayload: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0802", name: "bodyless-method-has-no-payload", severity: .warning,
        summary: "GET and DELETE requests should not declare a payload.",
        hint: "Move the data into query parameters, or use POST.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let m = context.spec.endpoint?.method, m.value == .GET || m.value == .DELETE, let p = context.spec.payload,
              p.mapping != nil || p.template != nil else { return }
        context.report(Self.self, "\(m.value.rawValue) requests do not carry a body, but a payload is declared", at: m)
    }
}
