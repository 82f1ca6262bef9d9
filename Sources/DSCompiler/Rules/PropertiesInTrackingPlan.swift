import DSCore
import DSJSON
import DSSpec

/// A template or mapping that reads an event property the tracking plan does not define reads
/// nothing: `properties.evnt` is a typo for `properties.event` the plan can catch.
public struct PropertiesInTrackingPlan: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS1002", name: "properties-in-tracking-plan", severity: .warning,
        summary: "Template and mapping paths under properties and traits must name fields the tracking plan (events.schema) defines; an error when the plan forbids other fields.",
        hint: "Fix the spelling, or add the property to the tracking plan's schema.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let plan = context.contracts.trackingPlan else { return }
        let relevant = TrackingPlanScope.relevant(plan, context.spec)
        guard !relevant.schemas.isEmpty else { return }
        for use in ReferenceIndex.all(in: context) where !use.isData && !use.isRelative {
            guard let first = use.segments.first, first == "properties" || first == "traits", use.segments.count > 1 else { continue }
            var candidates: Set<String> = []
            var unknownAt: Int?
            var closed = true
            var known = false
            for s in relevant.schemas {
                let shape = SchemaShape(document: s.value)
                switch shape.lookup(use.segments, from: s.value) {
                case .defined, .cannotTell: known = true
                case .unknown(let index, let names, let isClosed):
                    unknownAt = max(unknownAt ?? 0, index)
                    candidates.formUnion(names)
                    closed = closed && isClosed
                }
                if known { break }
            }
            guard !known, let index = unknownAt else { continue }
            let path = use.segments[...index].joined(separator: ".")
            let word = use.segments[index]
            let suggestion = Suggestions.closest(to: word, in: Array(candidates).sorted())
            var message = "\"\(path)\" is not in the tracking plan\(relevant.label) (in \(use.site))"
            if let suggestion { message += "; did you mean \"\(suggestion)\"?" }
            context.report(Self.self, message, span: context.span(of: use), pointer: use.pointer, suggestion: suggestion,
                           severity: closed ? .error : nil)
        }
    }
}

/// Which of a tracking plan's schemas apply to the events a spec selects, and how to name them.
enum TrackingPlanScope {
    static func relevant(_ plan: TrackingPlan, _ spec: SpecDocument) -> (schemas: [EventSchema], label: String) {
        let names = spec.events?.names?.value.map(\.value)
        if let all = plan.all {
            return ([all], names.map { " for \($0.joined(separator: ", "))" } ?? "")
        }
        var schemas: [EventSchema] = []
        var labels: [String] = []
        for (name, s) in plan.byEvent where names == nil || names!.contains(name) {
            schemas.append(s)
            labels.append(name)
        }
        let types = spec.events?.types?.value.map(\.value) ?? EventType.allCases
        let unlisted = names.map { n in n.contains { name in !plan.byEvent.contains { $0.name == name } } } ?? true
        if let fallback = plan.fallback, unlisted || types.contains(where: { $0 != .track }) {
            schemas.append(fallback)
            labels.append("other events")
        }
        return (schemas, labels.isEmpty ? "" : " for \(labels.joined(separator: labels.count == 2 ? " or " : ", "))")
    }
}
