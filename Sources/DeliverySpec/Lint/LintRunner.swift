import DSCompiler
import DSCore
import DSJSON
import DSSpec

/// The result of linting one file.
public struct LintFileResult: Sendable {
    /// The path as given.
    public var path: String
    /// Findings, sorted by position.
    public var diagnostics: [Diagnostic]
    /// The source (nil if unreadable), for rendering source lines.
    public var source: SourceFile?
    /// The parsed document (nil if unreadable or not JSON), for fingerprints.
    public var document: JSONNode?
}

/// Lints specs: the `dspec lint` driver, usable from other Swift code.
public struct LintRunner: Sendable {
    /// The compiler used (lint stops after validation: no plan is built).
    public var compiler: SpecCompiler = {
        var c = SpecCompiler()
        c.emitsPlan = false
        return c
    }()

    /// Creates a runner.
    public init() {}

    /// Lints one in-memory source.
    public func lint(_ source: SourceFile) -> LintFileResult {
        let kind = InputDocument.kind(of: source.bytes, path: source.path)
        if kind == .plan || kind == .suite {
            let what = kind == .plan ? "lint the spec it was compiled from" : "lint the spec it names, or run it with dspec test"
            let d = Diagnostic(code: DecodingRules.unsupportedVersion.code, severity: .error, message: "this is \(kind.phrase), not a spec; \(what)", path: source.path)
            return LintFileResult(path: source.path, diagnostics: [d], source: source, document: nil)
        }
        let diagnostics = DiagnosticCollector(source: source)
        let result = compiler.compile(source, diagnostics: diagnostics, contractLoader: FileContractLoader(specPath: source.path))
        return LintFileResult(path: source.path, diagnostics: diagnostics.sorted, source: source, document: result.document)
    }

    /// Lints files and directories. Unreadable paths become DS0000 findings.
    public func lint(paths: [String]) -> (results: [LintFileResult], usageProblems: [String]) {
        let (files, problems) = SpecFileDiscovery.expand(paths)
        var results: [LintFileResult] = []
        var usage: [String] = []
        for p in problems { usage.append("\(p.path): \(p.message)") }
        for file in files {
            do {
                let source = try SourceLoader.load(file)
                results.append(lint(source))
            } catch {
                let d = Diagnostic(code: CompilerRules.unreadable.code, severity: .error, message: error.message, path: file)
                results.append(LintFileResult(path: file, diagnostics: [d], source: nil, document: nil))
            }
        }
        return (results, usage)
    }
}
