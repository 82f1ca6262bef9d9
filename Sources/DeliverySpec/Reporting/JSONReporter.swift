import DSCore
import DSJSON

/// Machine-readable findings: one JSON document with a summary and every diagnostic.
public struct JSONReporter: Sendable {
    /// Creates a reporter.
    public init() {}

    /// The JSON value of one diagnostic.
    public func value(_ d: Diagnostic) -> JSONValue {
        var o = JSONObject()
        o["file"] = d.path.map { .string($0) } ?? .null
        o["line"] = d.location.map { .int($0.line) } ?? .null
        o["column"] = d.location.map { .int($0.column) } ?? .null
        o["end_line"] = d.endLocation.map { .int($0.line) } ?? .null
        o["end_column"] = d.endLocation.map { .int($0.column) } ?? .null
        o["code"] = .string(d.code)
        o["rule"] = RuleCatalog.descriptor(d.code).map { .string($0.name) } ?? .null
        o["severity"] = .string(d.severity.rawValue)
        o["message"] = .string(d.message)
        o["pointer"] = d.pointer.map { .string($0) } ?? .null
        o["hint"] = d.hint.map { .string($0) } ?? .null
        o["suggestion"] = d.suggestion.map { .string($0) } ?? .null
        o["suppressed"] = d.suppression.map { .string($0) } ?? .null
        return .object(o)
    }

    /// The whole run as pretty JSON (keys in a fixed order, trailing newline).
    public func format(_ results: [LintFileResult]) -> String {
        let all = results.flatMap(\.diagnostics)
        let active = all.filter { $0.suppression == nil }
        let summary: JSONValue = [
            "files": .int(results.count),
            "errors": .int(active.filter { $0.severity == .error }.count),
            "warnings": .int(active.filter { $0.severity == .warning }.count),
            "notes": .int(active.filter { $0.severity == .note }.count),
            "suppressed": .int(all.count - active.count),
        ]
        let doc: JSONValue = ["version": 1, "tool": "dspec", "summary": summary, "diagnostics": .array(all.map(value))]
        return JSONWriter.string(doc, style: .pretty) + "\n"
    }
}
