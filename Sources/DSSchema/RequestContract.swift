import DSCore
import DSJSON
import Foundation

/// A vendor's request contract: the JSON Schema of the request body and the headers and query
/// parameters the vendor requires. Built from a JSON Schema file (body only) or from one
/// operation of an OpenAPI 3.0 / 3.1 document (``OpenAPIContract``).
public struct RequestContract: Sendable {
    /// The compiled schema of the JSON body (nil: the operation declares no JSON body).
    public var body: JSONSchema?
    /// The JSON body schema as a JSON value, with `$ref`s still in place (for static checks).
    public var bodySchema: JSONValue?
    /// The document `bodySchema`'s `$ref`s point into (the OpenAPI document, converted).
    public var document: JSONValue?
    /// Whether the operation requires a body (`requestBody.required`).
    public var bodyRequired: Bool = false
    /// The body schema of each media type the contract declares (a JSON Schema file: one entry, `*/*`).
    public var media: [MediaBody] = []
    /// The header and query parameters the operation declares (required or not).
    public var parameters: [Parameter] = []
    /// A description of where the contract came from (`POST /v1/events (createEvents)`).
    public var origin: String

    /// Header names the operation requires (as written; compared case-insensitively).
    public var requiredHeaders: [String] { parameters.filter { $0.location == .header && $0.required }.map(\.name) }
    /// Query parameter names the operation requires.
    public var requiredQuery: [String] { parameters.filter { $0.location == .query && $0.required }.map(\.name) }

    /// One header or query parameter.
    public struct Parameter: Sendable {
        /// Where the parameter goes.
        public enum Location: String, Sendable { case header, query }
        public var name: String
        public var location: Location
        public var required: Bool
        /// Its compiled schema (nil: none declared, only presence is checked).
        public var schema: JSONSchema?
        /// The JSON types its schema allows (empty: any), for coercing the string on the wire.
        public var types: Set<String> = []
        /// For an array parameter, the types its items allow.
        public var itemTypes: Set<String> = []
        /// Query only: `explode` (default true for `style: form`): a list is repeated keys; otherwise comma separated.
        public var explode = true

        public init(name: String, location: Location, required: Bool, schema: JSONSchema? = nil) {
            self.name = name
            self.location = location
            self.required = required
            self.schema = schema
        }
    }

    /// The body schema of one media type.
    public struct MediaBody: Sendable {
        /// The media range as written (`application/json`, `application/x-www-form-urlencoded`, `*/*`).
        public var mediaType: String
        /// The compiled schema.
        public var schema: JSONSchema
        /// For form bodies: the JSON types each top-level property allows (for coercing strings).
        public var propertyTypes: [String: Set<String>] = [:]
        /// For form bodies: properties whose `encoding` `contentType` is JSON (their value is parsed as JSON first).
        public var jsonEncodedProperties: Set<String> = []
        /// For NDJSON: the schema applies to each line (OpenAPI 3.2 `itemSchema`, or the schema of a sequential media type).
        public var perLine = false

        public init(mediaType: String, schema: JSONSchema) {
            self.mediaType = mediaType
            self.schema = schema
        }
    }

    /// A body-only contract from a JSON Schema document: it applies to a JSON body, to each line
    /// of an NDJSON body, and to a form body decoded into an object of strings.
    public static func jsonSchema(_ schema: JSONValue, resolver: SchemaResolver = NoSchemaResolver(), baseURI: String) throws(SchemaCompileError) -> RequestContract {
        var c = RequestContract(origin: "the request body schema")
        let compiled = try JSONSchema.compileTyped(schema, resolver: resolver, options: SchemaOptions(baseURI: baseURI))
        c.body = compiled
        c.bodySchema = schema
        c.document = schema
        c.bodyRequired = true
        var m = MediaBody(mediaType: "*/*", schema: compiled)
        m.propertyTypes = SchemaTypes.propertyTypes(of: schema, in: schema)
        c.media = [m]
        return c
    }

    init(origin: String) { self.origin = origin }

    /// One violation of the contract by a rendered request.
    public typealias Violation = ContractViolation

    /// Checks one request as it goes on the wire: header names and values, query names and
    /// values (`target` is the URL or the request target), and the body, decoded by the
    /// request's `Content-Type` (docs/contracts.md, "What is checked for each content type").
    public func check(headers: [(name: String, value: String)], target: String, body: [UInt8]) -> [Violation] {
        var out: [Violation] = []
        // Headers.
        for p in parameters where p.location == .header {
            let values = headers.filter { $0.name.lowercased() == p.name.lowercased() }.map(\.value)
            guard let value = values.first else {
                if p.required { out.append(Violation(part: "header", instanceLocation: "", keywordLocation: "", message: "the required header \"\(p.name)\" is missing")) }
                continue
            }
            out += validate(p, SchemaTypes.coerce(value, p.types, itemTypes: p.itemTypes, commaList: true), part: "header \(p.name)")
        }
        // Query.
        let query = FormDecoding.pairs(Self.queryString(of: target))
        for p in parameters where p.location == .query {
            let values = query.filter { $0.name == p.name }.map(\.value)
            guard !values.isEmpty else {
                if p.required { out.append(Violation(part: "query", instanceLocation: "", keywordLocation: "", message: "the required query parameter \"\(p.name)\" is missing")) }
                continue
            }
            let instance: JSONValue
            if p.types.contains("array") && !p.types.contains("string") {
                instance = p.explode || values.count > 1
                    ? .array(values.map { SchemaTypes.coerce($0, p.itemTypes, itemTypes: [], commaList: false) })
                    : SchemaTypes.coerce(values[0], p.types, itemTypes: p.itemTypes, commaList: true)
            } else {
                instance = SchemaTypes.coerce(values[0], p.types, itemTypes: p.itemTypes, commaList: !p.explode)
            }
            out += validate(p, instance, part: "query \(p.name)")
        }
        out += checkBody(headers: headers, body: body)
        return out
    }

    private func validate(_ p: Parameter, _ instance: JSONValue, part: String) -> [Violation] {
        guard let schema = p.schema else { return [] }
        return schema.validate(instance).map { Violation(part: part, instanceLocation: $0.instanceLocation, keywordLocation: $0.keywordLocation, message: $0.message) }
    }

    /// The body against the schema of its media type.
    private func checkBody(headers: [(name: String, value: String)], body: [UInt8]) -> [Violation] {
        guard !media.isEmpty else { return [] }
        if body.isEmpty {
            return bodyRequired ? [Violation(part: "body", instanceLocation: "", keywordLocation: "", message: "the request has no body; the contract requires one")] : []
        }
        let contentType = headers.first { $0.name.lowercased() == "content-type" }?.value ?? ""
        let encoding = headers.first { $0.name.lowercased() == "content-encoding" }?.value.lowercased() ?? "identity"
        // A compressed body is not decompressed here (docs/contracts.md).
        guard encoding == "identity" || encoding.isEmpty else { return [] }
        let type = MediaTypes.essence(contentType)
        guard let m = MediaTypes.select(type, from: media) else {
            return [Violation(part: "body", instanceLocation: "", keywordLocation: "", message: "the content type \"\(type.isEmpty ? "(none)" : type)\" is not one the contract accepts (\(media.map(\.mediaType).joined(separator: ", ")))")]
        }
        func errors(_ value: JSONValue, _ part: String) -> [Violation] {
            m.schema.validate(value).map { Violation(part: part, instanceLocation: $0.instanceLocation, keywordLocation: $0.keywordLocation, message: $0.message) }
        }
        switch MediaTypes.kind(type) {
        case .json:
            guard let value = try? JSONParser().parseValue(body) else {
                return [Violation(part: "body", instanceLocation: "", keywordLocation: "", message: "the body is not JSON, though its content type is \(type)")]
            }
            return errors(value, "body")
        case .ndjson:
            var out: [Violation] = []
            var lineNumber = 0
            for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                let bytes = Array(line.last == UInt8(ascii: "\r") ? line.dropLast() : line)
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                guard let value = try? JSONParser().parseValue(bytes) else {
                    out.append(Violation(part: "body line \(lineNumber)", instanceLocation: "", keywordLocation: "", message: "the line is not JSON"))
                    continue
                }
                out += errors(value, "body line \(lineNumber)")
            }
            return out
        case .form:
            var object = JSONObject()
            var order: [String] = []
            var grouped: [String: [String]] = [:]
            // `a[b][c]=v` for a property `a` the schema types as an object: OpenAPI's deepObject style
            // (as Stripe's form bodies and dspec's own form payloads nest), values stay strings.
            var deep: [(root: String, path: [String], value: String)] = []
            for (name, value) in FormDecoding.pairs(String(decoding: body, as: UTF8.self)) {
                if let (root, path) = FormDecoding.deepKey(name), m.propertyTypes[root]?.contains("object") == true {
                    if grouped[root] == nil && !deep.contains(where: { $0.root == root }) { order.append(root) }
                    deep.append((root, path, value))
                    continue
                }
                if grouped[name] == nil { order.append(name) }
                grouped[name, default: []].append(value)
            }
            var nested: [String: JSONValue] = [:]
            for d in deep { nested[d.root] = FormDecoding.insert(.string(d.value), at: d.path[...], into: nested[d.root] ?? .object(JSONObject())) }
            for name in order {
                if let n = nested[name], grouped[name] == nil {
                    object[name] = n
                    continue
                }
                let values = grouped[name] ?? []
                let types = m.propertyTypes[name] ?? []
                func one(_ s: String) -> JSONValue {
                    if m.jsonEncodedProperties.contains(name), let v = try? JSONParser().parseValue(Array(s.utf8)) { return v }
                    return SchemaTypes.coerce(s, types, itemTypes: [], commaList: false)
                }
                // A repeated key, or one value of an array property (`explode: true`), is a list.
                let list = values.count > 1 || (types.contains("array") && !types.contains("string") && !m.jsonEncodedProperties.contains(name))
                object[name] = list ? .array(values.map(one)) : one(values[0])
            }
            return errors(.object(object), "body")
        case .other:
            return []
        }
    }

    /// The query string of a URL or request target ("" when it has none).
    static func queryString(of target: String) -> String {
        guard let q = target.firstIndex(of: "?") else { return "" }
        var rest = target[target.index(after: q)...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        return String(rest)
    }

    /// The checks of the first version (names only): kept for callers that have no header values.
    public func check(headerNames: [String], queryNames: [String], jsonBody: JSONValue?, bodyIsJSON: Bool, hasBody: Bool) -> [Violation] {
        var out: [Violation] = []
        let headers = Set(headerNames.map { $0.lowercased() })
        for h in requiredHeaders where !headers.contains(h.lowercased()) {
            out.append(Violation(part: "header", instanceLocation: "", keywordLocation: "", message: "the required header \"\(h)\" is missing"))
        }
        let query = Set(queryNames)
        for q in requiredQuery where !query.contains(q) {
            out.append(Violation(part: "query", instanceLocation: "", keywordLocation: "", message: "the required query parameter \"\(q)\" is missing"))
        }
        if let body {
            if let jsonBody {
                for e in body.validate(jsonBody) {
                    out.append(Violation(part: "body", instanceLocation: e.instanceLocation, keywordLocation: e.keywordLocation, message: e.message))
                }
            } else if !hasBody, bodyRequired {
                out.append(Violation(part: "body", instanceLocation: "", keywordLocation: "", message: "the request has no body; the contract requires one"))
            }
        }
        return out
    }
}

/// Media types: the essence of a `Content-Type` and the contract entry that applies to it.
enum MediaTypes {
    enum Kind { case json, ndjson, form, other }

    /// `type/subtype`, lowercased, without parameters.
    static func essence(_ contentType: String) -> String {
        String(contentType.split(separator: ";", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }

    static func kind(_ essence: String) -> Kind {
        switch essence {
        case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines", "application/json-seq":
            return .ndjson
        case "application/x-www-form-urlencoded": return .form
        case "application/json", "text/json": return .json
        default: return essence.hasSuffix("+json") ? .json : .other
        }
    }

    /// The most specific media range matching `essence` (OpenAPI: `text/plain` over `text/*` over `*/*`).
    static func select(_ essence: String, from media: [RequestContract.MediaBody]) -> RequestContract.MediaBody? {
        let ranges = media.map { (MediaTypes.essence($0.mediaType), $0) }
        if let exact = ranges.first(where: { $0.0 == essence }) { return exact.1 }
        let major = essence.split(separator: "/").first.map(String.init) ?? ""
        if let wild = ranges.first(where: { $0.0 == major + "/*" }) { return wild.1 }
        if kind(essence) == .json, let suffix = ranges.first(where: { $0.0 == "application/json" }), essence.hasSuffix("+json") { return suffix.1 }
        return ranges.first { $0.0 == "*/*" }?.1
    }
}

/// `application/x-www-form-urlencoded` decoding (WHATWG URL standard): `&`-separated pairs,
/// `+` is a space, percent escapes are UTF-8 (invalid sequences become U+FFFD).
enum FormDecoding {
    static func pairs(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(kv[0]), kv.count > 1 ? decode(kv[1]) : "")
        }
    }

    /// `a[b][c]` as (`a`, [`b`, `c`]); nil for a plain key or brackets that do not close.
    static func deepKey(_ key: String) -> (String, [String])? {
        guard let open = key.firstIndex(of: "["), open > key.startIndex, key.hasSuffix("]") else { return nil }
        let root = String(key[..<open])
        var path: [String] = []
        var rest = key[open...]
        while !rest.isEmpty {
            guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return nil }
            path.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return path.isEmpty || path.contains(where: \.isEmpty) ? nil : (root, path)
    }

    /// `value` placed at `path` inside the object `into` (a non-object in the way is replaced).
    static func insert(_ value: JSONValue, at path: ArraySlice<String>, into: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        var object = into.objectValue ?? JSONObject()
        object[key] = insert(value, at: path.dropFirst(), into: object[key] ?? .object(JSONObject()))
        return .object(object)
    }

    static func decode<S: StringProtocol>(_ s: S) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(s.utf8)[...]
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        while let b = utf8.first {
            utf8 = utf8.dropFirst()
            if b == UInt8(ascii: "+") { bytes.append(0x20); continue }
            if b == UInt8(ascii: "%"), utf8.count >= 2, let h = hex(utf8[utf8.startIndex]), let l = hex(utf8[utf8.startIndex + 1]) {
                bytes.append(h << 4 | l)
                utf8 = utf8.dropFirst(2)
                continue
            }
            bytes.append(b)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The JSON types a schema allows, and OpenAPI's coercion of a string on the wire to them.
public enum SchemaTypes {
    /// The types `schema` allows at its top level: `type`, through local `$ref`s and the
    /// `allOf` / `anyOf` / `oneOf` branches (empty: any type).
    public static func types(of schema: JSONValue, in document: JSONValue, depth: Int = 0) -> Set<String> {
        guard depth < 16, let s = schema.objectValue else { return [] }
        if let ref = s["$ref"]?.stringValue {
            guard ref.hasPrefix("#"), let target = JSONPointer.resolve(String(ref.dropFirst()), in: document) else { return [] }
            return types(of: target, in: document, depth: depth + 1)
        }
        if let t = s["type"]?.stringValue { return [t] }
        if let list = s["type"]?.arrayValue { return Set(list.compactMap(\.stringValue)) }
        var out: Set<String> = []
        for key in ["anyOf", "oneOf"] {
            for branch in s[key]?.arrayValue ?? [] {
                let t = types(of: branch, in: document, depth: depth + 1)
                if t.isEmpty { return [] }
                out.formUnion(t)
            }
        }
        for branch in s["allOf"]?.arrayValue ?? [] { out.formUnion(types(of: branch, in: document, depth: depth + 1)) }
        return out
    }

    /// The resolved schema object (through local `$ref`s).
    static func resolved(_ schema: JSONValue, in document: JSONValue) -> JSONValue {
        var s = schema
        for _ in 0..<16 {
            guard let ref = s["$ref"]?.stringValue, ref.hasPrefix("#"), let t = JSONPointer.resolve(String(ref.dropFirst()), in: document) else { return s }
            s = t
        }
        return s
    }

    /// The types of each top-level property of an object schema (for form bodies).
    public static func propertyTypes(of schema: JSONValue, in document: JSONValue) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        let s = resolved(schema, in: document)
        for branch in [s] + (s["allOf"]?.arrayValue ?? []).map({ resolved($0, in: document) }) {
            for (name, p) in branch["properties"]?.objectValue ?? JSONObject() { out[name, default: []].formUnion(types(of: p, in: document)) }
        }
        return out
    }

    /// A string from the wire as OpenAPI's `simple` / `form` styles serialize scalars: a
    /// number when the schema allows numbers (and not strings) and it is one, `true` / `false`
    /// for booleans, a comma-separated list for arrays; otherwise the string itself.
    public static func coerce(_ text: String, _ types: Set<String>, itemTypes: Set<String>, commaList: Bool) -> JSONValue {
        if types.isEmpty || types.contains("string") { return .string(text) }
        // Only the number's own text: JSON allows surrounding white space, the wire value does not.
        if types.contains("integer") || types.contains("number"), let first = text.utf8.first, let last = text.utf8.last,
           first != 0x20, first != 0x09, last != 0x20, last != 0x09,
           let v = try? JSONParser().parseValue(Array(text.utf8)), v.numberValue != nil {
            return v
        }
        if types.contains("boolean"), text == "true" || text == "false" { return .bool(text == "true") }
        if types.contains("null"), text.isEmpty { return .null }
        if types.contains("array"), commaList {
            return .array(text.split(separator: ",", omittingEmptySubsequences: false).map { coerce(String($0), itemTypes, itemTypes: [], commaList: false) })
        }
        return .string(text)
    }
}
