import DSCore
import DSJSON
import DSPlan
import Foundation

/// Reads the JSON files that go with a spec (settings, secrets, suites, fixtures,
/// scenarios) with positions, so a problem in one is reported as `file:line:col` like a spec
/// error, and checks settings and secrets files against the names the spec declares.
///
/// Messages never quote a file's content (a secrets file's lines are secrets): only the
/// position, the parser's message and key names.
public enum CompanionFile {
    /// A companion that cannot be used; `message` is ready to print.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// A parsed companion: the value, its positioned tree and the source.
    public struct Parsed: Sendable {
        public var value: JSONValue
        public var node: JSONNode
        public var source: SourceFile

        /// `path:line:col` of a byte offset.
        public func position(_ offset: Int) -> String {
            let l = source.location(ofOffset: offset)
            return "\(source.path):\(l.line):\(l.column)"
        }
    }

    /// Reads and parses `path` (`-` is standard input).
    public static func parse(_ path: String) throws(Failure) -> Parsed {
        let source: SourceFile
        do { source = try SourceLoader.load(path) } catch { throw Failure(message: error.description) }
        return try parse(source)
    }

    /// Parses an already read file.
    public static func parse(_ source: SourceFile) throws(Failure) -> Parsed {
        let diagnostics = DiagnosticCollector(source: source)
        let node = JSONParser().parse(source, diagnostics: diagnostics)
        if let d = diagnostics.sorted.first(where: { $0.severity == .error }) ?? (node == nil ? diagnostics.sorted.first : nil) {
            let l = d.location ?? SourceLocation(line: 1, column: 1, offset: 0)
            throw Failure(message: "\(source.path):\(l.line):\(l.column): error: \(d.message)")
        }
        guard let node else { throw Failure(message: "\(source.path):1:1: error: not valid JSON") }
        return Parsed(value: node.value, node: node, source: source)
    }

    /// Reads a file that must hold a JSON object (`what`: "settings file", ...).
    public static func object(_ path: String, what: String) throws(Failure) -> (object: JSONObject, parsed: Parsed) {
        let parsed = try parse(path)
        guard case .object(let o) = parsed.value else {
            throw Failure(message: "\(parsed.position(parsed.node.span.start)): error: the \(what) must be a JSON object, not \(parsed.node.typeName)")
        }
        return (o, parsed)
    }

    /// Keys a settings (`kind` "setting") or secrets (`kind` "secret") file has that the
    /// spec does not declare: a typo there would silently fall back to a default or send
    /// nothing. Each message names the key's position and the nearest declared name.
    /// `$schema` is allowed (editors use it).
    public static func undeclaredKeys(_ parsed: Parsed, declared: [String], kind: String) -> [String] {
        var problems: [String] = []
        for member in parsed.node.members where member.key != "$schema" && !declared.contains(member.key) {
            var message = "\(parsed.position(member.keySpan.start)): error: unknown \(kind) \"\(member.key)\""
            if let s = Suggestions.closest(to: member.key, in: declared) {
                message += "; did you mean \"\(s)\"?"
            } else if declared.isEmpty {
                message += " (the spec declares no \(kind)s)"
            } else {
                message += " (the spec declares \(declared.sorted().map { "\"\($0)\"" }.joined(separator: ", ")))"
            }
            problems.append(message)
        }
        return problems
    }

    /// Both companions of a plan checked at once: every message, or none.
    public static func undeclaredKeys(settings: Parsed?, secrets: Parsed?, plans: [DeliveryPlan]) -> [String] {
        var out: [String] = []
        if let settings { out += undeclaredKeys(settings, declared: Array(Set(plans.flatMap { $0.settings.map(\.name) })), kind: "setting") }
        if let secrets { out += undeclaredKeys(secrets, declared: Array(Set(plans.flatMap(\.secrets))), kind: "secret") }
        return out
    }
}
