import DSCore
@testable import DSSchema
import XCTest

/// `SchemaURI(parsing:)` reads ASCII references byte by byte and everything else `Character`
/// by `Character`: both paths must split every reference identically (chosen and random
/// references, CR LF, delimiters in every position, non-ASCII text that takes the general path).
final class SchemaURIFastPathTests: XCTestCase {
    private func assertSame(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let fast = SchemaURI(parsing: text)
        let general = SchemaURI(parsingCharacters: text)
        XCTAssertEqual(fast, general, "\(text.debugDescription)", file: file, line: line)
        XCTAssertEqual(fast.text, general.text, file: file, line: line)
    }

    func testChosenReferences() {
        let chosen = [
            "", "#", "#/$defs/a", "?", "?q#f", ":", "a:", "1a:b", "a1+-.:rest", "a_b:c", "http://h", "http://h/", "http://h/p?q#f",
            "file:///tmp/x/contracts/plan.schema.json", "file:///tmp/x/contracts/plan.schema.json#/properties/a%25b",
            "//authority/path", "//", "///", "//a?b", "//a#b", "urn:uuid:123", "mailto:x@y", "./a/../b", "../../c", "a/b:c",
            "/a:b", "\r\n", "\r\nhttp://x", "ht\r\ntp://x", "x:\r\n//y", "#\r\n", "A:B", "Z9:", "[:]", "@:", "`:",
            "é", "http://h/é", "e\u{301}:x", "#\u{301}x", "a\u{301}:b", "😀://x",
        ]
        for text in chosen { assertSame(text) }
    }

    func testRandomReferences() {
        var rng = SplitMix64(seed: 0x5C4E_3A01)
        let pieces = ["a", "Z", "9", "+", "-", ".", ":", "/", "//", "?", "#", "%", "@", "_", "\r", "\n", "\r\n", "[", "`", "{", "http", "file", "é", "\u{301}", "~"]
        for _ in 0..<20_000 {
            let text = (0..<Int(rng.next() % 10)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            assertSame(text)
        }
    }
}
