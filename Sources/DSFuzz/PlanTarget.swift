import DSJSON
import DSPlan
import DSRender

/// Input: a plan as JSON, or a bundle `{"plan": ..., "settings": {...}, "secrets": {...},
/// "events": [...]}` whose plan is decoded and then rendered for each event.
enum PlanTarget {
    static func run(_ data: [UInt8], _ violations: inout [String]) {
        guard let document = try? JSONParser().parseValue(data) else { return }
        let bundle = document.objectValue?["plan"] != nil ? document.objectValue : nil
        guard let plan = try? DeliveryPlan(json: bundle?["plan"] ?? document) else { return }
        let canonical = plan.canonicalJSON
        do {
            let again = try DeliveryPlan(json: JSONParser().parseValue(canonical))
            if again != plan { violations.append("a decoded plan's canonical JSON decodes to a different plan") }
        } catch {
            violations.append("a decoded plan's canonical JSON does not decode: \(error)")
        }
        guard let bundle else { return }
        guard let configuration = try? RenderConfiguration(settings: bundle["settings"], secrets: bundle["secrets"]),
              let renderer = try? RequestRenderer(plan: plan, configuration: configuration) else { return }
        let environment = FixedRenderEnvironment()
        let events = bundle["events"]?.arrayValue ?? []
        for event in events.prefix(16) {
            _ = renderer.select(event)
            guard let request = try? renderer.render(event, environment: environment) else { continue }
            for h in request.headers where h.value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
                violations.append("rendered header \(h.name) holds CR, LF or NUL")
            }
            if request.url.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) { violations.append("rendered URL holds CR, LF or NUL") }
        }
        if let grouper = renderer.makeBatchGrouper() { _ = grouper }
    }
}
