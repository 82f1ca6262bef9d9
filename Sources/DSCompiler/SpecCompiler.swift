import DSCore
import DSJSON
import DSPlan
import DSSpec

/// What each stage of a compilation produced. Later layers are nil when an earlier stage
/// failed; diagnostics explain why.
public struct CompilationResult: Sendable {
    /// Stage 1 output.
    public var document: JSONNode?
    /// Stage 2 output.
    public var spec: SpecDocument? {
        get { specBox?.value }
        set { specBox = newValue.map(SpecBox.init) }
    }
    /// The IR held by reference: inline, its size (every field of every section) made each
    /// move of a result a copy of kilobytes, and each empty result a store of that many bytes.
    private var specBox: SpecBox?
    /// Stage 3 output: present only when no unsuppressed error was found.
    public var plan: DeliveryPlan?
    /// Secret names the compiler hoisted out of literal credentials.
    public var hoistedSecrets: [String] = []
    /// The tracking plan and request contract, compiled (empty when the spec names none or
    /// no loader was given).
    public var contracts = SpecContracts()

    /// An empty result (no stage produced anything).
    public init() {}

    /// A result with the parsed document and, when validation ran, the compiled contracts.
    init(document: JSONNode, contracts: SpecContracts = SpecContracts()) {
        self.document = document
        self.contracts = contracts
    }
}

/// A spec IR held by reference (``CompilationResult/spec``).
private final class SpecBox: Sendable {
    let value: SpecDocument
    init(_ value: SpecDocument) { self.value = value }
}

/// The compile pipeline: source text -> parsed document -> spec IR -> validation -> plan.
/// Each stage reports to the same collector and never prints.
public struct SpecCompiler: Sendable {
    /// The validation rules to run (all of them by default).
    public var rules: [any ValidationRule]
    /// Maximum JSON nesting depth.
    public var maxDepth: Int
    /// Whether to lower to a plan after validation (lint only needs the diagnostics).
    public var emitsPlan = true
    /// Whether ``CompilationResult/spec`` holds the IR (a copy of every field of the spec);
    /// lint reads only the findings and the parsed document, and leaves it out.
    public var keepsSpec = true
    /// The largest spec file compiled, in bytes (DS0006 above it). Bounds the work any one
    /// file can cause: parsing, analysis and diagnostics all grow with the file.
    public var maxSpecBytes = SpecCompiler.defaultMaxSpecBytes
    /// The default ``maxSpecBytes``: 1 MiB, some 200 times the largest example spec.
    public static let defaultMaxSpecBytes = 1_048_576

    /// Creates a compiler.
    public init(rules: [any ValidationRule] = RuleCatalog.validationRules, maxDepth: Int = 128) {
        self.rules = rules
        self.maxDepth = maxDepth
    }

    /// Runs every stage on one source file.
    /// `contractLoader` reads the files `events.schema` and `contract` name (the driver's I/O);
    /// without one they are not checked.
    public func compile(_ source: SourceFile, diagnostics: DiagnosticCollector, contractLoader: (any ContractLoader)? = nil) -> CompilationResult {
        guard source.bytes.count <= maxSpecBytes else {
            diagnostics.emit(CompilerRules.tooLarge, "the file is \(source.bytes.count) bytes, over the spec size limit of \(maxSpecBytes) bytes",
                             span: SourceSpan(start: 0, end: min(1, source.bytes.count)), pointer: "/")
            return CompilationResult()
        }
        return compile(source, parsed: JSONParser(maxDepth: maxDepth).parse(source, diagnostics: diagnostics), diagnostics: diagnostics, contractLoader: contractLoader)
    }

    /// Runs the stages after parsing on a document the caller parsed already (with
    /// `JSONParser(maxDepth: maxDepth)`, into the same `diagnostics`; nil: the parse failed),
    /// as `dspec lint` does after looking at the document's kind.
    public func compile(_ source: SourceFile, parsed: JSONNode?, diagnostics: DiagnosticCollector, contractLoader: (any ContractLoader)? = nil) -> CompilationResult {
        guard let document = parsed else { return CompilationResult() }
        guard let decoded = SpecDecoder().decode(document, diagnostics: diagnostics) else { return CompilationResult(document: document) }
        // The IR is moved into the context, which the rules, the suppressions and the plan
        // builder read in place; the result holds a copy only when the caller keeps it.
        let context = ValidationContext(spec: consume decoded, source: source, diagnostics: diagnostics, contractLoader: contractLoader)
        for rule in rules { rule.check(context) }
        applySuppressions(context.spec.suppressions, diagnostics)
        var result = CompilationResult(document: document, contracts: context.contracts)
        if keepsSpec { result.spec = context.spec }
        guard emitsPlan, !diagnostics.hasErrors else { return result }
        var builder = PlanBuilder(spec: context.spec, sourceBytes: source.bytes)
        result.plan = builder.build()
        result.hoistedSecrets = builder.hoisted
        return result
    }

    /// Marks findings covered by the spec's own `lint.suppress` entries.
    private func applySuppressions(_ suppressions: [Suppression], _ diagnostics: DiagnosticCollector) {
        guard !suppressions.isEmpty else { return }
        diagnostics.suppress { d in
            for s in suppressions where s.rule.value == d.code {
                let prefix = s.pointer?.value ?? ""
                let pointer = d.pointer ?? ""
                if prefix.isEmpty || pointer == prefix || pointer.hasPrefix(prefix + "/") {
                    return s.reason?.value ?? "suppressed"
                }
            }
            return nil
        }
    }
}
