import DSPlan

/// The plan copy a case runs with: the spec's plan with ``PlanAdjustments`` applied.
///
/// Why change the plan at all: vendor backoff policies are measured in seconds or minutes
/// (Amplitude starts at 30 s), and a suite exercising every retry rule of ten specs would
/// otherwise take hours. Only the backoff schedule is shortened; the attempt cap, the
/// elapsed-time cap and `Retry-After` handling (honour flag and cap) are kept, so the
/// Retry-After cases measure real waits.
public enum HarnessPlan {
    /// `plan` with `adjustments` applied.
    public static func adjusted(_ plan: DeliveryPlan, _ adjustments: PlanAdjustments) -> DeliveryPlan {
        var p = plan
        if adjustments.shortenBackoff {
            var r = p.response.retry
            r.initialBackoffMs = min(r.initialBackoffMs, ConformanceTiming.initialBackoffCapMs)
            r.maxBackoffMs = max(r.initialBackoffMs, min(r.maxBackoffMs, ConformanceTiming.maxBackoffCapMs))
            p.response.retry = r
        }
        if p.batching.enabled {
            if let n = adjustments.maxEvents { p.batching.maxEvents = max(1, n) }
            if let w = adjustments.maxWaitMs { p.batching.maxWaitMs = max(0, w) }
        }
        return p
    }

    /// Bounds of the wait before retry `n` (1 = first retry) under `retry`, in
    /// milliseconds, before any `Retry-After`: `d = min(max, initial * multiplier^(n-1))`,
    /// then `[d, d]` without jitter, `[0, d]` with full jitter, `[d/2, d]` with equal jitter
    /// (spec section 16.5). Computed here from the spec's formula rather than taken from the
    /// runtime, so a runtime that gets it wrong disagrees.
    public static func backoffBounds(_ retry: PlanRetry, retry n: Int) -> ClosedRange<Double> {
        var d = Double(retry.initialBackoffMs)
        for _ in 1..<max(1, n) { d *= max(1, retry.multiplier) }
        d = min(d, Double(retry.maxBackoffMs))
        switch retry.jitter {
        case "none": return d...d
        case "equal": return (d / 2)...d
        default: return 0...d
        }
    }
}
