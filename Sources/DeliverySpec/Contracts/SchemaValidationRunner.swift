import DSCompiler
import DSCore
import DSJSON
import DSSchema
import Foundation

/// `dspec schema validate SCHEMA INSTANCE...`: compiles one schema (references to other files
/// resolve relative to it) and checks JSON or NDJSON instance files, reporting each failure at
/// the file:line:col of the failing instance value, like lint.
public struct SchemaValidationRunner: Sendable {
    /// Why the run could not start (exit code 2).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The compiled schema.
    public let schema: JSONSchema
    /// The schema document.
    public let value: JSONValue
    /// Whether `format` asserts.
    public let formatAssertion: Bool

    /// Reads and compiles the schema file.
    public init(schemaPath: String, formatAssertion: Bool = false) throws(Failure) {
        let loader = FileContractLoader(specPath: schemaPath)
        let value: JSONValue
        let base: String
        switch loader.load(PathText.lastComponent(schemaPath)) {
        case .loaded(let v, let b): (value, base) = (v, b)
        case .failed(let message): throw Failure(message: message)
        }
        do {
            schema = try JSONSchema.compileTyped(value, resolver: loader, options: SchemaOptions(formatAssertion: formatAssertion, baseURI: base))
        } catch {
            throw Failure(message: "\(schemaPath): not a valid JSON Schema: \(error.location.isEmpty ? "" : error.location + ": ")\(error.message)")
        }
        self.formatAssertion = formatAssertion
        self.value = value
    }

    /// Validates one instance file: a JSON document, or (`ndjson`, or a `.ndjson` / `.jsonl`
    /// name) one document per non-empty line. Unreadable files and syntax errors are findings
    /// too (DS0000 / DS0001), as in lint.
    public func validate(_ path: String, ndjson: Bool? = nil) -> LintFileResult {
        let source: SourceFile
        do { source = try SourceLoader.load(path) } catch {
            let d = Diagnostic(code: CompilerRules.unreadable.code, severity: .error, message: error.message, path: path == "-" ? "<stdin>" : path)
            return LintFileResult(path: path, diagnostics: [d], source: nil, document: nil)
        }
        let diagnostics = DiagnosticCollector(source: source)
        let lines = ndjson ?? (path.hasSuffix(".ndjson") || path.hasSuffix(".jsonl"))
        var document: JSONNode?
        if lines {
            var start = 0
            let bytes = source.bytes
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                let line = Array(bytes[start..<end])
                if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                    check(SourceFile(path: source.path, bytes: line), offset: start, diagnostics)
                }
                start = end + 1
            }
        } else {
            document = check(source, offset: 0, diagnostics)
        }
        return LintFileResult(path: source.path, diagnostics: diagnostics.sorted, source: source, document: document)
    }

    @discardableResult
    private func check(_ part: SourceFile, offset: Int, _ diagnostics: DiagnosticCollector) -> JSONNode? {
        let local = DiagnosticCollector(source: part)
        guard let node = JSONParser().parse(part, diagnostics: local) else {
            for d in local.sorted {
                let at = (d.location?.offset ?? 0) + offset
                diagnostics.emit(RuleCatalog.descriptor(d.code) ?? JSONParseRules.all[0], d.message, span: SourceSpan(start: at, end: at + 1), pointer: d.pointer)
            }
            return nil
        }
        let value = node.value
        guard !schema.isValid(value) else { return node }
        for e in schema.validate(value) {
            let target = node.resolve(e.instanceLocation) ?? node
            diagnostics.emit(ContractRules.instanceMismatch, "\(e.instanceLocation.isEmpty ? "/" : e.instanceLocation): \(e.message)",
                             span: SourceSpan(start: target.span.start + offset, end: target.span.end + offset),
                             pointer: e.instanceLocation.isEmpty ? "/" : e.instanceLocation,
                             hint: "schema keyword #\(e.keywordLocation) (\(e.absoluteKeywordLocation))")
        }
        return node
    }
}
