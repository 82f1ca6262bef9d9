import DSCore
import DSSpec

/// The body source must fit the format: canonical sends the event as-is (no mapping or
/// template), json needs a mapping or template, form needs a mapping (a JSON template
/// cannot be form-encoded).
public struct PayloadMatchesFormat: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0801", name: "payload-matches-format", severity: .error,
        summary: "The payload's mapping or template must fit its format.",
        hint: "json: mapping or template; form: mapping; canonical: neither.")
    public init() {}
    public func check(_ context: ValidationContext) {
        let method = context.spec.endpoint?.method?.value ?? .POST
        guard let p = context.spec.payload else {
            if method != .GET && method != .DELETE, context.spec.form == .deliverySpec, let e = context.spec.endpoint {
                context.report(Self.self, "the spec has no \"payload\" block; add one (use {\"format\": \"canonical\"} to send events as-is)", at: e.node)
            }
            return
        }
        let format = p.format?.value ?? .json
        switch format {
        case .canonical:
            if let t = p.template { context.report(Self.self, "format canonical sends the event as-is; remove \"template\" or change the format", at: t) }
            if let m = p.mapping { context.report(Self.self, "format canonical sends the event as-is; remove \"mapping\" or change the format", span: m.span, pointer: p.mappingPointer) }
        case .json:
            if p.template == nil && p.mapping == nil { context.report(Self.self, "format json needs a \"mapping\" or a \"template\"", at: p.format?.anchor ?? p.node) }
        case .form:
            if let t = p.template { context.report(Self.self, "format form is built from a \"mapping\"; a JSON template cannot be form-encoded", at: t) }
            if p.template == nil && p.mapping == nil { context.report(Self.self, "format form needs a \"mapping\"", at: p.format?.anchor ?? p.node) }
            if let n = p.normalize, n.value != .none {
                context.report(Self.self, "normalize \(n.value.rawValue) applies to JSON bodies; format form has none", at: n)
            }
        }
    }
}

