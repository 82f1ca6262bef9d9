import DSCore

/// Rules reported while reading the parsed document into the IR (shape checks).
public enum DecodingRules {
    /// A key the format does not define.
    public static let unknownKey = RuleDescriptor(
        code: "DS0101", name: "known-keys-only", severity: .error,
        summary: "Every key must be one the spec format defines (extensions start with `x-`).",
        hint: "Fix the spelling, or prefix a private extension key with `x-`.")
    /// A value of the wrong JSON type.
    public static let wrongType = RuleDescriptor(
        code: "DS0102", name: "value-has-declared-type", severity: .error,
        summary: "Each field must have the JSON type the format declares.",
        hint: "See docs/spec-format.md for the field's type.")
    /// A required field is absent.
    public static let missingField = RuleDescriptor(
        code: "DS0103", name: "required-fields-present", severity: .error,
        summary: "Required fields must be present.",
        hint: "Add the field; docs/spec-format.md lists what each block requires.")
    /// A value outside the allowed set or range.
    public static let invalidValue = RuleDescriptor(
        code: "DS0104", name: "value-in-allowed-set", severity: .error,
        summary: "Enumerated fields take one of their listed words; numbers stay in their range.",
        hint: "Use one of the allowed values listed in the message.")
    /// Unsupported format version or unrecognisable document.
    public static let unsupportedVersion = RuleDescriptor(
        code: "DS0105", name: "supported-format-version", severity: .error,
        summary: "A spec declares `\"dspec\": 1` (or is a Custom Webhook config with `\"integration\": \"custom_webhook\"`).",
        hint: "Add `\"dspec\": 1` at the top level.")
    /// Two fields that exclude each other.
    public static let conflictingFields = RuleDescriptor(
        code: "DS0106", name: "no-conflicting-fields", severity: .error,
        summary: "Fields that exclude each other must not both be set.",
        hint: "Keep one of the two fields.")

    /// All decoding rules.
    public static let all = [unknownKey, wrongType, missingField, invalidValue, unsupportedVersion, conflictingFields]
}
