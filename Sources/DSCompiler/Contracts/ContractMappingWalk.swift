import DSCore
import DSJSON
import DSSchema
import DSSpec

/// One node of the spec's body mapping, paired with the contract's subschemas for the part of
/// the request body it produces. Its spec pointer and instance path are not formed during the
/// walk (most sites are never reported): each is a step from an earlier site, formed on demand
/// by ``ContractSites/pointer(_:)`` and ``ContractSites/instancePath(_:)``.
struct ContractSite {
    /// The mapping node in the spec.
    var node: JSONNode
    /// The subschemas (alternatives) that describe the value it produces.
    var schemas: [JSONValue]
    /// True when the output field is required by the enclosing object's schema.
    var required: Bool
    /// Its pointer in the spec: `pointerStep` appended to the pointer of site `pointerParent`
    /// (-1: `pointerStep` is the whole pointer).
    var pointerParent: Int
    var pointerStep: PathStep
    /// Where the value lands in the request body (an instance pointer, `-` for any array
    /// element): `instanceStep` appended to the instance path of site `instanceParent`.
    var instanceParent: Int
    var instanceStep: PathStep
}

/// One step of a lazily formed JSON pointer.
enum PathStep {
    /// The whole pointer (at a root).
    case absolute(String)
    /// An object member (escaped when appended).
    case key(String)
    /// An array index.
    case index(Int)
}

/// The sites of one walk, in walk order, with their pointers formed on demand.
struct ContractSites {
    /// Every site.
    var all: [ContractSite]

    /// The spec pointer of site `i`.
    func pointer(_ i: Int) -> String {
        let site = all[i]
        return Self.form(site.pointerParent < 0 ? nil : pointer(site.pointerParent), site.pointerStep)
    }

    /// The instance path of site `i` in the request body.
    func instancePath(_ i: Int) -> String {
        let site = all[i]
        return Self.form(site.instanceParent < 0 ? nil : instancePath(site.instanceParent), site.instanceStep)
    }

    private static func form(_ base: String?, _ step: PathStep) -> String {
        switch step {
        case .absolute(let p): return p
        case .key(let k): return JSONPointer.appending(base ?? "", k)
        case .index(let i): return JSONPointer.appending(base ?? "", i)
        }
    }
}

/// Walks the mapping that builds a JSON request body (envelope -> wrapper -> mapping, following
/// the `@batch` and `@payload` markers and `@each`/`@map`) next to the contract's body schema.
/// Template payloads, form, canonical and NDJSON bodies are not walked.
enum ContractMappingWalk {
    static func sites(_ context: ValidationContext) -> (sites: ContractSites, shape: SchemaShape, contract: RequestContract)? {
        guard let contract = context.contracts.request, let root = contract.bodySchema, let document = contract.document else { return nil }
        let spec = context.spec
        guard let payload = spec.payload, (payload.format?.value ?? .json) == .json, let mapping = payload.mapping else { return nil }
        let shape = SchemaShape(document: document)
        var out: [ContractSite] = []
        let element: (JSONNode, String) = payload.wrapper.map { ($0, "/payload/wrapper") } ?? (mapping, payload.mappingPointer)
        // `pointer` and `instance` are the site's steps from its parents (see `ContractSite`).
        func walk(_ node: JSONNode, _ pointer: (Int, PathStep), _ schemas: [JSONValue], _ instance: (Int, PathStep), required: Bool, depth: Int) {
            guard depth < 64, !schemas.isEmpty else { return }
            let me = out.count
            out.append(ContractSite(node: node, schemas: schemas, required: required,
                                    pointerParent: pointer.0, pointerStep: pointer.1, instanceParent: instance.0, instanceStep: instance.1))
            guard node.isObject else {
                if let elements = node.elements {
                    for (i, e) in elements.enumerated() {
                        walk(e, (me, .index(i)), shape.items(schemas, index: i), (me, .index(i)), required: false, depth: depth + 1)
                    }
                }
                return
            }
            let members = node.members
            if members.count == 1, members[0].key == "@batch", members[0].value.boolValue == true {
                walk(element.0, (-1, .absolute(element.1)), shape.items(schemas, index: nil), (me, .key("-")), required: false, depth: depth + 1)
                return
            }
            if members.count == 1, members[0].key == "@payload", members[0].value.boolValue == true {
                walk(mapping, (-1, .absolute(payload.mappingPointer)), schemas, instance, required: required, depth: depth + 1)
                return
            }
            if !members.isEmpty, members.allSatisfy({ $0.key.hasPrefix("@") && !$0.key.hasPrefix("@@") }) {
                if let each = node.member("@map") {
                    walk(each.value, (me, .key("@map")), shape.items(schemas, index: nil), (me, .key("-")), required: false, depth: depth + 1)
                }
                return
            }
            let requiredKeys = requiredByAll(schemas, shape)
            // The object's schemas expanded once for all its fields.
            let expanded = schemas.flatMap { shape.expand($0) }
            // `@when` and `@drop_empty` beside output fields modify the object; they are not fields.
            for m in members where !objectModifiers.contains(m.key) {
                let name = m.key.hasPrefix("@@") ? String(m.key.dropFirst()) : m.key
                let c = shape.childSchemas(expanded: expanded, key: name)
                walk(m.value, (me, .key(m.key)), c, (me, .key(name)), required: requiredKeys.contains(name), depth: depth + 1)
            }
        }
        let batching = context.batchingEnabled
        let format = spec.batching?.format?.value ?? .jsonArray
        if batching {
            switch format {
            case .jsonObject:
                guard let envelope = spec.batching?.envelope else { return nil }
                walk(envelope, (-1, .absolute("/batching/envelope")), [root], (-1, .absolute("")), required: true, depth: 0)
            case .jsonArray:
                walk(element.0, (-1, .absolute(element.1)), shape.items([root], index: nil), (-1, .absolute("/-")), required: false, depth: 0)
            case .ndjson:
                return nil
            }
        } else {
            walk(element.0, (-1, .absolute(element.1)), [root], (-1, .absolute("")), required: true, depth: 0)
        }
        return (ContractSites(all: out), shape, contract)
    }

    /// Property names every one of `schemas` requires.
    static func requiredByAll(_ schemas: [JSONValue], _ shape: SchemaShape) -> Set<String> {
        var result: Set<String>?
        for s in schemas {
            let r = Set(shape.required(s))
            result = result.map { $0.intersection(r) } ?? r
        }
        return result ?? []
    }

    /// True when the node is a mapping output object (not a directive or a marker): one pass
    /// over the members, without forming the list of fields (`isOutputObjectReference` is the
    /// general form; `ContractWalkFastPathTests` compares the two).
    static func isOutputObject(_ node: JSONNode) -> Bool {
        guard node.isObject else { return false }
        let members = node.members
        if members.isEmpty { return true }
        var anyField = false
        for m in members where !isObjectModifier(m.key) {
            if m.key.hasPrefix("@") && !m.key.hasPrefix("@@") { return false }
            anyField = true
        }
        return anyField
    }

    /// `objectModifiers.contains(key)` without hashing the key.
    static func isObjectModifier(_ key: String) -> Bool {
        key == "@when" || key == "@drop_empty"
    }

    /// The general form of `isOutputObject`.
    static func isOutputObjectReference(_ node: JSONNode) -> Bool {
        guard node.isObject else { return false }
        let fields = node.members.filter { !objectModifiers.contains($0.key) }
        return node.members.isEmpty || (!fields.isEmpty && !fields.contains { $0.key.hasPrefix("@") && !$0.key.hasPrefix("@@") })
    }

    /// The keys that may sit beside output fields (`@when`, `@drop_empty`: the mapping language's object modifiers).
    static let objectModifiers: Set<String> = ["@when", "@drop_empty"]

    /// The event path a node reads directly (`{"@path": "properties.x"}` or `"{{properties.x}}"`),
    /// and whether it has a `@default`.
    static func eventPath(of node: JSONNode) -> (segments: [String], hasDefault: Bool)? {
        if let s = node.stringValue {
            guard s.hasPrefix("{{"), s.hasSuffix("}}"), !s.hasPrefix("{{{"), s.dropFirst(2).firstRange(of: "{{") == nil else { return nil }
            let inner = String(s.dropFirst(2).dropLast(2).filter { $0 != " " })
            guard !inner.isEmpty, !inner.hasPrefix("@"), inner.allSatisfy({ $0.isLetter || $0.isNumber || "._-[]$".contains($0) }) else { return nil }
            return (inner.split(separator: ".").map(String.init), false)
        }
        guard node.isObject, let path = node["@path"]?.stringValue, !path.hasPrefix("@") else { return nil }
        return (path.split(separator: ".").map(String.init), node.member("@default") != nil)
    }

    /// The constant a node always produces (a literal, or `@value` with no `@when`), if any.
    static func constant(of node: JSONNode) -> JSONValue? {
        switch node.kind {
        case .string(let s): return s.contains("{{") ? nil : .string(s)
        case .number, .bool, .null: return node.value
        case .object:
            // Most objects have no `@value`: asked first, before forming the key set.
            guard let v = node["@value"] else { return nil }
            let keys = Set(node.members.map(\.key))
            guard keys.isSubset(of: ["@value", "@keep_null", "@when"]) else { return nil }
            return v.value
        case .array: return nil
        }
    }
}
