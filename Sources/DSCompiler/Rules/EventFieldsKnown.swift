import DSCore
import DSSpec

/// Event paths must start at a field of the canonical event: `propertes.total` is a typo
/// that would silently send nothing.
public struct EventFieldsKnown: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0306", name: "event-fields-known", severity: .error,
        summary: "Template and mapping paths must start with a field of the canonical event.",
        hint: "Canonical fields: type, event, event_id, user_id, anonymous_id, timestamp, context.*, properties.*, traits.*.")
    public init() {}
    public func check(_ context: ValidationContext) {
        for use in ReferenceIndex.all(in: context) where !use.isData && !use.isRelative {
            guard let first = use.segments.first, first != "this" else { continue }
            if !CanonicalEvent.topLevelFields.contains(first) {
                report(context, use, first, CanonicalEvent.topLevelFields, path: first)
            } else if first == "context", use.segments.count > 1, !CanonicalEvent.contextFields.contains(use.segments[1]) {
                report(context, use, use.segments[1], CanonicalEvent.contextFields, path: "context." + use.segments[1])
            } else if first == "context", use.segments.count > 2, use.segments[1] == "page", !CanonicalEvent.pageFields.contains(use.segments[2]) {
                report(context, use, use.segments[2], CanonicalEvent.pageFields, path: "context.page." + use.segments[2])
            }
        }
    }

    private func report(_ context: ValidationContext, _ use: VariableUse, _ word: String, _ candidates: [String], path: String) {
        let suggestion = Suggestions.closest(to: word, in: candidates)
        var message = "\"\(path)\" is not a field of the canonical event (in \(use.site))"
        if let suggestion { message += "; did you mean \"\(suggestion)\"?" }
        context.report(Self.self, message, span: context.span(of: use), pointer: use.pointer, suggestion: suggestion)
    }
}
