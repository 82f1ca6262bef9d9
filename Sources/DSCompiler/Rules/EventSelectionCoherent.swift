import DSCore
import DSSpec

/// Event names only exist on `track` events; selecting names while excluding track
/// selects nothing.
public struct EventSelectionCoherent: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0806", name: "event-selection-coherent", severity: .error,
        summary: "events.names applies to track events, so events.types must include track when names are given.",
        hint: "Add \"track\" to events.types, or remove events.names.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let e = context.spec.events, let names = e.names, !names.value.isEmpty, let types = e.types else { return }
        if !types.value.contains(where: { $0.value == .track }) {
            context.report(Self.self, "events.names is set but events.types does not include \"track\", so no event can match", at: names)
        }
        if types.value.isEmpty { context.report(Self.self, "events.types is empty, so no event can match", at: types) }
    }
}
