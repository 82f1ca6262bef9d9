import DSCore
@testable import DSJSON
import XCTest

/// `JSONNode.member` skips keys by UTF-8 length when that decides equality; it must find
/// exactly what the plain `first { $0.key == key }` scan finds, canonically equivalent keys
/// included (K and U+212A KELVIN SIGN, ";" and U+037E, "`" and U+1FEF, é and e + U+0301).
final class JSONNodeMemberTests: XCTestCase {
    private func node(_ keys: [String]) -> JSONNode {
        let span = SourceSpan(start: 0, end: 0)
        return JSONNode(kind: .object(keys.enumerated().map { JSONMember(key: $1, keySpan: SourceSpan(start: $0, end: $0), value: JSONNode(kind: .null, span: span)) }), span: span)
    }

    private func assertSame(_ keys: [String], _ key: String, file: StaticString = #filePath, line: UInt = #line) {
        let n = node(keys)
        let reference = n.members.first { $0.key == key }
        XCTAssertEqual(n.member(key)?.keySpan.start, reference?.keySpan.start, "\(keys) \(key.debugDescription)", file: file, line: line)
    }

    func testUnicodeDecompositionsToASCIIAreTheOnlyOnesTheShortcutAssumes() {
        // Every scalar equal to a one-character ASCII string under Swift's canonical
        // equivalence (what `lengthDecidesEquality` relies on). Canonical decompositions all
        // lie below U+30000; none is more than one ASCII character (checked against Python's
        // unicodedata when this was written).
        let ascii = Set((UInt8(0x00)..<0x80).map { String(UnicodeScalar($0)) })
        var found: [UInt32] = []
        for v in UInt32(0x80)..<0x30000 {
            guard let scalar = Unicode.Scalar(v) else { continue }
            if ascii.contains(String(scalar)) { found.append(v) }
        }
        XCTAssertEqual(found, [0x037E, 0x1FEF, 0x212A])
    }

    func testChosenKeys() {
        let keys = ["K", "\u{212A}", ";", "\u{037E}", "`", "\u{1FEF}", "é", "e\u{301}", "Kind", "\u{212A}ind", "a", "ab", "abc", "", "name", "type"]
        for key in keys + ["zz", "Ki", "a;", "`x"] {
            assertSame(keys, key)
            assertSame(keys.reversed(), key)
        }
    }

    func testRandomKeys() {
        var rng = DSCore.SplitMix64(seed: 0x3E3B)
        let pieces = ["a", "b", "K", "\u{212A}", ";", "\u{037E}", "`", "\u{1FEF}", "e", "\u{301}", "é", "_", "1"]
        func key() -> String { (0..<Int(rng.next() % 4)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined() }
        for _ in 0..<5_000 {
            let keys = (0..<Int(rng.next() % 10)).map { _ in key() }
            assertSame(keys, key())
            if let k = keys.first { assertSame(keys, k) }
        }
    }
}
