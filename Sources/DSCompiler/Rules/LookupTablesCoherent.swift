import DSCore
import DSJSON
import DSSpec

/// A lookup table must say one thing about unmatched values and must translate something:
/// a `default` beside `unmatched: omit` or `passthrough` would be ignored, `unmatched:
/// default` needs the default, an empty `map` translates nothing, and a key with leading
/// or trailing whitespace never matches a trimmed value by accident (it is allowed, but
/// almost always a typo, so it is reported too).
public struct LookupTablesCoherent: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0314", name: "lookup-tables-coherent", severity: .error,
        summary: "A lookup table needs a non-empty map, and a default exactly when unmatched values take the default.",
        hint: "Write {\"map\": {...}} with a \"default\", or with \"unmatched\": \"omit\" or \"passthrough\" and no default.")
    public init() {}
    public func check(_ context: ValidationContext) {
        for table in context.spec.lookups {
            let name = table.name.value
            if let map = table.map {
                if map.value.isEmpty {
                    context.report(Self.self, "lookup table \"\(name)\" has an empty map: it translates nothing", at: map)
                }
                for key in map.value.keys where key != TemplateKeyText.trimmed(key) {
                    let pointer = JSONPointer.appending(map.pointer, key)
                    let span = context.spec.root.resolve(pointer)?.span ?? map.span
                    context.report(Self.self, "lookup table \"\(name)\": key \(key.debugDescription) has leading or trailing whitespace, so values match it only with that whitespace",
                                   span: span, pointer: pointer, hint: "Trim the key; trim the value with @transform \"trim\" before the lookup.", severity: .warning)
                }
            }
            switch (table.unmatched?.value, table.defaultValue) {
            case (.omit?, let d?), (.passthrough?, let d?):
                context.report(Self.self, "lookup table \"\(name)\" has a default, but unmatched \(table.unmatched!.value.rawValue) never uses it", at: d)
            case (.default?, nil):
                context.report(Self.self, "lookup table \"\(name)\" says unmatched default but gives no \"default\"", at: table.unmatched!)
            default: break
            }
        }
    }
}

/// Whitespace trimming for key checks (Unicode whitespace, as `trim` does).
enum TemplateKeyText {
    static func trimmed(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
