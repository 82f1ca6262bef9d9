import DSCore

/// The parse-stage rules. Syntax errors stop the parse; duplicate keys do not.
public enum JSONParseRules {
    /// Malformed JSON text.
    public static let syntax = RuleDescriptor(
        code: "DS0001", name: "valid-json", severity: .error,
        summary: "The file must be RFC 8259 JSON.",
        hint: "Check for a missing comma, quote or bracket near the caret.")
    /// The same key twice in one object.
    public static let duplicateKey = RuleDescriptor(
        code: "DS0002", name: "no-duplicate-keys", severity: .error,
        summary: "An object must not contain the same key twice.",
        hint: "Remove one of the two members; JSON readers disagree about which one wins.")
    /// Bytes that are not UTF-8.
    public static let invalidUTF8 = RuleDescriptor(
        code: "DS0003", name: "valid-utf8", severity: .error,
        summary: "The file must be UTF-8.",
        hint: "Re-save the file as UTF-8.")
    /// Nesting deeper than the limit.
    public static let tooDeep = RuleDescriptor(
        code: "DS0004", name: "nesting-depth-limit", severity: .error,
        summary: "Arrays and objects must not nest deeper than the parser's limit.",
        hint: "Flatten the structure; no Delivery Spec needs this depth.")
    /// Anything after the top-level value.
    public static let trailing = RuleDescriptor(
        code: "DS0005", name: "single-top-level-value", severity: .error,
        summary: "A file holds exactly one JSON value.",
        hint: "Remove what follows the closing bracket, or wrap both values in an array.")

    /// All parse rules.
    public static let all = [syntax, duplicateKey, invalidUTF8, tooDeep, trailing]
}
