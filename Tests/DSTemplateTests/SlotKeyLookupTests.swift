import DSJSON
import DSTemplate
import XCTest

/// Top-level holes find their member by comparing a small ASCII key's 16 inline bytes
/// (`Renderer.position(of:in:startingAt:)`); what they find must be what
/// `JSONObject.position(of:)` finds, whatever the event's keys are made of.
final class SlotKeyLookupTests: XCTestCase {
    /// A string equal to `text` but stored on the heap (not small), as a key built by
    /// editing a longer string can be.
    static func heapString(_ text: String) -> String {
        var s = text + String(repeating: "x", count: 32)
        s.removeLast(32)
        return s
    }

    func testHeapStoredKeyStillMatches() {
        let key = Self.heapString("user_id")
        XCTAssertEqual(key, "user_id")
        let event = JSONValue.object(JSONObject([("type", .string("track")), (key, .string("u-1")), ("context", .object(JSONObject([(Self.heapString("ip"), .string("1.2.3.4"))])))]))
        XCTAssertEqual(render("{\"u\": \"{{user_id}}\", \"t\": \"{{type}}\", \"ip\": \"{{context.ip}}\"}", event, mode: .json),
                       "{\"u\": \"u-1\", \"t\": \"track\", \"ip\": \"1.2.3.4\"}")
    }

    func testCanonicallyEquivalentKeyOfOtherLengthDoesNotMatch() {
        // U+212A KELVIN SIGN == "K" for Swift's ==, but keys of different UTF-8 length never
        // match (JSONObject's rule); the ASCII "K" member is found wherever it sits.
        let kelvin = "\u{212A}"
        XCTAssertEqual(kelvin, "K")
        for pairs in [[(kelvin, JSONValue.string("kelvin")), ("K", .string("ascii"))], [("K", .string("ascii")), (kelvin, .string("kelvin"))]] {
            XCTAssertEqual(render("{{K}}", .object(JSONObject(pairs)), mode: .json), "\"ascii\"")
        }
        XCTAssertEqual(render("{\"k\": {{K}}}", .object(JSONObject([(kelvin, .string("kelvin"))])), mode: .json), "{\"k\": null}")
        XCTAssertEqual(JSONObject([(kelvin, .string("kelvin"))]).position(of: "K"), nil)
    }

    func testKeysAroundTheInlineLimitAndNonASCIIKeys() {
        // 15 bytes (small), 16 bytes (heap), non-ASCII (small but not ASCII): each found.
        let keys = ["abcdefghijklmno", "abcdefghijklmnop", "café", "caf", "abcdefghijklmnq"]
        let event = JSONValue.object(JSONObject(keys.enumerated().map { ($1, JSONValue.int($0)) }))
        for (i, key) in keys.enumerated().reversed() {
            XCTAssertEqual(render("{{\(key)}}", event, mode: .json), "\(i)", key)
        }
        XCTAssertEqual(render("{{abcdefghijklmnp}}|{{cafe}}", event, mode: .text), "|")
    }

    func testLookupsInAnyOrderWithTheCursor() {
        // The scan starts after the previous hit and wraps around: every order finds every key.
        let names = ["a", "bb", "ccc", "dd", "e", "type", "event"]
        let event = JSONValue.object(JSONObject(names.map { ($0, JSONValue.string($0.uppercased())) }))
        for order in [names, names.reversed(), ["event", "type", "a", "e", "dd", "bb", "ccc", "missing", "a"]] {
            let template = order.map { "{{\($0)}}" }.joined(separator: ",")
            XCTAssertEqual(render(template, event, mode: .text), order.map { names.contains($0) ? $0.uppercased() : "" }.joined(separator: ","))
        }
    }
}
