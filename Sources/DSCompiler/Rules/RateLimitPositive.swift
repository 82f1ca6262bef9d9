import DSCore
import DSSpec

/// A token bucket needs a positive refill rate and room for at least one request, or no
/// request is ever admitted.
public struct RateLimitPositive: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0501", name: "rate-limit-admits-requests", severity: .error,
        summary: "rate_limit.rps must be above 0 and burst at least 1.",
        hint: "Use the vendor's documented limit, e.g. {\"rps\": 10, \"burst\": 20}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let r = context.spec.rateLimit else { return }
        if let rps = r.rps, rps.value <= 0 { context.report(Self.self, "rps must be above 0, got \(rps.value)", at: rps) }
        if let burst = r.burst, burst.value < 1 {
            context.report(Self.self, "burst must be at least 1, got \(burst.value); a bucket smaller than one token never admits a request", at: burst)
        }
        if let burst = r.burst, burst.value >= 1, burst.value != burst.value.rounded() {
            context.report(Self.self, "burst must be a whole number of requests, got \(burst.value)", at: burst)
        }
    }
}
