import DSCore
import DSJSON
import DSSpec

/// A body mapping that never writes a field the vendor's request contract requires builds
/// requests the vendor rejects: every event would come back as a 400.
public struct MappingEmitsContractRequired: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS1003", name: "mapping-emits-contract-required", severity: .error,
        summary: "Every object the body mapping builds must write the fields the vendor's request contract requires there.",
        hint: "Add the field to the mapping (with a @default when the event may lack it), or check the contract's operation.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let (sites, shape, contract) = context.contractSites else { return }
        for (i, site) in sites.all.enumerated() where ContractMappingWalk.isOutputObject(site.node) {
            let required = ContractMappingWalk.requiredByAll(site.schemas, shape)
            if required.isEmpty { continue }
            let written = Set(site.node.members.filter { !ContractMappingWalk.objectModifiers.contains($0.key) }
                .map { $0.key.hasPrefix("@@") ? String($0.key.dropFirst()) : $0.key })
            for name in required.sorted() where !written.contains(name) {
                let at = sites.instancePath(i).isEmpty ? "the body" : "\(sites.instancePath(i)) of the body"
                context.report(Self.self, "the mapping never writes \"\(name)\", which the vendor contract (\(contract.origin)) requires in \(at)",
                               span: SourceSpan(start: site.node.span.start, end: site.node.span.start + 1), pointer: sites.pointer(i))
            }
        }
    }
}
