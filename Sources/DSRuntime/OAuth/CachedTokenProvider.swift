/// One way of obtaining a fresh access token (a grant type).
public protocol TokenGrant: Sendable {
    /// Fetches a new token from the token endpoint.
    func fetch() async throws(OAuthError) -> TokenResponse
}

/// Caches a grant's access token and refreshes it ahead of expiry, with at most one fetch
/// in flight: every request that needs a token while a fetch runs waits for that fetch
/// (single-flight), so a burst of concurrent 401s costs one token request, not one each.
public actor CachedTokenProvider: AccessTokenProvider {
    private struct Cached {
        var token: String
        var refreshAt: RuntimeInstant?
    }

    private let grant: any TokenGrant
    private let clock: any RuntimeClock
    private let skew: Duration
    private var cached: Cached?
    private var inFlight: Task<Result<TokenResponse, OAuthError>, Never>?
    /// Number of token requests made so far.
    public private(set) var fetchCount = 0

    /// Creates the provider. A token is refreshed `skew` before it expires (half its
    /// lifetime for tokens shorter than twice the skew); a token without `expires_in` is
    /// kept until a request is refused.
    public init(grant: any TokenGrant, clock: any RuntimeClock, skew: Duration = .seconds(60)) {
        self.grant = grant
        self.clock = clock
        self.skew = skew
    }

    public func accessToken() async throws(OAuthError) -> String {
        if let cached, cached.refreshAt.map({ clock.now() < $0 }) ?? true { return cached.token }
        let task: Task<Result<TokenResponse, OAuthError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            let grant = self.grant
            task = Task { () -> Result<TokenResponse, OAuthError> in
                do throws(OAuthError) { return .success(try await grant.fetch()) } catch { return .failure(error) }
            }
            inFlight = task
            fetchCount += 1
            let started = clock.now()
            let result = await task.value
            inFlight = nil
            if case .success(let response) = result {
                cached = Cached(token: response.accessToken, refreshAt: response.expiresIn.map { refreshInstant(started: started, lifetime: .seconds($0)) })
            }
        }
        switch await task.value {
        case .success(let response): return response.accessToken
        case .failure(let error): throw error
        }
    }

    public func invalidate(_ token: String) {
        if cached?.token == token { cached = nil }
    }

    private func refreshInstant(started: RuntimeInstant, lifetime: Duration) -> RuntimeInstant {
        let margin = lifetime < skew * 2 ? lifetime / 2 : skew
        return started + (lifetime - margin)
    }
}
