/// A rate limit shared by several processes (`dspec deliver --shared-rate-limit`,
/// docs/fleet.md): the fleet's token bucket and its pause live elsewhere (DSRuntimePOSIX's
/// `RedisSharedRateLimit`, one atomic script in Redis), and the engine only asks.
///
/// With one, ``RateLimiter`` reserves every attempt's token here instead of in its local
/// bucket, and a 429's wait is published with ``pause(for:)`` so every worker slows down.
public protocol SharedAdmission: Sendable {
    /// Reserves one request in the shared bucket and returns how long to wait before sending
    /// it (zero when a token is available now; a shared pause in force is included). Throws
    /// when the task is cancelled or the shared store cannot be reached.
    func reserve() async throws -> Duration
    /// Pauses every worker for `duration` (a longer pause already in force is kept).
    func pause(for duration: Duration)
}
