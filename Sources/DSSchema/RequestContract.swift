import DSCore
import DSJSON

/// A vendor's request contract: the JSON Schema of the request body and the headers and query
/// parameters the vendor requires. Built from a JSON Schema file (body only) or from one
/// operation of an OpenAPI 3.0 / 3.1 document (``RequestContract/openAPI(_:operationID:method:path:resolver:)``).
public struct RequestContract: Sendable {
    /// The compiled body schema (nil: the operation declares no JSON body).
    public var body: JSONSchema?
    /// The body schema as a JSON value, with `$ref`s still in place (for static checks).
    public var bodySchema: JSONValue?
    /// The document `bodySchema`'s `$ref`s point into (the OpenAPI document, converted).
    public var document: JSONValue?
    /// Whether the operation requires a body (`requestBody.required`).
    public var bodyRequired: Bool = false
    /// Header names the operation requires (as written; compared case-insensitively).
    public var requiredHeaders: [String] = []
    /// Query parameter names the operation requires.
    public var requiredQuery: [String] = []
    /// A description of where the contract came from (`POST /v1/events (createEvents)`).
    public var origin: String

    /// A body-only contract from a JSON Schema document.
    public static func jsonSchema(_ schema: JSONValue, resolver: SchemaResolver = NoSchemaResolver(), baseURI: String) throws(SchemaCompileError) -> RequestContract {
        var c = RequestContract(origin: "the request body schema")
        c.body = try JSONSchema.compileTyped(schema, resolver: resolver, options: SchemaOptions(baseURI: baseURI))
        c.bodySchema = schema
        c.document = schema
        c.bodyRequired = true
        return c
    }

    init(origin: String) { self.origin = origin }

    /// One violation of the contract by a rendered request.
    public struct Violation: Sendable, Equatable, CustomStringConvertible {
        /// `body`, `header` or `query`.
        public var part: String
        /// The instance pointer inside the body ("" for headers and query).
        public var instanceLocation: String
        /// The keyword location in the schema.
        public var keywordLocation: String
        /// What is wrong.
        public var message: String

        public var description: String {
            part == "body" ? "body \(instanceLocation.isEmpty ? "/" : instanceLocation): \(message) (schema \(keywordLocation.isEmpty ? "#" : "#" + keywordLocation))" : "\(part): \(message)"
        }
    }

    /// Checks one rendered request: header names present, query names present, and the JSON
    /// body (nil when the body is not JSON or there is none) against the body schema.
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
            } else if !hasBody {
                if bodyRequired { out.append(Violation(part: "body", instanceLocation: "", keywordLocation: "", message: "the request has no body; the contract requires one")) }
            } else if !bodyIsJSON {
                // Form and text bodies are not checked against a JSON schema (docs/contracts.md).
            }
        }
        return out
    }
}
