import DSCore
import DSSpec

/// `response.isolate_on` splits a rejected batch in halves to find the events the vendor
/// refuses. It needs batches to split, can never apply to a success, and loses to a spec
/// rule that already decides the status (the spec's own rules come first, as for 413).
public struct IsolateOnCoherent: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0705", name: "isolate-on-coherent", severity: .error,
        summary: "isolate_on must list error statuses of a batching spec that no unconditional spec rule already decides.",
        hint: "List the 4xx statuses the vendor answers a whole batch with for one bad event (often 400), and enable batching.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let response = context.spec.response, let isolate = response.isolateOn else { return }
        let batching = context.spec.batching.map { $0.enabled?.value ?? true } ?? false
        if !batching {
            context.report(Self.self, "isolate_on without batching: a request carries one event, there is nothing to split", at: isolate, severity: .warning)
        }
        for pattern in isolate.value {
            let codes = pattern.value.codes
            if codes.lowerBound < 300 {
                context.report(Self.self, "isolate_on \(pattern.value) includes statuses below 300; only a rejected batch can be split", at: pattern)
                continue
            }
            if let index = response.rules.firstIndex(where: { rule in
                rule.bodyContains == nil && rule.bodyPointer == nil && rule.status.contains { $0.value.codes.lowerBound <= codes.lowerBound && $0.value.codes.upperBound >= codes.upperBound }
            }) {
                context.report(Self.self, "isolate_on \(pattern.value) is never used: response rule \(index + 1) decides every status it lists first", at: pattern, severity: .warning)
            }
        }
    }
}
