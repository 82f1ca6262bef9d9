import CLibCrypto

/// An HMAC key prepared once for signing many messages (RFC 2104): the hash states after the
/// inner (`key XOR ipad`) and outer (`key XOR opad`) blocks are computed here, so each
/// ``authenticationCode(_:)`` only copies them and hashes the message, with no allocation and
/// no OpenSSL provider dispatch. This is the request-signing hot path (a webhook signature per
/// request, one key per plan).
///
/// Immutable after creation, so one key serves every thread. The precomputed states are key
/// material: they are wiped (`OPENSSL_cleanse`) when the key is released, and the per-call
/// copies are wiped after each use (`secureZero`). Produces exactly ``HMAC/authenticationCode(_:key:message:)``'s
/// bytes for every key length (keys longer than the block size are hashed first).
///
/// ```swift
/// let key = HMACKey(.sha256, key: Array("It's a Secret to Everybody".utf8))
/// "sha256=" + Hex.encode(key.authenticationCode(Array("Hello, World!".utf8)))
/// ```
public final class HMACKey: @unchecked Sendable {
    /// The hash function.
    public let algorithm: HashAlgorithm
    /// The inner state, then the outer state: two contexts of the algorithm's low-level type.
    private let states: UnsafeMutableRawPointer
    private let stateBytes: Int

    /// Prepares `key` (any length, including empty) for HMAC under `algorithm`.
    public init(_ algorithm: HashAlgorithm, key: some Collection<UInt8>) {
        OpenSSLRuntime.requireSupportedVersion()
        self.algorithm = algorithm
        let size: Int
        switch algorithm {
        case .sha1: size = MemoryLayout<SHA_CTX>.stride
        case .sha256: size = MemoryLayout<SHA256_CTX>.stride
        case .sha384, .sha512: size = MemoryLayout<SHA512_CTX>.stride
        }
        stateBytes = size
        states = UnsafeMutableRawPointer.allocate(byteCount: 2 * size, alignment: 16)
        states.initializeMemory(as: UInt8.self, repeating: 0, count: 2 * size)
        let blockSize = Self.blockSize(algorithm)
        withContiguousBytes(key) { keyBytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * blockSize) { pads in
                // Block-sized key: hashed if longer than a block, zero-padded otherwise.
                pads.initialize(repeating: 0)
                if keyBytes.count > blockSize {
                    _ = Self.hash(algorithm, keyBytes, into: UnsafeMutableRawPointer(pads.baseAddress!))
                } else if let base = keyBytes.baseAddress, keyBytes.count > 0 {
                    UnsafeMutableRawPointer(pads.baseAddress!).copyMemory(from: base, byteCount: keyBytes.count)
                }
                for i in 0..<blockSize {
                    let k = pads[i]
                    pads[i] = k ^ 0x36
                    pads[blockSize + i] = k ^ 0x5C
                }
                let inner = UnsafeRawPointer(pads.baseAddress!), outer = inner + blockSize
                switch algorithm {
                case .sha1:
                    let s = states.bindMemory(to: SHA_CTX.self, capacity: 2)
                    guard SHA1_Init(s) == 1, SHA1_Update(s, inner, blockSize) == 1,
                          SHA1_Init(s + 1) == 1, SHA1_Update(s + 1, outer, blockSize) == 1 else { Self.failed() }
                case .sha256:
                    let s = states.bindMemory(to: SHA256_CTX.self, capacity: 2)
                    guard SHA256_Init(s) == 1, SHA256_Update(s, inner, blockSize) == 1,
                          SHA256_Init(s + 1) == 1, SHA256_Update(s + 1, outer, blockSize) == 1 else { Self.failed() }
                case .sha384, .sha512:
                    let s = states.bindMemory(to: SHA512_CTX.self, capacity: 2)
                    let start: (UnsafeMutablePointer<SHA512_CTX>) -> Int32 = algorithm == .sha384 ? { SHA384_Init($0) } : { SHA512_Init($0) }
                    guard start(s) == 1, SHA512_Update(s, inner, blockSize) == 1,
                          start(s + 1) == 1, SHA512_Update(s + 1, outer, blockSize) == 1 else { Self.failed() }
                }
                OPENSSL_cleanse(pads.baseAddress, 2 * blockSize)
            }
        }
    }

    deinit {
        OPENSSL_cleanse(states, 2 * stateBytes)
        states.deallocate()
    }

    /// Returns HMAC(key, `message`), `algorithm.digestLength` bytes.
    @inlinable
    public func authenticationCode(_ message: some Collection<UInt8>) -> [UInt8] {
        // Array(repeating:count:) is specialised inline; the unsafeUninitializedCapacity
        // initialiser costs a runtime generic-metadata lookup per call.
        var output = [UInt8](repeating: 0, count: algorithm.digestLength)
        withContiguousBytes(message) { bytes in
            output.withUnsafeMutableBytes { out in
                _ = authenticationCode(messageBytes: bytes, into: out.baseAddress!)
            }
        }
        return output
    }

    /// Writes HMAC(key, `messageBytes`) to `out`, which must hold at least
    /// `algorithm.digestLength` bytes, and returns that length.
    public func authenticationCode(messageBytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) -> Int {
        // A valid address even for an empty message.
        let message = messageBytes.baseAddress ?? emptyNonNullBuffer().baseAddress!
        let length = messageBytes.count
        let out8 = out.assumingMemoryBound(to: UInt8.self)
        switch algorithm {
        case .sha1:
            let s = states.assumingMemoryBound(to: SHA_CTX.self)
            var ctx = s.pointee
            defer { secureZero(&ctx, MemoryLayout<SHA_CTX>.size) }
            guard SHA1_Update(&ctx, message, length) == 1, SHA1_Final(out8, &ctx) == 1 else { Self.failed() }
            ctx = s[1]
            guard SHA1_Update(&ctx, out, 20) == 1, SHA1_Final(out8, &ctx) == 1 else { Self.failed() }
            return 20
        case .sha256:
            let s = states.assumingMemoryBound(to: SHA256_CTX.self)
            var ctx = s.pointee
            defer { secureZero(&ctx, MemoryLayout<SHA256_CTX>.size) }
            guard SHA256_Update(&ctx, message, length) == 1, SHA256_Final(out8, &ctx) == 1 else { Self.failed() }
            ctx = s[1]
            guard SHA256_Update(&ctx, out, 32) == 1, SHA256_Final(out8, &ctx) == 1 else { Self.failed() }
            return 32
        case .sha384, .sha512:
            let n = algorithm.digestLength
            let s = states.assumingMemoryBound(to: SHA512_CTX.self)
            var ctx = s.pointee
            defer { secureZero(&ctx, MemoryLayout<SHA512_CTX>.size) }
            guard SHA512_Update(&ctx, message, length) == 1, SHA512_Final(out8, &ctx) == 1 else { Self.failed() }
            ctx = s[1]
            guard SHA512_Update(&ctx, out, n) == 1, SHA512_Final(out8, &ctx) == 1 else { Self.failed() }
            return n
        }
    }

    /// The hash's block size in bytes (64 for SHA-1 and SHA-256, 128 for SHA-384 and SHA-512).
    static func blockSize(_ algorithm: HashAlgorithm) -> Int {
        switch algorithm {
        case .sha1, .sha256: return 64
        case .sha384, .sha512: return 128
        }
    }

    /// The plain hash of `bytes` (a key longer than the block size), written to `out`.
    private static func hash(_ algorithm: HashAlgorithm, _ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) -> Int {
        let data = bytes.baseAddress ?? emptyNonNullBuffer().baseAddress!
        let out8 = out.assumingMemoryBound(to: UInt8.self)
        switch algorithm {
        case .sha1:
            var ctx = SHA_CTX()
            defer { secureZero(&ctx, MemoryLayout<SHA_CTX>.size) }
            guard SHA1_Init(&ctx) == 1, SHA1_Update(&ctx, data, bytes.count) == 1, SHA1_Final(out8, &ctx) == 1 else { failed() }
        case .sha256:
            var ctx = SHA256_CTX()
            defer { secureZero(&ctx, MemoryLayout<SHA256_CTX>.size) }
            guard SHA256_Init(&ctx) == 1, SHA256_Update(&ctx, data, bytes.count) == 1, SHA256_Final(out8, &ctx) == 1 else { failed() }
        case .sha384, .sha512:
            var ctx = SHA512_CTX()
            defer { secureZero(&ctx, MemoryLayout<SHA512_CTX>.size) }
            let started = algorithm == .sha384 ? SHA384_Init(&ctx) : SHA512_Init(&ctx)
            guard started == 1, SHA512_Update(&ctx, data, bytes.count) == 1, SHA512_Final(out8, &ctx) == 1 else { failed() }
        }
        return algorithm.digestLength
    }

    private static func failed() -> Never {
        fatalError("DSCrypto: \(CryptoError.openSSL("low-level SHA hashing failed"))")
    }
}
