import DSPlan

/// Every default the compiler makes explicit, in one place (and in docs/spec-format.md).
public enum PlanDefaults {
    public static let method = "POST"
    public static let timeoutMs = 10_000
    public static let userAgent = "dspec/1.0"
    public static let batchMaxEvents = 100
    public static let batchMaxBytes = 5_242_880
    public static let batchMaxWaitMs = 5_000
    public static let batchFormat = "json_array"
    public static let retry = PlanRetry(maxAttempts: 5, initialBackoffMs: 500, maxBackoffMs: 30_000, multiplier: 2, jitter: "full",
                                        maxElapsedMs: 300_000, honourRetryAfter: true, retryAfterMaxMs: 60_000)
    public static let oauthClientAuth = "basic"
    public static let rateLimitResetUnit = "seconds"
    public static let rateLimitHeadersMaxMs = 60_000
    public static let serviceAccountLifetimeSeconds = 3_600
    /// `auth.signature_method` of `oauth1`: the only method dspec signs with.
    public static let oauth1SignatureMethod = "HMAC-SHA1"
    /// `auth.expiry_seconds` of `azure_sas`: the Azure SDKs' default token lifetime.
    public static let sasExpirySeconds = 3_600

    /// The documented default status rules, appended after a spec's own rules.
    public static func responseRules(oauth: Bool) -> [PlanStatusRule] {
        var rules = [PlanStatusRule(status: [200...299], bodyContains: nil, outcome: "success", origin: "default")]
        if oauth { rules.append(PlanStatusRule(status: [401...401], bodyContains: nil, outcome: "refresh_auth", origin: "default")) }
        rules.append(PlanStatusRule(status: [408...408, 429...429, 500...500, 502...502, 503...503, 504...504], bodyContains: nil, outcome: "retry", origin: "default"))
        rules.append(PlanStatusRule(status: [100...599], bodyContains: nil, outcome: "drop", origin: "default"))
        return rules
    }
}
