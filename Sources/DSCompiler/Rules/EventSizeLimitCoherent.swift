import DSCore
import DSSpec

/// `payload.max_bytes` is the per-event limit (Segment: 32 KB per message). Above the batch
/// limit it can never be the one that rejects an event, which usually means the two numbers
/// were swapped or written in different units.
public struct EventSizeLimitCoherent: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0405", name: "event-size-limit-coherent", severity: .warning,
        summary: "payload.max_bytes (the per-event limit) should be smaller than batching.max_bytes.",
        hint: "Set payload.max_bytes to the vendor's per-event limit and batching.max_bytes to its per-request limit, both in bytes.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let limit = context.spec.payload?.maxBytes, let batching = context.spec.batching, batching.enabled?.value ?? true else { return }
        let batchBytes = batching.maxBytes?.value ?? PlanDefaults.batchMaxBytes
        if limit.value >= batchBytes {
            context.report(Self.self, "payload.max_bytes (\(limit.value)) is not below batching.max_bytes (\(batchBytes)): an event that large is rejected by the batch limit first, never by the per-event limit", at: limit)
        }
    }
}
