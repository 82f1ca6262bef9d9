import DSJSON
import XCTest

/// The word-at-a-time escape scanner in JSONWriter must agree with a byte-by-byte reference
/// on every input, including escapes at every offset and multi-byte characters.
final class EscapingPropertyTests: XCTestCase {
    /// The reference: RFC 8259 escaping plus U+2028/U+2029, one scalar at a time.
    static func reference(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return "\"" + out + "\""
    }

    func testScannerMatchesReferenceOnRandomInputs() throws {
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "\n", "\u{01}", "\u{1F}", "\u{7F}", "é", "€", "😀", "\u{2028}", "\u{2029}", "/", "<"]
        var state: UInt64 = 0x5EED
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for _ in 0..<20_000 {
            let length = Int(next() % 48)
            var s = ""
            // Mostly plain ASCII so escapes land at every offset of the 8- and 16-byte words.
            for _ in 0..<length {
                let r = next() % 10
                s.unicodeScalars.append(r < 7 ? "x" : alphabet[Int(next() % UInt64(alphabet.count))])
            }
            let ours = JSONWriter.string(.string(s))
            XCTAssertEqual(ours, Self.reference(s), "input \(s.debugDescription)")
            XCTAssertEqual(try JSONParser().parseValue(ours), .string(s))
        }
    }
}
