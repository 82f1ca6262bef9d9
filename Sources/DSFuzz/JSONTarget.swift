import DSCore
import DSJSON

enum JSONTarget {
    static func run(_ data: [UInt8], _ violations: inout [String]) {
        let source = SourceFile(path: "fuzz.json", bytes: data)
        let diagnostics = DiagnosticCollector(source: source)
        let node = JSONParser().parse(source, diagnostics: diagnostics)
        for d in diagnostics.diagnostics {
            if let loc = d.location { _ = source.lineText(loc.line) }
        }
        let value: JSONValue
        do {
            value = try JSONParser().parseValue(data)
        } catch {
            if node != nil, diagnostics.diagnostics.isEmpty { violations.append("parse accepted what parseValue rejected: \(error)") }
            return
        }
        guard let node else { violations.append("parseValue accepted what parse rejected"); return }
        if node.value != value { violations.append("parse and parseValue built different values") }
        for style in [JSONWriter.Style.compact, .compactSorted, .pretty, .prettySorted] {
            let written = JSONWriter.bytes(value, style: style)
            guard let again = try? JSONParser().parseValue(written) else {
                violations.append("writer output (\(style)) does not parse: \(String(decoding: written.prefix(200), as: UTF8.self))")
                continue
            }
            if again != value { violations.append("writer output (\(style)) parses to a different value") }
        }
    }
}
