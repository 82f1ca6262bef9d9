import DSCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic and wall-clock time as plain integers.
///
/// Journal timestamps and timeouts use the monotonic clock so retry spacing measured by a
/// harness cannot be distorted by wall-clock adjustments; only JWT `exp`/`iat` checks and the
/// `Date` header read the wall clock.
public enum MonotonicClock {
    /// Nanoseconds on `CLOCK_MONOTONIC` (arbitrary origin, never decreases).
    @inline(__always)
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Unix time in whole seconds (`CLOCK_REALTIME`).
    public static func unixTime() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }

    /// Unix time in whole milliseconds (`CLOCK_REALTIME`).
    public static func unixTimeMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1000 &+ Int64(ts.tv_nsec) / 1_000_000
    }
}

/// A seeded SplitMix64 generator.
///
/// Random delays must be reproducible per case (the same seed gives the same delays), which
/// the system generator cannot promise; SplitMix64 is tiny, fast and statistically adequate
/// for jitter.
typealias SeededGenerator = SplitMix64
