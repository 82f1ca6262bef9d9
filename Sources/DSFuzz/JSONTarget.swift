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
        checkEventLine(data, &violations)
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

    /// The event line scan (C, `EventLine.scan`) against the Swift scanner it replaced and
    /// the parser: both scanners accept or both reject, with the same members; an accepted
    /// line is an object the parser accepts, with the same keys.
    static func checkEventLine(_ data: [UInt8], _ violations: inout [String]) {
        let fast = EventLine.scan(data)
        var scratch = EventLine.Scratch()
        let reference = EventLine.scanReference(data, scratch: &scratch)
        if (fast == nil) != (reference == nil) { violations.append("EventLine: C scan \(fast != nil) but reference \(reference != nil)"); return }
        guard let fast, let reference else { return }
        let fields: (EventLine) -> [[Int32]] = { e in e.members.map { [$0.keyStart, $0.keyEnd, $0.valueStart, $0.valueEnd, $0.canonical ? 1 : 0] } }
        if fields(fast) != fields(reference) { violations.append("EventLine: C scan and reference members differ") }
        guard case .object(let object)? = try? JSONParser().parseValue(data) else {
            violations.append("EventLine: scanned a line the parser rejects or that is no object"); return
        }
        if fast.members.map({ String(decoding: data[Int($0.keyStart)..<Int($0.keyEnd)], as: UTF8.self) }) != object.keys {
            violations.append("EventLine: member keys differ from the parser's")
        }
    }
}
