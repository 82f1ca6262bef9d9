import DSCore
import DSSpec

/// With batching on, a zero wait flushes every event immediately: batching in name only,
/// which is almost always a mistake for max_wait_ms left at 0.
public struct BatchWaitPositive: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0402", name: "batch-wait-positive", severity: .error,
        summary: "batching.max_wait_ms must be above 0 when batching is on and max_events is above 1.",
        hint: "Set max_wait_ms (e.g. 1000), or turn batching off.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard context.batchingEnabled, let wait = context.spec.batching?.maxWaitMs, wait.value == 0 else { return }
        if let events = context.spec.batching?.maxEvents, events.value <= 1 { return }
        context.report(Self.self, "max_wait_ms is 0 with batching on, so no event would ever wait for another", at: wait)
    }
}
