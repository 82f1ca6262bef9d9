import DSCore
@testable import DSJSON
import XCTest

/// `JSONNode.value` (positions dropped) against the conversion as first written (read each
/// key, then write it): the same members in the same order, first occurrence winning for a
/// duplicate key, past the 16-member hash-index threshold too. Chosen and random documents.
final class JSONNodeValueTests: XCTestCase {
    /// The reference conversion.
    private func reference(_ node: JSONNode) -> JSONValue {
        switch node.kind {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(reference))
        case .object(let members):
            var object = JSONObject()
            for m in members where object[m.key] == nil { object[m.key] = reference(m.value) }
            return .object(object)
        }
    }

    /// Equal including member order (JSONValue's `==` ignores it), and lookups agree.
    private func assertIdentical(_ a: JSONValue, _ b: JSONValue, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            XCTAssertEqual(x.keys, y.keys, text, file: file, line: line)
            XCTAssertEqual(x.hasHashIndex, y.hasHashIndex, text, file: file, line: line)
            for (i, k) in x.keys.enumerated() {
                XCTAssertEqual(x.position(of: k), y.position(of: k), text, file: file, line: line)
                assertIdentical(x.value(at: i), y.value(at: i), text, file: file, line: line)
            }
        case (.array(let x), .array(let y)):
            XCTAssertEqual(x.count, y.count, text, file: file, line: line)
            for (p, q) in zip(x, y) { assertIdentical(p, q, text, file: file, line: line) }
        default:
            XCTAssertEqual(a, b, text, file: file, line: line)
        }
    }

    private func check(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let source = SourceFile(path: "t.json", text: text)
        guard let node = JSONParser().parse(source, diagnostics: DiagnosticCollector(source: source)) else {
            return XCTFail("not JSON: \(text)", file: file, line: line)
        }
        assertIdentical(node.value, reference(node), text, file: file, line: line)
    }

    func testChosenDocuments() {
        check(#"{}"#)
        check(#"{"a": 1, "b": [1, {"c": null}], "a": 2}"#)
        check(#"{"é": 1, "e\u0301": 2, "K": 3, "\u212A": 4}"#)
        let many = (0..<40).map { #""k\#($0 % 25)": \#($0)"# }.joined(separator: ", ")
        check("{\(many)}")
        let seventeen = (0..<17).map { #""k\#($0)": \#($0)"# }.joined(separator: ", ")
        check("{\(seventeen), \"k3\": true}")
    }

    func testRandomDocuments() {
        var rng = DSCore.SplitMix64(seed: 0x0B1E_C7ED)
        let keys = ["a", "b", "a", "key", "k1", "k2", "é", "e\\u0301", "\\u212A", "K", "long-key-name-past-fifteen-bytes"]
        func value(_ depth: Int) -> String {
            switch rng.next() % (depth > 3 ? 4 : 6) {
            case 0: return "null"
            case 1: return String(rng.next() % 1000)
            case 2: return "\"s\(rng.next() % 10)\""
            case 3: return rng.next() % 2 == 0 ? "true" : "false"
            case 4: return "[" + (0..<Int(rng.next() % 4)).map { _ in value(depth + 1) }.joined(separator: ",") + "]"
            default:
                let count = rng.next() % 5 == 0 ? 10 + Int(rng.next() % 40) : Int(rng.next() % 8)
                let members = (0..<count).map { i -> String in
                    let key = rng.next() % 3 == 0 ? "m\(i)" : keys[Int(rng.next() % UInt64(keys.count))]
                    return "\"\(key)\": \(value(depth + 1))"
                }
                return "{" + members.joined(separator: ", ") + "}"
            }
        }
        for _ in 0..<3000 { check(value(0)) }
    }
}
