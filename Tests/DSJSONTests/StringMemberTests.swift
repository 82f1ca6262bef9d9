import DSJSON
import XCTest

/// `JSONValue.stringMember(_:)` (the per-request event id read) against
/// `self[key]?.stringValue`, which it stands for: the same answer for every object (small,
/// hashed, empty), every kind of member value, and keys stored inline, on the heap,
/// non-ASCII, canonically equivalent and long.
final class StringMemberTests: XCTestCase {
    /// A string equal to `text` but stored on the heap (not small).
    private func heap(_ text: String) -> String {
        var s = text + String(repeating: "x", count: 32)
        s.removeLast(32)
        return s
    }

    func testMatchesTheSubscript() throws {
        var rng = SplitMix64(state: 0x51D_E7E1)
        let pool = ["event_id", "type", "event", "id", "K", "\u{212A}", "é", "e\u{301}", "a-key-longer-than-fifteen-bytes", "", "event_i", "event_idd"]
        let probes = pool + ["missing", heap("event_id")]
        let valuePool: [JSONValue] = [.string("evt-1"), .string("an event id long enough to live on the heap"), .string(""), .int(7), .null, .bool(true),
                                      .array([.string("x")]), .object(JSONObject([("event_id", .string("inner"))]))]
        var values: [JSONValue] = [.null, .string("event_id"), .array([]), .object(JSONObject())]
        for _ in 0..<2000 {
            var object = JSONObject()
            let count = rng.next() % 8 == 0 ? 20 : Int(rng.next() % 8)
            for i in 0..<count {
                var key = i < 12 && count < 20 ? pool[Int(rng.next() % UInt64(pool.count))] : "k\(i)"
                if rng.next() % 3 == 0 { key = heap(key) }
                object[key] = valuePool[Int(rng.next() % UInt64(valuePool.count))]
            }
            values.append(.object(object))
        }
        values.append(try JSONParser().parseValue(#"{"type": "track", "event_id": "evt-0", "context": {"event_id": "no"}}"#))
        for value in values {
            for probe in probes {
                XCTAssertEqual(value.stringMember(probe), value[probe]?.stringValue, "\(value) \(Array(probe.utf8))")
            }
        }
    }
}
