import CLibCrypto

/// An error reported by a DSCrypto operation (key parsing, signing, key generation).
///
/// The message describes what failed and appends the reasons OpenSSL reported, for example
/// `could not parse RSA private key PEM (OpenSSL: error:1E08010C:DECODER routines::unsupported)`.
/// It never contains key material or the input PEM text, so it is safe to log.
public struct CryptoError: Error, CustomStringConvertible, Sendable {
    /// A human-readable description of the failure, free of key material.
    public let message: String

    /// Creates an error with the given message. The caller is responsible for keeping secrets
    /// out of `message`.
    public init(message: String) {
        self.message = message
    }

    /// The error message.
    public var description: String { message }

    /// Creates an error from `context` plus the calling thread's pending OpenSSL errors, and
    /// empties that error queue so later failures do not report stale reasons.
    ///
    /// Only `ERR_get_error` codes rendered with `ERR_error_string_n` are used; the optional
    /// per-error data strings (which could echo input) are deliberately not read.
    static func openSSL(_ context: String) -> CryptoError {
        var reasons: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            // Keep the first few distinct reasons; drain the rest.
            guard reasons.count < 4 else { continue }
            let reason = buffer.withUnsafeMutableBufferPointer { buf -> String in
                ERR_error_string_n(code, buf.baseAddress, buf.count)
                return String(cString: buf.baseAddress!)
            }
            if !reasons.contains(reason) { reasons.append(reason) }
        }
        if reasons.isEmpty { return CryptoError(message: context) }
        return CryptoError(message: "\(context) (OpenSSL: \(reasons.joined(separator: "; ")))")
    }
}
