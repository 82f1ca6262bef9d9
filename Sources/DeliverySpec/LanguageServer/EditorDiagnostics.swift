import DSCore
import DSJSON
import DSLanguageServer
import DSSpec

/// What the language server reports for a document: for a spec, exactly what `dspec lint`
/// reports (the same `LintRunner`); for a settings or secrets file, JSON errors and keys the
/// spec does not declare (DS0101, with "did you mean"); for a suite, JSON errors. Messages
/// never quote a companion's values (a secrets file's lines are secrets), only key names.
public enum EditorDiagnostics {
    /// Diagnostics for `bytes` at `path`; `lookup` reads other files (the spec of a companion).
    public static func diagnose(path: String, bytes: [UInt8], lookup: (String) -> [UInt8]?) -> [Diagnostic] {
        let source = SourceFile(path: path, bytes: bytes)
        for (suffix, kind) in [(".settings.json", "setting"), (".secrets.json", "secret")] where path.hasSuffix(suffix) {
            return companion(source, kind: kind, specPath: String(path.dropLast(suffix.count)) + ".json", lookup: lookup)
        }
        if path.hasSuffix(".suite.json") {
            let collector = DiagnosticCollector(source: source)
            _ = JSONParser().parse(source, diagnostics: collector)
            return collector.sorted
        }
        if path.hasSuffix(".ndjson") { return [] }
        return LintRunner().lint(source).diagnostics
    }

    static func companion(_ source: SourceFile, kind: String, specPath: String, lookup: (String) -> [UInt8]?) -> [Diagnostic] {
        let collector = DiagnosticCollector(source: source)
        guard let node = JSONParser().parse(source, diagnostics: collector) else { return collector.sorted }
        guard node.isObject else {
            collector.emit(DecodingRules.wrongType, "a \(kind)s file must be a JSON object, not \(node.typeName)", span: node.span, pointer: "")
            return collector.sorted
        }
        guard let specBytes = lookup(specPath),
              let spec = JSONParser().parse(SourceFile(path: specPath, bytes: specBytes), diagnostics: DiagnosticCollector()) else {
            return collector.sorted
        }
        let block = spec.member(kind + "s")?.value
        let declared = block?.elements?.compactMap(\.stringValue) ?? block?.members.map(\.key) ?? []
        for member in node.members where member.key != "$schema" && !declared.contains(member.key) {
            let suggestion = Suggestions.closest(to: member.key, in: declared)
            var message = "unknown \(kind) \"\(member.key)\""
            if let suggestion { message += "; did you mean \"\(suggestion)\"?" }
            let hint = declared.isEmpty ? "The spec declares no \(kind)s." : "The spec declares \(declared.sorted().map { "\"\($0)\"" }.joined(separator: ", "))."
            collector.emit(DecodingRules.unknownKey, message, span: member.keySpan, pointer: "/" + escape(member.key), hint: hint, suggestion: suggestion)
        }
        return collector.sorted
    }

    static func escape(_ key: String) -> String {
        var out = ""
        for c in key {
            switch c {
            case "~": out += "~0"
            case "/": out += "~1"
            default: out.append(c)
            }
        }
        return out
    }
}
