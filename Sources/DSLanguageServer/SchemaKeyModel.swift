import DSJSON

/// The keys a spec may have at a path and their documentation, read from the project's JSON
/// Schema for specs (`specs/schema/delivery-spec.schema.json`, the same document `$schema`
/// names in every example): completion and hover use the schema itself, so they cannot drift
/// from what the schema accepts.
public struct SchemaKeyModel: Sendable {
    /// One key allowed at a path.
    public struct Key: Sendable, Equatable {
        public var name: String
        public var documentation: String?
    }

    private let root: JSONValue

    /// Wraps a parsed schema document.
    public init(schema: JSONValue) { self.root = schema }

    /// Follows a local `$ref` ("#/$defs/x").
    private func resolve(_ ref: String) -> JSONValue? {
        // The one JSON Pointer parser (DSJSON: RFC 6901 on code points, `~1` and `~0` decoded).
        guard ref.hasPrefix("#"), let tokens = JSONPointer.tokens(String(ref.dropFirst())) else { return nil }
        var node = root
        for seg in tokens {
            if case .array(let a) = node, let i = Int(seg), i >= 0, i < a.count { node = a[i]; continue }
            guard let next = node[seg] else { return nil }
            node = next
        }
        return node
    }

    /// The schema and every schema it is combined with (`$ref`, `allOf`, `anyOf`, `oneOf`,
    /// `then`, `else`), depth-limited against cycles.
    private func expand(_ schema: JSONValue, depth: Int = 0, into out: inout [JSONValue]) {
        guard depth < 12, case .object = schema else { return }
        out.append(schema)
        if let ref = schema["$ref"]?.stringValue, let target = resolve(ref) { expand(target, depth: depth + 1, into: &out) }
        for combinator in ["allOf", "anyOf", "oneOf"] {
            for sub in schema[combinator]?.arrayValue ?? [] { expand(sub, depth: depth + 1, into: &out) }
        }
        for branch in ["then", "else"] { if let sub = schema[branch] { expand(sub, depth: depth + 1, into: &out) } }
    }

    /// The schemas that apply at `path` (object keys and array indexes).
    public func schemas(at path: [String]) -> [JSONValue] {
        var current: [JSONValue] = []
        expand(root, into: &current)
        for segment in path {
            var next: [JSONValue] = []
            for schema in current {
                if let p = schema["properties"]?[segment] { expand(p, into: &next); continue }
                if Int(segment) != nil {
                    if let items = schema["items"] { expand(items, into: &next) }
                    if let prefix = schema["prefixItems"]?.arrayValue, let i = Int(segment), i >= 0, i < prefix.count { expand(prefix[i], into: &next) }
                }
                if let pp = schema["patternProperties"]?.objectValue { for (_, s) in pp { expand(s, into: &next) } }
                if let ap = schema["additionalProperties"], case .object = ap { expand(ap, into: &next) }
            }
            current = next
            if current.isEmpty { break }
        }
        return current
    }

    /// The keys allowed in the object at `path`, sorted by name, each with its description.
    public func keys(at path: [String]) -> [Key] {
        var seen: [String: Key] = [:]
        for schema in schemas(at: path) {
            guard let props = schema["properties"]?.objectValue else { continue }
            for (name, sub) in props {
                let doc = description(of: sub)
                if let existing = seen[name], existing.documentation != nil { continue }
                seen[name] = Key(name: name, documentation: doc)
            }
        }
        return seen.values.sorted { $0.name < $1.name }
    }

    /// The documentation of the value at `path` (its description, or that of what it refers to).
    public func documentation(at path: [String]) -> String? {
        guard let last = path.last else { return root["description"]?.stringValue }
        for schema in schemas(at: Array(path.dropLast())) {
            if let p = schema["properties"]?[last], let d = description(of: p) { return d }
        }
        for schema in schemas(at: path) { if let d = schema["description"]?.stringValue { return d } }
        return nil
    }

    private func description(of schema: JSONValue) -> String? {
        var all: [JSONValue] = []
        expand(schema, into: &all)
        return all.lazy.compactMap { $0["description"]?.stringValue }.first
    }
}

