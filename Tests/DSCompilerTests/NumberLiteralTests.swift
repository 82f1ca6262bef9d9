import DSCore
import DSJSON
import XCTest

/// `JSONNumber.isIntegerLiteral` scans bytes for ASCII text; it must agree with the
/// Character scan it replaced on every text, ASCII or not.
final class NumberLiteralTests: XCTestCase {
    static func reference(_ text: String) -> Bool { !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) }

    func testChosen() {
        for text in ["0", "-12", "1.5", "1e3", "1E3", "-0.0", "", ".\u{301}", "1.\u{301}", "e\u{301}", "é", "12"] {
            XCTAssertEqual(JSONNumber(text: text).isIntegerLiteral, Self.reference(text), text)
        }
    }

    func testRandom() {
        var rng = SplitMix64(seed: 0x6e75_6d62)
        let pieces = ["1", "0", "-", "+", ".", "e", "E", "\u{301}", "é", "9"]
        for _ in 0..<20000 {
            let text = (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            XCTAssertEqual(JSONNumber(text: text).isIntegerLiteral, Self.reference(text), text)
        }
    }
}
