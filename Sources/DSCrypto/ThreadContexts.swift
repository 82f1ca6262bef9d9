import CLibCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread OpenSSL contexts for the hashing hot paths.
///
/// Allocating and configuring an `EVP_MD_CTX` or `EVP_MAC_CTX` costs more than hashing a few
/// hundred bytes, so each thread keeps one reusable digest context and one HMAC context per
/// algorithm. The contexts are only touched synchronously by the thread that owns them (no
/// callbacks, no suspension points), so no locking is needed. They are freed when the thread
/// exits.
final class ThreadContexts {
    /// Reusable `EVP_MD_CTX*`, reinitialised on each digest.
    let digestContext: OpaquePointer
    private var sha1: HMACSlot?
    private var sha256: HMACSlot?
    private var sha384: HMACSlot?
    private var sha512: HMACSlot?

    private init() {
        OpenSSLRuntime.requireSupportedVersion()
        guard let ctx = EVP_MD_CTX_new() else { fatalError("DSCrypto: EVP_MD_CTX_new failed (out of memory)") }
        digestContext = ctx
    }

    deinit {
        EVP_MD_CTX_free(digestContext)
    }

    /// Calls `body` with the calling thread's contexts, creating them on first use.
    @inline(__always)
    static func withCurrent<Result>(_ body: (ThreadContexts) -> Result) -> Result {
        let key = threadKey.value
        if let raw = pthread_getspecific(key) {
            // The thread-specific slot keeps the object alive; skip retain/release.
            return Unmanaged<ThreadContexts>.fromOpaque(raw)._withUnsafeGuaranteedRef(body)
        }
        let contexts = ThreadContexts()
        // The thread-specific slot owns one retain; the key's destructor releases it.
        pthread_setspecific(key, Unmanaged.passRetained(contexts).toOpaque())
        return body(contexts)
    }

    /// The calling thread's HMAC slot for `algorithm`, created on first use.
    @inline(__always)
    func hmacSlot(_ algorithm: HashAlgorithm) -> HMACSlot {
        switch algorithm {
        case .sha1:
            if let slot = sha1 { return slot }
            let slot = HMACSlot(algorithm); sha1 = slot; return slot
        case .sha256:
            if let slot = sha256 { return slot }
            let slot = HMACSlot(algorithm); sha256 = slot; return slot
        case .sha384:
            if let slot = sha384 { return slot }
            let slot = HMACSlot(algorithm); sha384 = slot; return slot
        case .sha512:
            if let slot = sha512 { return slot }
            let slot = HMACSlot(algorithm); sha512 = slot; return slot
        }
    }
}

/// One thread's `EVP_MAC_CTX` for HMAC with one digest, plus a copy of the key it was last
/// initialised with.
///
/// When the next call uses the same key (the common case of signing many requests with one
/// secret), the context restarts from its precomputed inner/outer pads instead of re-deriving
/// them, which saves two compression-function calls. Keys are compared with `CRYPTO_memcmp`;
/// the copy is wiped with `OPENSSL_cleanse` when replaced and when the thread exits.
final class HMACSlot {
    /// The `EVP_MAC_CTX*`, bound to this slot's digest.
    let context: OpaquePointer
    /// Copy of the current key (nil before first use); `keyCapacity` bytes allocated.
    private var key: UnsafeMutableRawPointer?
    private var keyCount = 0
    private var keyCapacity = 0

    init(_ algorithm: HashAlgorithm) {
        guard let ctx = EVP_MAC_CTX_new(FetchedAlgorithms.shared.hmac) else {
            fatalError("DSCrypto: EVP_MAC_CTX_new failed (out of memory)")
        }
        // Both strings are static, so the pointers stored in the OSSL_PARAMs stay valid.
        var params = [
            OSSL_PARAM_construct_utf8_string(cString("digest"), UnsafeMutablePointer(mutating: cString(algorithm.openSSLName)), 0),
            OSSL_PARAM_construct_end(),
        ]
        guard EVP_MAC_CTX_set_params(ctx, &params) == 1 else {
            fatalError("DSCrypto: \(CryptoError.openSSL("cannot configure HMAC-\(algorithm.openSSLName)"))")
        }
        context = ctx
    }

    deinit {
        EVP_MAC_CTX_free(context)
        releaseKey()
    }

    /// Initialises the context with `newKey`, ready for `EVP_MAC_update`. `newKey` must have a
    /// non-nil base address, even when empty (a NULL key means "reuse" to `EVP_MAC_init`).
    @inline(__always)
    func start(key newKey: UnsafeRawBufferPointer) {
        if let key, keyCount == newKey.count, CRYPTO_memcmp(key, newKey.baseAddress, keyCount) == 0 {
            // Same key as last time: restart from the precomputed pads.
            guard EVP_MAC_init(context, nil, 0, nil) == 1 else { initFailed() }
            return
        }
        if key != nil { releaseKey() }
        guard EVP_MAC_init(context, newKey.baseAddress?.assumingMemoryBound(to: UInt8.self), newKey.count, nil) == 1 else {
            initFailed()
        }
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(newKey.count, 1), alignment: 1)
        if let source = newKey.baseAddress, newKey.count > 0 { copy.copyMemory(from: source, byteCount: newKey.count) }
        key = copy
        keyCount = newKey.count
        keyCapacity = max(newKey.count, 1)
    }

    private func releaseKey() {
        guard let key else { return }
        OPENSSL_cleanse(key, keyCapacity)
        key.deallocate()
        self.key = nil
        keyCount = 0
        keyCapacity = 0
    }

    private func initFailed() -> Never {
        fatalError("DSCrypto: \(CryptoError.openSSL("EVP_MAC_init failed"))")
    }
}

/// The process-wide `pthread_key_t` under which each thread's ``ThreadContexts`` is stored.
private final class ThreadKey: @unchecked Sendable {
    let value: pthread_key_t

    init() {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, { raw in
            #if canImport(Darwin)
            Unmanaged<ThreadContexts>.fromOpaque(raw).release()
            #else
            if let raw { Unmanaged<ThreadContexts>.fromOpaque(raw).release() }
            #endif
        })
        precondition(status == 0, "DSCrypto: pthread_key_create failed (\(status))")
        value = key
    }
}

private let threadKey = ThreadKey()
