import DSCore

/// GitHub Actions workflow commands (`::error file=..,line=..::message`), one per finding,
/// with the escaping GitHub requires, capped per run (GitHub shows a limited number per
/// step) with a summary line after the cap so nothing is silently dropped.
public struct GitHubAnnotationReporter: Sendable {
    /// Maximum annotations written before the summary line.
    public var cap: Int

    /// Creates a reporter.
    public init(cap: Int = 50) {
        self.cap = cap
    }

    /// Escapes a message (workflow command data): `%`, CR and LF.
    public static func escapeData(_ s: String) -> String { ReportEscaping.workflowData(s) }

    /// Escapes a property value: as data, plus `:` and `,`.
    public static func escapeProperty(_ s: String) -> String { ReportEscaping.workflowProperty(s) }

    /// One workflow command for a diagnostic.
    public func command(_ d: Diagnostic) -> String {
        let kind: String
        switch d.severity {
        case .error: kind = "error"
        case .warning: kind = "warning"
        case .note: kind = "notice"
        }
        var properties: [String] = []
        if let path = d.path { properties.append("file=" + Self.escapeProperty(Fingerprint.normalizedPath(path))) }
        if let start = d.location {
            properties.append("line=\(start.line)")
            properties.append("col=\(start.column)")
            if let end = d.endLocation, end.offset > start.offset {
                properties.append("endLine=\(end.line)")
                properties.append("endColumn=\(end.column)")
            }
        }
        properties.append("title=" + Self.escapeProperty(d.code))
        var message = d.message
        if let suggestion = d.suggestion, !message.contains("did you mean") { message += " (did you mean: \(suggestion))" }
        if let hint = d.hint { message += "\nhint: \(hint)" }
        return "::\(kind) \(properties.joined(separator: ","))::\(Self.escapeData(message))"
    }

    /// Every unsuppressed finding as a command, capped, with a summary line.
    public func format(_ results: [LintFileResult]) -> String {
        let all = results.flatMap(\.diagnostics).filter { $0.suppression == nil }
        var lines = all.prefix(cap).map(command)
        if all.count > cap {
            lines.append("::warning title=dspec::\(all.count - cap) more findings not annotated (cap \(cap)); run dspec lint locally or use --format sarif for the full list")
        }
        let errors = all.filter { $0.severity == .error }.count
        lines.append("dspec: \(Plural.count(results.count, "file")) checked: \(Plural.count(errors, "error")), \(Plural.count(all.count - errors, "other finding"))")
        return lines.joined(separator: "\n") + "\n"
    }
}
