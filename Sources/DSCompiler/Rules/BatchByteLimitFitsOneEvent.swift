import DSCore
import DSJSON
import DSSpec

/// A byte limit smaller than the smallest possible one-event body can never be met: every
/// event would be dead-lettered as too large.
public struct BatchByteLimitFitsOneEvent: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0401", name: "batch-bytes-fit-one-event", severity: .error,
        summary: "batching.max_bytes must be at least the size of the smallest one-event batch body.",
        hint: "Raise max_bytes to the vendor's documented request size limit.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard context.batchingEnabled, let maxBytes = context.spec.batching?.maxBytes else { return }
        let minimum = MinimumBodySize.estimate(context)
        if maxBytes.value < minimum {
            context.report(Self.self, "max_bytes is \(maxBytes.value) but the smallest one-event batch body is \(minimum) bytes", at: maxBytes)
        }
    }
}

/// Smallest encoded body of a batch holding one minimal event.
enum MinimumBodySize {
    static func estimate(_ context: ValidationContext) -> Int {
        let data = SampleData.forLint(context.spec)
        var payloadBytes = 2  // "{}"
        if let m = context.mappings.first(where: { $0.site == "payload mapping" }), let compiled = m.compiled,
           let value = try? compiled.evaluate(CanonicalEvent.minimal, data: data) {
            payloadBytes = JSONWriter.bytes(value).count
        } else if let t = context.templates.first(where: { $0.site == "payload template" }), let compiled = t.compiled,
                  let rendered = try? compiled.render(CanonicalEvent.minimal, data: data) {
            payloadBytes = rendered.utf8.count
        } else if context.spec.payload?.format?.value == .canonical || context.spec.payload == nil {
            payloadBytes = JSONWriter.bytes(CanonicalEvent.minimal).count
        }
        switch context.spec.batching?.format?.value ?? .jsonArray {
        case .jsonArray: return payloadBytes + 2
        case .ndjson: return payloadBytes + 1
        case .jsonObject:
            if let envelope = context.mappings.first(where: { $0.site == "batch envelope" }), let compiled = envelope.compiled {
                var d = data
                d["batch"] = .array([])
                if let value = try? compiled.evaluate(CanonicalEvent.minimal, data: d) { return JSONWriter.bytes(value).count + payloadBytes }
            }
            return payloadBytes + 2
        }
    }
}
