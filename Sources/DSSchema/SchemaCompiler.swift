import DSJSON

/// A schema resource (the root or a subschema with `$id`): the unit of dynamic scope.
final class SchemaResource {
    let uri: String
    var dynamicAnchors: [String: SchemaNode] = [:]
    init(uri: String) { self.uri = uri }
}

/// Which vocabularies apply to a schema (from its meta-schema's `$vocabulary`).
struct Vocabularies: OptionSet {
    let rawValue: UInt8
    static let applicator = Vocabularies(rawValue: 1)
    static let validation = Vocabularies(rawValue: 2)
    static let unevaluated = Vocabularies(rawValue: 4)
    static let formatAssertion = Vocabularies(rawValue: 8)
    static let standard: Vocabularies = [.applicator, .validation, .unevaluated]
}

final class RefTarget {
    unowned(unsafe) var node: SchemaNode
    init(_ node: SchemaNode) { self.node = node }
}

final class DynamicRefTarget {
    unowned(unsafe) var node: SchemaNode
    /// The anchor name when the statically resolved target is a `$dynamicAnchor` (then the
    /// outermost resource in dynamic scope with that anchor wins).
    var dynamicName: String?
    init(_ node: SchemaNode) { self.node = node }
}

struct TypeMask: OptionSet {
    let rawValue: UInt8
    static let null = TypeMask(rawValue: 1)
    static let boolean = TypeMask(rawValue: 2)
    static let object = TypeMask(rawValue: 4)
    static let array = TypeMask(rawValue: 8)
    static let number = TypeMask(rawValue: 16)
    static let string = TypeMask(rawValue: 32)
    static let integer = TypeMask(rawValue: 64)

    static func named(_ s: String) -> TypeMask? {
        switch s {
        case "null": return .null
        case "boolean": return .boolean
        case "object": return .object
        case "array": return .array
        case "number": return .number
        case "string": return .string
        case "integer": return .integer
        default: return nil
        }
    }

    var names: [String] {
        var out: [String] = []
        for (t, n) in [(TypeMask.null, "null"), (.boolean, "boolean"), (.object, "object"), (.array, "array"), (.number, "number"), (.string, "string"), (.integer, "integer")] where contains(t) { out.append(n) }
        return out
    }
}

/// One compiled keyword. `name` paths are kept for error locations.
enum Keyword {
    case ref(RefTarget)
    case dynamicRef(DynamicRefTarget)
    case type(TypeMask)
    case enumeration([JSONValue])
    case constant(JSONValue)
    /// `enum` / `const` of ASCII strings only: for an ASCII string, Swift `==` with equal UTF-8
    /// length is code-point equality, so no byte comparison is needed.
    case asciiEnumeration([String])
    case asciiConstant(String)
    case multipleOf(Bound)
    case maximum(Bound), exclusiveMaximum(Bound), minimum(Bound), exclusiveMinimum(Bound)
    case maxLength(Int), minLength(Int)
    case pattern(SchemaRegex)
    case maxItems(Int), minItems(Int), uniqueItems
    case maxProperties(Int), minProperties(Int)
    case required([String])
    case dependentRequired([Dependency])
    case allOf([SchemaNode]), anyOf([SchemaNode]), oneOf([SchemaNode]), not(SchemaNode)
    case ifThenElse(Conditional)
    case dependentSchemas([PropertySchema])
    case prefixItems([SchemaNode])
    case items(SchemaNode, prefix: Int)
    case contains(ContainsRule)
    case properties([PropertySchema])
    case patternProperties([PatternSchema])
    case additionalProperties(AdditionalRule)
    case propertyNames(SchemaNode)
    case unevaluatedItems(SchemaNode)
    case unevaluatedProperties(SchemaNode)
    case format(FormatRule)
}

/// Property names a schema declares: small sets are scanned like `JSONObject` keys (faster
/// than hashing for a dozen short keys), larger ones hashed.
struct KeySet {
    let list: [String]
    let set: Set<String>?
    init(_ keys: [String]) {
        list = keys
        set = keys.count > 16 ? Set(keys) : nil
    }
    @inline(__always)
    func contains(_ key: String) -> Bool {
        if let set { return set.contains(key) }
        return list.withUnsafeBufferPointer { JSONObject.position(of: key, in: $0) } != nil
    }
}

// Keyword payloads wider than a word live in classes, so copying a `Keyword` is one retain.
final class Bound {
    let value: SchemaDecimal
    init(_ value: SchemaDecimal) { self.value = value }
}

final class ContainsRule {
    let node: SchemaNode
    let min: Int
    let max: Int?
    init(node: SchemaNode, min: Int, max: Int?) { self.node = node; self.min = min; self.max = max }
}

final class AdditionalRule {
    let node: SchemaNode
    let known: KeySet
    let patterns: [SchemaRegex]
    init(node: SchemaNode, known: KeySet, patterns: [SchemaRegex]) { self.node = node; self.known = known; self.patterns = patterns }
}

final class FormatRule {
    let name: String
    let check: @Sendable (String) -> Bool
    init(name: String, check: @escaping @Sendable (String) -> Bool) { self.name = name; self.check = check }
}

final class Conditional {
    let condition: SchemaNode
    let then: SchemaNode?
    let otherwise: SchemaNode?
    init(condition: SchemaNode, then: SchemaNode?, otherwise: SchemaNode?) { self.condition = condition; self.then = then; self.otherwise = otherwise }
}

struct KeywordEntry {
    let name: String
    let keyword: Keyword
}

struct PropertySchema {
    let name: String
    let node: SchemaNode
}

struct PatternSchema {
    let regex: SchemaRegex
    let node: SchemaNode
}

struct Dependency {
    let name: String
    let required: [String]
}

/// A compiled (sub)schema.
final class SchemaNode {
    /// Absolute keyword location of this schema: resource URI + "#" + pointer.
    let absoluteLocation: String
    /// `true` / `false` schemas.
    var constant: Bool?
    /// The keywords, in evaluation order (unevaluated* last). Kept in a buffer the node owns, so
    /// the evaluator reads entries in place without retaining an array or calling a closure.
    var keywords: [KeywordEntry] {
        get { Array(keywordBuffer) }
        set {
            keywordBuffer.deinitialize()
            keywordBuffer.deallocate()
            keywordBuffer = .allocate(capacity: newValue.count)
            _ = keywordBuffer.initialize(from: newValue)
        }
    }
    private(set) var keywordBuffer = UnsafeMutableBufferPointer<KeywordEntry>.allocate(capacity: 0)
    /// The resource this schema belongs to (for dynamic scope).
    unowned(unsafe) var resource: SchemaResource
    /// True if this node (in place) has unevaluated* keywords and so needs annotations.
    var needsAnnotations = false

    init(absoluteLocation: String, resource: SchemaResource) {
        self.absoluteLocation = absoluteLocation
        self.resource = resource
    }

    deinit {
        keywordBuffer.deinitialize()
        keywordBuffer.deallocate()
    }
}

/// Compiles schema documents into `SchemaNode` trees: indexes resources and anchors, then
/// compiles reachable subschemas once each (cycles through `$ref` share nodes).
final class SchemaCompiler {
    let resolver: SchemaResolver
    let options: SchemaOptions

    struct Location: Hashable {
        var doc: Int
        var pointer: [String]
        var key: String { "\(doc)" + pointer.map { "/" + JSONPointer.escape($0) }.joined() }
    }

    var documents: [JSONValue] = []
    var documentURIs: [String] = []
    /// Resource URI (no fragment) -> location of its root.
    var resources: [String: Location] = [:]
    /// URI "#" anchor -> location.
    var anchors: [String: Location] = [:]
    var dynamicAnchorURIs: Set<String> = []
    /// Resource URI -> names of its `$dynamicAnchor`s.
    var dynamicAnchorNames: [String: [String]] = [:]
    var compiled: [Location: SchemaNode] = [:]
    var resourceObjects: [String: SchemaResource] = [:]
    var allNodes: [SchemaNode] = []
    var usesDynamicScope = false
    var pendingRefs: [() throws -> Void] = []

    init(resolver: SchemaResolver, options: SchemaOptions) {
        self.resolver = resolver
        self.options = options
    }

    func compileRoot(_ schema: JSONValue) throws -> SchemaNode {
        let doc = addDocument(schema, uri: options.baseURI)
        let root = try node(at: Location(doc: doc, pointer: []))
        while !pendingRefs.isEmpty {
            let work = pendingRefs
            pendingRefs = []
            for w in work { try w() }
        }
        return root
    }

    // MARK: Indexing

    @discardableResult
    func addDocument(_ value: JSONValue, uri: String) -> Int {
        let doc = documents.count
        documents.append(value)
        documentURIs.append(uri)
        let base = SchemaURI.resolve("", against: uri)
        index(value, base: base, location: Location(doc: doc, pointer: []), isRoot: true)
        return doc
    }

    private static let mapKeywords: Set<String> = ["$defs", "definitions", "properties", "patternProperties", "dependentSchemas", "dependencies"]
    private static let arrayKeywords: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
    private static let singleKeywords: Set<String> = ["items", "additionalProperties", "unevaluatedProperties", "unevaluatedItems", "contains", "propertyNames", "not", "if", "then", "else", "contentSchema"]

    private func index(_ value: JSONValue, base: String, location: Location, isRoot: Bool) {
        guard case .object(let o) = value else { return }
        var base = base
        if case .string(let id)? = o["$id"] {
            base = SchemaURI.resolve(id, against: base)
            if let hash = base.firstIndex(of: "#") { base = String(base[..<hash]) }
            if resources[base] == nil { resources[base] = location }
        } else if isRoot {
            if resources[base] == nil { resources[base] = location }
        }
        if case .string(let a)? = o["$anchor"] { anchors[base + "#" + a] = location }
        if case .string(let a)? = o["$dynamicAnchor"] {
            anchors[base + "#" + a] = location
            dynamicAnchorURIs.insert(base + "#" + a)
            dynamicAnchorNames[base, default: []].append(a)
        }
        for (k, v) in o {
            if Self.mapKeywords.contains(k), case .object(let m) = v {
                for (name, sub) in m { index(sub, base: base, location: Location(doc: location.doc, pointer: location.pointer + [k, name]), isRoot: false) }
            } else if Self.arrayKeywords.contains(k), case .array(let a) = v {
                for (i, sub) in a.enumerated() { index(sub, base: base, location: Location(doc: location.doc, pointer: location.pointer + [k, String(i)]), isRoot: false) }
            } else if Self.singleKeywords.contains(k) {
                index(v, base: base, location: Location(doc: location.doc, pointer: location.pointer + [k]), isRoot: false)
            }
        }
    }

    /// The value, base URI, resource URI and vocabularies at a location.
    private func context(of location: Location) throws -> (value: JSONValue, base: String, vocab: Vocabularies) {
        var value = documents[location.doc]
        var base = SchemaURI.resolve("", against: documentURIs[location.doc])
        var vocab = Vocabularies.standard
        func enter(_ v: JSONValue) throws {
            guard case .object(let o) = v else { return }
            if case .string(let id)? = o["$id"] {
                base = SchemaURI.resolve(id, against: base)
                if let hash = base.firstIndex(of: "#") { base = String(base[..<hash]) }
            }
            if case .string(let s)? = o["$schema"] { vocab = try vocabularies(forMetaschema: s) }
        }
        try enter(value)
        for token in location.pointer {
            switch value {
            case .object(let o): value = o[token] ?? .null
            case .array(let a): value = Int(token).flatMap { $0 >= 0 && $0 < a.count ? a[$0] : nil } ?? .null
            default: value = .null
            }
            try enter(value)
        }
        return (value, base, vocab)
    }

    private var vocabularyCache: [String: Vocabularies] = [:]

    private func vocabularies(forMetaschema uri: String) throws -> Vocabularies {
        let key = SchemaURI.resolve("", against: uri)
        if let v = vocabularyCache[key] { return v }
        var result = Vocabularies.standard
        if key != "https://json-schema.org/draft/2020-12/schema", let doc = try document(for: key),
           case .object(let vocabs)? = documents[doc.doc][pointer: doc.pointer]?["$vocabulary"] {
            result = []
            for (name, required) in vocabs {
                switch name {
                case "https://json-schema.org/draft/2020-12/vocab/core", "https://json-schema.org/draft/2020-12/vocab/meta-data",
                     "https://json-schema.org/draft/2020-12/vocab/content", "https://json-schema.org/draft/2020-12/vocab/format-annotation":
                    break
                case "https://json-schema.org/draft/2020-12/vocab/applicator": result.insert(.applicator)
                case "https://json-schema.org/draft/2020-12/vocab/validation": result.insert(.validation)
                case "https://json-schema.org/draft/2020-12/vocab/unevaluated": result.insert(.unevaluated)
                case "https://json-schema.org/draft/2020-12/vocab/format-assertion": result.insert(.formatAssertion)
                default:
                    if required == .bool(true) {
                        throw SchemaCompileError(location: key, message: "the meta-schema requires the vocabulary \(name), which this validator does not implement")
                    }
                }
            }
        }
        vocabularyCache[key] = result
        return result
    }

    /// The location of a resource root, loading the document through the resolver (or the
    /// embedded meta-schemas) on first use.
    private func document(for uri: String) throws -> Location? {
        if let loc = resources[uri] { return loc }
        var value = resolver.schemaDocument(for: uri)
        if value == nil, let text = Metaschemas.documents[uri] { value = try? JSONParser().parseValue(text) }
        guard let value else { return nil }
        let doc = addDocument(value, uri: uri)
        // A document whose `$id` differs from where it was retrieved is known by both.
        if resources[uri] == nil { resources[uri] = Location(doc: doc, pointer: []) }
        return resources[uri]
    }

    // MARK: Compilation

    func resource(_ uri: String) -> SchemaResource {
        if let r = resourceObjects[uri] { return r }
        let r = SchemaResource(uri: uri)
        resourceObjects[uri] = r
        // Entering any schema of a resource puts its `$dynamicAnchor`s in dynamic scope, so
        // they are compiled with it.
        for name in dynamicAnchorNames[uri] ?? [] {
            if let loc = anchors[uri + "#" + name] {
                pendingRefs.append { [unowned self] in r.dynamicAnchors[name] = try self.node(at: loc) }
            }
        }
        return r
    }

    func node(at location: Location) throws -> SchemaNode {
        if let n = compiled[location] { return n }
        let (value, base, vocab) = try context(of: location)
        let res = resource(base)
        let pointerInResource: String
        if let root = resources[base], root.doc == location.doc, location.pointer.starts(with: root.pointer) {
            pointerInResource = location.pointer.dropFirst(root.pointer.count).map { "/" + JSONPointer.escape($0) }.joined()
        } else {
            pointerInResource = location.pointer.map { "/" + JSONPointer.escape($0) }.joined()
        }
        let node = SchemaNode(absoluteLocation: base + "#" + pointerInResource, resource: res)
        compiled[location] = node
        allNodes.append(node)
        try fill(node, value: value, base: base, vocab: vocab, location: location)
        return node
    }

    private func fail(_ node: SchemaNode, _ keyword: String, _ message: String) -> SchemaCompileError {
        SchemaCompileError(location: node.absoluteLocation + "/" + keyword, message: message)
    }

    private func nonNegativeInt(_ v: JSONValue, _ node: SchemaNode, _ k: String) throws -> Int {
        if case .number(let n) = v {
            let d = SchemaDecimal(n)
            // Clamped far beyond any real length or count, so arithmetic on it cannot overflow.
            if d.isInteger && !d.negative { return min(d.intValue ?? Int.max, 1 << 56) }
        }
        throw fail(node, k, "must be a non-negative integer")
    }

    private func regex(_ v: JSONValue, _ node: SchemaNode, _ k: String) throws -> SchemaRegex {
        guard case .string(let s) = v, let re = SchemaRegex(s) else {
            throw fail(node, k, "must be an ECMA-262 regular expression this validator supports")
        }
        return re
    }

    private func fill(_ node: SchemaNode, value: JSONValue, base: String, vocab: Vocabularies, location: Location) throws {
        switch value {
        case .bool(let b): node.constant = b; return
        case .object: break
        default: throw SchemaCompileError(location: node.absoluteLocation, message: "a schema must be an object or a boolean")
        }
        guard case .object(let o) = value else { return }
        func sub(_ tokens: String...) throws -> SchemaNode {
            try self.node(at: Location(doc: location.doc, pointer: location.pointer + tokens))
        }
        var keywords: [(String, Keyword)] = []
        let applicator = vocab.contains(.applicator), validation = vocab.contains(.validation)

        if case .string(let ref)? = o["$ref"] {
            let target = SchemaURI.resolve(ref, against: base)
            let box = RefTarget(node)  // placeholder until resolved
            keywords.append(("$ref", .ref(box)))
            pendingRefs.append { [unowned self] in
                guard let loc = try self.resolveReference(target) else {
                    throw self.fail(node, "$ref", "cannot resolve \"\(ref)\" (\(target))")
                }
                box.node = try self.node(at: loc)
            }
        }
        if case .string(let ref)? = o["$dynamicRef"] {
            let target = SchemaURI.resolve(ref, against: base)
            let (_, fragment) = SchemaURI.split(target)
            let box = DynamicRefTarget(node)
            keywords.append(("$dynamicRef", .dynamicRef(box)))
            usesDynamicScope = true
            pendingRefs.append { [unowned self] in
                guard let loc = try self.resolveReference(target) else {
                    throw self.fail(node, "$dynamicRef", "cannot resolve \"\(ref)\" (\(target))")
                }
                box.node = try self.node(at: loc)
                // Only a reference to a `$dynamicAnchor` is dynamic; otherwise it behaves like `$ref`.
                if !fragment.isEmpty && !fragment.hasPrefix("/") && self.dynamicAnchorURIs.contains(target) { box.dynamicName = fragment }
            }
        }
        if validation {
            if let t = o["type"] {
                var mask: TypeMask = []
                switch t {
                case .string(let s): guard let m = TypeMask.named(s) else { throw fail(node, "type", "unknown type \"\(s)\"") }; mask = m
                case .array(let a):
                    for e in a {
                        guard case .string(let s) = e, let m = TypeMask.named(s) else { throw fail(node, "type", "unknown type \(e)") }
                        mask.insert(m)
                    }
                default: throw fail(node, "type", "must be a type name or an array of them")
                }
                keywords.append(("type", .type(mask)))
            }
            if let e = o["enum"] {
                guard case .array(let a) = e else { throw fail(node, "enum", "must be an array") }
                let strings = a.compactMap(\.stringValue)
                if strings.count == a.count && strings.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) {
                    keywords.append(("enum", .asciiEnumeration(strings)))
                } else {
                    keywords.append(("enum", .enumeration(a)))
                }
            }
            if let c = o["const"] {
                if case .string(let str) = c, str.utf8.allSatisfy({ $0 < 0x80 }) {
                    keywords.append(("const", .asciiConstant(str)))
                } else {
                    keywords.append(("const", .constant(c)))
                }
            }
            for k in ["multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"] {
                guard let v = o[k] else { continue }
                guard case .number(let n) = v else { throw fail(node, k, "must be a number") }
                let d = SchemaDecimal(n)
                switch k {
                case "multipleOf":
                    guard !d.negative && !d.isZero else { throw fail(node, k, "must be greater than 0") }
                    keywords.append((k, .multipleOf(Bound(d))))
                case "maximum": keywords.append((k, .maximum(Bound(d))))
                case "exclusiveMaximum": keywords.append((k, .exclusiveMaximum(Bound(d))))
                case "minimum": keywords.append((k, .minimum(Bound(d))))
                default: keywords.append((k, .exclusiveMinimum(Bound(d))))
                }
            }
            if let v = o["maxLength"] { keywords.append(("maxLength", .maxLength(try nonNegativeInt(v, node, "maxLength")))) }
            if let v = o["minLength"] { keywords.append(("minLength", .minLength(try nonNegativeInt(v, node, "minLength")))) }
            if let v = o["pattern"] { keywords.append(("pattern", .pattern(try regex(v, node, "pattern")))) }
            if let v = o["maxItems"] { keywords.append(("maxItems", .maxItems(try nonNegativeInt(v, node, "maxItems")))) }
            if let v = o["minItems"] { keywords.append(("minItems", .minItems(try nonNegativeInt(v, node, "minItems")))) }
            if o["uniqueItems"] == .bool(true) { keywords.append(("uniqueItems", .uniqueItems)) }
            if let v = o["maxProperties"] { keywords.append(("maxProperties", .maxProperties(try nonNegativeInt(v, node, "maxProperties")))) }
            if let v = o["minProperties"] { keywords.append(("minProperties", .minProperties(try nonNegativeInt(v, node, "minProperties")))) }
            if let v = o["required"] {
                guard case .array(let a) = v else { throw fail(node, "required", "must be an array of strings") }
                let names = a.compactMap(\.stringValue)
                if !names.isEmpty { keywords.append(("required", .required(names))) }
            }
            if case .object(let m)? = o["dependentRequired"] {
                let deps = m.map { Dependency(name: $0.key, required: $0.value.arrayValue?.compactMap(\.stringValue) ?? []) }
                keywords.append(("dependentRequired", .dependentRequired(deps)))
            }
        }
        if let f = o["format"], case .string(let name) = f,
           options.formatAssertion || vocab.contains(.formatAssertion), let checker = SchemaFormats.checker(name) {
            keywords.append(("format", .format(FormatRule(name: name, check: checker))))
        }
        if applicator {
            for k in ["allOf", "anyOf", "oneOf"] {
                guard let v = o[k] else { continue }
                guard case .array(let a) = v, !a.isEmpty else { throw fail(node, k, "must be a non-empty array of schemas") }
                let subs = try (0..<a.count).map { try sub(k, String($0)) }
                keywords.append((k, k == "allOf" ? .allOf(subs) : k == "anyOf" ? .anyOf(subs) : .oneOf(subs)))
            }
            if o["not"] != nil { keywords.append(("not", .not(try sub("not")))) }
            if o["if"] != nil {
                keywords.append(("if", .ifThenElse(Conditional(condition: try sub("if"), then: o["then"] != nil ? try sub("then") : nil, otherwise: o["else"] != nil ? try sub("else") : nil))))
            }
            if case .object(let m)? = o["dependentSchemas"] {
                keywords.append(("dependentSchemas", .dependentSchemas(try m.map { PropertySchema(name: $0.key, node: try sub("dependentSchemas", $0.key)) })))
            }
            if case .object(let m)? = o["dependencies"] {
                // The pre-2019-09 keyword, still honoured: arrays are dependentRequired, schemas dependentSchemas.
                var required: [Dependency] = []
                var schemas: [PropertySchema] = []
                for (k, v) in m {
                    if case .array(let a) = v {
                        required.append(Dependency(name: k, required: a.compactMap(\.stringValue)))
                    } else {
                        schemas.append(PropertySchema(name: k, node: try sub("dependencies", k)))
                    }
                }
                if !required.isEmpty { keywords.append(("dependencies", .dependentRequired(required))) }
                if !schemas.isEmpty { keywords.append(("dependencies", .dependentSchemas(schemas))) }
            }
            var prefixCount = 0
            if case .array(let a)? = o["prefixItems"] {
                prefixCount = a.count
                keywords.append(("prefixItems", .prefixItems(try (0..<a.count).map { try sub("prefixItems", String($0)) })))
            }
            if o["items"] != nil { keywords.append(("items", .items(try sub("items"), prefix: prefixCount))) }
            if o["contains"] != nil {
                var minC = 1
                var maxC: Int?
                if validation {
                    if let v = o["minContains"] { minC = try nonNegativeInt(v, node, "minContains") }
                    if let v = o["maxContains"] { maxC = try nonNegativeInt(v, node, "maxContains") }
                }
                keywords.append(("contains", .contains(ContainsRule(node: try sub("contains"), min: minC, max: maxC))))
            }
            var known = KeySet([])
            if case .object(let m)? = o["properties"] {
                known = KeySet(m.keys)
                keywords.append(("properties", .properties(try m.map { PropertySchema(name: $0.key, node: try sub("properties", $0.key)) })))
            }
            var patterns: [SchemaRegex] = []
            if case .object(let m)? = o["patternProperties"] {
                let pairs = try m.map { PatternSchema(regex: try regex(.string($0.key), node, "patternProperties"), node: try sub("patternProperties", $0.key)) }
                patterns = pairs.map(\.regex)
                keywords.append(("patternProperties", .patternProperties(pairs)))
            }
            if o["additionalProperties"] != nil {
                keywords.append(("additionalProperties", .additionalProperties(AdditionalRule(node: try sub("additionalProperties"), known: known, patterns: patterns))))
            }
            if o["propertyNames"] != nil { keywords.append(("propertyNames", .propertyNames(try sub("propertyNames")))) }
        }
        if vocab.contains(.unevaluated) {
            if o["unevaluatedItems"] != nil {
                keywords.append(("unevaluatedItems", .unevaluatedItems(try sub("unevaluatedItems"))))
                node.needsAnnotations = true
            }
            if o["unevaluatedProperties"] != nil {
                keywords.append(("unevaluatedProperties", .unevaluatedProperties(try sub("unevaluatedProperties"))))
                node.needsAnnotations = true
            }
        }
        node.keywords = keywords.map { KeywordEntry(name: $0.0, keyword: $0.1) }
    }

    /// Finds the location an absolute URI (with optional fragment) points to.
    func resolveReference(_ uri: String) throws -> Location? {
        let (base, fragment) = SchemaURI.split(uri)
        if fragment.isEmpty || fragment.hasPrefix("/") {
            guard let root = try document(for: base) else { return nil }
            guard let tokens = JSONPointer.tokens(fragment) else { return nil }
            return Location(doc: root.doc, pointer: root.pointer + tokens)
        }
        if let loc = anchors[base + "#" + fragment] { return loc }
        _ = try document(for: base)
        return anchors[base + "#" + fragment]
    }
}

extension JSONValue {
    subscript(pointer tokens: [String]) -> JSONValue? {
        var v = self
        for t in tokens {
            switch v {
            case .object(let o): guard let n = o[t] else { return nil }; v = n
            case .array(let a): guard let i = Int(t), i >= 0, i < a.count else { return nil }; v = a[i]
            default: return nil
            }
        }
        return v
    }
}
