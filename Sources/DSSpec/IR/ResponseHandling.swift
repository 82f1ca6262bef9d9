import DSCore
import DSJSON

/// What to do with a response.
public enum ResponseOutcome: String, Sendable, CaseIterable {
    case success
    case retry
    case drop
    /// Refresh the OAuth token, then retry once.
    case refreshAuth = "refresh_auth"
}

/// A status code or class in a rule: `404`, `"4xx"`, or `"500-504"`.
public enum StatusPattern: Sendable, Hashable, CustomStringConvertible {
    case code(Int)
    case range(ClosedRange<Int>)

    /// True if a status code matches.
    public func matches(_ status: Int) -> Bool {
        switch self {
        case .code(let c): return c == status
        case .range(let r): return r.contains(status)
        }
    }

    /// All codes matched, as a range.
    public var codes: ClosedRange<Int> {
        switch self {
        case .code(let c): return c...c
        case .range(let r): return r
        }
    }

    public var description: String {
        switch self {
        case .code(let c): return String(c)
        case .range(let r):
            if r.lowerBound % 100 == 0, r.upperBound == r.lowerBound + 99 { return "\(r.lowerBound / 100)xx" }
            return "\(r.lowerBound)-\(r.upperBound)"
        }
    }

    /// Parses `404`, `"4xx"`, `"500-504"`.
    public static func parse(_ value: JSONValue) -> StatusPattern? {
        switch value {
        case .number(let n):
            guard let c = n.intValue, (100...599).contains(c), n.isIntegerLiteral else { return nil }
            return .code(c)
        case .string(let s):
            let lower = s.lowercased()
            if lower.count == 3, lower.hasSuffix("xx"), let d = Int(String(lower.prefix(1))), (1...5).contains(d) {
                return .range((d * 100)...(d * 100 + 99))
            }
            if let c = Int(lower), (100...599).contains(c) { return .code(c) }
            let parts = lower.split(separator: "-")
            if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), (100...599).contains(a), (100...599).contains(b), a <= b {
                return .range(a...b)
            }
            return nil
        default:
            return nil
        }
    }
}

/// One ordered status rule.
public struct StatusRule: Sendable {
    public var node: Located<Void>
    public var status: [Located<StatusPattern>] = []
    /// Optional substring the response body must contain.
    public var bodyContains: Located<String>?
    /// Optional JSON pointer into the response body whose value must equal `bodyEquals`.
    public var bodyPointer: Located<String>?
    /// The value `bodyPointer` must find (JSON equality, numbers by value).
    public var bodyEquals: Located<JSONValue>?
    public var outcome: Located<ResponseOutcome>?
}

/// Units of a rate-limit reset header.
public enum RateLimitResetUnit: String, Sendable, CaseIterable {
    /// Seconds to wait (delta seconds).
    case seconds
    /// Unix time in seconds.
    case epochSeconds = "epoch_seconds"
    /// Unix time in milliseconds.
    case epochMs = "epoch_ms"
}

/// Which response headers announce an exhausted rate limit (`response.rate_limit_headers`).
public struct RateLimitHeaders: Sendable {
    public var node: Located<Void>
    /// Read the IETF `RateLimit` / `RateLimit-Policy` fields.
    public var ietf: Located<Bool>?
    /// Header with the requests left in the window.
    public var remaining: Located<String>?
    /// Header with the reset time.
    public var reset: Located<String>?
    /// Unit of `reset` (default seconds).
    public var resetUnit: Located<RateLimitResetUnit>?
    /// Cap on one pause.
    public var maxMs: Located<Int>?
}

/// Backoff jitter.
public enum JitterKind: String, Sendable, CaseIterable {
    case none, full, equal
}

/// Retry policy.
public struct RetryPolicy: Sendable {
    public var node: Located<Void>
    public var maxAttempts: Located<Int>?
    public var initialBackoffMs: Located<Int>?
    public var maxBackoffMs: Located<Int>?
    public var multiplier: Located<Double>?
    public var jitter: Located<JitterKind>?
    public var maxElapsedMs: Located<Int>?
    public var honourRetryAfter: Located<Bool>?
    public var retryAfterMaxMs: Located<Int>?
}

/// Per-event error reporting inside a 2xx/207 body.
public struct PartialFailure: Sendable {
    public var node: Located<Void>
    /// Pointer to the array of per-event errors.
    public var errors: Located<String>?
    /// Pointer, inside one error, to the index of the failed event in the batch.
    public var index: Located<String>?
    /// Pointer, inside one error, to its message.
    public var message: Located<String>?
    /// Outcome for failed events (default drop).
    public var outcome: Located<ResponseOutcome>?
    /// Pointer, inside one error, to the name of the `batching.arrays` array its index counts in.
    public var array: Located<String>?
}

/// Idempotency key stamping.
public struct IdempotencyKey: Sendable {
    public var node: Located<Void>
    public var header: Located<String>?
}

/// Response handling.
public struct ResponseHandling: Sendable {
    public var node: Located<Void>
    /// Ordered rules; the built-in default set follows them.
    public var rules: [StatusRule] = []
    /// Whether the documented default rules are appended after the spec's own (default true).
    public var includeDefaults: Located<Bool>?
    /// Pointer to the error message in an error body.
    public var errorMessage: Located<String>?
    public var partialFailure: PartialFailure?
    public var retry: RetryPolicy?
    public var idempotencyKey: IdempotencyKey?
    /// Statuses that split a rejected batch in halves to isolate the bad events.
    public var isolateOn: Located<[Located<StatusPattern>]>?
    /// Rate-limit headers the runtime honours.
    public var rateLimitHeaders: RateLimitHeaders?
}
