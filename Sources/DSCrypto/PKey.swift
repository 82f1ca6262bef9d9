import CLibCrypto

/// Owns one reference to an OpenSSL `EVP_PKEY` and frees it when the last Swift value sharing
/// it goes away.
///
/// OpenSSL 3 keys are immutable once loaded and may be used for signing and verification from
/// several threads at once (each operation creates its own `EVP_PKEY_CTX`/`EVP_MD_CTX`).
final class PKeyBox {
    /// The owned `EVP_PKEY*`.
    let pointer: OpaquePointer

    /// Takes ownership of one reference to `pointer`.
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }
}

/// A password callback that refuses to supply one, so encrypted PEM keys fail to load instead
/// of OpenSSL prompting on the terminal.
func refusePassword(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ writing: Int32, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    -1
}

/// Parses PEM text with `read`, which receives a read-only memory BIO over the UTF-8 bytes.
///
/// Returns the parsed key (checked to be an RSA key) or throws a ``CryptoError`` that names
/// `what` and carries OpenSSL's reasons but never the PEM text.
func readRSAKey(pem: String, what: String, _ read: (OpaquePointer) -> OpaquePointer?) throws -> PKeyBox {
    OpenSSLRuntime.requireSupportedVersion()
    ERR_clear_error()
    let key: OpaquePointer? = withUTF8Bytes(pem) { bytes -> OpaquePointer? in
        guard bytes.count <= Int(Int32.max),
              let bio = BIO_new_mem_buf(UnsafeRawPointer(bytes.baseAddress) ?? emptyNonNullBuffer().baseAddress, Int32(bytes.count))
        else { return nil }
        defer { BIO_free(bio) }
        return read(bio)
    }
    guard let key else { throw CryptoError.openSSL("could not parse \(what) PEM") }
    let box = PKeyBox(taking: key)
    guard EVP_PKEY_is_a(key, cString("RSA")) == 1 else {
        ERR_clear_error()
        throw CryptoError(message: "\(what) PEM holds a \(keyTypeName(key)) key, not an RSA key")
    }
    return box
}

/// The OpenSSL type name of `key` ("EC", "ED25519", ...), for error messages.
private func keyTypeName(_ key: OpaquePointer) -> String {
    guard let name = EVP_PKEY_get0_type_name(key) else { return "non-RSA" }
    return String(cString: name)
}

/// Serialises with `write` into a memory BIO and returns the text it produced.
///
/// Writing a valid in-memory key to a memory BIO only fails when memory is exhausted, so a
/// failure stops the process.
func writePEM(_ what: String, _ write: (OpaquePointer) -> Int32) -> String {
    guard let bio = BIO_new(BIO_s_mem()) else { fatalError("DSCrypto: BIO_new failed (out of memory)") }
    defer { BIO_free(bio) }
    guard write(bio) == 1 else {
        fatalError("DSCrypto: \(CryptoError.openSSL("could not write \(what) PEM"))")
    }
    let pending = Int(BIO_ctrl_pending(bio))
    let bytes = [UInt8](unsafeUninitializedCapacity: pending) { buffer, initialized in
        let read = pending == 0 ? 0 : BIO_read(bio, buffer.baseAddress, Int32(pending))
        initialized = Int(max(read, 0))
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Creates an `EVP_MD_CTX` set up for RSASSA-PKCS1-v1_5 with SHA-256 over `key`, for signing
/// (`sign == true`) or verifying. Returns nil (with the OpenSSL error queue set) on failure.
func makeRSASHA256Context(_ key: OpaquePointer, sign: Bool) -> OpaquePointer? {
    guard let ctx = EVP_MD_CTX_new() else { return nil }
    var pctx: OpaquePointer?
    let initialised = sign
        ? EVP_DigestSignInit_ex(ctx, &pctx, cString("SHA256"), nil, nil, key, nil)
        : EVP_DigestVerifyInit_ex(ctx, &pctx, cString("SHA256"), nil, nil, key, nil)
    guard initialised == 1, EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 else {
        EVP_MD_CTX_free(ctx)
        return nil
    }
    return ctx
}
