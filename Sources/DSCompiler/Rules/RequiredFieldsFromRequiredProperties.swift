import DSCore
import DSJSON
import DSSpec

/// A field the vendor's request contract requires, fed from an event property the tracking
/// plan lets events leave out: every event without it fails at the vendor.
public struct RequiredFieldsFromRequiredProperties: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS1005", name: "required-fields-from-required-properties", severity: .warning,
        summary: "A body field the vendor contract requires should be fed from a property the tracking plan requires, or have a @default.",
        hint: "Add \"@default\" to the directive, or mark the property required in the tracking plan.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let plan = context.contracts.trackingPlan, let (sites, _, contract) = context.contractSites else { return }
        let relevant = TrackingPlanScope.relevant(plan, context.spec)
        guard !relevant.schemas.isEmpty else { return }
        for (i, site) in sites.all.enumerated() where site.required {
            guard let (segments, hasDefault) = ContractMappingWalk.eventPath(of: site.node), !hasDefault,
                  let first = segments.first, first == "properties" || first == "traits" else { continue }
            let optionalIn = relevant.schemas.filter { s in
                let shape = SchemaShape(document: s.value)
                // Only paths the plan defines: an unknown path is DS1002's finding.
                guard case .defined = shape.lookup(segments, from: s.value) else { return false }
                return !shape.isRequired(segments, from: s.value)
            }
            guard !optionalIn.isEmpty else { continue }
            let path = segments.joined(separator: ".")
            let field = sites.instancePath(i).isEmpty ? "/" : sites.instancePath(i)
            context.report(Self.self, "\(field) is required by the vendor contract (\(contract.origin)) but is fed from \"\(path)\", which the tracking plan (\(optionalIn.map(\.path).joined(separator: ", "))) does not require",
                           span: site.node.span, pointer: sites.pointer(i))
        }
    }
}
