import DSCore
import DSCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything a request depends on besides the plan, the configuration and the events: the
/// clock and the request-id source. Injecting them is what makes rendering a pure function,
/// so fixtures are byte-stable and the runtime and the fixtures share one implementation.
public protocol RenderEnvironment: Sendable {
    /// The current time as Unix seconds (`@timestamp` in signing strings and headers).
    func unixTime() -> Int64
    /// The current time as Unix milliseconds: `@sent_at`, read once per attempt (and then
    /// `@timestamp` is its whole seconds, so both name the same instant).
    func unixTimeMilliseconds() -> Int64
    /// The id of the request carrying `eventIDs` (`@request_id`, e.g. Standard Webhooks'
    /// `webhook-id`).
    func requestID(forEventIDs eventIDs: [String]) -> String
    /// A one-time value for the request `requestID` signed at `timestamp` (OAuth 1.0a's
    /// `oauth_nonce`). The default draws 16 random bytes (32 hex digits) on every call, so
    /// each attempt of a delivery has a fresh nonce; fixtures derive it instead.
    func nonce(forRequestID requestID: String, timestamp: Int64) -> String
    /// True when ``requestID(forEventIDs:)`` is exactly ``RequestIdentity``'s id for these
    /// ids, so a request nothing reads the id of can leave it to be derived when read
    /// (``RenderedRequest/requestID``) instead of hashing the ids on every render. The
    /// default is false: the environment is always asked.
    func derivesRequestIDFromEventIDs(_ eventIDs: [String]) -> Bool
    /// ``requestID(forEventIDs:)`` of the one id `eventID` (a request of one event), which an
    /// environment can answer without a list. The default asks with `[eventID]`.
    func requestID(forEventID eventID: String) -> String
    /// ``derivesRequestIDFromEventIDs(_:)`` of the one id `eventID`. The default asks with `[eventID]`.
    func derivesRequestIDFromEventID(_ eventID: String) -> Bool
}

extension RenderEnvironment {
    public func derivesRequestIDFromEventIDs(_ eventIDs: [String]) -> Bool { false }
    public func requestID(forEventID eventID: String) -> String { requestID(forEventIDs: [eventID]) }
    public func derivesRequestIDFromEventID(_ eventID: String) -> Bool { derivesRequestIDFromEventIDs([eventID]) }
}

extension RenderEnvironment {
    /// 32 hex digits from ``SecureRandom``.
    public func nonce(forRequestID requestID: String, timestamp: Int64) -> String { Hex.encode(SecureRandom.bytes(16)) }
}

extension RenderEnvironment {
    /// ``unixTime()`` in milliseconds, for environments whose clock has whole seconds.
    public func unixTimeMilliseconds() -> Int64 { unixTime() &* 1000 }
}

/// The id a request carrying some events is known by (`@request_id`, and the idempotency
/// key when the plan asks for one): the event id for a single event, `batch_` + 32 hex
/// digits of SHA-256 over the event ids joined by `\n` for a batch. The same on every
/// attempt and after a restart, so a vendor deduplicating on it discards retried duplicates,
/// and different for different batches. Shared by fixtures and the runtime, so the bytes a
/// fixture shows are the bytes the runtime sends.
public enum RequestIdentity {
    /// The id, or nil when an event has no id (deriving from nothing would give unrelated
    /// requests the same key; each environment then supplies its own).
    public static func id(forEventIDs eventIDs: [String]) -> String? {
        if !hasID(eventIDs) { return nil }
        if eventIDs.count == 1 { return eventIDs[0] }
        return "batch_" + Hex.encode(Digest.hash(.sha256, eventIDs.joined(separator: "\n").utf8).prefix(16))
    }

    /// Whether ``id(forEventIDs:)`` is non-nil, without hashing anything.
    @inlinable
    public static func hasID(_ eventIDs: [String]) -> Bool {
        if eventIDs.isEmpty { return false }
        for id in eventIDs where id.isEmpty { return false }
        return true
    }
}

/// The environment fixtures are rendered in: a fixed clock and request ids derived from
/// the event ids (``RequestIdentity``), so the same events always give the same bytes.
/// Events without ids get `msg_` + 24 hex digits of SHA-256 over their position-free
/// joined ids, still deterministic.
public struct FixedRenderEnvironment: RenderEnvironment {
    /// 2026-01-01T00:00:00Z, the timestamp every fixture is rendered at.
    public static let fixtureTimestamp: Int64 = 1_767_225_600

    /// The fixed clock value.
    public var timestamp: Int64

    /// Creates the environment; the default timestamp is ``fixtureTimestamp``.
    public init(timestamp: Int64 = FixedRenderEnvironment.fixtureTimestamp) {
        self.timestamp = timestamp
    }

    /// The fixed ``timestamp``.
    public func unixTime() -> Int64 { timestamp }

    /// 32 hex digits of SHA-256 over `oauth-nonce`, the request id and the timestamp: the
    /// same bytes on every render, different for different requests.
    public func nonce(forRequestID requestID: String, timestamp: Int64) -> String {
        Hex.encode(Digest.hash(.sha256, "oauth-nonce\n\(requestID)\n\(timestamp)".utf8).prefix(16))
    }

    /// True when the ids give a ``RequestIdentity`` id (every event has an id).
    public func derivesRequestIDFromEventIDs(_ eventIDs: [String]) -> Bool { RequestIdentity.hasID(eventIDs) }

    /// True when the id is non-empty (``RequestIdentity/hasID(_:)`` of `[eventID]`).
    public func derivesRequestIDFromEventID(_ eventID: String) -> Bool { !eventID.isEmpty }

    /// ``requestID(forEventIDs:)`` of `[eventID]`: the id itself when it is non-empty.
    public func requestID(forEventID eventID: String) -> String {
        eventID.isEmpty ? requestID(forEventIDs: [eventID]) : eventID
    }

    /// ``RequestIdentity``'s id, or `msg_` + 24 hex digits of SHA-256 over the ids.
    public func requestID(forEventIDs eventIDs: [String]) -> String {
        if let id = RequestIdentity.id(forEventIDs: eventIDs) { return id }
        let joined = eventIDs.count == 1 ? eventIDs[0] : eventIDs.joined(separator: "\n")
        return "msg_" + Hex.encode(Digest.hash(.sha256, joined.utf8).prefix(12))
    }
}

/// The production environment: the system clock and unique request ids.
///
/// Ids are `msg_` + 24 hex digits: 12 from random bytes drawn once per environment and 12
/// from a counter, so ids never repeat within a process, do not collide across processes
/// in practice, and cost no CSPRNG call per request (the hot path renders hundreds of
/// thousands of requests per second). Ids need to be unique, not unpredictable: they are
/// message identifiers, never credentials.
public struct SystemRenderEnvironment: RenderEnvironment {
    private let ids: RequestIDSequence

    /// Creates the environment with a fresh random id prefix.
    public init() {
        ids = RequestIDSequence()
    }

    /// The system clock (`CLOCK_REALTIME`) in whole seconds.
    public func unixTime() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }

    /// The system clock (`CLOCK_REALTIME`) in milliseconds.
    public func unixTimeMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) &* 1000 &+ Int64(now.tv_nsec / 1_000_000)
    }

    /// The next id of this environment's sequence (the event ids are not used).
    public func requestID(forEventIDs eventIDs: [String]) -> String { ids.next() }
    public func requestID(forEventID eventID: String) -> String { ids.next() }
    public func derivesRequestIDFromEventID(_ eventID: String) -> Bool { false }
}

/// A random prefix and a counter behind ``SystemRenderEnvironment``'s ids.
///
/// The counter is guarded by DSCore's ``Locked`` rather than `Synchronization.Atomic`, which
/// would need macOS 15 on Darwin; uncontended, the lock costs a few nanoseconds.
final class RequestIDSequence: Sendable {
    private let prefix: [UInt8]
    private let counter = Locked<UInt64>(0)
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    init() {
        prefix = Array(("msg_" + Hex.encode(SecureRandom.bytes(6))).utf8)
    }

    func next() -> String {
        let n = counter.withLock { c -> UInt64 in
            c &+= 1
            return c
        }
        let count = prefix.count + 12
        return String(unsafeUninitializedCapacity: count) { buffer in
            for (i, b) in prefix.enumerated() { buffer[i] = b }
            for i in 0..<12 { buffer[prefix.count + i] = Self.digits[Int((n >> UInt64(44 - 4 * i)) & 0xF)] }
            return count
        }
    }
}
