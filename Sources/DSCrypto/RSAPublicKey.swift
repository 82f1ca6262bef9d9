import CLibCrypto

/// An RSA public key, used to verify RS256 signatures (for example in the mock server).
///
/// Copies share one OpenSSL `EVP_PKEY`, which is immutable and safe to use from several threads.
public struct RSAPublicKey: @unchecked Sendable {
    /// The shared owner of the `EVP_PKEY*` (possibly a private key's, which verifies equally).
    let box: PKeyBox

    /// Loads an RSA public key from SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), as
    /// produced by ``RSAPrivateKey/publicKeyPEM`` or `openssl pkey -pubout`.
    ///
    /// - Throws: ``CryptoError`` if the text holds no readable public key or the key is not RSA.
    ///   The error never includes the PEM text.
    public init(pem: String) throws {
        box = try readRSAKey(pem: pem, what: "RSA public key") { bio in
            PEM_read_bio_PUBKEY(bio, nil, refusePassword, nil)
        }
    }

    /// Wraps an existing key; used by ``RSAPrivateKey/publicKey``.
    init(box: PKeyBox) {
        self.box = box
    }

    /// Returns `true` if `signature` is a valid RSASSA-PKCS1-v1_5 / SHA-256 (RS256) signature
    /// of `message` under this key, and `false` for any mismatch or malformed signature.
    ///
    /// ```swift
    /// let ok = publicKey.verifySHA256(signature: Base64.decode(parts[2]) ?? [],
    ///                                 message: Array((parts[0] + "." + parts[1]).utf8))
    /// ```
    public func verifySHA256(signature: some Collection<UInt8>, message: some Collection<UInt8>) -> Bool {
        withContiguousBytes(signature) { signatureBytes in
            withContiguousBytes(message) { messageBytes in
                verify(signature: signatureBytes, message: messageBytes)
            }
        }
    }

    private func verify(signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Bool {
        guard !signature.isEmpty else { return false }
        defer { ERR_clear_error() }  // a bad signature is an answer, not an error to keep around
        guard let ctx = makeRSASHA256Context(box.pointer, sign: false) else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        return EVP_DigestVerify(
            ctx,
            signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count,
            message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count
        ) == 1
    }

    /// The key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    public var pem: String {
        writePEM("public key") { PEM_write_bio_PUBKEY($0, box.pointer) }
    }
}
