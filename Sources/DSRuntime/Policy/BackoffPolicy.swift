import Foundation
import DSPlan

/// The retry policy of a plan (`response.retry`, spec section 16.5): exponential backoff
/// with jitter, a cap on each wait, a cap on total elapsed time, a cap on attempts, and
/// `Retry-After` honoured as `max(backoff, Retry-After)` bounded by `retry_after.max_ms`.
public struct BackoffPolicy: Sendable, Equatable {
    /// How a computed delay `d` is randomised.
    public enum Jitter: String, Sendable {
        /// Exactly `d`.
        case none
        /// Uniform in `[0, d]` (AWS "full jitter": spreads a thundering herd best).
        case full
        /// `d/2` plus uniform in `[0, d/2]`: never shorter than half the delay.
        case equal
    }

    /// Attempts in total, the first included.
    public var maxAttempts: Int
    /// Delay before the first retry, before jitter.
    public var initialBackoff: Duration
    /// Cap on any one computed delay.
    public var maxBackoff: Duration
    /// Growth factor between delays.
    public var multiplier: Double
    /// Randomisation.
    public var jitter: Jitter
    /// Give up once the next attempt would start later than this after the first.
    public var maxElapsed: Duration
    /// Whether `Retry-After` is honoured.
    public var honourRetryAfter: Bool
    /// Cap on a `Retry-After` wait.
    public var retryAfterCap: Duration

    /// Creates a policy.
    public init(maxAttempts: Int, initialBackoff: Duration, maxBackoff: Duration, multiplier: Double, jitter: Jitter,
                maxElapsed: Duration, honourRetryAfter: Bool = true, retryAfterCap: Duration = .seconds(60)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = max(1, multiplier)
        self.jitter = jitter
        self.maxElapsed = maxElapsed
        self.honourRetryAfter = honourRetryAfter
        self.retryAfterCap = retryAfterCap
    }

    /// The plan's policy. An unknown jitter word (a hand-edited plan) means `full`, the
    /// documented default.
    public init(_ retry: PlanRetry) {
        self.init(maxAttempts: retry.maxAttempts, initialBackoff: .milliseconds(retry.initialBackoffMs), maxBackoff: .milliseconds(retry.maxBackoffMs),
                  multiplier: retry.multiplier, jitter: Jitter(rawValue: retry.jitter) ?? .full, maxElapsed: .milliseconds(retry.maxElapsedMs),
                  honourRetryAfter: retry.honourRetryAfter, retryAfterCap: .milliseconds(retry.retryAfterMaxMs))
    }

    /// The delay before retry `n` (1 = the first retry) before jitter:
    /// `min(max_backoff, initial x multiplier^(n-1))`.
    public func baseDelay(retry n: Int) -> Duration {
        let initial = Double(initialBackoff.nanoseconds)
        let cap = Double(maxBackoff.nanoseconds)
        // pow can overflow to infinity for large n; min() then picks the cap.
        let d = min(cap, initial * pow(multiplier, Double(max(0, n - 1))))
        return .nanoseconds(Int64(d.isFinite ? d : cap))
    }

    /// The jittered delay before retry `n`.
    public func delay(retry n: Int, jitter source: some JitterSource) -> Duration {
        let d = baseDelay(retry: n).nanoseconds
        switch jitter {
        case .none: return .nanoseconds(d)
        case .full: return .nanoseconds(Int64((Double(d) * source.unitValue()).rounded(.down)))
        case .equal:
            let half = d / 2
            return .nanoseconds(half + Int64((Double(d - half) * source.unitValue()).rounded(.down)))
        }
    }

    /// The wait before the next attempt given a `Retry-After` value: the backoff, raised to
    /// the (capped) `Retry-After` when it is honoured and longer.
    public func combine(backoff: Duration, retryAfter: Duration?) -> Duration {
        guard honourRetryAfter, let retryAfter else { return backoff }
        return max(backoff, min(retryAfter, retryAfterCap))
    }

    /// What to do after attempt number `attempts` (1-based) failed with a retryable result.
    ///
    /// - Parameters:
    ///   - elapsed: time since the first attempt started.
    ///   - retryAfter: the response's parsed `Retry-After`, if any.
    public func decide(afterAttempt attempts: Int, elapsed: Duration, retryAfter: Duration?, jitter source: some JitterSource) -> RetryDecision {
        plan(afterAttempt: attempts, elapsed: elapsed, retryAfter: retryAfter, jitter: source).decision
    }

    /// As ``decide(afterAttempt:elapsed:retryAfter:jitter:)``, with the jittered backoff the
    /// wait was made from (nil when no backoff was drawn: the attempts are spent).
    public func plan(afterAttempt attempts: Int, elapsed: Duration, retryAfter: Duration?,
                     jitter source: some JitterSource) -> (decision: RetryDecision, backoff: Duration?) {
        if attempts >= maxAttempts {
            return (.giveUp(reason: "gave up after \(attempts) attempt\(attempts == 1 ? "" : "s") (response.retry.max_attempts is \(maxAttempts))"), nil)
        }
        let backoff = delay(retry: attempts, jitter: source)
        let wait = combine(backoff: backoff, retryAfter: retryAfter)
        if elapsed + wait > maxElapsed {
            return (.giveUp(reason: "gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"): the next would start \((elapsed + wait).milliseconds) ms after the first, beyond response.retry.max_elapsed_ms (\(maxElapsed.milliseconds))"), backoff)
        }
        return (.retry(after: wait), backoff)
    }
}

/// The result of ``BackoffPolicy/decide(afterAttempt:elapsed:retryAfter:jitter:)``.
public enum RetryDecision: Sendable, Equatable {
    /// Try again after this wait.
    case retry(after: Duration)
    /// Stop; the events are dead-lettered with this reason.
    case giveUp(reason: String)
}
