import DSConformance
import DSCore
import DSJSON
import DSLanguageServer
import DSSpec
import Foundation

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
        if path.hasSuffix(".suite.json") { return suite(source) }
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

    /// A suite: JSON errors, then the suite decoder's first problem at its pointer (an
    /// unknown key as DS0101 with "did you mean", anything else with the code `suite`).
    static func suite(_ source: SourceFile) -> [Diagnostic] {
        let collector = DiagnosticCollector(source: source)
        guard let node = JSONParser().parse(source, diagnostics: collector) else { return collector.sorted }
        do {
            _ = try SuiteDocument(json: node.value)
        } catch {
            var span = node.resolve(error.pointer)?.span ?? node.span
            var key: String?
            if let slash = error.pointer.lastIndex(of: "/") {
                let parent = String(error.pointer[..<slash])
                let last = String(error.pointer[error.pointer.index(after: slash)...]).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                if let member = node.resolve(parent)?.member(last) { span = member.keySpan; key = last }
            }
            if error.message.hasPrefix("unknown key"), let key {
                var expected: [String] = []
                if let r = error.message.range(of: "expected one of ") {
                    expected = error.message[r.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                }
                let suggestion = Suggestions.closest(to: key, in: expected)
                collector.emit(DecodingRules.unknownKey, error.message + (suggestion.map { "; did you mean \"\($0)\"?" } ?? ""), span: span,
                               pointer: error.pointer, suggestion: suggestion)
            } else {
                let location = source.location(ofOffset: span.start)
                collector.emit(Diagnostic(code: "suite", severity: .error, message: error.message, path: source.path, location: location,
                                          endLocation: source.location(ofOffset: span.end), pointer: error.pointer,
                                          hint: "Suite format: docs/conformance.md."))
            }
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
