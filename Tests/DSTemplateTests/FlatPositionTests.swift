import DSCore
import DSJSON
@testable import DSTemplate
import XCTest

/// `FlatRenderer.find(_:in:from:)` (a member lookup of the flat renderer's bind program: a
/// small ASCII key searched from the binding's hint with 16-byte compares, any other key from
/// the given start) against `Renderer.position(of:in:startingAt:)`, the general lookup it
/// stands for: the same index (or none) for every key list, key, start and hint, and the hint
/// left just after the member found.
final class FlatPositionTests: XCTestCase {
    private func assertSamePosition(_ keys: [String], _ key: String, start: Int, hint: Int, file: StaticString = #filePath, line: UInt = #line) {
        keys.withUnsafeBufferPointer { buffer in
            let expected = Renderer.position(of: key, in: buffer, startingAt: start)
            var binding = FlatBinding(kind: .members, keys: buffer.baseAddress, values: nil, count: buffer.count, cursor: 0, hint: hint)
            let got = withUnsafeMutablePointer(to: &binding) { FlatRenderer.find(FlatProgram.Key(key), in: $0, from: start) }
            let message = "keys \(keys.map { Array($0.utf8) }) key \(Array(key.utf8)) start \(start) hint \(hint)"
            XCTAssertEqual(got, expected, message, file: file, line: line)
            if let got { XCTAssertEqual(binding.hint, (got + 1) % keys.count, message, file: file, line: line) }
            else { XCTAssertEqual(binding.hint, hint, message, file: file, line: line) }
        }
    }

    func testChosenKeyListsStartsAndHints() {
        let heapUserID = SlotKeyLookupTests.heapString("user_id")
        let lists: [[String]] = [
            ["type", "event", "event_id", "anonymous_id", "user_id", "timestamp", "context", "properties"],
            // A key stored out of line: matched by its content. (An object never holds it
            // together with a small "user_id": its keys are distinct under `==` with equal length.)
            ["type", heapUserID, "event"],
            ["\u{212A}", "K", "a-key-longer-than-fifteen-bytes", "é", "e\u{301}"],
            // Canonically equivalent keys of different UTF-8 lengths (4, 5, 6 bytes): an object
            // can hold them together (its keys are distinct under equal UTF-8 length and `==`),
            // and a lookup finds the one of its key's length. (Two equivalent keys of one length,
            // whose match would depend on the start, never share an object.)
            ["\u{E9}\u{E9}", "x", "e\u{301}\u{E9}", "K", "e\u{301}e\u{301}"],
            ["abcdefghijklmno", "abcdefghijklmnop", "x"],
            ["only"],
            [],
        ]
        let probes = ["event", "user_id", "type", "properties", "K", "x", "only", "missing", "abcdefghijklmno", "é", "a-key-longer-than-fifteen-bytes",
                      "e\u{301}\u{E9}", "\u{E9}e\u{301}", "\u{E9}\u{E9}", "e\u{301}e\u{301}"]
        for keys in lists {
            for key in probes {
                // Starts and hints in range: the renderer keeps both there.
                for start in 0..<max(keys.count, 1) {
                    for hint in 0..<max(keys.count, 1) { assertSamePosition(keys, key, start: start, hint: hint) }
                }
            }
        }
    }

    func testRandomKeyListsStartsAndHints() {
        var rng = SplitMix64(seed: 0xF1A7_0051)
        let pool = ["a", "bb", "type", "event", "user_id", "K", "\u{212A}", "é", "abcdefghijklmno", "a-much-longer-key-name", "0", "", "e\u{301}\u{E9}", "\u{E9}e\u{301}", "\u{E9}\u{E9}", "e\u{301}e\u{301}"]
        func key() -> String {
            let k = pool[Int(rng.next() % UInt64(pool.count))]
            return rng.next() % 4 == 0 ? SlotKeyLookupTests.heapString(k) : k
        }
        for _ in 0..<5000 {
            var keys: [String] = []
            for _ in 0..<Int(rng.next() % 9) {
                // An object's keys are distinct under its own rule (equal UTF-8 length and `==`).
                let k = key()
                if !keys.contains(where: { $0.utf8.count == k.utf8.count && $0 == k }) { keys.append(k) }
            }
            let probe = pool[Int(rng.next() % UInt64(pool.count))]
            let n = max(keys.count, 1)
            assertSamePosition(keys, probe, start: Int(rng.next() % UInt64(n)), hint: Int(rng.next() % UInt64(n)))
        }
    }
}
