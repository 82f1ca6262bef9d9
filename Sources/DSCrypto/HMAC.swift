import CLibCrypto

/// Keyed-hash message authentication codes (HMAC, RFC 2104) computed with OpenSSL's `EVP_MAC`.
///
/// This is on the request-rendering hot path (webhook signatures), so it avoids per-call
/// allocation of OpenSSL objects: each thread keeps one `EVP_MAC_CTX` per algorithm, and when a
/// call uses the same key as the previous call on that thread, the precomputed key pads are
/// reused. All functions are thread-safe.
///
/// To compare a received MAC with an expected one, use ``ConstantTime/equals(_:_:)``, never `==`.
/// To sign many messages with one key (a plan's signing secret), prepare it once with
/// ``HMACKey``: its per-message cost is the message's hash blocks only.
public enum HMAC {
    /// Returns HMAC(`key`, `message`) under `algorithm`, `algorithm.digestLength` bytes long.
    ///
    /// Keys of any length are accepted, including empty keys; keys longer than the hash's block
    /// size are hashed first, as RFC 2104 specifies.
    ///
    /// ```swift
    /// let mac = HMAC.authenticationCode(.sha256, key: Array("It's a Secret to Everybody".utf8),
    ///                                   message: Array("Hello, World!".utf8))
    /// "sha256=" + Hex.encode(mac)   // GitHub's X-Hub-Signature-256 header value
    /// ```
    @inlinable
    public static func authenticationCode(
        _ algorithm: HashAlgorithm, key: some Collection<UInt8>, message: some Collection<UInt8>
    ) -> [UInt8] {
        withContiguousBytes(key) { keyBytes in
            withContiguousBytes(message) { messageBytes in
                authenticationCode(algorithm, keyBytes: keyBytes, messageBytes: messageBytes)
            }
        }
    }

    /// Non-generic core of ``authenticationCode(_:key:message:)``.
    @usableFromInline
    static func authenticationCode(
        _ algorithm: HashAlgorithm, keyBytes: UnsafeRawBufferPointer, messageBytes: UnsafeRawBufferPointer
    ) -> [UInt8] {
        // EVP_MAC_init treats a NULL key as "reuse the previous key", so an empty key must
        // still come with a valid address.
        let key = keyBytes.baseAddress == nil ? emptyNonNullBuffer() : keyBytes
        let message = messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        // Array(repeating:count:) is specialised inline; the unsafeUninitializedCapacity
        // initialiser costs a runtime generic-metadata lookup per call.
        var output = [UInt8](repeating: 0, count: algorithm.digestLength)
        ThreadContexts.withCurrent { contexts in
            let slot = contexts.hmacSlot(algorithm)
            slot.start(key: key)
            output.withUnsafeMutableBufferPointer { out in
                var length = 0
                guard EVP_MAC_update(slot.context, message, messageBytes.count) == 1,
                      EVP_MAC_final(slot.context, out.baseAddress, &length, out.count) == 1,
                      length == out.count
                else {
                    fatalError("DSCrypto: \(CryptoError.openSSL("HMAC-\(algorithm.rawValue) failed"))")
                }
            }
        }
        return output
    }
}
