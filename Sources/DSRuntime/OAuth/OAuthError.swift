/// Why an access token could not be obtained. Messages name the token endpoint, the status
/// and the OAuth `error` code, never a secret value: the messages end up in dead letters and
/// logs.
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A one-line, secret-free explanation.
    public var message: String

    /// Creates an error. The caller guarantees `message` holds no secret value.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// A source of OAuth access tokens for requests.
public protocol AccessTokenProvider: Sendable {
    /// A valid access token, fetching one if none is cached or the cached one is about to
    /// expire. Concurrent callers share one fetch.
    func accessToken() async throws(OAuthError) -> String
    /// Reports that `token` was rejected (a `refresh_auth` outcome): the next
    /// ``accessToken()`` fetches a new one, unless another caller already replaced it.
    func invalidate(_ token: String) async
}
