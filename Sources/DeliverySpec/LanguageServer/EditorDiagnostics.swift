import DSConformance
import DSCore
import DSJSON
import DSLanguageServer
import DSMock
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
        if path.hasSuffix(".events.ndjson") {
            return EditorEventsDiagnostics.diagnose(source, specPath: String(path.dropLast(".events.ndjson".count)) + ".json", lookup: lookup)
        }
        if path.hasSuffix(".ndjson") { return [] }
        if InputDocument.isMockScenario(bytes, path: path) { return scenario(source) }
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
            decoderProblem(source, node, collector, pointer: error.pointer, message: error.message, code: "suite", hint: "Suite format: docs/conformance.md.")
        }
        return collector.sorted
    }

    /// A mock scenario (`dspec mock --scenario`): JSON errors, then the scenario decoder's
    /// first problem, the same message `dspec mock` prints, at its pointer (an unknown key as
    /// DS0101 with "did you mean", a bad value with the code `scenario`).
    static func scenario(_ source: SourceFile) -> [Diagnostic] {
        let collector = DiagnosticCollector(source: source)
        guard let node = JSONParser().parse(source, diagnostics: collector) else { return collector.sorted }
        do {
            _ = try MockScenario(json: node.value)
        } catch {
            decoderProblem(source, node, collector, pointer: error.pointer, message: error.message, code: "scenario",
                           hint: "Scenario format: docs/mock-server.md#scenario-format.")
        }
        return collector.sorted
    }

    /// One decoder error at its pointer: on the key when the pointer's last token is a key of
    /// its parent; unknown keys (`unknown key ... expected one of a, b` or `(allowed: a, b)`)
    /// as DS0101 with the closest allowed key.
    static func decoderProblem(_ source: SourceFile, _ node: JSONNode, _ collector: DiagnosticCollector, pointer: String, message: String,
                               code: String, hint: String) {
        var span = node.resolve(pointer)?.span ?? node.span
        var key: String?
        if let slash = pointer.lastIndex(of: "/") {
            let parent = String(pointer[..<slash])
            let last = String(pointer[pointer.index(after: slash)...]).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let member = node.resolve(parent)?.member(last) { span = member.keySpan; key = last }
        }
        if message.hasPrefix("unknown key"), let key {
            var list = ""
            if let r = message.range(of: "expected one of ") {
                list = String(message[r.upperBound...])
            } else if let r = message.range(of: "(allowed: ") {
                list = String(message[r.upperBound...].prefix { $0 != ")" })
            }
            let expected = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let suggestion = Suggestions.closest(to: key, in: expected)
            collector.emit(DecodingRules.unknownKey, message + (suggestion.map { "; did you mean \"\($0)\"?" } ?? ""), span: span,
                           pointer: pointer, suggestion: suggestion)
        } else {
            collector.emit(Diagnostic(code: code, severity: .error, message: message, path: source.path, location: source.location(ofOffset: span.start),
                                      endLocation: source.location(ofOffset: span.end), pointer: pointer, hint: hint))
        }
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
