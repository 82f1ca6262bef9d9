import DSCore
@testable import DSJSON
import Foundation
import XCTest

/// The parser skips runs of spaces eight bytes at a time. Checked against positions known by
/// construction: random whitespace runs (spaces, tabs, line feeds, carriage returns, and other
/// bytes that are not whitespace) of every length around the 8-byte blocks, at every place a
/// run can stand, in documents of every length near the end of the buffer; each token's span
/// must start exactly where its run ends, and a non-whitespace byte after a run must fail at
/// exactly its own offset. Whole random pretty-printed documents must agree with Foundation.
final class JSONWhitespaceSkipTests: XCTestCase {
    private func run(_ rng: inout DSCore.SplitMix64) -> [UInt8] {
        let n: Int
        switch rng.next() % 4 {
        case 0: n = 0
        case 1: n = Int(rng.next() % 9)
        case 2: n = Int(rng.next() % 20)
        default: n = Int(rng.next() % 70)
        }
        let kinds: [UInt8] = [0x20, 0x20, 0x20, 0x20, 0x09, 0x0A, 0x0D]
        return (0..<n).map { _ in rng.next() % 3 == 0 ? kinds[Int(rng.next() % UInt64(kinds.count))] : 0x20 }
    }

    func testTokensStartWhereTheirRunEnds() throws {
        var rng = DSCore.SplitMix64(seed: 0x5FACE)
        for _ in 0..<20_000 {
            // ws "[" ws "1" ws "," ws "\"a\"" ws "," ws "{" ws "\"k\"" ws ":" ws "true" ws "}" ws "]" ws
            var bytes: [UInt8] = []
            var starts: [Int] = []
            func token(_ text: String) {
                bytes += run(&rng)
                starts.append(bytes.count)
                bytes += Array(text.utf8)
            }
            for t in ["[", "1", ",", "\"a\"", ",", "{", "\"k\"", ":", "true", "}", "]"] { token(t) }
            bytes += run(&rng)
            let text = String(decoding: bytes, as: UTF8.self)
            let diagnostics = DiagnosticCollector()
            let root = try XCTUnwrap(JSONParser().parse(SourceFile(path: "t.json", bytes: bytes), diagnostics: diagnostics), text)
            XCTAssertTrue(diagnostics.diagnostics.isEmpty, text)
            XCTAssertEqual(root.span, SourceSpan(start: starts[0], end: starts[10] + 1), text)
            let elements = try XCTUnwrap(root.elements, text)
            XCTAssertEqual(elements.count, 3, text)
            XCTAssertEqual(elements[0].span, SourceSpan(start: starts[1], end: starts[1] + 1), text)
            XCTAssertEqual(elements[1].span, SourceSpan(start: starts[3], end: starts[3] + 3), text)
            XCTAssertEqual(elements[2].span, SourceSpan(start: starts[5], end: starts[9] + 1), text)
            let member = try XCTUnwrap(elements[2].members.first, text)
            XCTAssertEqual(member.keySpan, SourceSpan(start: starts[6], end: starts[6] + 3), text)
            XCTAssertEqual(member.value.span, SourceSpan(start: starts[8], end: starts[8] + 4), text)
        }
    }

    /// Where `parseValue` fails (nil when it does not).
    private func errorOffset(_ bytes: [UInt8]) -> Int? {
        do {
            _ = try JSONParser().parseValue(bytes)
            return nil
        } catch {
            return error.offset
        }
    }

    func testAByteAfterARunFailsAtItsOwnOffset() {
        var rng = DSCore.SplitMix64(seed: 0xB17E)
        // Bytes that are not JSON whitespace, some of them close to it.
        let others: [UInt8] = [0x00, 0x08, 0x0B, 0x0C, 0x1F, 0x21, 0x60, 0x78, 0x7F, 0xA0, 0xFF]
        for _ in 0..<20_000 {
            let prefix = Array("[1,".utf8) + run(&rng)
            let bad = others[Int(rng.next() % UInt64(others.count))]
            let bytes = prefix + [bad] + run(&rng) + Array("]".utf8)
            XCTAssertEqual(errorOffset(bytes), prefix.count, "\(bytes)")
            // Whitespace alone, or a value then whitespace to the very end of the buffer.
            let blank = run(&rng)
            XCTAssertEqual(errorOffset(blank), blank.count, "\(blank)")
            let tail = Array("7".utf8) + run(&rng)
            XCTAssertEqual(JSONParser().parse(SourceFile(path: "t.json", bytes: tail), diagnostics: DiagnosticCollector())?.span,
                           SourceSpan(start: 0, end: 1))
        }
    }

    /// Random documents, pretty-printed by Foundation and with random runs, agree with Foundation.
    func testPrettyPrintedDocumentsAgreeWithFoundation() throws {
        var rng = DSCore.SplitMix64(seed: 0xD0C5)
        func value(_ depth: Int) -> Any {
            switch rng.next() % (depth > 4 ? 4 : 6) {
            case 0: return ["type", "é", "a\"b\\c", "\u{1F600}", "line\nbreak", "", String(repeating: "x", count: Int(rng.next() % 40))][Int(rng.next() % 7)]
            case 1: return Int(rng.next() % 100_000) - 50_000
            case 2: return [true, false][Int(rng.next() % 2)]
            case 3: return NSNull()
            case 4: return (0..<Int(rng.next() % 6)).map { _ in value(depth + 1) }
            default:
                var object: [String: Any] = [:]
                for i in 0..<Int(rng.next() % 6) { object["k\(i)\(["", "é", "$schema", " "][Int(rng.next() % 4)])"] = value(depth + 1) }
                return object
            }
        }
        for _ in 0..<500 {
            let v: Any = ["root": value(0)]
            let pretty = try JSONSerialization.data(withJSONObject: v, options: [.prettyPrinted, .sortedKeys])
            // Widen every indentation run by a random number of spaces.
            var bytes: [UInt8] = []
            for b in pretty {
                bytes.append(b)
                if b == 0x0A { bytes += [UInt8](repeating: 0x20, count: Int(rng.next() % 17)) }
            }
            let ours = try JSONParser().parseValue(bytes)
            let node = try XCTUnwrap(JSONParser().parse(SourceFile(path: "t.json", bytes: bytes), diagnostics: DiagnosticCollector()))
            XCTAssertEqual(node.value, ours)
            let theirs = try JSONSerialization.jsonObject(with: Data(bytes))
            let back = try JSONSerialization.jsonObject(with: Data(JSONWriter.bytes(ours)))
            XCTAssertEqual(back as? NSDictionary, theirs as? NSDictionary, String(decoding: bytes, as: UTF8.self))
        }
    }
}
