import DSCore
import DSJSON
import DSSpec

/// Every rule of every stage, in code order: the single list that `docs/rules.md`, SARIF
/// `tool.driver.rules` and suppression checks are derived from.
public enum RuleCatalog {
    /// The validation rules run by the compiler, in order.
    public static let validationRules: [any ValidationRule] = [
        HTTPSRequired(), URLIsAbsolute(), OAuthTokenURLHTTPS(), URLRawValuesAreSettings(),
        SecretsDeclared(), SecretsUsed(), SettingsDeclared(), SettingsUsed(), DataVariablesKnown(), EventFieldsKnown(),
        TemplatesCompile(), JSONTemplateRendersJSON(), MappingsValid(), CredentialsReferenceSecrets(), NoSecretsInQuery(),
        BatchByteLimitFitsOneEvent(), BatchWaitPositive(), BatchLimitsCoherent(), BatchEnvelopeMarksBatch(),
        RateLimitPositive(), SigningHasSecret(), SigningExplicitComplete(), SignedBodyReproducible(),
        ResponseRulesReachable(), JSONPointersValid(), RefreshAuthNeedsOAuth(), RetryPolicyCoherent(),
        PayloadMatchesFormat(), BodylessMethodHasNoPayload(), HeaderNamesValid(), SpecNameIsSlug(), SettingDefaultsMatchType(),
        EventSelectionCoherent(), SuppressionsNameRules(),
        EventSizeLimitCoherent(), BatchArraysCoherent(), IsolateOnCoherent(), RateLimitHeadersComplete(), BodyMatchComplete(),
        ContractFilesLoad(), PropertiesInTrackingPlan(), MappingEmitsContractRequired(), ContractConstantsMatch(),
        RequiredFieldsFromRequiredProperties(),
        AWSCredentialScopeValid(), OAuth1TokenPaired(), SASResourceCoversEndpoint(),
        LookupTablesDeclared(), LookupTablesUsed(), LookupTablesCoherent(),
    ]

    /// Descriptors of every rule (parse, decode, validate, and I/O), sorted by code.
    public static let all: [RuleDescriptor] = {
        var list = JSONParseRules.all + DecodingRules.all + [CompilerRules.unreadable, CompilerRules.tooLarge, ContractRules.instanceMismatch]
        list += validationRules.map { type(of: $0).descriptor }
        return list.sorted { $0.code < $1.code }
    }()

    /// Looks a rule up by code.
    public static func descriptor(_ code: String) -> RuleDescriptor? { all.first { $0.code == code } }
}

/// Rules of the driver itself.
public enum CompilerRules {
    /// The input could not be read at all.
    public static let unreadable = RuleDescriptor(
        code: "DS0000", name: "readable-input", severity: .error,
        summary: "Each input path must be a readable file.",
        hint: "Check the path and its permissions.")
    /// The input is larger than any spec needs.
    public static let tooLarge = RuleDescriptor(
        code: "DS0006", name: "input-size-limit", severity: .error,
        summary: "A spec file is at most 1 MiB (1048576 bytes); templates are at most 64 KiB each (DS0307).",
        hint: "Real specs are a few KB: move generated data out of the spec.")
}
