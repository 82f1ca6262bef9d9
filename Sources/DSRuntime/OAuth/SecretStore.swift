/// Where secret values live and where a rotated OAuth refresh token is written back.
public protocol SecretStore: Sendable {
    /// The current value of a secret, or nil.
    func value(of name: String) -> String?
    /// Replaces a secret's value durably (a rotated refresh token must survive a crash, or
    /// the next run holds a revoked token).
    func update(_ name: String, to value: String) throws(OAuthError)
}

/// Secrets held in memory (tests, and runs without a secrets file).
public final class InMemorySecretStore: SecretStore {
    private let values: Locked<[String: String]>

    /// Creates a store with `values`.
    public init(_ values: [String: String] = [:]) { self.values = Locked(values) }

    public func value(of name: String) -> String? { values.withLock { $0[name] } }

    public func update(_ name: String, to value: String) throws(OAuthError) { values.withLock { $0[name] = value } }
}
