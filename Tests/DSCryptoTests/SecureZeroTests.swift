import XCTest
@testable import DSCrypto

/// `secureZero` (explicit_bzero on glibc) replaces `OPENSSL_cleanse` for `HMACKey`'s per-message
/// hash contexts: it must clear exactly the bytes asked for, at every length and offset, and
/// the MACs must not change (`HMACKeyTests` compares them with the one-shot HMAC).
final class SecureZeroTests: XCTestCase {
    func testClearsExactlyTheRangeAtEveryLengthAndOffset() {
        let size = 300
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        for offset in 0..<17 {
            for count in [0, 1, 2, 7, 8, 15, 16, 31, 32, 63, 64, 95, 96, 104, 112, 127, 128, 208, 216, 255] where offset + count < size {
                for i in 0..<size { buffer[i] = UInt8(truncatingIfNeeded: i &* 37 &+ 1) | 1 }
                secureZero(buffer.baseAddress! + offset, count)
                for i in 0..<size {
                    if i >= offset && i < offset + count {
                        XCTAssertEqual(buffer[i], 0, "offset \(offset) count \(count) byte \(i)")
                    } else {
                        XCTAssertEqual(buffer[i], UInt8(truncatingIfNeeded: i &* 37 &+ 1) | 1, "offset \(offset) count \(count) byte \(i) outside")
                    }
                }
            }
        }
    }

    func testKeyedMACsEqualTheOneShotHMACOnRandomInputs() {
        var rng = SystemRandomNumberGenerator()
        for algorithm in [HashAlgorithm.sha1, .sha256, .sha384, .sha512] {
            for _ in 0..<300 {
                let key = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let message = (0..<Int.random(in: 0...600, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let keyed = HMACKey(algorithm, key: key)
                XCTAssertEqual(keyed.authenticationCode(message), HMAC.authenticationCode(algorithm, key: key, message: message))
            }
        }
    }
}
