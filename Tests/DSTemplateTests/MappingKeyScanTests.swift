@testable import DSMapping
import Foundation
import XCTest

/// The mapping builder classifies keys and finds `{{` by bytes for ASCII text; it must agree
/// with `hasPrefix` and Foundation's `contains` (what it replaced) on any text.
final class MappingKeyScanTests: XCTestCase {
    private let alphabet: [Unicode.Scalar] = ["@", "{", "}", "a", "Z", " ", "\r", "\n", "é", "\u{301}", "\u{20DD}", "🎉"]

    private func check(_ s: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(MappingBuilder.isDirectiveKey(s), s.hasPrefix("@") && !s.hasPrefix("@@"), s.debugDescription, file: file, line: line)
        XCTAssertEqual(MappingBuilder.hasOpenBraces(s), s.contains("{{"), s.debugDescription, file: file, line: line)
    }

    func testChosen() {
        for s in ["", "@", "@@", "@path", "@@path", "a@", "{{", "{", "{ {", "a{{b", "{{{x}}}", "@\u{301}", "@@\u{301}", "{\u{301}{",
                  "{{\u{301}", "é{{", "@é", String(repeating: "x", count: 40) + "{{"] {
            check(s)
        }
    }

    func testRandom() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            var s = ""
            for _ in 0..<Int.random(in: 0...8, using: &rng) { s.unicodeScalars.append(alphabet.randomElement(using: &rng)!) }
            check(s)
        }
    }
}
