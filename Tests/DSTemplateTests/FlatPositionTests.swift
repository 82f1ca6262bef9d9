import DSCore
import DSJSON
@testable import DSTemplate
import XCTest

/// `FlatRenderer.position(_:in:)` (a hole's member, searched from its binding's cursor with
/// 16-byte compares) against `Renderer.position(of:in:startingAt:)`, the general lookup it
/// stands for: the same index (or none) for every key list, key and cursor.
final class FlatPositionTests: XCTestCase {
    private func hole(_ key: String) -> FlatProgram.Hole {
        let words = unsafeBitCast(key, to: (UInt64, UInt64).self)
        return FlatProgram.Hole(literalStart: 0, literalCount: 0, parent: 0, segment: key, sink: .jsonValue, keyWords: words,
                                keyIsSmallASCII: words.1 & Renderer.smallASCIIBits == Renderer.smallASCIIBits)
    }

    private func assertSamePosition(_ keys: [String], _ key: String, cursor: Int, file: StaticString = #filePath, line: UInt = #line) {
        keys.withUnsafeBufferPointer { buffer in
            let expected = Renderer.position(of: key, in: buffer, startingAt: cursor)
            var binding = FlatBinding(kind: .members, keys: buffer.baseAddress, values: nil, count: buffer.count, cursor: cursor)
            var h = hole(key)
            let got = withUnsafeMutablePointer(to: &binding) { b in withUnsafePointer(to: &h) { FlatRenderer.position($0, in: b) } }
            XCTAssertEqual(got, expected, "keys \(keys.map { Array($0.utf8) }) key \(Array(key.utf8)) cursor \(cursor)", file: file, line: line)
        }
    }

    func testChosenKeyListsAndCursors() {
        let heapUserID = SlotKeyLookupTests.heapString("user_id")
        let lists: [[String]] = [
            ["type", "event", "event_id", "anonymous_id", "user_id", "timestamp", "context", "properties"],
            ["type", heapUserID, "event", "user_id"],
            ["\u{212A}", "K", "a-key-longer-than-fifteen-bytes", "é", "e\u{301}"],
            ["abcdefghijklmno", "abcdefghijklmnop", "x"],
            ["only"],
            [],
        ]
        let probes = ["event", "user_id", "type", "properties", "K", "x", "only", "missing", "abcdefghijklmno", "é", "a-key-longer-than-fifteen-bytes"]
        for keys in lists {
            for key in probes {
                for cursor in -1...(keys.count + 1) { assertSamePosition(keys, key, cursor: cursor) }
            }
        }
    }

    func testRandomKeyListsAndCursors() {
        var rng = SplitMix64(seed: 0xF1A7_0051)
        let pool = ["a", "bb", "type", "event", "user_id", "K", "\u{212A}", "é", "abcdefghijklmno", "a-much-longer-key-name", "0", ""]
        func key() -> String {
            let k = pool[Int(rng.next() % UInt64(pool.count))]
            return rng.next() % 4 == 0 ? SlotKeyLookupTests.heapString(k) : k
        }
        for _ in 0..<3000 {
            let keys = (0..<Int(rng.next() % 9)).map { _ in key() }
            let probe = pool[Int(rng.next() % UInt64(pool.count))]
            assertSamePosition(keys, probe, cursor: Int(rng.next() % UInt64(keys.count + 2)) - 1)
        }
    }
}
