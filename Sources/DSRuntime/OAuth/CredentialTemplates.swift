import DSCore
import DSJSON
import DSPlan

/// Resolves the templates of a plan's OAuth fields (`token_url`, `client_id`,
/// `client_secret`, `refresh_token`, `key`, ...), which the token fetcher needs and the
/// request renderer does not execute.
///
/// Those fields are, by the spec's rules, literal text with `{{@secrets.NAME}}` and
/// `{{@settings.NAME}}` references (plus `{{{...}}}` and `@secrets.[NAME]` spellings).
/// Only that subset is supported here; anything else (a helper, a block) is an error naming
/// the field. DSRender keeps its template engine internal; if OAuth fields ever need the
/// full language, the renderer should expose "render a configuration-only template".
public struct CredentialTemplates: Sendable {
    private let settings: JSONObject
    private let secrets: JSONObject

    /// Creates the resolver over the given values, with the plan's setting defaults applied.
    public init(plan: DeliveryPlan, settings: JSONObject, secrets: JSONObject) {
        var resolved = JSONObject()
        for s in plan.settings {
            if let v = settings[s.name], !v.isNull { resolved[s.name] = v } else if let d = s.defaultValue { resolved[s.name] = d }
        }
        self.settings = resolved
        self.secrets = secrets
    }

    /// The secret names a template references, in order (for write-back and scrubbing).
    public static func secretNames(in template: String) -> [String] {
        (try? pieces(template))?.compactMap { if case .reference("secrets", let name) = $0 { return name }; return nil } ?? []
    }

    /// The setting names a template references, in order (for messages).
    public static func settingNames(in template: String) -> [String] {
        (try? pieces(template))?.compactMap { if case .reference("settings", let name) = $0 { return name }; return nil } ?? []
    }

    /// The resolved text of `template`, which is the value of `field` (named in errors).
    public func resolve(_ template: String, field: String) throws(OAuthError) -> String {
        let parts: [Piece]
        do {
            parts = try Self.pieces(template)
        } catch {
            throw OAuthError("auth.\(field): \(error.message)")
        }
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .reference(let namespace, let name):
                let source = namespace == "secrets" ? secrets : settings
                guard let value = source[name], !value.isNull else {
                    // A near miss among the given names is most likely a typo of this one.
                    let near = Suggestions.closest(to: name, in: source.map(\.key).filter { $0 != name })
                    throw OAuthError("auth.\(field): \(namespace == "secrets" ? "secret" : "setting") \"\(name)\" has no value; supply it in the \(namespace) file"
                        + (near.map { "; it has \"\($0)\": did you mean \"\(name)\"?" } ?? ""))
                }
                switch value {
                case .string(let s): out += s
                case .number(let n): out += n.text
                case .bool(let b): out += b ? "true" : "false"
                default: throw OAuthError("auth.\(field): \(namespace) \"\(name)\" must be a string, not \(value.typeName)")
                }
            }
        }
        return out
    }

    /// The resolved value of `template` for a JSON token request: a template that is exactly
    /// one reference keeps the referenced value's JSON type (a number setting such as
    /// Marketing Cloud's `account_id` stays a number); anything else is its text.
    public func resolveValue(_ template: String, field: String) throws(OAuthError) -> JSONValue {
        if let parts = try? Self.pieces(template), parts.count == 1, case .reference(let namespace, let name) = parts[0],
           let value = (namespace == "secrets" ? secrets : settings)[name] {
            switch value {
            case .number, .bool: return value
            default: break
            }
        }
        return .string(try resolve(template, field: field))
    }

    private enum Piece: Equatable {
        case text(String)
        case reference(String, String)
    }

    private static func pieces(_ template: String) throws(OAuthError) -> [Piece] {
        var result: [Piece] = []
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { result.append(.text(String(rest[..<open.lowerBound]))) }
            let triple = rest[open.upperBound...].hasPrefix("{")
            let closing = triple ? "}}}" : "}}"
            let start = triple ? rest.index(after: open.upperBound) : open.upperBound
            guard let close = rest[start...].range(of: closing) else { throw OAuthError("unclosed {{ in a credential template") }
            let tag = String(rest[start..<close.lowerBound]).trimmingWhitespace()
            var reference: Piece?
            for namespace in ["secrets", "settings"] where tag.hasPrefix("@\(namespace).") {
                var name = String(tag.dropFirst(namespace.count + 2))
                if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
                if !name.isEmpty { reference = .reference(namespace, name) }
            }
            guard let reference else {
                throw OAuthError("credential templates may only reference {{@secrets.NAME}} and {{@settings.NAME}}, not {{\(tag)}}")
            }
            result.append(reference)
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { result.append(.text(String(rest))) }
        return result
    }
}
