import Foundation
import XCTest
@testable import DSCrypto

final class HMACTests: XCTestCase {
    private func mac(_ algorithm: HashAlgorithm, key: [UInt8], _ message: String) -> String {
        Hex.encode(HMAC.authenticationCode(algorithm, key: key, message: Array(message.utf8)))
    }

    private let tc1Key = [UInt8](repeating: 0x0b, count: 20)
    private let tc2Key = Array("Jefe".utf8)

    func testRFC4231SHA256() {
        XCTAssertEqual(mac(.sha256, key: tc1Key, "Hi There"),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        XCTAssertEqual(mac(.sha256, key: tc2Key, "what do ya want for nothing?"),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testRFC4231SHA512() {
        XCTAssertEqual(mac(.sha512, key: tc1Key, "Hi There"),
                       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde" +
                       "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")
        XCTAssertEqual(mac(.sha512, key: tc2Key, "what do ya want for nothing?"),
                       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554" +
                       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
    }

    /// RFC 4231 test cases 1, 2, 6 and 7 for HMAC-SHA-384 (a 131-byte key is longer than
    /// SHA-384's 128-byte block, so it is hashed first).
    func testRFC4231SHA384() {
        XCTAssertEqual(HashAlgorithm.sha384.digestLength, 48)
        XCTAssertEqual(mac(.sha384, key: tc1Key, "Hi There"),
                       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6")
        XCTAssertEqual(mac(.sha384, key: tc2Key, "what do ya want for nothing?"),
                       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649")
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        XCTAssertEqual(mac(.sha384, key: longKey, "Test Using Larger Than Block-Size Key - Hash Key First"),
                       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952")
        XCTAssertEqual(mac(.sha384, key: longKey, "This is a test using a larger than block-size key and a larger than block-size data. "
                           + "The key needs to be hashed before being used by the HMAC algorithm."),
                       "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e")
        // Interleaved with another algorithm on the same thread (per-thread contexts are per algorithm).
        XCTAssertEqual(mac(.sha512, key: tc1Key, "Hi There").count, 128)
        XCTAssertEqual(mac(.sha384, key: tc1Key, "Hi There").prefix(8), "afd03944")
    }

    func testRFC2202SHA1() {
        XCTAssertEqual(mac(.sha1, key: tc1Key, "Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00")
        XCTAssertEqual(mac(.sha1, key: tc2Key, "what do ya want for nothing?"),
                       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    func testRFC4231LongKeyIsHashedFirst() {
        // RFC 4231 test case 6: a 131-byte key, longer than SHA-256's 64-byte block.
        XCTAssertEqual(mac(.sha256, key: [UInt8](repeating: 0xaa, count: 131),
                           "Test Using Larger Than Block-Size Key - Hash Key First"),
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    func testEmptyKeyAndMessage() {
        // python3: hmac.new(b'', b'', 'sha256').hexdigest()
        XCTAssertEqual(mac(.sha256, key: [], ""),
                       "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    func testGitHubWebhookExample() {
        // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
        XCTAssertEqual(mac(.sha256, key: Array("It's a Secret to Everybody".utf8), "Hello, World!"),
                       "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    }

    func testStandardWebhooksVector() throws {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let key = try XCTUnwrap(Base64.decode(String(secret.dropFirst("whsec_".count))))
        let content = #"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}"#
        let signature = HMAC.authenticationCode(.sha256, key: key, message: content.utf8)
        XCTAssertEqual(Base64.encode(signature), "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    func testOutputLengths() {
        for algorithm in HashAlgorithm.allCases {
            XCTAssertEqual(HMAC.authenticationCode(algorithm, key: [1, 2, 3], message: [4]).count,
                           algorithm.digestLength, "\(algorithm)")
        }
    }

    /// Each thread caches its last key; switching keys, algorithms and collection types in any
    /// order must never leak a previous key into a result.
    func testKeyCacheNeverServesAStaleKey() {
        let expectedTC1 = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        let expectedTC2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        let message2 = "what do ya want for nothing?"
        for _ in 0..<3 {
            XCTAssertEqual(mac(.sha256, key: tc1Key, "Hi There"), expectedTC1)
            XCTAssertEqual(mac(.sha256, key: tc1Key, "Hi There"), expectedTC1)
            XCTAssertEqual(mac(.sha256, key: tc2Key, message2), expectedTC2)
            // Same length as tc2Key, different bytes.
            XCTAssertNotEqual(mac(.sha256, key: Array("Jeff".utf8), message2), expectedTC2)
            XCTAssertEqual(mac(.sha1, key: tc2Key, message2), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
            // An empty key after a non-empty one, and back.
            XCTAssertEqual(mac(.sha256, key: [], ""),
                           "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
            XCTAssertEqual(mac(.sha256, key: tc2Key, message2), expectedTC2)
        }
        // Non-contiguous and sliced collections take the copying / slice paths.
        let keySlice = ([0xff] + tc2Key + [0xff])[1...4]
        let lazyMessage = message2.utf8.lazy.map { $0 }
        XCTAssertEqual(Hex.encode(HMAC.authenticationCode(.sha256, key: keySlice, message: lazyMessage)), expectedTC2)
        XCTAssertEqual(Hex.encode(HMAC.authenticationCode(.sha256, key: Data(tc2Key), message: message2.utf8)),
                       expectedTC2)
    }

    func testConcurrentUseAcrossThreads() {
        let keys = (0..<8).map { [UInt8](repeating: UInt8($0), count: 16 + $0) }
        let message = [UInt8](repeating: 0x42, count: 300)
        let expected = keys.map { HMAC.authenticationCode(.sha256, key: $0, message: message) }
        let mismatches = Mismatches()
        DispatchQueue.concurrentPerform(iterations: 64) { iteration in
            for round in 0..<200 {
                let index = (iteration + round) % keys.count
                if HMAC.authenticationCode(.sha256, key: keys[index], message: message) != expected[index] {
                    mismatches.increment()
                }
            }
        }
        XCTAssertEqual(mismatches.count, 0)
    }

    /// Threads that exit release their cached contexts; results stay correct throughout.
    func testShortLivedThreads() {
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        let key = tc2Key
        let mismatches = Mismatches()
        let group = DispatchGroup()
        for _ in 0..<16 {
            group.enter()
            let thread = Thread {
                let result = HMAC.authenticationCode(.sha256, key: key, message: "what do ya want for nothing?".utf8)
                if Hex.encode(result) != expected { mismatches.increment() }
                _ = Digest.hash(.sha1, result)
                group.leave()
            }
            thread.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(mismatches.count, 0)
    }
}

/// A thread-safe counter for the concurrency test.
final class Mismatches: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}
