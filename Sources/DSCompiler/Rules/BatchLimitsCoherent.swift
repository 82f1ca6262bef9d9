import DSCore
import DSSpec

/// Batch limits must describe a batch that can exist: at least one event, a byte limit
/// above zero, and a method that carries a body.
public struct BatchLimitsCoherent: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0403", name: "batch-limits-coherent", severity: .error,
        summary: "An enabled batch needs max_events >= 1, max_bytes > 0, and a method with a body.",
        hint: "Fix the limit, or set \"enabled\": false.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard context.batchingEnabled, let b = context.spec.batching else { return }
        if let e = b.maxEvents, e.value < 1 { context.report(Self.self, "max_events must be at least 1 when batching is on", at: e) }
        if let bytes = b.maxBytes, bytes.value == 0 { context.report(Self.self, "max_bytes of 0 admits no batch", at: bytes) }
        if b.maxEvents == nil, b.maxBytes == nil, b.maxWaitMs == nil {
            context.report(Self.self, "batching is on but sets no limit (max_events, max_bytes or max_wait_ms)", at: b.node)
        }
        if let m = context.spec.endpoint?.method, m.value == .GET || m.value == .DELETE {
            context.report(Self.self, "batching needs a request body, but the method is \(m.value.rawValue)", at: m)
        }
    }
}
