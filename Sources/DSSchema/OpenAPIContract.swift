import DSCore
import DSJSON

/// Extracting a ``RequestContract`` from one operation of an OpenAPI 3.0 / 3.1 document (JSON).
///
/// What is taken: the operation (by `operationId`, or by method and path template); its
/// parameters and those of its path item (the operation's override by name + location; `$ref`s
/// into `#/components/parameters`); required `header` and `query` parameters (names only;
/// `Accept`, `Content-Type` and `Authorization` are ignored as the specification says); the
/// request body (`$ref` into `#/components/requestBodies`), its `required` flag, and the schema of
/// its JSON media type (`application/json`, else `application/*+json`, else `*/*`).
/// `$ref`s inside schemas resolve within the document (`#/components/schemas/...`); other
/// documents come from the resolver.
///
/// OpenAPI 3.1 schemas are JSON Schema 2020-12 and are used as they are (the OpenAPI
/// vocabulary's `discriminator`, `xml`, `externalDocs` and `example` are annotations).
/// OpenAPI 3.0 schemas (a JSON Schema draft-04 dialect) are converted first:
///
/// | 3.0 | 2020-12 |
/// |---|---|
/// | `nullable: true` | `null` added to `type` (only when `type` is given; an `enum` without `null` still rejects it, as 3.0.3 says) |
/// | `exclusiveMinimum: true` + `minimum: n` | `exclusiveMinimum: n` (likewise maximum); `false` is dropped |
/// | `$ref` with sibling keywords | the siblings are dropped (3.0 ignores them) |
/// | `example`, `discriminator`, `xml`, `externalDocs`, `deprecated`, `x-*` | kept as annotations |
/// | `readOnly` / `writeOnly` | annotations only: a readOnly property in a request is not flagged |
/// | `format` | annotation (as in 2020-12); `int32`, `int64`, `float`, `double`, `byte`, `binary` are not asserted |
public enum OpenAPIContract {
    /// Builds the contract of one operation. `operationID` or (`method`, `path`) names it.
    public static func contract(_ document: JSONValue, operationID: String?, method: String?, path: String?,
                                resolver: SchemaResolver = NoSchemaResolver(), baseURI: String) throws(SchemaCompileError) -> RequestContract {
        guard let root = document.objectValue else { throw SchemaCompileError(location: "/", message: "an OpenAPI document is a JSON object") }
        guard let version = root["openapi"]?.stringValue else {
            throw SchemaCompileError(location: "/", message: "not an OpenAPI document: it has no \"openapi\" version field (Swagger 2.0 is not supported)")
        }
        let is30: Bool
        if version.hasPrefix("3.0") { is30 = true } else if version.hasPrefix("3.1") { is30 = false } else {
            throw SchemaCompileError(location: "/openapi", message: "OpenAPI version \"\(version)\" is not supported (3.0.x and 3.1.x are)")
        }
        guard let paths = root["paths"]?.objectValue else { throw SchemaCompileError(location: "/paths", message: "the document has no \"paths\"") }
        let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        var found: (path: String, method: String, item: JSONObject, operation: JSONObject)?
        if let operationID {
            var names: [String] = []
            for (p, item) in paths {
                guard let item = item.objectValue else { continue }
                for m in methods {
                    guard let op = item[m]?.objectValue, let id = op["operationId"]?.stringValue else { continue }
                    names.append(id)
                    if id == operationID, found == nil { found = (p, m, item, op) }
                }
            }
            guard found != nil else {
                var message = "no operation has operationId \"\(operationID)\""
                if let s = Suggestions.closest(to: operationID, in: names) { message += "; did you mean \"\(s)\"?" }
                throw SchemaCompileError(location: "/paths", message: message)
            }
        } else if let method, let path {
            let m = method.lowercased()
            guard let item = paths[path]?.objectValue else {
                var message = "the document has no path \"\(path)\""
                if let s = Suggestions.closest(to: path, in: Array(paths.keys)) { message += "; did you mean \"\(s)\"?" }
                throw SchemaCompileError(location: "/paths", message: message)
            }
            guard let op = item[m]?.objectValue else {
                let have = methods.filter { item[$0] != nil }.map { $0.uppercased() }
                throw SchemaCompileError(location: JSONPointer.appending("/paths", path),
                                         message: "path \"\(path)\" has no \(method.uppercased()) operation (it has \(have.isEmpty ? "none" : have.joined(separator: ", ")))")
            }
            found = (path, m, item, op)
        } else {
            throw SchemaCompileError(location: "/", message: "name the operation: its operationId, or its method and path")
        }
        guard let (pathKey, methodKey, item, operation) = found else { throw SchemaCompileError(location: "/paths", message: "operation not found") }
        let opPointer = JSONPointer.appending(JSONPointer.appending("/paths", pathKey), methodKey)
        var contract = RequestContract(origin: "\(methodKey.uppercased()) \(pathKey)\(operation["operationId"]?.stringValue.map { " (\($0))" } ?? "")")

        // Parameters: the operation's override the path item's by (name, in).
        var converted = document
        if is30 { converted = convert30Document(document) }
        var params: [(name: String, location: String, pointer: String, value: JSONObject)] = []
        for (listPointer, list) in [(JSONPointer.appending(JSONPointer.appending("/paths", pathKey), "parameters"), item["parameters"]),
                                    (JSONPointer.appending(opPointer, "parameters"), operation["parameters"])] {
            for (i, raw) in (list?.arrayValue ?? []).enumerated() {
                guard let (pointer, value) = resolveRefPointer(raw, at: JSONPointer.appending(listPointer, String(i)), in: document),
                      let p = value.objectValue, let name = p["name"]?.stringValue, let location = p["in"]?.stringValue else { continue }
                params.removeAll { $0.name == name && $0.location == location }
                params.append((name, location, pointer, p))
            }
        }
        let ignoredHeaders: Set<String> = ["accept", "content-type", "authorization"]
        for p in params {
            guard let location = RequestContract.Parameter.Location(rawValue: p.location) else { continue }
            if location == .header && ignoredHeaders.contains(p.name.lowercased()) { continue }
            var parameter = RequestContract.Parameter(name: p.name, location: location, required: p.value["required"]?.boolValue ?? false)
            if p.value["schema"] != nil, let schema = JSONPointer.resolve(JSONPointer.appending(p.pointer, "schema"), in: converted) {
                parameter.schema = try compileAt(JSONPointer.appending(p.pointer, "schema"), converted, resolver: resolver, baseURI: baseURI)
                parameter.types = SchemaTypes.types(of: schema, in: converted)
                let items = SchemaTypes.resolved(schema, in: converted)["items"]
                parameter.itemTypes = items.map { SchemaTypes.types(of: $0, in: converted) } ?? []
            }
            let style = p.value["style"]?.stringValue ?? (location == .query ? "form" : "simple")
            parameter.explode = p.value["explode"]?.boolValue ?? (style == "form")
            contract.parameters.append(parameter)
        }

        // The body.
        var bodyPointer = JSONPointer.appending(opPointer, "requestBody")
        if let ref = operation["requestBody"]?["$ref"]?.stringValue, ref.hasPrefix("#") {
            bodyPointer = String(ref.dropFirst())
        }
        if let body = JSONPointer.resolve(bodyPointer, in: document)?.objectValue {
            contract.bodyRequired = body["required"]?.boolValue ?? false
            let content = body["content"]?.objectValue ?? JSONObject()
            let mediaKeys = Array(content.keys)
            let json = mediaKeys.first { $0.lowercased().hasPrefix("application/json") }
                ?? mediaKeys.first { let l = $0.lowercased(); return l.hasPrefix("application/") && l.contains("+json") }
                ?? mediaKeys.first { $0 == "*/*" }
            for media in mediaKeys {
                let mediaPointer = JSONPointer.appending(JSONPointer.appending(bodyPointer, "content"), media)
                // OpenAPI 3.2's itemSchema describes each item of a sequential media type (NDJSON).
                let perLine = content[media]?["itemSchema"] != nil
                guard content[media]?[perLine ? "itemSchema" : "schema"] != nil else { continue }
                let schemaPointer = JSONPointer.appending(mediaPointer, perLine ? "itemSchema" : "schema")
                var m = RequestContract.MediaBody(mediaType: media, schema: try compileAt(schemaPointer, converted, resolver: resolver, baseURI: baseURI))
                m.perLine = perLine || MediaTypes.kind(MediaTypes.essence(media)) == .ndjson
                if let schema = JSONPointer.resolve(schemaPointer, in: converted) { m.propertyTypes = SchemaTypes.propertyTypes(of: schema, in: converted) }
                for (name, enc) in content[media]?["encoding"]?.objectValue ?? JSONObject() {
                    if let ct = enc["contentType"]?.stringValue, MediaTypes.kind(MediaTypes.essence(ct)) == .json { m.jsonEncodedProperties.insert(name) }
                }
                contract.media.append(m)
                if media == json {
                    contract.body = m.schema
                    contract.bodySchema = JSONPointer.resolve(schemaPointer, in: converted)
                    contract.document = converted
                }
            }
        }
        return contract
    }

    /// Compiles the schema at `pointer` inside the (converted) document, so its `$ref`s resolve there.
    static func compileAt(_ pointer: String, _ document: JSONValue, resolver: SchemaResolver, baseURI: String) throws(SchemaCompileError) -> JSONSchema {
        guard var wrapper = document.objectValue else { throw SchemaCompileError(location: "/", message: "an OpenAPI document is a JSON object") }
        wrapper["$schema"] = .string("https://json-schema.org/draft/2020-12/schema")
        wrapper["$ref"] = .string("#" + pointer)
        return try JSONSchema.compileTyped(.object(wrapper), resolver: resolver, options: SchemaOptions(baseURI: baseURI))
    }

    /// Follows local `$ref`s from `value` (found at `pointer`), returning where it ends and what is there.
    static func resolveRefPointer(_ value: JSONValue, at pointer: String, in document: JSONValue) -> (String, JSONValue)? {
        var v = value, at = pointer
        for _ in 0..<16 {
            guard let ref = v["$ref"]?.stringValue else { return (at, v) }
            guard ref.hasPrefix("#"), let next = JSONPointer.resolve(String(ref.dropFirst()), in: document) else { return nil }
            v = next
            at = String(ref.dropFirst())
        }
        return nil
    }

    /// Follows one local `$ref` (`#/components/...`), at most 16 deep.
    static func resolveRef(_ value: JSONValue, in document: JSONValue) -> JSONValue? {
        var v = value
        for _ in 0..<16 {
            guard let ref = v["$ref"]?.stringValue else { return v }
            guard ref.hasPrefix("#"), let next = JSONPointer.resolve(String(ref.dropFirst()), in: document) else { return nil }
            v = next
        }
        return nil
    }

    /// The document with every schema under `components/schemas`, `components/requestBodies`,
    /// `components/parameters` and `paths` converted from the 3.0 dialect.
    static func convert30Document(_ document: JSONValue) -> JSONValue {
        guard var root = document.objectValue else { return document }
        if var components = root["components"]?.objectValue {
            if let schemas = components["schemas"]?.objectValue {
                components["schemas"] = .object(JSONObject(schemas.map { ($0.key, convert30Schema($0.value)) }))
            }
            for key in ["requestBodies", "responses"] {
                if let bodies = components[key]?.objectValue {
                    components[key] = .object(JSONObject(bodies.map { ($0.key, convertContent($0.value)) }))
                }
            }
            if let params = components["parameters"]?.objectValue {
                components["parameters"] = .object(JSONObject(params.map { ($0.key, convertParameter($0.value)) }))
            }
            root["components"] = .object(components)
        }
        if let paths = root["paths"]?.objectValue {
            root["paths"] = .object(JSONObject(paths.map { (key, item) -> (String, JSONValue) in
                guard var item = item.objectValue else { return (key, item) }
                for (k, v) in item {
                    guard var op = v.objectValue else {
                        if k == "parameters", let list = v.arrayValue { item[k] = .array(list.map(convertParameter)) }
                        continue
                    }
                    if let body = op["requestBody"] { op["requestBody"] = convertContent(body) }
                    if let list = op["parameters"]?.arrayValue { op["parameters"] = .array(list.map(convertParameter)) }
                    item[k] = .object(op)
                }
                return (key, .object(item))
            }))
        }
        return .object(root)
    }

    static func convertContent(_ value: JSONValue) -> JSONValue {
        guard var body = value.objectValue, let content = body["content"]?.objectValue else { return value }
        body["content"] = .object(JSONObject(content.map { (media, m) -> (String, JSONValue) in
            guard var m = m.objectValue, let s = m["schema"] else { return (media, m) }
            m["schema"] = convert30Schema(s)
            return (media, .object(m))
        }))
        return .object(body)
    }

    static func convertParameter(_ value: JSONValue) -> JSONValue {
        guard var p = value.objectValue, let s = p["schema"] else { return value }
        p["schema"] = convert30Schema(s)
        return .object(p)
    }

    /// Converts one OpenAPI 3.0 schema object (recursively) to JSON Schema 2020-12.
    public static func convert30Schema(_ value: JSONValue, depth: Int = 0) -> JSONValue {
        guard depth < 128, var s = value.objectValue else { return value }
        if let ref = s["$ref"] { return .object(JSONObject([("$ref", ref)])) }
        let sub = { (v: JSONValue) in convert30Schema(v, depth: depth + 1) }
        for key in ["items", "not", "additionalProperties"] {
            if let v = s[key], v.objectValue != nil { s[key] = sub(v) }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let list = s[key]?.arrayValue { s[key] = .array(list.map(sub)) }
        }
        if let props = s["properties"]?.objectValue {
            s["properties"] = .object(JSONObject(props.map { ($0.key, sub($0.value)) }))
        }
        for (bound, exclusive) in [("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")] {
            guard let flag = s[exclusive]?.boolValue else { continue }
            var out = JSONObject()
            for (k, v) in s where k != exclusive && !(flag && k == bound) { out[k] = v }
            if flag, let b = s[bound] { out[exclusive] = b }
            s = out
        }
        if s["nullable"]?.boolValue == true {
            if let t = s["type"]?.stringValue {
                s["type"] = .array([.string(t), .string("null")])
            } else if let list = s["type"]?.arrayValue, !list.contains(.string("null")) {
                s["type"] = .array(list + [.string("null")])
            }
            // OpenAPI 3.0.3: nullable only widens `type`; an `enum` without null still rejects null.
        }
        return .object(s)
    }
}
