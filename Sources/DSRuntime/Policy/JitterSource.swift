/// Where backoff jitter gets its randomness. Injected so tests can check a backoff
/// sequence exactly against its bounds with a fixed seed.
public protocol JitterSource: Sendable {
    /// A uniform random value in `[0, 1]`.
    func unitValue() -> Double
}

/// Jitter from the system's random number generator (production).
public struct SystemJitterSource: JitterSource {
    /// Creates the source.
    public init() {}
    public func unitValue() -> Double { Double.random(in: 0...1) }
}

/// Reproducible jitter: SplitMix64 from a seed. Thread-safe, so one source can serve a
/// whole delivery run.
public final class SeededJitterSource: JitterSource {
    private let state: Locked<UInt64>

    /// Creates the source with `seed`.
    public init(seed: UInt64) { state = Locked(seed) }

    public func unitValue() -> Double {
        let x = state.withLock { s -> UInt64 in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return Double(x >> 11) / Double(1 << 53)
    }
}

/// A fixed value, for tests that pin jitter to an end of its range.
public struct ConstantJitterSource: JitterSource {
    /// The value returned, clamped to `[0, 1]`.
    public let value: Double
    /// Creates the source.
    public init(_ value: Double) { self.value = min(1, max(0, value)) }
    public func unitValue() -> Double { value }
}
