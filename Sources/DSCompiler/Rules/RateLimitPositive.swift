import DSCore
import DSSpec

/// A token bucket needs a positive refill rate and room for at least one request, or no
/// request is ever admitted; and both numbers must stay in their documented ranges
/// (`NumericRanges`), or the bucket's nanosecond arithmetic cannot hold them.
public struct RateLimitPositive: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0501", name: "rate-limit-admits-requests", severity: .error,
        summary: "rate_limit.rps must be within \(NumericRanges.rateLimitRPS.text) and burst a whole number within \(NumericRanges.rateLimitBurst.text).",
        hint: "Use the vendor's documented limit, e.g. {\"rps\": 10, \"burst\": 20}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let r = context.spec.rateLimit else { return }
        let rpsRange = NumericRanges.rateLimitRPS, burstRange = NumericRanges.rateLimitBurst
        if let rps = r.rps {
            if rps.value <= 0 {
                context.report(Self.self, "rps must be above 0, got \(rps.value)", at: rps)
            } else if !(rps.value >= rpsRange.min) {
                context.report(Self.self, "rps \(rps.value) is below the smallest supported rate, \(NumericRange.format(rpsRange.min)) (one request every \(NumericRange.format(1 / rpsRange.min)) s)", at: rps)
            } else if !(rps.value <= rpsRange.max) {
                context.report(Self.self, "rps \(rps.value) is above the largest supported rate, \(NumericRange.format(rpsRange.max)) requests per second", at: rps)
            }
        }
        if let burst = r.burst, burst.value < 1 {
            context.report(Self.self, "burst must be at least 1, got \(burst.value); a bucket smaller than one token never admits a request", at: burst)
        } else if let burst = r.burst, !(burst.value <= burstRange.max) {
            context.report(Self.self, "burst \(NumericRange.format(burst.value)) is above the largest supported bucket, \(NumericRange.format(burstRange.max)) requests", at: burst)
        } else if let burst = r.burst, burst.value != burst.value.rounded() {
            context.report(Self.self, "burst must be a whole number of requests, got \(burst.value)", at: burst)
        }
    }
}
