import DSCore
import DSSpec

/// `response.rate_limit_headers` must name something to read: the IETF fields, or a reset
/// header (with an optional remaining-requests header). Header names must be HTTP tokens.
public struct RateLimitHeadersComplete: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0706", name: "rate-limit-headers-complete", severity: .error,
        summary: "rate_limit_headers must read the IETF fields or name a reset header, with valid header names.",
        hint: "Write {\"ietf\": true}, or {\"reset\": \"X-RateLimit-Reset\", \"reset_unit\": \"epoch_seconds\", \"remaining\": \"X-RateLimit-Remaining\"}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let h = context.spec.response?.rateLimitHeaders else { return }
        if h.reset == nil, h.ietf?.value != true {
            context.report(Self.self, "rate_limit_headers reads nothing: set \"ietf\": true or name a \"reset\" header", at: h.node)
        }
        if let remaining = h.remaining, h.reset == nil {
            context.report(Self.self, "\"remaining\" (\(remaining.value)) without \"reset\": the runtime would know the quota is spent but not for how long", at: remaining)
        }
        if let unit = h.resetUnit, h.reset == nil {
            context.report(Self.self, "\"reset_unit\" without a \"reset\" header has no effect", at: unit, severity: .warning)
        }
        for name in [h.remaining, h.reset].compactMap({ $0 }) where !Self.isToken(name.value) {
            context.report(Self.self, "\"\(name.value)\" is not a valid header name", at: name)
        }
    }

    /// RFC 9110 token characters.
    static func isToken(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }
}
