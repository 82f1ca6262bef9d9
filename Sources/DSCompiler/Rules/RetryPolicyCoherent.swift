import DSCore
import DSSpec

/// Backoff bounds must be ordered and grow, or the schedule is not what it reads as.
public struct RetryPolicyCoherent: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0704", name: "retry-policy-coherent", severity: .error,
        summary: "Retry backoff must satisfy initial <= max and 1 <= multiplier <= \(NumericRange.format(NumericRanges.multiplier.max)).",
        hint: "E.g. initial_backoff_ms 500, max_backoff_ms 30000, multiplier 2.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let r = context.spec.response?.retry else { return }
        if let i = r.initialBackoffMs, let m = r.maxBackoffMs, i.value > m.value {
            context.report(Self.self, "initial_backoff_ms (\(i.value)) is above max_backoff_ms (\(m.value))", at: i)
        }
        if let m = r.multiplier, m.value < 1 {
            context.report(Self.self, "multiplier \(m.value) would shrink the backoff; use a value of at least 1", at: m)
        } else if let m = r.multiplier, !(m.value <= NumericRanges.multiplier.max) {
            context.report(Self.self, "multiplier \(m.value) is above the largest supported factor, \(NumericRange.format(NumericRanges.multiplier.max))", at: m)
        }
        if let e = r.maxElapsedMs, let i = r.initialBackoffMs, let a = r.maxAttempts, a.value > 1, e.value < i.value {
            context.report(Self.self, "max_elapsed_ms (\(e.value)) is below the first backoff (\(i.value)), so no retry could ever happen", at: e)
        }
    }
}
