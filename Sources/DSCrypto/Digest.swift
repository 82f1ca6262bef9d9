import CLibCrypto

/// One-shot message digests (SHA-1, SHA-256, SHA-512) computed with OpenSSL's EVP API.
///
/// Each thread reuses one digest context and the process fetches each algorithm once, so a
/// call costs little more than the hash itself. All functions are thread-safe.
public enum Digest {
    /// Returns the digest of `data` under `algorithm`, `algorithm.digestLength` bytes long.
    ///
    /// ```swift
    /// Digest.hash(.sha256, Array("abc".utf8))   // ba7816bf…
    /// ```
    @inlinable
    public static func hash(_ algorithm: HashAlgorithm, _ data: some Collection<UInt8>) -> [UInt8] {
        withContiguousBytes(data) { hash(algorithm, bytes: $0) }
    }

    /// Returns the lowercase hexadecimal SHA-256 digest of the UTF-8 encoding of `string`.
    ///
    /// ```swift
    /// Digest.sha256Hex("")   // "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// ```
    public static func sha256Hex(_ string: String) -> String {
        var string = string
        let digest = string.withUTF8 { hash(.sha256, bytes: UnsafeRawBufferPointer($0)) }
        return Hex.encode(digest)
    }

    /// Non-generic core of ``hash(_:_:)``.
    @usableFromInline
    static func hash(_ algorithm: HashAlgorithm, bytes: UnsafeRawBufferPointer) -> [UInt8] {
        let md = FetchedAlgorithms.shared.digest(algorithm)
        var output = [UInt8](repeating: 0, count: algorithm.digestLength)
        ThreadContexts.withCurrent { contexts in
            let ctx = contexts.digestContext
            output.withUnsafeMutableBufferPointer { out in
                var length: UInt32 = 0
                guard EVP_DigestInit_ex(ctx, md, nil) == 1,
                      EVP_DigestUpdate(ctx, bytes.baseAddress, bytes.count) == 1,
                      EVP_DigestFinal_ex(ctx, out.baseAddress, &length) == 1,
                      Int(length) == out.count
                else {
                    fatalError("DSCrypto: \(CryptoError.openSSL("\(algorithm.rawValue) digest failed"))")
                }
            }
        }
        return output
    }
}
