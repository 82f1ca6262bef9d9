import DSCore
import DSJSON
import DSSchema
import DSSpec

/// One validation rule of the compile stage. Each rule lives in its own file under
/// `Rules/`, is named for what it asserts, and has a stable descriptor; `docs/rules.md`
/// documents each with a bad and a good example.
public protocol ValidationRule: Sendable {
    /// The rule's identity.
    static var descriptor: RuleDescriptor { get }
    /// Inspects the spec and reports findings through the context.
    func check(_ context: ValidationContext)
}

/// What a rule can see and how it reports: the IR, the source file, the analysed
/// templates and mappings (computed once and shared by all rules).
public final class ValidationContext {
    /// The spec IR.
    public let spec: SpecDocument
    /// The spec's source file.
    public let source: SourceFile
    /// The collector.
    public let diagnostics: DiagnosticCollector
    /// Every template in the spec, analysed.
    public private(set) lazy var templates: [AnalyzedTemplate] = TemplateInventory.collect(spec: spec, source: source)
    /// Every variable read by any template or mapping, located (computed once).
    public private(set) lazy var variableUses: [VariableUse] = ReferenceIndex.collect(in: self)
    /// Every mapping in the spec, analysed.
    public private(set) lazy var mappings: [AnalyzedMapping] = MappingInventory.collect(spec: spec)

    /// True when the decode stage already reported errors: parts of the IR are missing,
    /// so "declared but unused" rules would only add noise caused by the first error.
    public let hadShapeErrors: Bool
    /// The driver's loader for contract files (nil: contracts are not loaded).
    public let contractLoader: (any ContractLoader)?
    /// The spec's tracking plan and request contract, loaded and compiled once (DS1001 reports
    /// files that cannot be used).
    public private(set) lazy var contracts: SpecContracts = ContractResolution.resolve(spec, loader: contractLoader, diagnostics: diagnostics)
    /// The body mapping walked beside the request contract's body schema
    /// (``ContractMappingWalk/sites(_:)``), once for the rules that read it.
    private(set) lazy var contractSites: (sites: ContractSites, shape: SchemaShape, contract: RequestContract)? = ContractMappingWalk.sites(self)

    /// Creates a context.
    public init(spec: SpecDocument, source: SourceFile, diagnostics: DiagnosticCollector, contractLoader: (any ContractLoader)? = nil) {
        self.spec = spec
        self.source = source
        self.diagnostics = diagnostics
        self.hadShapeErrors = diagnostics.hasErrors
        self.contractLoader = contractLoader
    }

    /// Reports a finding of a rule at a located value.
    public func report<R: ValidationRule, V>(_ rule: R.Type, _ message: String, at located: Located<V>, hint: String? = nil, suggestion: String? = nil, severity: Severity? = nil) {
        diagnostics.emit(rule.descriptor, message, span: located.span, pointer: located.pointer, hint: hint, suggestion: suggestion, severity: severity)
    }

    /// Reports a finding at a raw span and pointer.
    public func report<R: ValidationRule>(_ rule: R.Type, _ message: String, span: SourceSpan, pointer: String, hint: String? = nil, suggestion: String? = nil, severity: Severity? = nil) {
        diagnostics.emit(rule.descriptor, message, span: span, pointer: pointer, hint: hint, suggestion: suggestion, severity: severity)
    }

    /// The span in the spec file of a byte range inside a template string.
    public func span(in text: TemplateText, offset: Int, length: Int) -> SourceSpan {
        let start = StringTokenMap.sourceOffset(decodedOffset: offset, tokenStart: text.span.start, in: source.bytes)
        let end = StringTokenMap.sourceOffset(decodedOffset: offset + max(length, 1), tokenStart: text.span.start, in: source.bytes)
        return SourceSpan(start: start, end: max(end, start + 1))
    }

    /// Declared secret names.
    public var declaredSecrets: Set<String> { Set(spec.secrets.map(\.name.value)) }
    /// Declared setting names.
    public var declaredSettings: Set<String> { Set(spec.settings.map(\.name.value)) }

    /// Whether batching is in effect.
    public var batchingEnabled: Bool {
        guard let b = spec.batching else { return false }
        return b.enabled?.value ?? true
    }
}
