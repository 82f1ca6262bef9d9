import DeliverySpec
import Foundation

/// Issue #7 figure: diff of two 200-field specs with a wire diff over 100 events; target
/// under 100 ms. Baseline in the same run: compiling the two specs alone.
func runDiffBenchmarks(quick: Bool) {
    func spec(_ version: Int) -> String {
        var fields: [String] = []
        for i in 0..<200 {
            // Version 2 renames 5 fields, retypes 5 and adds 5, so the diff has work to do.
            let name = version == 2 && i % 40 == 0 ? "renamed_\(i)" : "field_\(i)"
            let type = version == 2 && i % 40 == 1 ? ", \"@type\": \"string\"" : ""
            fields.append("\"\(name)\": {\"@path\": \"properties.p\(i % 50)\"\(type)}")
        }
        if version == 2 { for i in 0..<5 { fields.append("\"extra_\(i)\": {\"@path\": \"properties.p\(i)\"}") } }
        return """
        {"dspec": 1, "name": "wide", "secrets": {"key": {}},
         "endpoint": {"url": "https://api.example.com/v1/events"},
         "auth": {"type": "bearer", "token": "{{@secrets.key}}"},
         "batching": {"max_events": \(version == 2 ? 50 : 25), "max_wait_ms": 1000},
         "payload": {"format": "json", "mapping": {\(fields.joined(separator: ", "))}}}
        """
    }
    let events: [JSONValue] = (0..<100).map { i in
        var props = JSONObject()
        for p in 0..<50 { props["p\(p)"] = .int(i * 100 + p) }
        return ["type": "track", "event": "E", "event_id": .string("e\(i)"), "properties": .object(props)]
    }
    let configuration = RenderConfiguration(secrets: JSONObject([("key", "k-bench")]))
    func side(_ text: String) -> DiffSide {
        let source = SourceFile(path: "wide.json", text: text)
        let diagnostics = DiagnosticCollector(source: source)
        let result = SpecCompiler().compile(source, diagnostics: diagnostics)
        return DiffSide(plan: result.plan!, source: source, document: result.document, configuration: configuration)
    }
    let oldText = spec(1), newText = spec(2)
    print("\nDiff (two 200-field specs, wire diff over 100 events), issue #7 target: < 100 ms")
    var changes = 0
    let rate = measure("compile both + plan diff + wire diff (runs)", seconds: quick ? 0.5 : 2.0) {
        let report = SpecDiff.compare(old: side(oldText), new: side(newText), events: events)
        changes = report.changes.count
    }
    let compileOnly = measure("baseline: compile both specs only (runs)", seconds: quick ? 0.5 : 2.0) {
        _ = side(oldText)
        _ = side(newText)
    }
    print(String(format: "  one diff: %.2f ms (%d changes); target 100 ms -> %.0fx under; diff / compile-only time = %.1fx",
                 1000 / rate, changes, 100 / (1000 / rate), compileOnly / rate))
}
