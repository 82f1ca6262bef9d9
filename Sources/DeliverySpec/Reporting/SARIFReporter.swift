import DSCompiler
import DSCore
import DSJSON

/// SARIF 2.1.0 output that GitHub code scanning accepts: every rule in
/// `tool.driver.rules`, results with `ruleId`, `level`, a repo-relative physical location
/// with a 1-based region, `partialFingerprints` that survive unrelated edits, and inline
/// suppressions as SARIF `suppressions`.
public struct SARIFReporter: Sendable {
    /// Tool version written to the log.
    public var toolVersion: String

    /// Creates a reporter.
    public init(toolVersion: String) {
        self.toolVersion = toolVersion
    }

    private static func level(_ s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .note: return "note"
        }
    }

    /// The rule objects of `tool.driver.rules`, in catalog order.
    static func rules() -> [JSONValue] {
        RuleCatalog.all.map { r in
            let help = (r.defaultHint ?? r.summary) + " See docs/rules.md#\(r.code.lowercased())."
            return [
                "id": .string(r.code),
                "name": .string(r.name),
                "shortDescription": ["text": .string(r.summary)],
                "fullDescription": ["text": .string(r.summary + (r.defaultHint.map { " " + $0 } ?? ""))],
                "help": ["text": .string(help), "markdown": .string(help)],
                "defaultConfiguration": ["level": .string(level(r.severity))],
            ]
        }
    }

    /// The SARIF log for a lint run.
    public func log(_ results: [LintFileResult]) -> JSONValue {
        let ruleIndex = Dictionary(uniqueKeysWithValues: RuleCatalog.all.enumerated().map { ($1.code, $0) })
        var sarifResults: [JSONValue] = []
        for file in results {
            for d in file.diagnostics {
                var region = JSONObject()
                if let start = d.location {
                    region["startLine"] = .int(start.line)
                    region["startColumn"] = .int(start.column)
                    if let end = d.endLocation, end.offset > start.offset {
                        region["endLine"] = .int(end.line)
                        region["endColumn"] = .int(end.column)
                    }
                } else {
                    region["startLine"] = 1
                }
                let uri = Fingerprint.normalizedPath(d.path ?? file.path)
                var result: JSONObject = JSONObject([
                    ("ruleId", .string(d.code)),
                    ("level", .string(Self.level(d.severity))),
                    ("message", ["text": .string(d.message + (d.suggestion.map { d.message.contains("did you mean") ? "" : " (did you mean: \($0))" } ?? ""))]),
                    ("locations", [[
                        "physicalLocation": [
                            "artifactLocation": ["uri": .string(uri), "uriBaseId": "%SRCROOT%"],
                            "region": .object(region),
                        ],
                    ]]),
                    ("partialFingerprints", ["dspecFingerprint/v1": .string(Fingerprint.of(d, in: file.document))]),
                ])
                if let index = ruleIndex[d.code] { result["ruleIndex"] = .int(index) }
                if let pointer = d.pointer { result["properties"] = ["jsonPointer": .string(pointer)] }
                if let reason = d.suppression {
                    result["suppressions"] = [["kind": "inSource", "justification": .string(reason)]]
                }
                sarifResults.append(.object(result))
            }
        }
        let run: JSONValue = [
            "tool": ["driver": [
                "name": "dspec",
                "version": .string(toolVersion),
                "rules": .array(Self.rules()),
            ]],
            "columnKind": "unicodeCodePoints",
            "results": .array(sarifResults),
        ]
        return [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [run],
        ]
    }

    /// The log as pretty JSON with a trailing newline.
    public func format(_ results: [LintFileResult]) -> String {
        JSONWriter.string(log(results), style: .pretty) + "\n"
    }
}
