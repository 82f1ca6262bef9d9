/// The documented range of one numeric field of a spec or plan (docs/spec-format.md).
///
/// One table serves every stage that reads numbers: the spec decoder and lint rules report a
/// value outside its range, and the plan decoder refuses one, so no number that reaches the
/// runtime can overflow its arithmetic (`Int64` nanoseconds, `Int` token counts).
public struct NumericRange: Sendable, Equatable {
    /// The field, as docs/spec-format.md names it (`rate_limit.rps`).
    public let field: String
    /// Smallest allowed value (inclusive).
    public let min: Double
    /// Largest allowed value (inclusive).
    public let max: Double
    /// Whether the value must be a whole number.
    public let integer: Bool

    /// Creates a range.
    public init(_ field: String, _ min: Double, _ max: Double, integer: Bool) {
        self.field = field
        self.min = min
        self.max = max
        self.integer = integer
    }

    /// Whether `value` is finite, within the range and (for integer fields) whole.
    public func contains(_ value: Double) -> Bool {
        value.isFinite && value >= min && value <= max && (!integer || value == value.rounded())
    }

    /// The smallest value as an `Int` (integer fields).
    public var minInt: Int { Int(min) }
    /// The largest value as an `Int` (integer fields).
    public var maxInt: Int { Int(max) }

    /// `1-600000`, `0.001-1000000`: the range as the docs write it.
    public var text: String { "\(Self.format(min))-\(Self.format(max))" }

    /// A number without a trailing `.0` and without exponent notation.
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}

/// Every numeric field of format v1 with its range. The spec decoder (DS0104), the rate
/// limit and retry rules (DS0501, DS0704) and `DeliveryPlan(json:)` all read this table; a
/// test checks that docs/spec-format.md states each range.
public enum NumericRanges {
    public static let timeoutMs = NumericRange("endpoint.timeout_ms", 1, 600_000, integer: true)
    public static let lifetimeSeconds = NumericRange("auth.lifetime_seconds", 60, 3_600, integer: true)
    /// An Azure SAS token's lifetime (`auth.expiry_seconds`): one minute to 30 days.
    public static let sasExpirySeconds = NumericRange("auth.expiry_seconds", 60, 2_592_000, integer: true)
    public static let batchMaxEvents = NumericRange("batching.max_events", 1, 1_000_000, integer: true)
    public static let batchMaxBytes = NumericRange("batching.max_bytes", 1, 1_073_741_824, integer: true)
    /// `batching.max_bytes` as a plan holds it: 0 when batching is off.
    public static let planBatchMaxBytes = NumericRange("batching.max_bytes", 0, 1_073_741_824, integer: true)
    public static let batchMaxWaitMs = NumericRange("batching.max_wait_ms", 0, 3_600_000, integer: true)
    public static let rateLimitRPS = NumericRange("rate_limit.rps", 0.001, 1_000_000, integer: false)
    public static let rateLimitBurst = NumericRange("rate_limit.burst", 1, 1_000_000, integer: true)
    public static let status = NumericRange("response.rules[].status", 100, 599, integer: true)
    public static let maxAttempts = NumericRange("response.retry.max_attempts", 1, 100, integer: true)
    public static let initialBackoffMs = NumericRange("response.retry.initial_backoff_ms", 0, 3_600_000, integer: true)
    public static let maxBackoffMs = NumericRange("response.retry.max_backoff_ms", 0, 3_600_000, integer: true)
    public static let multiplier = NumericRange("response.retry.multiplier", 1, 100, integer: false)
    public static let maxElapsedMs = NumericRange("response.retry.max_elapsed_ms", 0, 86_400_000, integer: true)
    public static let retryAfterMaxMs = NumericRange("response.retry.retry_after.max_ms", 0, 86_400_000, integer: true)
    public static let payloadMaxBytes = NumericRange("payload.max_bytes", 1, 1_073_741_824, integer: true)
    public static let rateLimitHeadersMaxMs = NumericRange("response.rate_limit_headers.max_ms", 0, 86_400_000, integer: true)

    /// The whole table, in document order.
    public static let all: [NumericRange] = [
        timeoutMs, lifetimeSeconds, sasExpirySeconds, batchMaxEvents, batchMaxBytes, batchMaxWaitMs, rateLimitRPS, rateLimitBurst, status,
        maxAttempts, initialBackoffMs, maxBackoffMs, multiplier, maxElapsedMs, retryAfterMaxMs, payloadMaxBytes, rateLimitHeadersMaxMs,
    ]
}
