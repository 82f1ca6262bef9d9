import DSCore

/// An ``AccessTokenProvider`` that remembers every access token it hands out, so what the
/// run writes (dead letters: a vendor's 401 body may echo the token it rejected) can redact
/// live credentials that no secrets file holds. Keeps the most recent `limit` tokens.
public final class RecordingTokenProvider: AccessTokenProvider {
    private let inner: any AccessTokenProvider
    private let issued = Locked<[String]>([])
    private let limit: Int

    /// Wraps `inner`.
    public init(_ inner: any AccessTokenProvider, limit: Int = 16) {
        self.inner = inner
        self.limit = limit
    }

    public func accessToken() async throws(OAuthError) -> String {
        let token = try await inner.accessToken()
        issued.withLock { list in
            guard !list.contains(token) else { return }
            list.append(token)
            if list.count > limit { list.removeFirst(list.count - limit) }
        }
        return token
    }

    public func invalidate(_ token: String) async { await inner.invalidate(token) }

    /// The tokens handed out so far, as secrets named `access_token`.
    public var liveSecrets: [SecretRedactor.Secret] {
        issued.withLock { $0.map { SecretRedactor.Secret(name: "access_token", value: $0) } }
    }
}
