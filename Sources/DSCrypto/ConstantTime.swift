import CLibCrypto

/// Comparisons whose running time does not depend on the contents being compared.
public enum ConstantTime {
    /// Returns `true` if `a` and `b` hold the same bytes, using OpenSSL's `CRYPTO_memcmp`.
    ///
    /// Use this to check MACs and signatures so an attacker cannot learn how many leading bytes
    /// of a forgery were correct. The time taken depends only on the lengths: inputs of
    /// different lengths return `false` immediately (lengths of MACs are public).
    ///
    /// ```swift
    /// ConstantTime.equals(expectedMAC, Hex.decode(headerValue) ?? [])
    /// ```
    @inlinable
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        withContiguousBytes(a) { aBytes in
            withContiguousBytes(b) { bBytes in equals(aBytes, bBytes) }
        }
    }

    /// Non-generic core of ``equals(_:_:)``.
    @usableFromInline
    static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0 else { return true }
        OpenSSLRuntime.requireSupportedVersion()
        return CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0
    }
}
