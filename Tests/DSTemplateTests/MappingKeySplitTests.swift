@testable import DSMapping
import XCTest

/// `MappingBuilder.splitKeys` (the no-directive path hands back the key list itself) against a plain
/// filter of each kind, on chosen and random key lists.
final class MappingKeySplitTests: XCTestCase {
    private func check(_ keys: [String], file: StaticString = #filePath, line: UInt = #line) {
        let split = MappingBuilder.splitKeys(keys)
        XCTAssertEqual(split.directiveKeys, keys.filter(MappingBuilder.isDirectiveKey), "directives of \(keys)", file: file, line: line)
        XCTAssertEqual(split.fields, keys.filter { !MappingBuilder.isDirectiveKey($0) }, "fields of \(keys)", file: file, line: line)
    }

    func testChosenKeyLists() {
        check([])
        check(["a"])
        check(["@path"])
        check(["@@a", "b"])
        check(["a", "@when", "b", "@drop_empty"])
        check(["@path", "@default", "x"])
        check(["x", "y", "@template"])
        check(["@", "@@", ""])
        check(["@\u{301}path", "\u{301}@x", "é", "@é"])
        XCTAssertEqual(MappingBuilder.splitKeys(["a", "b"]).fields, ["a", "b"])
        XCTAssertEqual(MappingBuilder.splitKeys(["@path", "a"]).directiveKeys, ["@path"])
    }

    func testRandomKeyLists() {
        var rng = SystemRandomNumberGenerator()
        let vocabulary = ["a", "b", "total", "@path", "@value", "@when", "@drop_empty", "@@at", "@@", "@", "",
                          "@\u{301}x", "\u{301}", "é", "@é", "@each", "x@y", "@ when", "@@@"]
        for _ in 0..<5_000 {
            let n = Int.random(in: 0...8, using: &rng)
            check((0..<n).map { _ in vocabulary.randomElement(using: &rng)! })
        }
    }
}
