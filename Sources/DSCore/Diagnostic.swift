/// How serious a finding is. Errors fail `lint`; warnings fail it only with `--strict`.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
    case error
    case warning
    case note

    private var rank: Int {
        switch self {
        case .error: return 2
        case .warning: return 1
        case .note: return 0
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One finding of any stage: where, what, which stable rule, and how to fix it.
public struct Diagnostic: Sendable, Hashable {
    /// Stable rule code, e.g. `DS0104`.
    public var code: String
    /// Severity after any configuration.
    public var severity: Severity
    /// One-line human message. Never contains secret values.
    public var message: String
    /// The file path as given by the user, if the finding is tied to a file.
    public var path: String?
    /// Where in the file, if known.
    public var location: SourceLocation?
    /// End of the offending range, if known.
    public var endLocation: SourceLocation?
    /// RFC 6901 JSON pointer of the offending value inside the document.
    public var pointer: String?
    /// How to fix it.
    public var hint: String?
    /// A concrete replacement ("did you mean ...?").
    public var suggestion: String?
    /// Set when an inline suppression in the spec covers this finding: it is still
    /// reported (as suppressed, with the reason) but no longer counts toward the exit code.
    public var suppression: String?

    /// Creates a diagnostic.
    public init(
        code: String, severity: Severity, message: String, path: String? = nil,
        location: SourceLocation? = nil, endLocation: SourceLocation? = nil, pointer: String? = nil,
        hint: String? = nil, suggestion: String? = nil
    ) {
        self.code = code
        self.severity = severity
        self.message = message
        self.path = path
        self.location = location
        self.endLocation = endLocation
        self.pointer = pointer
        self.hint = hint
        self.suggestion = suggestion
    }
}

/// Collects diagnostics from the stages. Stages never print: they report here and the
/// caller (CLI, tests, a host application) decides how to present them.
public final class DiagnosticCollector: Sendable {
    /// Guarded storage: rules may report from several threads.
    private let storage = Locked<[Diagnostic]>([])
    /// Everything reported so far, in report order.
    public var diagnostics: [Diagnostic] { storage.withLock { $0 } }
    /// The file new diagnostics are attached to when they carry spans.
    public let source: SourceFile?

    /// Creates a collector, optionally bound to a source file so spans resolve to lines.
    public init(source: SourceFile? = nil) {
        self.source = source
    }

    /// How many diagnostics of one collector get a line and column; later ones keep their
    /// JSON pointer only.
    public static let maxLocatedDiagnostics = 1_000

    /// Records a diagnostic.
    public func emit(_ diagnostic: Diagnostic) {
        storage.withLock { $0.append(diagnostic) }
    }

    /// Records a diagnostic for a rule at a byte span of the bound source file.
    public func emit(
        _ rule: RuleDescriptor, _ message: String, span: SourceSpan?, pointer: String?,
        hint: String? = nil, suggestion: String? = nil, severity: Severity? = nil
    ) {
        var location: SourceLocation?
        var end: SourceLocation?
        // Resolving a position scans its line, so past the first maxLocatedDiagnostics of a
        // file findings keep only their pointer: a file with 100,000 findings on one long
        // line would otherwise cost quadratic time.
        if let span, let source, diagnostics.count < Self.maxLocatedDiagnostics {
            location = source.location(ofOffset: span.start)
            end = source.location(ofOffset: span.end)
        }
        let diagnostic = Diagnostic(
            code: rule.code, severity: severity ?? rule.severity, message: message, path: source?.path,
            location: location, endLocation: end, pointer: pointer,
            hint: hint ?? rule.defaultHint, suggestion: suggestion
        )
        storage.withLock { $0.append(diagnostic) }
    }

    /// True if any unsuppressed error was reported.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error && $0.suppression == nil } }

    /// Number of unsuppressed diagnostics at a severity.
    public func count(_ severity: Severity) -> Int { diagnostics.filter { $0.severity == severity && $0.suppression == nil }.count }

    /// Marks matching diagnostics as suppressed.
    public func suppress(where matches: (Diagnostic) -> String?) {
        storage.withLock { diagnostics in
            for i in diagnostics.indices where diagnostics[i].suppression == nil {
                diagnostics[i].suppression = matches(diagnostics[i])
            }
        }
    }

    /// Diagnostics sorted by file, position and code: the order every report format uses.
    public var sorted: [Diagnostic] {
        let diagnostics = self.diagnostics
        return diagnostics.enumerated().sorted { a, b in
            let l = a.element, r = b.element
            if (l.path ?? "") != (r.path ?? "") { return (l.path ?? "") < (r.path ?? "") }
            let lo = l.location?.offset ?? -1, ro = r.location?.offset ?? -1
            if lo != ro { return lo < ro }
            if l.code != r.code { return l.code < r.code }
            return a.offset < b.offset
        }.map(\.element)
    }
}
