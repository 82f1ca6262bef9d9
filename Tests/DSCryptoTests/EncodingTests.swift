import Foundation
import XCTest
@testable import DSCrypto

final class Base64Tests: XCTestCase {
    func testRFC4648Vectors() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                       ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8), encoded)
            let unpadded = encoded.replacingOccurrences(of: "=", with: "")
            XCTAssertEqual(Base64.encodeURLSafe(Array(plain.utf8)), unpadded)
            XCTAssertEqual(Base64.decode(unpadded), Array(plain.utf8), unpadded)
        }
    }

    func testURLSafeAlphabetWithoutPadding() {
        let bytes: [UInt8] = [0xfb, 0xff, 0xbf]
        XCTAssertEqual(Base64.encode(bytes), "+/+/")
        XCTAssertEqual(Base64.encodeURLSafe(bytes), "-_-_")
        XCTAssertEqual(Base64.encodeURLSafe([0xfb, 0xff]), "-_8")
        XCTAssertEqual(Base64.decode("-_-_"), bytes)
        XCTAssertEqual(Base64.decode("-_8"), [0xfb, 0xff])
        XCTAssertEqual(Base64.decode("-_8="), [0xfb, 0xff])
        // JWT header {"alg":"RS256","typ":"JWT"}
        XCTAssertEqual(Base64.encodeURLSafe(Array(#"{"alg":"RS256","typ":"JWT"}"#.utf8)),
                       "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9")
    }

    func testRoundTripsAllLengthsAgainstFoundation() {
        for length in 0...64 {
            let bytes = SecureRandom.bytes(length)
            let standard = Base64.encode(bytes)
            XCTAssertEqual(standard, Data(bytes).base64EncodedString(), "length \(length)")
            XCTAssertEqual(Base64.decode(standard), bytes, "length \(length)")

            let urlSafe = Base64.encodeURLSafe(bytes)
            let expectedURLSafe = standard.replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            XCTAssertEqual(urlSafe, expectedURLSafe, "length \(length)")
            XCTAssertFalse(urlSafe.contains("="))
            XCTAssertEqual(Base64.decode(urlSafe), bytes, "length \(length)")
            // Unpadded standard and padded URL-safe forms are accepted too.
            XCTAssertEqual(Base64.decode(standard.replacingOccurrences(of: "=", with: "")), bytes)
            XCTAssertEqual(Base64.decode(urlSafe + String(repeating: "=", count: (4 - urlSafe.count % 4) % 4)), bytes)
        }
    }

    func testNonContiguousInput() {
        let bytes = Array("any carnal pleasure.".utf8)
        XCTAssertEqual(Base64.encode(bytes.lazy.map { $0 }), "YW55IGNhcm5hbCBwbGVhc3VyZS4=")
        XCTAssertEqual(Base64.encode(bytes[4...]), Base64.encode(Array(bytes[4...])))
    }

    func testRejectsInvalidInput() {
        let invalid = [
            "@@@", "Zm9!", "Zm 9", "Zm9\n", " Zm9", "Zm9v\r\nZm9v",  // characters outside both alphabets
            "Z",                                           // a single dangling character
            "Zm9vY",                                       // 4n + 1 characters
            "Zg=", "Zg===", "Z===", "Zm=v", "=Zm9", "Zm9vYg=",  // wrong padding
            "Zm9v=", "Zm9v====", "====",
            "Zh==", "Zm9=",                                // non-zero unused bits
        ]
        for text in invalid {
            XCTAssertNil(Base64.decode(text), "should reject \(text.debugDescription)")
        }
        XCTAssertEqual(Base64.decode(""), [])
    }
}

final class HexTests: XCTestCase {
    func testEncode() {
        XCTAssertEqual(Hex.encode([]), "")
        XCTAssertEqual(Hex.encode([0x00, 0x01, 0x7f, 0x80, 0xde, 0xad, 0xbe, 0xef, 0xff]), "00017f80deadbeefff")
        XCTAssertEqual(Hex.encode(Array(0...255)).count, 512)
    }

    func testRoundTrip() {
        let bytes = (0...255).map { UInt8($0) } + SecureRandom.bytes(100)
        XCTAssertEqual(Hex.decode(Hex.encode(bytes)), bytes)
        XCTAssertEqual(Hex.decode("DEADbeef"), [0xde, 0xad, 0xbe, 0xef])
        XCTAssertEqual(Hex.decode(""), [])
    }

    func testRejectsInvalid() {
        for text in ["abc", "0", "zz", "0g", "g0", "0x00", " 00", "00 ", "é0", "-1"] {
            XCTAssertNil(Hex.decode(text), "should reject \(text.debugDescription)")
        }
    }
}

final class ConstantTimeAndRandomTests: XCTestCase {
    func testConstantTimeEquals() {
        XCTAssertTrue(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        XCTAssertTrue(ConstantTime.equals([UInt8](), [UInt8]()))
        XCTAssertTrue(ConstantTime.equals([0, 1, 2, 3][1...], [1, 2, 3]))
        XCTAssertFalse(ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(ConstantTime.equals([0, 2, 3], [1, 2, 3]))
        XCTAssertFalse(ConstantTime.equals([1, 2, 3], [1, 2]))
        XCTAssertFalse(ConstantTime.equals([UInt8](), [0]))
        XCTAssertTrue(ConstantTime.equals("abc".utf8, [0x61, 0x62, 0x63]))
    }

    func testSecureRandomBytes() {
        XCTAssertEqual(SecureRandom.bytes(0), [])
        let a = SecureRandom.bytes(32), b = SecureRandom.bytes(32)
        XCTAssertEqual(a.count, 32)
        XCTAssertNotEqual(a, b)
        // 4096 random bytes should use far more than a handful of distinct values.
        XCTAssertGreaterThan(Set(SecureRandom.bytes(4096)).count, 200)
    }
}
