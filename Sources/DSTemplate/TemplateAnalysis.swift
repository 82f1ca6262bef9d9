import DSJSON

/// Static checks the linter runs on compiled templates.
public enum TemplateAnalysis {
    /// Renders a JSON-mode template against a sample event and data and checks that the
    /// output parses as JSON. Returns nil if it does, or a message saying why not (render
    /// failure, or the parser's message with the byte offset in the rendered output and a
    /// short excerpt). For templates of other modes it returns nil: only JSON has a grammar.
    public static func sampleRender(json template: CompiledTemplate, sample: JSONValue, data: [String: JSONValue]) -> String? {
        guard template.mode == .json else { return nil }
        var out: [UInt8] = []
        do {
            try template.render(sample, data: data, into: &out)
        } catch {
            return "rendering the template with the sample event failed: \(error.message)"
        }
        do {
            _ = try JSONParser().parseValue(out)
            return nil
        } catch {
            let lo = max(0, min(error.offset, out.count) - 20), hi = min(out.count, error.offset + 20)
            let excerpt = String(decoding: out[lo..<hi], as: UTF8.self)
            return "the rendered output is not valid JSON: \(error.message) at byte \(error.offset) of the output (near \(excerpt.debugDescription))"
        }
    }
}
