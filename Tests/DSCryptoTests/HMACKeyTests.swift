import Foundation
import XCTest
@testable import DSCrypto

/// ``HMACKey``: the key prepared once (inner/outer hash states) and reused per message must give
/// exactly the bytes of RFC 4231 / RFC 2202, of the per-call ``HMAC`` path and of Python's `hmac`.
final class HMACKeyTests: XCTestCase {
    private func mac(_ algorithm: HashAlgorithm, key: [UInt8], _ message: String) -> String {
        Hex.encode(HMACKey(algorithm, key: key).authenticationCode(Array(message.utf8)))
    }

    private let tc1Key = [UInt8](repeating: 0x0b, count: 20)
    private let tc2Key = Array("Jefe".utf8)
    private let longKey = [UInt8](repeating: 0xaa, count: 131)
    private let longKeyMessage = "Test Using Larger Than Block-Size Key - Hash Key First"
    private let longBoth = "This is a test using a larger than block-size key and a larger than block-size data. "
        + "The key needs to be hashed before being used by the HMAC algorithm."

    /// RFC 4231 test cases 1, 2, 6 (key longer than the block) and 7 (key and data longer than the block).
    func testRFC4231SHA256() {
        XCTAssertEqual(mac(.sha256, key: tc1Key, "Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        XCTAssertEqual(mac(.sha256, key: tc2Key, "what do ya want for nothing?"),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(mac(.sha256, key: longKey, longKeyMessage), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        XCTAssertEqual(mac(.sha256, key: longKey, longBoth), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }

    /// A key and a message given as collections without contiguous storage take the copying
    /// path (the copy is wiped after use) and give RFC 4231's bytes all the same.
    func testNonContiguousKeyAndMessage() {
        let key = tc2Key.lazy.map { $0 }
        let message = Array("what do ya want for nothing?".utf8).lazy.map { $0 }
        XCTAssertNil(key.withContiguousStorageIfAvailable { _ in true }, "the test needs a non-contiguous key")
        XCTAssertEqual(Hex.encode(HMACKey(.sha256, key: key).authenticationCode(message)),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testRFC4231SHA384AndSHA512() {
        XCTAssertEqual(mac(.sha384, key: tc1Key, "Hi There"),
                       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6")
        XCTAssertEqual(mac(.sha384, key: longKey, longKeyMessage),
                       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952")
        XCTAssertEqual(mac(.sha384, key: longKey, longBoth),
                       "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e")
        XCTAssertEqual(mac(.sha512, key: tc2Key, "what do ya want for nothing?"),
                       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554" +
                       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
        XCTAssertEqual(mac(.sha512, key: longKey, longKeyMessage),
                       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352" +
                       "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598")
    }

    func testRFC2202SHA1() {
        XCTAssertEqual(mac(.sha1, key: tc1Key, "Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00")
        XCTAssertEqual(mac(.sha1, key: [UInt8](repeating: 0xaa, count: 80), longKeyMessage), "aa4ae5e15272d00e95705637ce8a3b55ed402112")
    }

    /// One key reused for many messages (the hot path) gives each message's own MAC: the copied
    /// states are never advanced by an earlier message.
    func testReuseAcrossMessagesAndKeyLengthsMatchesPerCallHMAC() {
        for algorithm in [HashAlgorithm.sha1, .sha256, .sha384, .sha512] {
            for keyLength in [0, 1, 20, 63, 64, 65, 127, 128, 129, 131, 300] {
                let key = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
                let prepared = HMACKey(algorithm, key: key)
                for messageLength in [0, 1, 55, 56, 64, 111, 112, 129, 1000] {
                    let message = (0..<messageLength).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ keyLength) }
                    XCTAssertEqual(prepared.authenticationCode(message), HMAC.authenticationCode(algorithm, key: key, message: message),
                                   "\(algorithm) key \(keyLength) message \(messageLength)")
                }
            }
        }
    }

    func testConcurrentUseOfOneKey() {
        let key = HMACKey(.sha256, key: Array("shared".utf8))
        let expected0 = key.authenticationCode(Array("message 0".utf8)), expected1 = key.authenticationCode(Array("message 1".utf8))
        XCTAssertNotEqual(expected0, expected1)
        let mismatches = Mismatches()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            for _ in 0..<500 where key.authenticationCode(Array("message \(i % 2)".utf8)) != (i % 2 == 0 ? expected0 : expected1) {
                mismatches.increment()
            }
        }
        XCTAssertEqual(mismatches.count, 0)
    }

    /// Checked from outside: Python's hmac module over the seed's webhook signing shape.
    func testMatchesPythonHMAC() throws {
        let python = URL(fileURLWithPath: "/usr/bin/python3")
        guard FileManager.default.isExecutableFile(atPath: python.path) else { throw XCTSkip("python3 is not installed") }
        let secret = "whsec_0123456789abcdefghijklmnopqrstuvwxyz_longer_than_one_sha256_block_of_64_bytes"
        let body = #"{"event_type":"Order Completed","user":"u1","data":{"page":"https://example.com/p","revenue":42.5}}"#
        var lines: [String] = []
        for algorithm in [HashAlgorithm.sha1, .sha256, .sha384, .sha512] {
            for keyLength in [0, 5, 64, secret.utf8.count] {
                lines.append("\(algorithm.rawValue) \(keyLength) " + Hex.encode(HMACKey(algorithm, key: Array(secret.utf8.prefix(keyLength))).authenticationCode(Array(body.utf8))))
            }
        }
        let script = """
        import hmac, hashlib, sys
        secret, body = sys.argv[1].encode(), sys.argv[2].encode()
        for name in ["sha1", "sha256", "sha384", "sha512"]:
            for n in [0, 5, 64, len(secret)]:
                print(name, n, hmac.new(secret[:n], body, getattr(hashlib, name)).hexdigest())
        """
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", script, secret, body]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init), lines)
    }
}
