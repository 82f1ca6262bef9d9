import DSCore
import DSSpec

/// `{{{x}}}` inserts a value into the URL without percent-encoding. From event data that
/// could rewrite the request line (CR/LF, spaces), add query parameters (`?`, `&`) or path
/// segments (`/`, `..`); only a setting, fixed by whoever runs the spec, may be inserted so.
public struct URLRawValuesAreSettings: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0204", name: "url-raw-values-are-settings", severity: .error,
        summary: "In a URL, {{{...}}} (no percent-encoding) may insert only a setting, never event data or a helper's output.",
        hint: "Use {{field}}, which percent-encodes the value as one path segment or query value; {{{@settings.NAME}}} is fine for a base URL or path prefix.")
    public init() {}
    public func check(_ context: ValidationContext) {
        for t in context.templates where t.mode == .url {
            guard let compiled = t.compiled else { continue }
            for hole in compiled.unescapedHoles where hole.settingName == nil && hole.partial == nil {
                let bytes = Array(t.text.value.utf8)
                guard hole.offset >= 0, hole.offset < bytes.count else { continue }
                let tag = String(decoding: bytes[hole.offset..<min(hole.offset + hole.length, bytes.count)], as: UTF8.self)
                var suggestion: String?
                if tag.hasPrefix("{{{") && tag.hasSuffix("}}}") { suggestion = "{{" + tag.dropFirst(3).dropLast(3) + "}}" }
                context.report(Self.self, "\(t.site): \(tag) inserts \(hole.dataPath.map { "@" + $0.joined(separator: ".") } ?? "a value") without percent-encoding; event data could rewrite the request line, the query or the path",
                               span: context.span(in: t.text, offset: hole.offset, length: hole.length), pointer: t.text.pointer, suggestion: suggestion)
            }
        }
    }
}
