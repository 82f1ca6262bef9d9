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
    /// The absolute directory `%SRCROOT%` stands for (the working directory of the run), or
    /// nil if unknown: then only absolute paths are written as `file://` URIs.
    public var sourceRoot: String?

    /// Creates a reporter.
    public init(toolVersion: String, sourceRoot: String? = nil) {
        self.toolVersion = toolVersion
        self.sourceRoot = sourceRoot
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
                let location = Self.artifactLocation(d.path ?? file.path, sourceRoot: sourceRoot)
                var result: JSONObject = JSONObject([
                    ("ruleId", .string(d.code)),
                    ("level", .string(Self.level(d.severity))),
                    ("message", ["text": .string(d.message + (d.suggestion.map { d.message.contains("did you mean") ? "" : " (did you mean: \($0))" } ?? ""))]),
                    ("locations", [[
                        "physicalLocation": [
                            "artifactLocation": location,
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

    /// The `artifactLocation` of a path as the user gave it (SARIF 2.1.0 §3.4.3, §3.4.4): a
    /// file inside the source root is a relative reference resolved against `%SRCROOT%`; a
    /// file outside it (an absolute path elsewhere, or `../` leaving the root) is an absolute
    /// `file:///` URI with no `uriBaseId`. Paths are percent-encoded as RFC 3986 path segments.
    static func artifactLocation(_ path: String, sourceRoot: String?) -> JSONValue {
        let root = sourceRoot.flatMap { $0.hasPrefix("/") ? lexicallyNormalized($0) : nil }
        var absolute: String?
        var relative: String?
        if path.hasPrefix("/") {
            let p = lexicallyNormalized(path)
            if let root, root != "/", p.hasPrefix(root + "/") { relative = String(p.dropFirst(root.count + 1)) } else if root == "/" { relative = String(p.dropFirst()) } else { absolute = p }
        } else {
            let p = lexicallyNormalized(path)
            if p == ".." || p.hasPrefix("../"), let root {
                absolute = lexicallyNormalized(root + "/" + p)
            } else {
                relative = p
            }
        }
        if let absolute {
            return ["uri": .string("file://" + percentEncodedPath(absolute))]
        }
        return ["uri": .string(percentEncodedPath(relative ?? path)), "uriBaseId": "%SRCROOT%"]
    }

    /// `a/./b/../c` -> `a/c`, `//x` -> `/x`; a `..` that would climb above a relative start is kept.
    static func lexicallyNormalized(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if let last = parts.last, last != ".." { parts.removeLast(); continue }
                if isAbsolute { continue }
            }
            parts.append(segment)
        }
        let joined = parts.joined(separator: "/")
        return isAbsolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// RFC 3986 path encoding: unreserved characters, sub-delimiters, `@` and `/` are kept;
    /// every other UTF-8 byte (space, `%`, `#`, `?`, `:`, non-ASCII, ...) becomes `%XX`. `:` is
    /// encoded so a relative reference's first segment cannot read as a scheme.
    static func percentEncodedPath(_ path: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.append(b)
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"), UInt8(ascii: "@"),
                 UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
                 UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The log as pretty JSON with a trailing newline.
    public func format(_ results: [LintFileResult]) -> String {
        JSONWriter.string(log(results), style: .pretty) + "\n"
    }
}
