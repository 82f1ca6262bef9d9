import XCTest
@testable import DSCrypto

final class DigestTests: XCTestCase {
    func testFIPS180ABC() {
        let abc = Array("abc".utf8)
        XCTAssertEqual(Hex.encode(Digest.hash(.sha1, abc)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(Hex.encode(Digest.hash(.sha256, abc)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Hex.encode(Digest.hash(.sha512, abc)),
                       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
                       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    }

    func testFIPS180TwoBlockMessage() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        XCTAssertEqual(Hex.encode(Digest.hash(.sha256, message.utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testSHA256HexOfEmptyString() {
        XCTAssertEqual(Digest.sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Digest.sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testSHA256HexUsesUTF8() {
        // "é" is 0xC3 0xA9 in UTF-8.
        XCTAssertEqual(Digest.sha256Hex("é"), Hex.encode(Digest.hash(.sha256, [0xC3, 0xA9])))
    }

    func testDigestLengthsAndRawValues() {
        XCTAssertEqual(HashAlgorithm.allCases.map(\.digestLength), [20, 32, 48, 64])
        // FIPS 180-2 example "abc" for SHA-384.
        XCTAssertEqual(Hex.encode(Digest.hash(.sha384, Array("abc".utf8))),
                       "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
        XCTAssertEqual(HashAlgorithm(rawValue: "sha256"), .sha256)
        XCTAssertNil(HashAlgorithm(rawValue: "md5"))
        for algorithm in HashAlgorithm.allCases {
            XCTAssertEqual(Digest.hash(algorithm, []).count, algorithm.digestLength)
        }
    }

    func testCollectionKindsAgree() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let expected = Digest.hash(.sha512, bytes)
        XCTAssertEqual(Digest.hash(.sha512, bytes[...]), expected)
        XCTAssertEqual(Digest.hash(.sha512, bytes.lazy.map { $0 }), expected)
        XCTAssertNotEqual(Digest.hash(.sha512, bytes.dropLast()), expected)
    }
}
