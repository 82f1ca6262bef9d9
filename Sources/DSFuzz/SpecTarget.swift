import DSCompiler
import DSCore
import DSJSON
import DSPlan
import DeliverySpec

enum SpecTarget {
    static func run(_ data: [UInt8], _ violations: inout [String]) {
        let source = SourceFile(path: "fuzz.json", bytes: data)
        let diagnostics = DiagnosticCollector(source: source)
        let result = SpecCompiler().compile(source, diagnostics: diagnostics)
        let reporter = TextReporter()
        for d in diagnostics.sorted { _ = reporter.format(d, source: source) }
        guard let plan = result.plan else { return }
        if diagnostics.hasErrors { violations.append("a plan was emitted although there are errors") }
        let canonical = plan.canonicalJSON
        do {
            let decoded = try DeliveryPlan(json: JSONParser().parseValue(canonical))
            if decoded != plan { violations.append("the canonical plan decodes to a different plan") }
            if decoded.canonicalJSON != canonical { violations.append("the canonical plan is not a fixed point") }
        } catch {
            violations.append("the compiled plan's canonical JSON does not decode: \(error)")
        }
    }
}
