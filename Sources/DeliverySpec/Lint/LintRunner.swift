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
        c.keepsSpec = false
        return c
    }()

    /// Creates a runner.
    public init() {}

    /// Lints one in-memory source; `cache` shares compiled contract files with other specs
    /// linted in the same run.
    public func lint(_ source: SourceFile, cache: CompiledContractCache? = nil) -> LintFileResult {
        lint(source, cache: cache, found: false)!
    }

    /// Lints one source. A file `found` in a directory is linted only when it is a spec by
    /// its content (``SpecFileDiscovery/isSpecContent(_:)``); nil otherwise. The file is
    /// parsed once: its kind is read from the compiler's own parse.
    private func lint(_ source: SourceFile, cache: CompiledContractCache?, found: Bool) -> LintFileResult? {
        let diagnostics = DiagnosticCollector(source: source)
        let loader = FileContractLoader(specPath: source.path, cache: cache)
        let parsed: JSONNode?
        let kind: InputKind
        if source.bytes.count <= compiler.maxSpecBytes, compiler.maxDepth == JSONParser().maxDepth {
            // The same parser, depth and collector as the compiler's parse stage; a parse with
            // no finding is what InputDocument.kind(of:) accepts as JSON.
            parsed = JSONParser(maxDepth: compiler.maxDepth).parse(source, diagnostics: diagnostics)
            let clean = diagnostics.diagnostics.isEmpty
            if found, !SpecFileDiscovery.isSpecKind(InputDocument.kind(ofParsed: parsed, clean: clean)) { return nil }
            kind = InputDocument.kind(ofParsed: parsed, clean: clean, path: source.path)
            if kind != .plan && kind != .suite {
                let result = compiler.compile(source, parsed: parsed, diagnostics: diagnostics, contractLoader: loader)
                return LintFileResult(path: source.path, diagnostics: diagnostics.sorted, source: source, document: result.document)
            }
        } else {
            if found, !SpecFileDiscovery.isSpecContent(source.bytes) { return nil }
            kind = InputDocument.kind(of: source.bytes, path: source.path)
            if kind != .plan && kind != .suite {
                let result = compiler.compile(source, diagnostics: diagnostics, contractLoader: loader)
                return LintFileResult(path: source.path, diagnostics: diagnostics.sorted, source: source, document: result.document)
            }
        }
        let what = kind == .plan ? "lint the spec it was compiled from" : "lint the spec it names, or run it with dspec test"
        let d = Diagnostic(code: DecodingRules.unsupportedVersion.code, severity: .error, message: "this is \(kind.phrase), not a spec; \(what)", path: source.path)
        return LintFileResult(path: source.path, diagnostics: [d], source: source, document: nil)
    }

    /// Lints files and directories. Unreadable paths become DS0000 findings.
    /// Files found in directories are read, classified and linted on up to ``workers``
    /// threads; results are in ``SpecFileDiscovery/expand(_:)``'s order.
    public func lint(paths: [String]) -> (results: [LintFileResult], usageProblems: [String]) {
        lint(paths: paths) { $0 }
    }

    /// ``lint(paths:)`` with `finish` applied to each file's result on the worker thread that
    /// linted it, in the same order. A caller that needs less than the whole result (the text
    /// report of a file, its findings without the parsed document) gets it formed in parallel,
    /// and what it drops is freed there rather than one file after another at the end.
    public func lint<T: Sendable>(paths: [String], finish: @Sendable (LintFileResult) -> T) -> (results: [T], usageProblems: [String]) {
        let (candidates, problems) = SpecFileDiscovery.candidates(paths)
        let usage = problems.map { "\($0.path): \($0.message)" }
        let cache = CompiledContractCache()
        let results = Self.map(candidates, workers: workers) { lint(candidate: $0, cache: cache).map(finish) }
        return (results.compactMap { $0 }, usage)
    }

    /// Files linted at once by ``lint(paths:)``: the active processor count by default.
    /// Results are in the order of the files whatever this is.
    public var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Lints one file; an unreadable one becomes a DS0000 finding when it was named, and is
    /// skipped when it was found in a directory (as ``SpecFileDiscovery/expand(_:)`` does).
    private func lint(candidate: SpecFileDiscovery.Candidate, cache: CompiledContractCache) -> LintFileResult? {
        let file = candidate.path
        do {
            return lint(try SourceLoader.load(file), cache: cache, found: !candidate.named)
        } catch {
            guard candidate.named else { return nil }
            let d = Diagnostic(code: CompilerRules.unreadable.code, severity: .error, message: error.message, path: file)
            return LintFileResult(path: file, diagnostics: [d], source: nil, document: nil)
        }
    }

    /// `body` applied to every item on up to `workers` threads, results in item order.
    /// Workers take the next unclaimed item, so one slow file does not hold up a fixed share.
    static func map<Item: Sendable, T: Sendable>(_ items: [Item], workers: Int, _ body: @Sendable (Item) -> T) -> [T] {
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
