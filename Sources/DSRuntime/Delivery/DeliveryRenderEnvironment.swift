import DSCrypto
import DSRender

/// The render environment of one request: the runtime clock for `@timestamp` (fresh on
/// every attempt, so timestamped signatures stay valid across retries) and a request id
/// fixed for the request's whole life, which is also its idempotency key.
///
/// The id is the event id for a single event and `batch_` + 32 hex digits of SHA-256 over
/// the event ids joined by `\n` for a batch: the same on every attempt and after a restart
/// (a vendor deduplicating on it discards a retried duplicate), and different for different
/// batches. An event without an id gets a process-unique id instead, since deriving from
/// nothing would give unrelated requests the same key.
public struct DeliveryRenderEnvironment: RenderEnvironment {
    /// The clock.
    public let clock: any RuntimeClock
    /// The event ids the request id is derived from.
    private let eventIDs: [String]
    /// The process-unique id drawn at creation when an event has no id (nil otherwise: the
    /// id is then ``RequestIdentity``'s, derived only when something reads it).
    private let pinnedFallback: String?

    /// The pinned request id (derived on each read when the events have ids; the same value
    /// every time).
    public var id: String { pinnedFallback ?? RequestIdentity.id(forEventIDs: eventIDs) ?? Self.requestID(for: eventIDs) }

    /// Creates the environment for a request carrying `eventIDs`. Hashes nothing: the id is
    /// derived when read.
    public init(clock: any RuntimeClock, eventIDs: [String]) {
        self.clock = clock
        self.eventIDs = eventIDs
        pinnedFallback = RequestIdentity.hasID(eventIDs) ? nil : Self.requestID(for: eventIDs)
    }

    public func unixTime() -> Int64 { Int64(clock.unixTime()) }

    /// The runtime clock in milliseconds (`@sent_at`), floored.
    public func unixTimeMilliseconds() -> Int64 {
        let ms = (clock.unixTime() * 1000).rounded(.down)
        // The clock is ours, not input; still, never trap on a value out of Int64's range.
        guard ms.isFinite, abs(ms) < 9.0e15 else { return unixTime() &* 1000 }
        return Int64(ms)
    }

    public func requestID(forEventIDs eventIDs: [String]) -> String { id }

    /// True when the id is ``RequestIdentity``'s for `eventIDs` (every event has an id and
    /// they are this request's).
    public func derivesRequestIDFromEventIDs(_ eventIDs: [String]) -> Bool {
        // By bytes, not `==` (which equates canonically equivalent spellings): the request id
        // is then formed from `eventIDs`' own bytes, which must be the unit's.
        pinnedFallback == nil && eventIDs.count == self.eventIDs.count
            && zip(eventIDs, self.eventIDs).allSatisfy { sameUTF8($0, $1) }
    }

    /// The pinned id, whatever the id (as ``requestID(forEventIDs:)``).
    public func requestID(forEventID eventID: String) -> String { id }

    /// ``derivesRequestIDFromEventIDs(_:)`` of `[eventID]`, without making the list.
    public func derivesRequestIDFromEventID(_ eventID: String) -> Bool {
        pinnedFallback == nil && eventIDs.count == 1 && sameUTF8(eventIDs[0], eventID)
    }

    private static let fallback = SystemRenderEnvironment()

    /// The idempotency key for a request carrying `eventIDs` (DSRender's ``RequestIdentity``,
    /// the same rule fixtures use), or a process-unique id for events without ids.
    public static func requestID(for eventIDs: [String]) -> String {
        RequestIdentity.id(forEventIDs: eventIDs) ?? fallback.requestID(forEventIDs: eventIDs)
    }
}
