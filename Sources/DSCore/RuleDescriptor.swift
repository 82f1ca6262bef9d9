/// The stable identity of a diagnostic rule: code, default severity and documentation.
/// Every rule of every stage has one; `docs/rules.md` and SARIF `tool.driver.rules` are
/// generated from the same descriptors, so the code, the docs and the reports agree.
public struct RuleDescriptor: Sendable, Hashable {
    /// Stable code, `DS` followed by four digits.
    public let code: String
    /// Short kebab-case name saying what the rule asserts, e.g. `https-required`.
    public let name: String
    /// Default severity.
    public let severity: Severity
    /// One-sentence summary.
    public let summary: String
    /// Default fix-it text.
    public let defaultHint: String?

    /// Creates a rule descriptor.
    public init(code: String, name: String, severity: Severity, summary: String, hint: String? = nil) {
        self.code = code
        self.name = name
        self.severity = severity
        self.summary = summary
        self.defaultHint = hint
    }
}
