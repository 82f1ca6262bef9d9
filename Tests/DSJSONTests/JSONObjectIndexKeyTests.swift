import XCTest
import DSCore
@testable import DSJSON

/// An object finds the same member for a key whether it scans its keys (up to
/// `JSONObject.indexThreshold` members) or keeps a hash index (more): the index used to
/// equate canonically equivalent keys of different UTF-8 lengths ("K" and the Kelvin sign
/// "\u{212A}", "é" and "e\u{301}"), which the scan tells apart, so a template's `{{K}}`
/// found an event's "\u{212A}" member only in objects of more than 16 members.
final class JSONObjectIndexKeyTests: XCTestCase {
    private func object(_ keys: [String]) -> JSONObject {
        JSONObject(keys.enumerated().map { ($0.element, JSONValue.int($0.offset)) })
    }

    /// The scan's answer, the reference.
    private func scanned(_ object: JSONObject, _ key: String) -> Int? {
        object.keys.withUnsafeBufferPointer { JSONObject.position(of: key, in: $0) }
    }

    func testEquivalentKeysOfOtherLengthsAreNotFoundAtAnySize() {
        for size in 0...40 {
            let filler = (0..<size).map { "f\($0)" }
            let o = object(filler + ["\u{212A}", "e\u{301}"])
            XCTAssertEqual(o.hasHashIndex, size + 2 > 16, "size \(size)")
            XCTAssertNil(o["K"], "size \(size)")
            XCTAssertNil(o["\u{E9}"], "size \(size)")
            XCTAssertEqual(o["\u{212A}"], .int(size), "size \(size)")
            XCTAssertEqual(o["e\u{301}"], .int(size + 1), "size \(size)")
        }
    }

    func testBothSpellingsKeepTheirOwnMembersAtAnySize() {
        for size in 0...40 {
            let filler = (0..<size).map { "f\($0)" }
            var o = object(filler + ["K", "\u{212A}"])
            XCTAssertEqual(o.count, size + 2)
            XCTAssertEqual(o["K"], .int(size), "size \(size)")
            XCTAssertEqual(o["\u{212A}"], .int(size + 1), "size \(size)")
            o["K"] = nil
            XCTAssertNil(o["K"], "size \(size)")
            XCTAssertEqual(o["\u{212A}"], .int(size + 1), "size \(size)")
        }
    }

    func testIndexedLookupsAgreeWithTheScanOnRandomKeys() {
        let pieces = ["a", "K", "\u{212A}", "\u{E9}", "e\u{301}", "e", "\u{301}", "\u{323}", "\u{1E0D}", "d", "\u{C5}", "\u{212B}", "A\u{30A}", "\u{FB01}", "fi", "ß", ";", "\u{37E}"]
        var rng = DSCore.SplitMix64(seed: 0x1DE8)
        var checked = 0
        for _ in 0..<400 {
            let size = Int.random(in: 0...40, using: &rng)
            let keys = (0..<size).map { _ in (0..<Int.random(in: 1...3, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() }
            let o = object(keys)
            for _ in 0..<30 {
                let probe = (0..<Int.random(in: 1...3, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                XCTAssertEqual(o.position(of: probe), scanned(o, probe), "\(keys.map { Array($0.unicodeScalars) }) probe \(Array(probe.unicodeScalars))")
                checked += 1
            }
            for k in o.keys { XCTAssertEqual(o.position(of: k), scanned(o, k)) }
        }
        XCTAssertEqual(checked, 12_000)
    }
}
