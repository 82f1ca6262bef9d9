import DSCore
@testable import DSJSON
import XCTest

/// `JavaScriptJSON.isNormalScalar` / `isNormalStringContent` let a template renderer skip the
/// normalization of a body whose fixed text is in `JSON.stringify` form. Each `true` must be
/// exact: the piece is what the general path (the value tree) writes for it. Checked on
/// chosen and random pieces against `normalizeTree`.
final class JavaScriptFormPieceTests: XCTestCase {
    private func tree(_ bytes: [UInt8]) -> [UInt8]? { try? JavaScriptJSON.normalizeTree(bytes) }

    private func scalar(_ text: String) -> Bool { Array(text.utf8).withUnsafeBufferPointer { JavaScriptJSON.isNormalScalar($0) } }
    private func content(_ text: String) -> Bool { Array(text.utf8).withUnsafeBufferPointer { JavaScriptJSON.isNormalStringContent($0) } }

    /// `true` implies the tree path gives the piece back unchanged (a string content inside quotes).
    private func assertExact(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let bytes = Array(text.utf8)
        if scalar(text) { XCTAssertEqual(tree(bytes), bytes, "scalar \(text)", file: file, line: line) }
        if content(text) {
            let quoted = [0x22] + bytes + [0x22]
            XCTAssertEqual(tree(quoted), quoted, "content \(text)", file: file, line: line)
        }
    }

    func testChosenPieces() {
        for (text, expected) in [("null", true), ("true", true), ("false", true), ("nul", false), ("truex", false), ("1", true), ("0", true),
                                 ("-0", false), ("1.5", true), ("1.50", false), ("1e2", false), ("0.000001", true), ("0.0000001", false),
                                 ("123456789012345", true), ("1234567890123456", true), ("12345678901234567", false), ("01", false), ("-", false), ("1.", false), (".5", false),
                                 ("\"\"", true), ("\"a b\"", true), ("\"a\\\"b\"", true), ("\"a\\/b\"", false), ("\"\\u0041\"", false),
                                 ("\"a\"b\"", false), ("\"a\\\"", false), ("\"é\"", false), ("[1]", false), ("{}", false), ("", false), (" 1", false)] {
            XCTAssertEqual(scalar(text), expected, text)
            assertExact(text)
        }
        for (text, expected) in [("", true), ("plain text", true), ("a\\\"b\\\\c\\n\\t\\r\\b\\f", true), ("\\/", false), ("\\u0001", false),
                                 ("a\"b", false), ("ends\\", false), ("tab\there", false), ("é", false), ("\u{7F}", true)] {
            XCTAssertEqual(content(text), expected, text)
            assertExact(text)
        }
    }

    func testThePlainNumberRuleIsTheFastPathsCopyRule() {
        var rng = DSCore.SplitMix64(seed: 0x5EED_0018)
        let digits = Array("0123456789")
        var plain = 0
        for _ in 0..<20_000 {
            var text = Bool.random(using: &rng) ? "-" : ""
            text += String((0..<Int.random(in: 1...17, using: &rng)).map { _ in digits.randomElement(using: &rng)! })
            if Int.random(in: 0...2, using: &rng) > 0 {
                text += "." + String((0..<Int.random(in: 0...9, using: &rng)).map { _ in Int.random(in: 0...3, using: &rng) == 0 ? "0" : digits.randomElement(using: &rng)! })
            }
            if Int.random(in: 0...9, using: &rng) == 0 { text += ["e5", "E-3", "e+2", "x"].randomElement(using: &rng)! }
            let bytes = Array(text.utf8)
            let isPlain = bytes.withUnsafeBufferPointer { JavaScriptJSON.isPlainNumber($0) }
            if isPlain {
                plain += 1
                XCTAssertEqual(tree(bytes), bytes, text)
                // The fast path copies it as it is, too.
                XCTAssertEqual(bytes.withUnsafeBufferPointer { JavaScriptJSON.FastPath.normalize($0, maxDepth: 0) }, bytes, text)
            }
            assertExact(text)
        }
        XCTAssertGreaterThan(plain, 3000)
    }

    func testRandomPiecesAreExactWhenClaimed() {
        var rng = DSCore.SplitMix64(seed: 0x5EED_0019)
        let parts = ["a", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r", "\\u0041", "\\", "\"", "é", "\u{2028}", "\u{1}", "\t", "\u{7F}",
                     "1", "0", "-", ".", "e", "null", "true"]
        var claimed = 0
        for _ in 0..<20_000 {
            var text = (0..<Int.random(in: 0...6, using: &rng)).map { _ in parts.randomElement(using: &rng)! }.joined()
            if Bool.random(using: &rng) { text = "\"" + text + "\"" }
            if scalar(text) || content(text) { claimed += 1 }
            assertExact(text)
        }
        XCTAssertGreaterThan(claimed, 2000)
    }
}
