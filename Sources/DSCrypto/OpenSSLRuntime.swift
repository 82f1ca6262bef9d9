import CLibCrypto

/// The check that the libcrypto loaded at run time is OpenSSL 3.x, which the hand-written
/// declarations in `CLibCrypto.h` assume.
///
/// dspec links `libcrypto.so.3` by soname, so the dynamic loader already refuses to start without
/// it; this check catches a library under that name that is not OpenSSL 3 (a different major
/// version or a fork with another numbering), where calling through the declarations would be
/// undefined behaviour. Every DSCrypto entry point that calls libcrypto runs it once, on first use.
public enum OpenSSLRuntime {
    /// The major version DSCrypto's declarations match.
    public static let requiredMajorVersion = 3

    /// `OpenSSL_version_num()` of the loaded library (`0xMNN00PP0` for 3.x: major, minor, patch).
    public static var versionNumber: UInt { UInt(OpenSSL_version_num()) }

    /// `OpenSSL_version(OPENSSL_VERSION)` of the loaded library, for example `"OpenSSL 3.0.19 27 Jan 2026"`.
    public static var versionText: String {
        guard let text = OpenSSL_version(OPENSSL_VERSION) else { return "unknown version" }
        return String(cString: text)
    }

    /// Returns `nil` if `versionNumber` is an OpenSSL 3.x version, otherwise the message to stop with.
    ///
    /// Pure, so the message can be tested with any number: ``requireSupportedVersion()`` applies
    /// it to the loaded library.
    public static func problem(versionNumber: UInt, versionText: String) -> String? {
        let major = Int(truncatingIfNeeded: versionNumber >> 28)
        if major == requiredMajorVersion { return nil }
        let hex = "0x" + String(versionNumber, radix: 16)
        return "dspec needs OpenSSL 3.x (libcrypto.so.3), but the loaded libcrypto reports \"\(versionText)\" "
            + "(OpenSSL_version_num \(hex), major version \(major)). Install the OpenSSL 3 runtime "
            + "(Debian/Ubuntu package libssl3 or libssl3t64) and make sure no other libcrypto.so.3 comes first "
            + "on LD_LIBRARY_PATH."
    }

    /// Stops the process with ``problem(versionNumber:versionText:)``'s message unless the loaded
    /// library is OpenSSL 3.x. Checks once per process; later calls cost one load.
    @inline(__always)
    public static func requireSupportedVersion() {
        _ = checkedOnce
    }

    private static let checkedOnce: Bool = {
        if let message = problem(versionNumber: versionNumber, versionText: versionText) {
            fatalError("DSCrypto: \(message)")
        }
        return true
    }()
}
