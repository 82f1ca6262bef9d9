import DSCore
import DSJSON

/// Provides schema documents by absolute URI (no fragment) for `$ref`s to other resources
/// and for custom meta-schemas. The caller decides where they come from (files next to the
/// spec, a test folder); the validator itself does no I/O. Return nil for an unknown URI.
public protocol SchemaResolver {
    func schemaDocument(for uri: String) -> JSONValue?
}

/// A resolver that knows no documents (only the embedded 2020-12 meta-schemas resolve).
public struct NoSchemaResolver: SchemaResolver {
    public init() {}
    public func schemaDocument(for uri: String) -> JSONValue? { nil }
}

/// A resolver over a fixed map of URI -> document.
public struct DictionarySchemaResolver: SchemaResolver {
    public var documents: [String: JSONValue]
    public init(_ documents: [String: JSONValue]) { self.documents = documents }
    public func schemaDocument(for uri: String) -> JSONValue? { documents[uri] }
}

/// Options for compiling a schema.
public struct SchemaOptions: Sendable {
    /// Check `format` values (the format-assertion behaviour) instead of treating `format` as an annotation.
    public var formatAssertion: Bool
    /// The retrieval URI of the root schema when it has no `$id`.
    public var baseURI: String
    /// Maximum nesting of schema applications (`$ref` cycles, deep instances) before an
    /// instance is reported invalid rather than recursing further.
    public var maxDepth: Int

    public init(formatAssertion: Bool = false, baseURI: String = "urn:dspec:schema", maxDepth: Int = 256) {
        self.formatAssertion = formatAssertion
        self.baseURI = baseURI
        self.maxDepth = maxDepth
    }
}

/// Why a schema could not be compiled.
public struct SchemaCompileError: Error, CustomStringConvertible, Sendable {
    /// Where in the schema (absolute keyword location).
    public let location: String
    public let message: String
    public var description: String { "\(location): \(message)" }
    /// Creates an error.
    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }
}

extension JSONSchema {
    /// ``compile(_:resolver:options:)`` with its error typed.
    public static func compileTyped(_ schema: JSONValue, resolver: SchemaResolver = NoSchemaResolver(), options: SchemaOptions = SchemaOptions()) throws(SchemaCompileError) -> JSONSchema {
        do {
            return try compile(schema, resolver: resolver, options: options)
        } catch let e as SchemaCompileError {
            throw e
        } catch {
            throw SchemaCompileError(location: "", message: "\(error)")
        }
    }
}

/// One validation failure.
public struct SchemaValidationError: Sendable, Equatable, CustomStringConvertible {
    /// JSON pointer into the instance ("" for the root).
    public let instanceLocation: String
    /// JSON pointer of the failing keyword along the evaluation path (through `$ref`s).
    public let keywordLocation: String
    /// The keyword's absolute location: schema resource URI + "#" + pointer.
    public let absoluteKeywordLocation: String
    /// What is wrong, phrased so a person can fix the instance.
    public let message: String

    public var description: String {
        "\(instanceLocation.isEmpty ? "(root)" : instanceLocation): \(message) [\(keywordLocation.isEmpty ? "#" : keywordLocation)]"
    }
}

/// A JSON Schema (draft 2020-12) compiled once into an evaluation tree. Immutable after
/// compilation and safe to share between threads.
public final class JSONSchema: @unchecked Sendable {
    let root: SchemaNode
    let options: SchemaOptions
    // Keeps every compiled node alive (nodes reference each other weakly through refs).
    let nodes: [SchemaNode]
    let resources: [SchemaResource]
    var usesDynamicScope = false

    init(root: SchemaNode, options: SchemaOptions, nodes: [SchemaNode], resources: [SchemaResource]) {
        self.root = root
        self.options = options
        self.nodes = nodes
        self.resources = resources
    }

    /// Compiles `schema`; `$ref`s to other documents are fetched from `resolver` once, now.
    public static func compile(_ schema: JSONValue, resolver: SchemaResolver = NoSchemaResolver(), options: SchemaOptions = SchemaOptions()) throws -> JSONSchema {
        let compiler = SchemaCompiler(resolver: resolver, options: options)
        let root = try compiler.compileRoot(schema)
        let schema = JSONSchema(root: root, options: options, nodes: compiler.allNodes, resources: Array(compiler.resourceObjects.values))
        schema.usesDynamicScope = compiler.usesDynamicScope
        return schema
    }

    /// True if `instance` is valid (stops at the first failure).
    public func isValid(_ instance: JSONValue) -> Bool {
        var ev = Evaluator(collect: false, maxDepth: options.maxDepth, trackScope: usesDynamicScope)
        if usesDynamicScope { return ev.eval(root, instance, ann: nil, kpath: "", ipath: "") }
        return ev.check(root, instance)
    }

    /// Every validation error (empty when valid).
    public func validate(_ instance: JSONValue) -> [SchemaValidationError] {
        var ev = Evaluator(collect: true, maxDepth: options.maxDepth, trackScope: usesDynamicScope)
        _ = ev.eval(root, instance, ann: nil, kpath: "", ipath: "")
        return ev.errors
    }

    /// The standard "basic" output format: `{"valid": ..., "errors": [{keywordLocation,
    /// absoluteKeywordLocation, instanceLocation, error}, ...]}`.
    public func basicOutput(_ instance: JSONValue) -> JSONValue {
        let errors = validate(instance)
        if errors.isEmpty { return ["valid": true] }
        return [
            "valid": false,
            "errors": .array(errors.map { e in
                [
                    "keywordLocation": .string(e.keywordLocation),
                    "absoluteKeywordLocation": .string(e.absoluteKeywordLocation),
                    "instanceLocation": .string(e.instanceLocation),
                    "error": .string(e.message),
                ]
            }),
        ]
    }
}
