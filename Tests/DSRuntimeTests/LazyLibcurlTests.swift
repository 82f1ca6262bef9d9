import DSCore
import DSRuntimePOSIX
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// CLazyCurl's forwarders (libcurl loaded on first use, not at start-up) against libcurl itself:
/// the same library answers, and the variadic forwarders hand over their argument intact.
final class LazyLibcurlTests: XCTestCase {
    /// libcurl's own `curl_version`, looked up directly (nil: no libcurl on this machine).
    private func libcurlVersion() throws -> String {
        #if canImport(Glibc)
        guard let handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL) else { throw XCTSkip("libcurl.so.4 is not installed") }
        guard let symbol = dlsym(handle, "curl_version") else { throw XCTSkip("libcurl.so.4 has no curl_version") }
        typealias Version = @convention(c) () -> UnsafePointer<CChar>?
        let version = unsafeBitCast(symbol, to: Version.self)
        return try XCTUnwrap(version().map { String(cString: $0) })
        #else
        throw XCTSkip("Linux only")
        #endif
    }

    func testForwarderReachesTheInstalledLibcurl() throws {
        let direct = try libcurlVersion()
        XCTAssertNil(LazyLibcurl.load())
        XCTAssertTrue(direct.hasPrefix("libcurl/"), direct)
        XCTAssertEqual(LazyLibcurl.versionThroughForwarder, direct)
    }

    /// `curl_easy_setopt(CURLOPT_PRIVATE, p)` then `curl_easy_getinfo(CURLINFO_PRIVATE, &q)`
    /// through the variadic forwarders must give q == p: chosen values (high bits set, all
    /// bits set, odd) and 2,000 seeded random ones.
    func testVariadicForwardersPassTheArgumentIntact() throws {
        _ = try libcurlVersion()
        var values: [UInt] = [1, 0xFFFF_FFFF, 0x1_0000_0000, 0x8000_0000_0000_0000, UInt.max, 0xDEAD_BEEF_CAFE_F00D, 0x7FFF_FFFF]
        var rng = SplitMix64(seed: 0x5EED_C0DE)
        for _ in 0..<2000 { values.append(UInt(truncatingIfNeeded: rng.next()) | 1) }
        for v in values {
            let p = try XCTUnwrap(UnsafeMutableRawPointer(bitPattern: v))
            XCTAssertEqual(LazyLibcurl.privateRoundTripThroughForwarders(p), p, String(v, radix: 16))
        }
    }
}
