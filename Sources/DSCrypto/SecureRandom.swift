import CLibCrypto

/// Cryptographically secure random bytes from OpenSSL's CSPRNG.
public enum SecureRandom {
    /// Returns `count` random bytes from `RAND_bytes`, suitable for keys, nonces and secrets.
    ///
    /// `count` must not be negative. A failure of the system CSPRNG is unrecoverable and
    /// unsafe to paper over, so it stops the process rather than returning weak bytes.
    ///
    /// ```swift
    /// let secret = "whsec_" + Base64.encode(SecureRandom.bytes(24))
    /// ```
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0, "SecureRandom.bytes: count must not be negative")
        guard count > 0 else { return [] }
        OpenSSLRuntime.requireSupportedVersion()
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            // RAND_bytes takes an Int32 length; fill large requests in chunks.
            var offset = 0
            while offset < count {
                let chunk = min(count - offset, Int(Int32.max))
                guard RAND_bytes(buffer.baseAddress! + offset, Int32(chunk)) == 1 else {
                    fatalError("DSCrypto: \(CryptoError.openSSL("RAND_bytes failed"))")
                }
                offset += chunk
            }
            initialized = count
        }
    }
}
