import DSCore
@testable import DSJSON
import XCTest

/// `JavaScriptJSON.normalize` takes a one-pass fast path for plain ASCII texts; it must give
/// exactly what the general path (value tree) gives, and give up wherever that one throws.
final class JavaScriptJSONFastPathTests: XCTestCase {
    private func fast(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { JavaScriptJSON.FastPath.normalize($0, maxDepth: 512) }.map { String(decoding: $0, as: UTF8.self) }
    }

    private func tree(_ text: String) -> String? {
        (try? JavaScriptJSON.normalizeTree(Array(text.utf8))).map { String(decoding: $0, as: UTF8.self) }
    }

    private func assertAgree(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let f = fast(text) else { return }
        XCTAssertEqual(f, tree(text), "fast path differs on \(text)", file: file, line: line)
    }

    func testTheSeedWebhookBodyTakesTheFastPath() {
        let body = #"{ "event_type": "Order Completed", "user": "user-1042", "data": { "page": "https://shop.example.com/checkout/complete", "revenue": 131.95 } }"#
        XCTAssertEqual(fast(body), #"{"event_type":"Order Completed","user":"user-1042","data":{"page":"https://shop.example.com/checkout/complete","revenue":131.95}}"#)
        assertAgree(body)
    }

    func testHandwrittenCases() {
        let cases = [
            "0", "-0", "-0.0", "1.50", "0.000001", "0.0000001", "-0.5", "100", "1e2", "123456789012345", "1234567890123456",
            "0.1234567890123456", "9007199254740993", "1E21", "[]", "{}", " [ 1 , { } , [ ] , true , null ] ", #"{"a":1,"b":2,"a":3}"#,
            #"{"b":1,"10":2}"#, #"{"01":1}"#, #"{"":1,"x":""}"#, #""a\/b\"\\\b\f\n\r\t""#, #""\u0041""#, #"{"a\/b":1}"#,
            "[1,]", "{\"a\":1,}", "{,}", "[,1]", "[1 2]", "{\"a\" 1}", "tru", "nul", "[1] x", "01", "1.", ".5", "+1", "-", "\"abc",
            "\"\u{01}\"", "\"é\"", "[\"\u{7f}\"]", "[[[[]]]]", "{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1,\"a\":2}]}",
        ]
        for c in cases {
            assertAgree(c)
            if tree(c) == nil { XCTAssertNil(fast(c), "the fast path accepted what JSON.parse rejects: \(c)") }
        }
        XCTAssertNotNil(fast(#"{"a":{"a":{"a":1}},"b":[1,2.5,"x"]}"#))
        XCTAssertNil(fast(#"{"a":1,"a":2}"#), "repeated keys go to the general path")
        XCTAssertNil(fast(#"{"2":1}"#), "array-index keys go to the general path")
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        XCTAssertNil(fast(deep))
        XCTAssertNil(tree(deep))
    }

    private typealias SplitMix = DSCore.SplitMix64

    private func randomNumber(_ rng: inout SplitMix) -> String {
        let digits = { (count: Int, rng: inout SplitMix) in (0..<count).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined() }
        var s = Bool.random(using: &rng) ? "-" : ""
        s += Int.random(in: 0...3, using: &rng) == 0 ? "0" : String(Int.random(in: 1...9, using: &rng)) + digits(Int.random(in: 0...18, using: &rng), &rng)
        if Bool.random(using: &rng) { s += "." + String(repeating: "0", count: Int.random(in: 0...8, using: &rng)) + digits(Int.random(in: 1...10, using: &rng), &rng) }
        if Int.random(in: 0...5, using: &rng) == 0 { s += ["e", "E"].randomElement(using: &rng)! + ["", "+", "-"].randomElement(using: &rng)! + String(Int.random(in: 0...400, using: &rng)) }
        return s
    }

    private func randomValue(_ rng: inout SplitMix, depth: Int) -> String {
        let ws = { (rng: inout SplitMix) in [" ", "", "", "\n", "\t "].randomElement(using: &rng)! }
        switch Int.random(in: 0...(depth > 3 ? 3 : 6), using: &rng) {
        case 0: return randomNumber(&rng)
        case 1: return ["true", "false", "null"].randomElement(using: &rng)!
        case 2, 3:
            let parts = ["a", "b", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud800", " ", "x y", "\u{7f}", "é"]
            return "\"" + (0..<Int.random(in: 0...4, using: &rng)).map { _ in parts.randomElement(using: &rng)! }.joined() + "\""
        case 4:
            return "[" + ws(&rng) + (0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) }.joined(separator: ws(&rng) + "," + ws(&rng)) + ws(&rng) + "]"
        default:
            let keys = ["a", "b", "c", "type", "", "1", "01", "10", "a\\/b", "__proto__"]
            return "{" + ws(&rng) + (0..<Int.random(in: 0...5, using: &rng)).map { _ in
                "\"" + keys.randomElement(using: &rng)! + "\"" + ws(&rng) + ":" + ws(&rng) + randomValue(&rng, depth: depth + 1)
            }.joined(separator: ws(&rng) + "," + ws(&rng)) + ws(&rng) + "}"
        }
    }

    func testAgreesWithTheGeneralPathOnRandomTexts() {
        var rng = SplitMix(seed: 0xFA57_0016)
        var taken = 0, rejected = 0, unchanged = 0
        for n in 0..<20_000 {
            var text = randomValue(&rng, depth: 0)
            if n % 3 == 0, !text.isEmpty {
                // Damage a third of them: cut, or insert a stray byte.
                var bytes = Array(text.utf8)
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                if Bool.random(using: &rng) { bytes.removeSubrange(at...) } else { bytes.insert([UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "\""), 0x01].randomElement(using: &rng)!, at: at) }
                text = String(decoding: bytes, as: UTF8.self)
            }
            let f = fast(text), t = tree(text)
            // The scan says "unchanged" exactly when the normal form is the input itself.
            switch Array(text.utf8).withUnsafeBufferPointer({ JavaScriptJSON.FastPath.scan($0, maxDepth: 512) }) {
            case .unchanged: unchanged += 1; XCTAssertEqual(t, text, "scan calls \(text) normal")
            case .written(let out): XCTAssertNotEqual(String(decoding: out, as: UTF8.self), text, "scan copied \(text) unchanged")
            case .giveUp: break
            }
            if let f {
                taken += 1
                XCTAssertEqual(f, t, "fast path differs on \(text)")
            } else if t == nil {
                rejected += 1
            }
        }
        // Both paths are exercised.
        XCTAssertGreaterThan(taken, 3000)
        XCTAssertGreaterThan(rejected, 1000)
        XCTAssertGreaterThan(unchanged, 500)
    }

    func testNormalFormIsReturnedWithoutACopy() throws {
        let body = Array(#"{"event_type":"Order Completed","data":{"n":[1,-2.5,0,true,null,"a\"b"],"x":{}}}"#.utf8)
        let out = try JavaScriptJSON.normalize(body)
        XCTAssertEqual(out, body)
        // Same storage: the [UInt8] overload hands the input back.
        XCTAssertEqual(out.withUnsafeBufferPointer { $0.baseAddress }, body.withUnsafeBufferPointer { $0.baseAddress })
        // Differences anywhere are still written: whitespace, `\/`, numbers, a repeated key.
        for (text, normal) in [(#"{"a": 1}"#, #"{"a":1}"#), (#"["a\/b"]"#, #"["a/b"]"#), ("[1,2.50]", "[1,2.5]"), ("[-0]", "[0]"),
                               (#"{"a":1,"b":2,"a":3}"#, #"{"a":3,"b":2}"#), (#"{"2":1,"1":2}"#, #"{"1":2,"2":1}"#)] {
            XCTAssertEqual(String(decoding: try JavaScriptJSON.normalize(Array(text.utf8)), as: UTF8.self), normal, text)
        }
        // Numbers that grow (`1e20` is written with 21 digits) past the room reserved for the output.
        let growing = "[" + Array(repeating: "1e20", count: 40).joined(separator: ",") + "]"
        XCTAssertEqual(fast(growing), tree(growing))
        XCTAssertEqual(fast(growing), "[" + Array(repeating: "100000000000000000000", count: 40).joined(separator: ",") + "]")
    }

    /// The word-at-a-time scan for plain string bytes stops exactly where the byte loop does,
    /// from every start, on buffers with every kind of byte at every position of a word.
    func testPlainRunEndMatchesTheByteLoop() {
        func byteLoop(_ b: [UInt8], _ start: Int) -> Int {
            var j = start
            while j < b.count, !(b[j] < 0x20 || b[j] >= 0x80 || b[j] == 0x22 || b[j] == 0x5C) { j += 1 }
            return j
        }
        var rng = SplitMix(seed: 0x5EED_2028)
        let specials: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0xC3, 0xFF]
        for _ in 0..<3000 {
            let count = Int.random(in: 0...40, using: &rng)
            var b = (0..<count).map { _ in UInt8.random(in: 0x20...0x7E, using: &rng) }
            for _ in 0..<Int.random(in: 0...4, using: &rng) where count > 0 {
                b[Int.random(in: 0..<count, using: &rng)] = Bool.random(using: &rng) ? specials.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            b.withUnsafeBufferPointer { p in
                for start in 0...count {
                    XCTAssertEqual(JavaScriptJSON.FastPath.plainRunEnd(p.baseAddress ?? UnsafePointer(bitPattern: 1)!, from: start, count: count),
                                   byteLoop(b, start), "\(b) from \(start)")
                }
            }
        }
    }
}
