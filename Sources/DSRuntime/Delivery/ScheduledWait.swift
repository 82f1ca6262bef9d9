import DSRender

/// A wait the delivery engine scheduled, as reported to ``DeliveryOptions/waitObserver``
/// the moment it is scheduled (before the engine sleeps).
///
/// The conformance harness (DSConformance) records these to check every wait against the
/// plan's policy exactly (no slack, whatever the clock's speed or the machine's load) and the
/// vendor's observed gaps against the waits really scheduled. Times are on the engine's
/// clock (nominal time under a ``ScaledClock``).
public struct ScheduledWait: Sendable {
    /// What the engine waits for.
    public enum Kind: String, Sendable, Equatable {
        /// The wait before a retry: the policy's backoff for that retry, raised to the
        /// response's `Retry-After` (capped) when the plan honours it. A 429's retry also
        /// pauses its partition until ``ScheduledWait/end``.
        case retry
        /// A request waiting out a pause of its partition until ``ScheduledWait/end`` (set by
        /// a 429's retry or by rate-limit headers).
        case partitionPause
        /// A request waiting for a token of the plan's rate limit (`rate_limit`).
        case rateLimit
        /// A pause the response's rate-limit headers (`response.rate_limit_headers`) set on
        /// the partition; nothing sleeps here: the partition's requests wait it out as
        /// ``partitionPause``.
        case rateLimitHeaders
    }

    /// What is waited for.
    public var kind: Kind
    /// The request (the events of one delivery unit through all its attempts; each part of
    /// a split batch is a new one), numbered from 1 in the order the engine first schedules a
    /// wait for it. Unique within one ``Deliverer``.
    public var request: UInt64
    /// The attempt of that request (1-based) the wait comes before; for
    /// ``Kind/rateLimitHeaders``, the attempt whose response set the pause.
    public var attempt: Int
    /// When the wait was scheduled.
    public var start: RuntimeInstant
    /// When it ends.
    public var end: RuntimeInstant
    /// For ``Kind/retry``: the policy's backoff for this retry (after jitter, before
    /// `Retry-After`).
    public var backoff: Duration?
    /// For ``Kind/retry``: the response's `Retry-After` as the engine parsed it.
    public var retryAfter: Duration?
    /// For ``Kind/retry``: the status of the answer being retried (nil for a network error).
    public var status: Int?
    /// For ``Kind/retry``: the attempt being retried, as rendered (before any transport
    /// rewrites).
    public var retried: RenderedRequest?

    /// Creates a report.
    public init(kind: Kind, request: UInt64, attempt: Int, start: RuntimeInstant, end: RuntimeInstant, backoff: Duration? = nil,
                retryAfter: Duration? = nil, status: Int? = nil, retried: RenderedRequest? = nil) {
        self.kind = kind
        self.request = request
        self.attempt = attempt
        self.start = start
        self.end = end
        self.backoff = backoff
        self.retryAfter = retryAfter
        self.status = status
        self.retried = retried
    }

    /// How long the wait lasts (`end - start`).
    public var duration: Duration { end - start }
}

/// A request's wait-report state while an observer is set (``DeliveryOptions/waitObserver``),
/// reached through a task-local value rather than passed along: the unobserved path's async
/// frames stay exactly as they were (a few more bytes in them cost a task-allocator slab, one
/// malloc, per request). Read only where a wait is scheduled.
final class WaitReporting: @unchecked Sendable {
    /// The observed request's state; nil without an observer.
    @TaskLocal static var current: WaitReporting?

    let observe: @Sendable (ScheduledWait) -> Void
    /// The request's number in the reports (each half of a split batch gets a new one; the
    /// halves run one after the other).
    var number: UInt64
    /// The last attempt sent (0 before the first) and the request it sent, as rendered.
    var attempt = 0
    var sent: RenderedRequest?
    /// The backoff drawn for the next retry.
    var backoff: Duration?

    init(_ observe: @escaping @Sendable (ScheduledWait) -> Void, number: UInt64) {
        self.observe = observe
        self.number = number
    }

    /// Starts reporting a new request (a half of a split batch): its number, and no attempt,
    /// request or backoff of the one before it.
    func begin(number: UInt64) {
        self.number = number
        attempt = 0
        sent = nil
        backoff = nil
    }

    // Every report is built in one of these synchronous, out-of-line functions: a
    // ScheduledWait built inline in an async function is a large temporary in its async frame.

    /// Reports a wait before the next attempt.
    @inline(never)
    func report(_ kind: ScheduledWait.Kind, start: RuntimeInstant, end: RuntimeInstant) {
        observe(ScheduledWait(kind: kind, request: number, attempt: attempt + 1, start: start, end: end))
    }

    /// Notes the attempt about to be sent.
    @inline(never)
    func noteSent(attempt: Int, _ request: RenderedRequest) {
        self.attempt = attempt
        sent = request
    }

    /// Reports a pause the last attempt's rate-limit headers set.
    @inline(never)
    func reportHeaderPause(start: RuntimeInstant, end: RuntimeInstant) {
        observe(ScheduledWait(kind: .rateLimitHeaders, request: number, attempt: attempt, start: start, end: end))
    }
}
