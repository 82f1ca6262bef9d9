import DSJSON
import DSSchema

/// How ``ContractResolution`` compiles one contract file: the loader hands the parsed
/// document, its base URI and the resolver for `$ref`s into other files to `compile`, a pure
/// function of those. A driver that lints many specs naming the same files may return an
/// earlier result of the same `kind` for the same file content (and the same content of every
/// file `compile` resolved), instead of compiling again; see `FileContractLoader`'s cache.
public struct ContractCompilation<Result: Sendable>: Sendable {
    /// What is compiled from the file (the tracking-plan schema, the request schema, or an
    /// OpenAPI operation with its selector): two kinds never share a result.
    public var kind: String
    /// The compilation.
    public var compile: @Sendable (_ document: JSONValue, _ baseURI: String, _ resolver: any SchemaResolver) -> Result

    /// Creates a compilation.
    public init(kind: String, compile: @escaping @Sendable (JSONValue, String, any SchemaResolver) -> Result) {
        self.kind = kind
        self.compile = compile
    }
}

/// A contract file loaded and compiled, or why it could not be loaded.
public enum CompiledContractFile<Result: Sendable>: Sendable {
    /// The compilation's result.
    case compiled(Result)
    /// Why the file could not be used (as ``ContractFile/failed(_:)``).
    case failed(String)
}

extension ContractLoader {
    /// Loads `path` and compiles it, uncached: the default for loaders without a cache.
    public func loadCompiled<Result: Sendable>(_ path: String, _ compilation: ContractCompilation<Result>) -> CompiledContractFile<Result> {
        switch load(path) {
        case .loaded(let value, let base): return .compiled(compilation.compile(value, base, self))
        case .failed(let message): return .failed(message)
        }
    }
}
