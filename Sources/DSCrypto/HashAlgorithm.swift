import CLibCrypto

/// A cryptographic hash function supported by ``Digest`` and ``HMAC``.
///
/// The raw value is the lowercase name used in specs and configuration (`"sha256"`).
public enum HashAlgorithm: String, Sendable, CaseIterable {
    /// SHA-1 (FIPS 180-4). Only for interoperability with legacy signature schemes.
    case sha1
    /// SHA-256 (FIPS 180-4).
    case sha256
    /// SHA-384 (FIPS 180-4).
    case sha384
    /// SHA-512 (FIPS 180-4).
    case sha512

    /// The length of this algorithm's output in bytes: 20, 32, 48 or 64.
    public var digestLength: Int {
        switch self {
        case .sha1: return 20
        case .sha256: return 32
        case .sha384: return 48
        case .sha512: return 64
        }
    }

    /// The OpenSSL algorithm name, as a NUL-terminated static string with a stable address
    /// (OSSL_PARAM stores the pointer, so a temporary bridged C string would dangle).
    var openSSLName: StaticString {
        switch self {
        case .sha1: return "SHA1"
        case .sha256: return "SHA256"
        case .sha384: return "SHA384"
        case .sha512: return "SHA512"
        }
    }
}

/// Returns a C string pointer to a static string literal. The storage is static, so the pointer
/// stays valid for the life of the process.
func cString(_ s: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// OpenSSL algorithm objects fetched once per process.
///
/// Explicit fetching avoids the implicit, per-call provider lookup that `EVP_sha256()`-style
/// handles and the `HMAC()` one-shot incur in OpenSSL 3. Fetched objects are immutable and
/// safe to share between threads; they are intentionally never freed.
final class FetchedAlgorithms: @unchecked Sendable {
    /// The process-wide instance.
    static let shared = FetchedAlgorithms()

    /// The fetched `EVP_MD*`s.
    private let sha1: OpaquePointer, sha256: OpaquePointer, sha384: OpaquePointer, sha512: OpaquePointer
    /// The `EVP_MAC*` implementing HMAC.
    let hmac: OpaquePointer

    private init() {
        OpenSSLRuntime.requireSupportedVersion()
        func fetch(_ algorithm: HashAlgorithm) -> OpaquePointer {
            guard let md = EVP_MD_fetch(nil, cString(algorithm.openSSLName), nil) else {
                fatalError("DSCrypto: \(CryptoError.openSSL("\(algorithm.openSSLName) is unavailable in this OpenSSL configuration"))")
            }
            return md
        }
        sha1 = fetch(.sha1)
        sha256 = fetch(.sha256)
        sha384 = fetch(.sha384)
        sha512 = fetch(.sha512)
        guard let mac = EVP_MAC_fetch(nil, cString("HMAC"), nil) else {
            fatalError("DSCrypto: \(CryptoError.openSSL("HMAC is unavailable in this OpenSSL configuration"))")
        }
        hmac = mac
    }

    /// The fetched `EVP_MD*` for `algorithm`.
    @inline(__always)
    func digest(_ algorithm: HashAlgorithm) -> OpaquePointer {
        switch algorithm {
        case .sha1: return sha1
        case .sha256: return sha256
        case .sha384: return sha384
        case .sha512: return sha512
        }
    }
}
