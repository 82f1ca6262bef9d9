import DSCore
import DSJSON
import DSSpec
import DSTemplate

/// A JSON payload template must render valid JSON for a representative event, so a stray
/// comma or quote is found by lint instead of by the vendor's 400.
public struct JSONTemplateRendersJSON: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0308", name: "json-template-renders-json", severity: .error,
        summary: "A JSON payload template must render valid JSON for a sample event.",
        hint: "Check commas, braces and quotes around the template's holes; a {{value}} in value position needs no quotes.")
    public init() {}
    public func check(_ context: ValidationContext) {
        // The sample data is formed only for a spec with a payload template.
        var sampleData: [String: JSONValue]?
        for t in context.templates where t.mode == .json && t.site == "payload template" {
            guard let compiled = t.compiled else { continue }
            let data = sampleData ?? SampleData.forLint(context.spec)
            sampleData = data
            for event in [CanonicalEvent.sample, CanonicalEvent.minimal] {
                if let problem = TemplateAnalysis.sampleRender(json: compiled, sample: event, data: data) {
                    context.report(Self.self, "payload template does not render valid JSON for a sample event: \(problem)", at: t.text)
                    break
                }
            }
        }
    }
}

/// Placeholder configuration values used when lint renders samples.
enum SampleData {
    static func forLint(_ spec: SpecDocument) -> [String: JSONValue] {
        var settings = JSONObject()
        for s in spec.settings { settings[s.name.value] = s.defaultValue?.value ?? .string("sample-\(s.name.value)") }
        var secrets = JSONObject()
        for s in spec.secrets { secrets[s.name.value] = .string("sample-secret") }
        return ["settings": .object(settings), "secrets": .object(secrets)]
    }
}
