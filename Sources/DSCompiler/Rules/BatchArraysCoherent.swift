import DSCore
import DSJSON
import DSMapping
import DSSpec

/// `batching.arrays` routes events into named arrays of one `json_object` envelope (Braze
/// `/users/track`: `attributes`, `events`, `purchases`). Each array must be marked exactly
/// once in the envelope as `{"@batch": "NAME"}`, the envelope must not also hold the single
/// array marker, and each routing condition must be a valid mapping-language condition.
public struct BatchArraysCoherent: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0406", name: "batch-arrays-coherent", severity: .error,
        summary: "Each batching.arrays entry must be marked exactly once in a json_object envelope as {\"@batch\": \"NAME\"}, with a valid condition and limit.",
        hint: "Example: \"envelope\": {\"events\": {\"@batch\": \"events\"}, \"purchases\": {\"@batch\": \"purchases\"}}, \"arrays\": {\"events\": {\"types\": [\"track\"]}, \"purchases\": {\"names\": [\"Order Completed\"]}}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        let hasArrays = context.batchingEnabled && !(context.spec.batching?.arrays.isEmpty ?? true)
        if let array = context.spec.response?.partialFailure?.array, !hasArrays {
            context.report(Self.self, "partial_failure.array names the batch array an error counts in, but the spec declares no batching.arrays", at: array)
        }
        guard context.batchingEnabled, let b = context.spec.batching, let node = b.arraysNode else { return }
        guard !b.arrays.isEmpty else {
            context.report(Self.self, "\"arrays\" declares no array", at: node)
            return
        }
        let format = b.format?.value ?? .jsonArray
        guard format == .jsonObject else {
            context.report(Self.self, "\"arrays\" needs format json_object (format is \(format.rawValue)): only an envelope can hold several arrays", at: node)
            return
        }
        let names = b.arrays.map(\.name.value)
        if let envelope = context.mappings.first(where: { $0.site == "batch envelope" }) {
            if envelope.markerCount > 0 {
                context.report(Self.self, "with \"arrays\", the envelope marks each array by name ({\"@batch\": \"NAME\"}); {\"@batch\": true} has no array to hold",
                               span: envelope.node.span, pointer: envelope.pointer)
            }
            let marked = MappingInventory.namedBatchMarkers(envelope.node.value)
            for name in Set(marked).sorted() where !names.contains(name) {
                context.report(Self.self, "the envelope marks {\"@batch\": \"\(name)\"}, but \"arrays\" declares no such array", span: envelope.node.span,
                               pointer: envelope.pointer, suggestion: Suggestions.closest(to: name, in: names))
            }
            for array in b.arrays {
                let count = marked.filter { $0 == array.name.value }.count
                if count != 1 {
                    context.report(Self.self, "array \"\(array.name.value)\" is marked \(count) times in the envelope ({\"@batch\": \"\(array.name.value)\"}); it must appear exactly once",
                                   at: array.name)
                }
            }
        }
        let batchMax = b.maxEvents?.value ?? PlanDefaults.batchMaxEvents
        for array in b.arrays {
            if let m = array.maxEvents, m.value > batchMax {
                context.report(Self.self, "array \"\(array.name.value)\" allows \(m.value) elements, more than batching.max_events (\(batchMax)) events per request: its limit is never reached",
                               at: m, severity: .warning)
            }
            if let when = array.when {
                let probe: JSONValue = .object(JSONObject([("routed", .object(JSONObject([("@value", .bool(true)), ("@when", when.value)])))]))
                for error in CompiledMapping.check(probe) {
                    context.report(Self.self, "array \"\(array.name.value)\": invalid condition: \(error.message)", span: when.span,
                                   pointer: JSONPointer.appending(array.name.pointer, "when"))
                }
            }
        }
    }
}
