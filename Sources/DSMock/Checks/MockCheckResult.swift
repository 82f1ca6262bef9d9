/// The outcome of one independent check the server ran on a request.
///
/// Names are stable so a harness can select them: `auth.bearer`, `auth.basic`,
/// `auth.api_key`, `auth.access_token`, `auth.sigv4`, `auth.oauth1`, `auth.sas`, `signing.signature`, `signing.timestamp`,
/// `oauth.client`, `oauth.grant`, `oauth.assertion`, `oauth.scope`.
public struct MockCheckResult: Sendable, Equatable, CustomStringConvertible {
    /// Which check.
    public var name: String
    /// Whether the request passed it.
    public var passed: Bool
    /// What was found, in words; never a secret value.
    public var detail: String

    /// Creates a result.
    public init(name: String, passed: Bool, detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }

    /// `name ok` or `name FAILED: detail`.
    public var description: String { passed ? "\(name) ok" : "\(name) FAILED: \(detail)" }
}
