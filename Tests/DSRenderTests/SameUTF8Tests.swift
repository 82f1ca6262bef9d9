import DSCore
@testable import DSRender
import XCTest

/// `sameUTF8` (a request id held as its event id when the two have the same bytes) against
/// the byte comparison it stands for, on strings stored every way: small, on the heap, the
/// same storage twice, non-ASCII, canonically equivalent spellings (never the same bytes).
final class SameUTF8Tests: XCTestCase {
    private static func heap(_ text: String) -> String {
        var s = text + String(repeating: "x", count: 32)
        s.removeLast(32)
        return s
    }

    private func assertAgrees(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(sameUTF8(a, b), Array(a.utf8) == Array(b.utf8), "\(Array(a.utf8)) vs \(Array(b.utf8))", file: file, line: line)
    }

    func testChosenPairs() {
        let long = "86e9cec5-fe7d-5472-8528-bb1cbebb8bdb"
        let pairs: [(String, String)] = [
            ("evt-1", "evt-1"), ("evt-1", "evt-2"), ("evt-1", Self.heap("evt-1")), (long, long), (long, String(long.dropLast()) + "b"),
            (long, Self.heap(long)), (long, String(long.dropLast()) + "c"), ("é", "e\u{301}"), ("\u{212A}", "K"), ("", ""), ("", Self.heap("")),
            ("a", "ab"), ("😀", "😀"),
        ]
        for (a, b) in pairs {
            assertAgrees(a, b)
            assertAgrees(b, a)
        }
        XCTAssertTrue(sameUTF8(long, Self.heap(long)))
        XCTAssertFalse(sameUTF8("é", "e\u{301}"))
        XCTAssertFalse(sameUTF8("\u{212A}", "K"))
    }

    func testRandomPairs() {
        var rng = SplitMix64(seed: 0x5A3E_07F8)
        let pieces = ["a", "evt-", "0", "9", "é", "e\u{301}", "\u{212A}", "K", "-", "0123456789abcdef", "😀"]
        func text() -> String { (0..<Int(rng.next() % 6)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined() }
        for _ in 0..<5000 {
            let a = text()
            let b: String
            switch rng.next() % 3 {
            case 0: b = a
            case 1: b = Self.heap(a)
            default: b = text()
            }
            assertAgrees(a, b)
        }
    }
}
