import DSCore
import DSDiff
import DSJSON

/// Formats a diff report as text, JSON, markdown or GitHub annotations.
public struct DiffFormatter: Sendable {
    /// Paths shown for the two sides.
    public var oldPath: String
    public var newPath: String
    public var old: DiffSide
    public var new: DiffSide

    /// Creates a formatter.
    public init(oldPath: String, newPath: String, old: DiffSide, new: DiffSide) {
        self.oldPath = oldPath
        self.newPath = newPath
        self.old = old
        self.new = new
    }

    static let order: [ChangeClass] = [.breaking, .risky, .safe]

    func location(_ pointer: String?, _ side: DiffSide) -> SourceLocation? {
        guard let pointer, let node = side.document?.resolve(pointer), let source = side.source else { return nil }
        return source.location(ofOffset: node.span.start)
    }

    func whereText(_ c: ClassifiedChange) -> String {
        var parts: [String] = []
        if let l = location(c.oldSourcePointer, old) { parts.append("\(oldPath):\(l)") }
        if let l = location(c.newSourcePointer, new) { parts.append("\(newPath):\(l)") }
        return parts.joined(separator: " -> ")
    }

    /// Human text grouped by class.
    public func text(_ report: DiffReport) -> String {
        guard !report.changes.isEmpty else { return "no changes\(report.wireNote.map { " (\($0))" } ?? "")\n" }
        var out = ""
        for cls in Self.order {
            let group = report.changes.filter { $0.changeClass == cls }
            guard !group.isEmpty else { continue }
            out += "\(cls.rawValue.uppercased()) (\(group.count))\n"
            for c in group {
                out += "  [\(c.rule)] \(c.message)\n"
                let w = whereText(c)
                if !w.isEmpty { out += "      at \(w)\n" }
            }
        }
        if let note = report.wireNote { out += "note: \(note)\n" }
        out += summary(report) + "\n"
        return out
    }

    func summary(_ report: DiffReport) -> String {
        let counts = Self.order.map { cls in "\(report.changes.filter { $0.changeClass == cls }.count) \(cls.rawValue)" }
        return Plural.count(report.changes.count, "change") + ": " + counts.joined(separator: ", ")
    }

    /// JSON with stable fingerprints (rule id + pointer).
    public func json(_ report: DiffReport) -> String {
        let changes: [JSONValue] = report.changes.map { c in
            var o = JSONObject()
            o["fingerprint"] = .string(c.fingerprint)
            o["rule"] = .string(c.rule)
            o["class"] = .string(c.changeClass.rawValue)
            o["layer"] = .string(c.layer)
            o["pointer"] = .string(c.pointer)
            o["message"] = .string(c.message)
            o["old"] = c.old ?? .null
            o["new"] = c.new ?? .null
            for (key, p, side, path) in [("old_location", c.oldSourcePointer, old, oldPath), ("new_location", c.newSourcePointer, new, newPath)] {
                if let l = location(p, side) {
                    o[key] = ["file": .string(path), "pointer": .string(p ?? ""), "line": .int(l.line), "column": .int(l.column)]
                } else {
                    o[key] = .null
                }
            }
            return .object(o)
        }
        var summary = JSONObject()
        for cls in Self.order { summary[cls.rawValue] = .int(report.changes.filter { $0.changeClass == cls }.count) }
        let doc: JSONValue = ["version": 1, "old": .string(oldPath), "new": .string(newPath), "highest": report.highest.map { .string($0.rawValue) } ?? .null,
                              "summary": .object(summary), "changes": .array(changes), "wire_note": report.wireNote.map { .string($0) } ?? .null,
                              "wire_diff": .string(report.wireDiffRan ? "compared" : "skipped")]
        return JSONWriter.string(doc, style: .pretty) + "\n"
    }

    /// Markdown for a pull-request comment.
    public func markdown(_ report: DiffReport) -> String {
        var out = "### dspec diff: `\(oldPath)` → `\(newPath)`\n\n"
        let note = report.wireNote.map { "> Note: \($0)\n" } ?? ""
        guard !report.changes.isEmpty else {
            return out + (report.wireDiffRan ? "No changes on the wire or in behaviour.\n" : "No changes in the plan.\n\n" + note)
        }
        out += summary(report) + "\n\n"
        for cls in Self.order {
            let group = report.changes.filter { $0.changeClass == cls }
            guard !group.isEmpty else { continue }
            let icon = cls == .breaking ? "🛑" : cls == .risky ? "⚠️" : "✅"
            out += "#### \(icon) \(cls.rawValue.capitalized) (\(group.count))\n\n| Rule | Change | Where |\n|---|---|---|\n"
            for c in group {
                out += "| `\(c.rule)` | \(c.message.replacingOccurrences(of: "|", with: "\\|")) | \(whereText(c)) |\n"
            }
            out += "\n"
        }
        return out + note
    }

    /// GitHub workflow annotations, anchored in the new file (the old one for removals).
    public func github(_ report: DiffReport) -> String {
        var lines: [String] = []
        for c in report.changes {
            let kind = c.changeClass == .breaking ? "error" : c.changeClass == .risky ? "warning" : "notice"
            var props: [String] = []
            if let l = location(c.newSourcePointer, new) {
                props += ["file=" + GitHubAnnotationReporter.escapeProperty(newPath), "line=\(l.line)", "col=\(l.column)"]
            } else if let l = location(c.oldSourcePointer, old) {
                props += ["file=" + GitHubAnnotationReporter.escapeProperty(oldPath), "line=\(l.line)", "col=\(l.column)"]
            }
            props.append("title=" + GitHubAnnotationReporter.escapeProperty("\(c.changeClass.rawValue) \(c.rule)"))
            lines.append("::\(kind) \(props.joined(separator: ","))::\(GitHubAnnotationReporter.escapeData(c.message))")
        }
        if let note = report.wireNote { lines.append("::notice title=dspec diff::" + GitHubAnnotationReporter.escapeData(note)) }
        lines.append(summary(report))
        return lines.joined(separator: "\n") + "\n"
    }
}
