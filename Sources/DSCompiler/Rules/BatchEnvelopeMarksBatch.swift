import DSCore
import DSSpec

/// A `json_object` batch needs an envelope that says where the array goes, exactly once;
/// an event wrapper likewise needs exactly one `{"@payload": true}`.
public struct BatchEnvelopeMarksBatch: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0404", name: "envelope-marks-content", severity: .error,
        summary: "A json_object batch envelope must contain exactly one {\"@batch\": true}; a payload wrapper exactly one {\"@payload\": true}.",
        hint: "Example: \"envelope\": {\"api_key\": \"{{@secrets.api_key}}\", \"events\": {\"@batch\": true}}.")
    public init() {}
    public func check(_ context: ValidationContext) {
        if context.batchingEnabled, let b = context.spec.batching {
            let format = b.format?.value ?? .jsonArray
            let envelope = context.mappings.first { $0.site == "batch envelope" }
            if format == .jsonObject, envelope == nil {
                context.report(Self.self, "batch format json_object needs an \"envelope\" holding {\"@batch\": true}", at: b.format ?? Located(.jsonObject, span: b.node.span, pointer: b.node.pointer))
            }
            if let envelope, format != .jsonObject {
                context.report(Self.self, "\"envelope\" is used only with format json_object (format is \(format.rawValue))", span: envelope.node.span, pointer: envelope.pointer)
            } else if let envelope, envelope.markerCount != 1, b.arrays.isEmpty {
                context.report(Self.self, "the batch envelope contains {\"@batch\": true} \(envelope.markerCount) times; it must appear exactly once", span: envelope.node.span, pointer: envelope.pointer)
            }
        }
        if let wrapper = context.mappings.first(where: { $0.site == "payload wrapper" }), wrapper.markerCount != 1 {
            context.report(Self.self, "the payload wrapper contains {\"@payload\": true} \(wrapper.markerCount) times; it must appear exactly once", span: wrapper.node.span, pointer: wrapper.pointer)
        }
    }
}
