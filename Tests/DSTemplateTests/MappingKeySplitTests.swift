import DSCore
import DSJSON
import DSTemplate
@testable import DSMapping
import Foundation
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

    /// `JSONNode.isASCII` against a byte loop: chosen keys (small and large strings, bridged
    /// Foundation strings) and random ones with a non-ASCII byte at every position.
    func testKeyASCIICheckAgainstByteLoop() {
        func reference(_ s: String) -> Bool { s.utf8.allSatisfy { $0 < 0x80 } }
        var keys = ["", "a", "@path", "é", "\u{301}", "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopé",
                    String(repeating: "x", count: 100) + "\u{7F}", String(repeating: "x", count: 100) + "\u{80}",
                    NSString(string: "caf\u{E9}") as String, NSString(string: "plain") as String,
                    String(decoding: [0x61, 0xFF, 0x62], as: UTF8.self)]
        var rng = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "Z", "0", "@", "\u{7F}", "\u{80}", "é", "\u{301}", "😀", " "]
        for _ in 0..<5_000 {
            let n = Int.random(in: 0...40, using: &rng)
            keys.append(String((0..<n).map { _ in Int.random(in: 0..<10, using: &rng) < 8 ? alphabet[Int.random(in: 0..<4, using: &rng)] : alphabet.randomElement(using: &rng)! }))
        }
        for key in keys {
            XCTAssertEqual(JSONNode.isASCII(key), reference(key), "\(key.debugDescription)")
        }
        // distinctKeys' flag is the same check over all keys.
        for _ in 0..<500 {
            let some = (0..<Int.random(in: 0...6, using: &rng)).map { _ in keys.randomElement(using: &rng)! }
            let members = some.map { JSONMember(key: $0, keySpan: SourceSpan(start: 0, end: 0), value: JSONNode(kind: .null, span: SourceSpan(start: 0, end: 0))) }
            XCTAssertEqual(JSONNode.distinctKeys(members).ascii, some.allSatisfy(reference))
        }
    }

    /// `isDirectiveKey` (its first-byte answer for most keys) against `hasPrefix` on chosen and
    /// random keys, combining marks after `@` and at the start included.
    func testDirectiveKeyCheckAgainstHasPrefix() {
        func reference(_ s: String) -> Bool { s.hasPrefix("@") && !s.hasPrefix("@@") }
        var keys = ["", "@", "@@", "@@@", "a", "@a", "@@a", "a@", "\u{301}@", "@\u{301}", "@\u{301}@", "@@\u{301}",
                    "\u{FF20}x", "é", "@é", NSString(string: "@path") as String, NSString(string: "caf\u{E9}") as String]
        var rng = SystemRandomNumberGenerator()
        let alphabet: [String] = ["@", "@", "a", "Z", "_", "\u{301}", "\u{308}", "é", "\u{FF20}", " ", "\u{200D}"]
        for _ in 0..<20_000 {
            keys.append((0..<Int.random(in: 0...5, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined())
        }
        for key in keys {
            XCTAssertEqual(MappingBuilder.isDirectiveKey(key), reference(key), "\(key.debugDescription)")
        }
    }

    /// A directive's source count (its list is formed only for the message): the two messages,
    /// word for word, on a node and on a value.
    func testDirectiveSourceCountMessages() throws {
        let cases: [(String, String?)] = [
            (#"{"a": {"@path": "x", "@value": 1, "@template": "{{y}}"}}"#, "a directive has more than one source (@path, @value, @template); use exactly one at /a"),
            (#"{"a": {"@each": "x", "@map": {"b": 1}, "@value": 2}}"#, "a directive has more than one source (@value, @each); use exactly one at /a"),
            (#"{"a": {"@default": 1}}"#, "a directive needs exactly one source: @path, @value, @template or @each at /a"),
            (#"{"a": {"@path": "x", "@default": 1}}"#, nil),
        ]
        for (text, expected) in cases {
            let source = SourceFile(path: "t.json", text: text)
            let node = try XCTUnwrap(JSONParser().parse(source, diagnostics: DiagnosticCollector(source: source)))
            for options in [TemplateOptions.analysis, TemplateOptions()] {
                let result: Result<CompiledMapping, MappingError> = Result { () throws(MappingError) in try CompiledMapping.compile(node, templateOptions: options) }
                switch result {
                case .success: XCTAssertNil(expected, text)
                case .failure(let error): XCTAssertEqual(error.message, expected, text)
                }
            }
            let value: Result<CompiledMapping, MappingError> = Result { () throws(MappingError) in try CompiledMapping.compile(node.value) }
            if case .failure(let error) = value { XCTAssertEqual(error.message, expected, text) } else { XCTAssertNil(expected, text) }
        }
    }
}
