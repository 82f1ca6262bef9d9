import CLibCrypto

/// An RSA private key, used to sign JWTs (RS256) such as Google service-account assertions.
///
/// The key is held in an OpenSSL `EVP_PKEY` that is shared by copies of this value and freed
/// when the last copy is gone. It is immutable, so it may be used from several threads at once.
public struct RSAPrivateKey: @unchecked Sendable {
    /// The shared owner of the `EVP_PKEY*`.
    let box: PKeyBox

    /// Loads an unencrypted RSA private key from PEM text.
    ///
    /// Accepts PKCS#8 (`-----BEGIN PRIVATE KEY-----`, the form in Google service-account key
    /// files) and PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`). Text around the PEM block is
    /// ignored. Encrypted keys are rejected rather than prompting for a password.
    ///
    /// - Throws: ``CryptoError`` if the text holds no readable private key or the key is not
    ///   RSA. The error never includes the PEM text.
    public init(pem: String) throws {
        box = try readRSAKey(pem: pem, what: "RSA private key") { bio in
            PEM_read_bio_PrivateKey(bio, nil, refusePassword, nil)
        }
    }

    private init(box: PKeyBox) {
        self.box = box
    }

    /// Generates a new RSA key pair with public exponent 65537.
    ///
    /// Intended for tests and the mock server; production keys come from PEM files.
    ///
    /// - Parameter bits: The modulus size, from 1024 to 16384 bits. Defaults to 2048.
    /// - Throws: ``CryptoError`` if `bits` is out of range or key generation fails.
    public static func generate(bits: Int = 2048) throws -> RSAPrivateKey {
        guard (1024...16384).contains(bits) else {
            throw CryptoError(message: "RSA key size must be between 1024 and 16384 bits, not \(bits)")
        }
        OpenSSLRuntime.requireSupportedVersion()
        ERR_clear_error()
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, cString("RSA"), nil) else {
            throw CryptoError.openSSL("could not create an RSA key generation context")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1,
              EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, Int32(bits)) == 1,
              EVP_PKEY_generate(ctx, &key) == 1,
              let key
        else {
            throw CryptoError.openSSL("RSA key generation failed")
        }
        return RSAPrivateKey(box: PKeyBox(taking: key))
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 and SHA-256 (the JWS `RS256` algorithm).
    ///
    /// The signature is as long as the modulus (256 bytes for a 2048-bit key). PKCS#1 v1.5
    /// signing is deterministic: the same key and message always give the same signature.
    ///
    /// ```swift
    /// let signature = try key.signSHA256(Array(signingInput.utf8))
    /// let jwt = signingInput + "." + Base64.encodeURLSafe(signature)
    /// ```
    ///
    /// - Throws: ``CryptoError`` if OpenSSL fails to sign.
    public func signSHA256(_ message: some Collection<UInt8>) throws -> [UInt8] {
        try withContiguousBytes(message) { try sign(bytes: $0) }
    }

    private func sign(bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        ERR_clear_error()
        guard let ctx = makeRSASHA256Context(box.pointer, sign: true) else {
            throw CryptoError.openSSL("could not initialise RSA-SHA256 signing")
        }
        defer { EVP_MD_CTX_free(ctx) }
        let capacity = Int(EVP_PKEY_get_size(box.pointer))
        var failed = false
        let signature = [UInt8](unsafeUninitializedCapacity: capacity) { out, initialized in
            var length = out.count
            let data = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            if EVP_DigestSign(ctx, out.baseAddress, &length, data, bytes.count) == 1, length <= out.count {
                initialized = length
            } else {
                failed = true
                initialized = 0
            }
        }
        if failed { throw CryptoError.openSSL("RSA-SHA256 signing failed") }
        return signature
    }

    /// The matching public key.
    public var publicKey: RSAPublicKey {
        RSAPublicKey(box: box)
    }

    /// The public key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), the form
    /// ``RSAPublicKey/init(pem:)`` and `openssl dgst -verify` read.
    public var publicKeyPEM: String {
        writePEM("public key") { PEM_write_bio_PUBKEY($0, box.pointer) }
    }

    /// The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    ///
    /// This is secret material: do not log it.
    public var privateKeyPEM: String {
        writePEM("private key") { PEM_write_bio_PrivateKey($0, box.pointer, nil, nil, 0, nil, nil) }
    }
}
