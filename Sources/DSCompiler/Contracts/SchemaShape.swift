import DSJSON

/// Static questions about a JSON Schema document, asked without an instance: which properties
/// an object may have at a path, and which are required. Subschemas are followed through
/// local `$ref`s and `allOf`/`anyOf`/`oneOf`/`if`/`then`/`else`; anything the walk cannot
/// decide (remote refs, `patternProperties`, `true` schemas) counts as "cannot tell", so the
/// rules built on it only report what the schema really says.
struct SchemaShape {
    /// The schema document (where `#...` references resolve).
    let document: JSONValue
    /// At most this many alternative subschemas are followed at one level.
    static let maxAlternatives = 64

    /// What the schema says about a path below a set of schemas.
    enum Lookup {
        /// The path is defined (or allowed by an explicit `additionalProperties` schema).
        case defined([JSONValue])
        /// The segment at `index` is not among the properties the schema defines.
        case unknown(index: Int, candidates: [String], closed: Bool)
        /// The schema does not say (no `properties` at that level, remote refs, patterns).
        case cannotTell
    }

    /// Expands a schema into the schemas that apply together or alternatively with it
    /// (following local `$ref`s and the combinators), at most `limit` of them.
    func expand(_ schema: JSONValue, limit: Int = 64) -> [JSONValue] {
        var out: [JSONValue] = []
        var queue = [schema]
        var steps = 0
        while let s = queue.popLast(), steps < limit {
            steps += 1
            guard let o = s.objectValue else { out.append(s); continue }
            out.append(s)
            if let ref = o["$ref"]?.stringValue {
                if let target = resolve(ref) { queue.append(target) } else { out.append(.bool(true)) }
            }
            if o["$dynamicRef"] != nil { out.append(.bool(true)) }
            for key in ["allOf", "anyOf", "oneOf"] { queue += o[key]?.arrayValue ?? [] }
            for key in ["then", "else"] { if let v = o[key] { queue.append(v) } }
        }
        return out
    }

    /// The schemas that are always applied with `schema` (itself, `$ref` and `allOf`), for
    /// `required`.
    func conjunction(_ schema: JSONValue, limit: Int = 64) -> [JSONValue] {
        var out: [JSONValue] = []
        var queue = [schema]
        while let s = queue.popLast(), out.count < limit {
            guard let o = s.objectValue else { continue }
            out.append(s)
            if let ref = o["$ref"]?.stringValue, let target = resolve(ref) { queue.append(target) }
            queue += o["allOf"]?.arrayValue ?? []
        }
        return out
    }

    func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        return JSONPointer.resolve(String(ref.dropFirst()), in: document)
    }

    /// The properties `schema` requires (its own and its `allOf` branches').
    func required(_ schema: JSONValue) -> [String] {
        var out: [String] = []
        for s in conjunction(schema) {
            for r in s["required"]?.arrayValue ?? [] { if let name = r.stringValue, !out.contains(name) { out.append(name) } }
        }
        return out
    }

    /// The subschemas for property `key` of an object matching `schemas`.
    func child(_ schemas: [JSONValue], key: String) -> (schemas: [JSONValue], definesAny: Bool, closed: Bool, candidates: [String], cannotTell: Bool) {
        var found: [JSONValue] = []
        var definesAny = false
        var closedAll = true
        var candidates: [String] = []
        var cannotTell = false
        for s in schemas.flatMap({ expand($0) }) {
            if s.boolValue == true { cannotTell = true; continue }
            guard let o = s.objectValue else { continue }
            if o["patternProperties"] != nil || o["propertyNames"] != nil { cannotTell = true }
            if let props = o["properties"]?.objectValue {
                definesAny = true
                candidates += props.keys
                if let v = props[key] { found.append(v) }
            }
            let additional = o["additionalProperties"] ?? o["unevaluatedProperties"]
            if let additional {
                if additional.boolValue == false { continue }
                if additional.objectValue != nil, o["properties"]?[key] == nil { found.append(additional) }
            }
            if o["properties"] != nil || additional != nil { closedAll = closedAll && additional?.boolValue == false }
        }
        // Bounded: a schema of nested combinators must not multiply the alternatives level by level.
        return (Array(found.prefix(Self.maxAlternatives)), definesAny, closedAll && definesAny, candidates, cannotTell)
    }

    /// `child(schemas, key: key).schemas` when `expanded` is `schemas.flatMap { expand($0) }`:
    /// a walk that asks for many keys of one object expands its schemas once and forms no
    /// candidate list (`SchemaShapeChildTests` compares the two).
    func childSchemas(expanded: [JSONValue], key: String) -> [JSONValue] {
        var found: [JSONValue] = []
        for s in expanded {
            guard let o = s.objectValue else { continue }
            let props = o["properties"]
            if let v = props?.objectValue?[key] { found.append(v) }
            if let additional = o["additionalProperties"] ?? o["unevaluatedProperties"],
               additional.boolValue != false, additional.objectValue != nil, props?[key] == nil {
                found.append(additional)
            }
        }
        return found.count > Self.maxAlternatives ? Array(found.prefix(Self.maxAlternatives)) : found
    }

    /// The subschemas for the items of an array matching `schemas` (index `n` if known).
    func items(_ schemas: [JSONValue], index: Int?) -> [JSONValue] {
        var out: [JSONValue] = []
        for s in schemas.flatMap({ expand($0) }) {
            guard let o = s.objectValue else { continue }
            if let index, let prefix = o["prefixItems"]?.arrayValue, index < prefix.count { out.append(prefix[index]); continue }
            if let i = o["items"], i.objectValue != nil || i.boolValue != nil { out.append(i) }
        }
        return Array(out.prefix(Self.maxAlternatives))
    }

    /// Looks up a path of property names and array indexes (`products`, `[0]`, `0`).
    func lookup(_ segments: [String], from root: JSONValue) -> Lookup {
        var current = [root]
        for (i, segment) in segments.enumerated() {
            if let index = Self.arrayIndex(segment) {
                current = items(current, index: index)
                if current.isEmpty { return .cannotTell }
                continue
            }
            // The common case, a defined property, without the candidate list; `child` only
            // when the property is not found (same schemas: `SchemaShapeChildTests`).
            let found = childSchemas(expanded: current.flatMap { expand($0) }, key: segment)
            if !found.isEmpty { current = found; continue }
            let c = child(current, key: segment)
            if c.cannotTell || !c.definesAny { return .cannotTell }
            return .unknown(index: i, candidates: Array(Set(c.candidates)).sorted(), closed: c.closed)
        }
        return .defined(current)
    }

    static func arrayIndex(_ segment: String) -> Int? {
        var s = Substring(segment)
        if s.hasPrefix("["), s.hasSuffix("]") { s = s.dropFirst().dropLast() }
        guard !s.isEmpty, s.count < 10, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s)
    }

    /// Whether the property at `segments` is required all the way down from `root`.
    func isRequired(_ segments: [String], from root: JSONValue) -> Bool {
        var current = [root]
        for segment in segments {
            if Self.arrayIndex(segment) != nil { return false }
            guard current.contains(where: { required($0).contains(segment) }) else { return false }
            let c = child(current, key: segment)
            if c.schemas.isEmpty { return false }
            current = c.schemas
        }
        return true
    }
}
