import DSCompiler
import DSCore
import DSJSON
import DSSpec
import Foundation

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

    /// Lints one in-memory source; `cache` shares compiled contract files with other specs
    /// linted in the same run.
    public func lint(_ source: SourceFile, cache: CompiledContractCache? = nil) -> LintFileResult {
        let kind = InputDocument.kind(of: source.bytes, path: source.path)
        if kind == .plan || kind == .suite {
            let what = kind == .plan ? "lint the spec it was compiled from" : "lint the spec it names, or run it with dspec test"
            let d = Diagnostic(code: DecodingRules.unsupportedVersion.code, severity: .error, message: "this is \(kind.phrase), not a spec; \(what)", path: source.path)
            return LintFileResult(path: source.path, diagnostics: [d], source: source, document: nil)
        }
        let diagnostics = DiagnosticCollector(source: source)
        let result = compiler.compile(source, diagnostics: diagnostics, contractLoader: FileContractLoader(specPath: source.path, cache: cache))
        return LintFileResult(path: source.path, diagnostics: diagnostics.sorted, source: source, document: result.document)
    }

    /// Lints files and directories. Unreadable paths become DS0000 findings.
    public func lint(paths: [String]) -> (results: [LintFileResult], usageProblems: [String]) {
        let (files, problems) = SpecFileDiscovery.expand(paths)
        let usage = problems.map { "\($0.path): \($0.message)" }
        let cache = CompiledContractCache()
        return (Self.map(files, workers: workers) { lint(file: $0, cache: cache) }, usage)
    }

    /// Files linted at once by ``lint(paths:)``: the active processor count by default.
    /// Results are in the order of the files whatever this is.
    public var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Lints one file; an unreadable one becomes a DS0000 finding.
    private func lint(file: String, cache: CompiledContractCache) -> LintFileResult {
        do {
            return lint(try SourceLoader.load(file), cache: cache)
        } catch {
            let d = Diagnostic(code: CompilerRules.unreadable.code, severity: .error, message: error.message, path: file)
            return LintFileResult(path: file, diagnostics: [d], source: nil, document: nil)
        }
    }

    /// `body` applied to every item on up to `workers` threads, results in item order.
    /// Workers take the next unclaimed item, so one slow file does not hold up a fixed share.
    static func map<T: Sendable>(_ items: [String], workers: Int, _ body: @Sendable (String) -> T) -> [T] {
        let threads = min(max(1, workers), items.count)
        guard threads > 1 else { return items.map(body) }
        let next = Locked(0)
        let results = Locked([T?](repeating: nil, count: items.count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while true {
                let i = next.withLock { n in defer { n += 1 }; return n }
                guard i < items.count else { return }
                let r = body(items[i])
                results.withLock { $0[i] = r }
            }
        }
        return results.withLock { $0.compactMap { $0 } }
    }
}
