import DSCore
@testable import DSJSON
import XCTest

/// The parser hands out shared literals from ``JSONVocabulary`` for strings specs repeat.
/// A lookup must return exactly `String(decoding:as:)` of the same bytes or nil: checked on
/// every word at every offset, on near misses (one byte changed, one byte longer or shorter,
/// garbage after the end), on random strings, and through the parser against the decoded text.
final class JSONVocabularyTests: XCTestCase {
    private let vocabulary = JSONVocabulary.shared

    /// The lookup for `token` placed at `offset` inside padding, checked against the general path.
    @discardableResult
    private func check(_ token: [UInt8], offset: Int, padding: UInt8 = 0x22, file: StaticString = #filePath, line: UInt = #line) -> String? {
        var buffer = [UInt8](repeating: padding, count: offset)
        buffer += token
        buffer += [UInt8](repeating: padding, count: 40)
        return buffer.withUnsafeBufferPointer { b -> String? in
            let found = vocabulary.lookup(b, start: offset, count: token.count)
            if let found {
                XCTAssertEqual(found, String(decoding: token, as: UTF8.self), file: file, line: line)
                XCTAssertEqual(Array(found.utf8), token, file: file, line: line)
            }
            return found
        }
    }

    func testEveryWordIsFoundAtEveryOffset() {
        XCTAssertGreaterThan(JSONVocabulary.words.count, 100)
        for word in JSONVocabulary.words where word.utf8.count <= JSONVocabulary.maxLength {
            for offset in 0..<9 {
                XCTAssertNotNil(check(Array(word.utf8), offset: offset), word)
                XCTAssertNotNil(check(Array(word.utf8), offset: offset, padding: 0x7A), word)
            }
        }
    }

    func testNearMissesAreNilOrEqual() {
        var rng = DSCore.SplitMix64(seed: 0x70CA)
        for word in JSONVocabulary.words {
            let bytes = Array(word.utf8)
            check(Array(bytes.dropLast()), offset: 3)
            check(Array(bytes.dropFirst()), offset: 3)
            check(bytes + [UInt8(ascii: "s")], offset: 3)
            check(bytes + [0], offset: 3)
            for _ in 0..<4 {
                var changed = bytes
                changed[Int(rng.next() % UInt64(changed.count))] = UInt8(truncatingIfNeeded: rng.next())
                check(changed, offset: Int(rng.next() % 9))
            }
        }
    }

    func testRandomStringsAreNilOrEqual() {
        var rng = DSCore.SplitMix64(seed: 0xB0CA)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz_$-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for _ in 0..<100_000 {
            let length = Int(rng.next() % 40)
            var token: [UInt8] = []
            for _ in 0..<length { token.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            let found = check(token, offset: Int(rng.next() % 9))
            if token.isEmpty || token.count > JSONVocabulary.maxLength { XCTAssertNil(found) }
        }
    }

    func testNoReadPastTheEnd() {
        // The last 32 bytes of a buffer are never looked up (the caller builds the String).
        let word = Array("type".utf8)
        for tail in 0..<40 {
            let buffer = word + [UInt8](repeating: 0x22, count: tail)
            let found = buffer.withUnsafeBufferPointer { vocabulary.lookup($0, start: 0, count: word.count) }
            XCTAssertEqual(found != nil, word.count + tail >= JSONVocabulary.maxLength, "tail \(tail)")
        }
    }

    func testParserStringsEqualTheirTextWithAndWithoutTheTable() throws {
        // Keys and values from the table, near misses and random strings, with the file's end
        // at every distance (the table is skipped within 32 bytes of the end).
        var rng = DSCore.SplitMix64(seed: 0x5EED)
        let words = JSONVocabulary.words
        for round in 0..<300 {
            var expected: [(String, String)] = []
            var text = "{"
            for i in 0..<Int(rng.next() % 12) {
                var key = words[Int(rng.next() % UInt64(words.count))]
                if rng.next() % 4 == 0 { key += "\(i)" }
                if expected.contains(where: { $0.0 == key }) { continue }
                var value = words[Int(rng.next() % UInt64(words.count))]
                if rng.next() % 3 == 0 { value = String(value.dropLast()) }
                if rng.next() % 5 == 0 { value += "é" }
                if !expected.isEmpty { text += "," }
                text += "\"\(key)\":\"\(value)\""
                expected.append((key, value))
            }
            text += "}" + String(repeating: " ", count: round % 40)
            let collector = DiagnosticCollector()
            let node = try XCTUnwrap(JSONParser().parse(SourceFile(path: "t.json", text: text), diagnostics: collector), text)
            XCTAssertEqual(node.members.map(\.key), expected.map(\.0), text)
            XCTAssertEqual(node.members.map { $0.value.stringValue ?? "?" }, expected.map(\.1), text)
            for (key, value) in expected { XCTAssertEqual(node[key]?.stringValue, value, text) }
            let plain = try JSONParser().parseValue(text)
            XCTAssertEqual(plain, node.value)
        }
    }
}

/// `JSONNode.member(_:)` skips keys whose ASCII first byte differs before comparing Strings:
/// checked against a plain first-match scan (the same UTF-8 length, then `==`, as
/// `JSONObject` matches keys) for present, absent, same-first-byte and duplicate keys, and
/// keys equal only under canonical equivalence ("é" and "e\u{301}", "K" and KELVIN SIGN);
/// and against the plain value's object, which the runtime reads.
final class JSONNodeMemberLookupTests: XCTestCase {
    func testMemberEqualsAFirstMatchScan() throws {
        var rng = DSCore.SplitMix64(seed: 0x4E4D)
        let keys = ["a", "b", "ab", "ba", "type", "typo", "name", "names", "", "é", "e\u{301}", "K", "\u{212A}", "Ka", "\u{212A}a", "e", "$schema", "x-a", "longer key than fifteen bytes", "longer key than fifteen bytez", "\u{0}", "\u{0}a", "\u{7F}", "\u{80}", "\\u0061", "\u{10FFFF}"]
        for _ in 0..<2_000 {
            var text = "{"
            for i in 0..<Int(rng.next() % 8) {
                if i > 0 { text += "," }
                // Keys written by the writer (control characters escaped); "a" sometimes as `\u0061`.
                let key = keys[Int(rng.next() % UInt64(keys.count))]
                var quoted: [UInt8] = []
                JSONWriter.writeString(key, into: &quoted)
                text += (key == "a" && rng.next() % 2 == 0 ? "\"\\u0061\"" : String(decoding: quoted, as: UTF8.self)) + ":\(i)"
            }
            text += "}"
            let node = try XCTUnwrap(JSONParser().parse(SourceFile(path: "t.json", text: text), diagnostics: DiagnosticCollector()), text)
            for key in keys {
                let expected = node.members.first { $0.key.utf8.count == key.utf8.count && $0.key == key }
                XCTAssertEqual(node[key]?.value, node.value.objectValue?[key], "\(text) \(key)")
                XCTAssertEqual(node.member(key)?.keySpan, expected?.keySpan, "\(text) \(key)")
                XCTAssertEqual(node.member(key)?.value.span, expected?.value.span, "\(text) \(key)")
                XCTAssertEqual(node[key]?.span, expected?.value.span, "\(text) \(key)")
            }
        }
    }
}

/// The parser builds objects and arrays on shared scratch stacks (one exact-size array per
/// container): random nested documents must come back member for member, in order, with each
/// node's span covering exactly its own text, and failures deep inside must not disturb anything.
final class JSONParserScratchStackTests: XCTestCase {
    private func randomValue(_ rng: inout DSCore.SplitMix64, depth: Int) -> String {
        let words = ["type", "name", "é", "a\\\"b", "x", "longer than thirty-two bytes, to skip the table", "$schema"]
        switch rng.next() % (depth > 3 ? 3 : 5) {
        case 0: return "\"\(words[Int(rng.next() % UInt64(words.count))])\""
        case 1: return ["1", "-2.5e3", "true", "false", "null"][Int(rng.next() % 5)]
        case 2: return "\(rng.next() % 1000)"
        case 3:
            let n = Int(rng.next() % (depth == 0 ? 40 : 6))
            return "[" + (0..<n).map { _ in randomValue(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            let n = Int(rng.next() % (depth == 0 ? 40 : 6))
            return "{" + (0..<n).map { i in "\"k\(i)\(words[Int(rng.next() % UInt64(words.count))])\":" + randomValue(&rng, depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }

    /// The node written back compactly (keys and strings as their source text).
    private func write(_ node: JSONNode, _ bytes: [UInt8]) -> String {
        switch node.kind {
        case .array(let elements): return "[" + elements.map { write($0, bytes) }.joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { String(decoding: bytes[$0.keySpan.start..<$0.keySpan.end], as: UTF8.self) + ":" + write($0.value, bytes) }.joined(separator: ",") + "}"
        default: return String(decoding: bytes[node.span.start..<node.span.end], as: UTF8.self)
        }
    }

    private func checkSpans(_ node: JSONNode, _ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(String(decoding: bytes[node.span.start..<node.span.end], as: UTF8.self), write(node, bytes), file: file, line: line)
        for e in node.elements ?? [] { checkSpans(e, bytes) }
        for m in node.members { checkSpans(m.value, bytes) }
    }

    func testRandomNestedDocumentsComeBackExactly() throws {
        var rng = DSCore.SplitMix64(seed: 0x57AC)
        for _ in 0..<400 {
            let text = randomValue(&rng, depth: 0)
            let bytes = Array(text.utf8)
            let node = try XCTUnwrap(JSONParser().parse(SourceFile(path: "t.json", bytes: bytes), diagnostics: DiagnosticCollector()), text)
            XCTAssertEqual(write(node, bytes), text)
            checkSpans(node, bytes)
            XCTAssertEqual(try JSONParser().parseValue(bytes), node.value)
            // Cut short or broken at a random place: a failure, never a crash or a leak.
            let cut = Int(rng.next() % UInt64(bytes.count))
            if cut > 0, cut < bytes.count {
                var broken = Array(bytes[..<cut])
                broken.append(UInt8(ascii: "}"))
                _ = JSONParser().parse(SourceFile(path: "t.json", bytes: broken), diagnostics: DiagnosticCollector())
                _ = try? JSONParser().parseValue(broken)
            }
        }
    }
}
