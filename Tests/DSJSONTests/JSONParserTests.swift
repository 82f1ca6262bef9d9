import DSCore
import DSJSON
import Foundation
import XCTest

final class JSONParserTests: XCTestCase {
    func parse(_ text: String) -> (JSONNode?, [Diagnostic], SourceFile) {
        let source = SourceFile(path: "t.json", text: text)
        let d = DiagnosticCollector(source: source)
        return (JSONParser().parse(source, diagnostics: d), d.diagnostics, source)
    }

    func testPositionsOfValuesAndKeys() throws {
        let (node, diags, source) = parse("{\n  \"a\": [1, \"x\"],\n  \"b\": {\"c\": true}\n}")
        XCTAssertTrue(diags.isEmpty)
        let root = try XCTUnwrap(node)
        let a = try XCTUnwrap(root.member("a"))
        XCTAssertEqual(source.location(ofOffset: a.keySpan.start).description, "2:3")
        XCTAssertEqual(source.location(ofOffset: a.value.span.start).description, "2:8")
        let c = try XCTUnwrap(root.resolve("/b/c"))
        XCTAssertEqual(source.location(ofOffset: c.span.start).description, "3:14")
        XCTAssertEqual(source.location(ofOffset: try XCTUnwrap(root.resolve("/a/1")).span.start).description, "2:12")
    }

    func testColumnsCountScalarsNotBytes() {
        let (_, diags, _) = parse("{\"é€😀\": x}")
        XCTAssertEqual(diags.first?.location?.column, 9)
    }

    func testNumbersAreKeptExactly() throws {
        let v = try JSONParser().parseValue("[1.10, 12345678901234567890, -0, 1e400, 0.5E-3]")
        XCTAssertEqual(v.arrayValue?.compactMap(\.numberValue).map(\.text), ["1.10", "12345678901234567890", "-0", "1e400", "0.5E-3"])
        XCTAssertEqual(JSONWriter.string(v), "[1.10,12345678901234567890,-0,1e400,0.5E-3]")
    }

    func testDuplicateKeyIsReportedWithFirstLine() {
        let (node, diags, _) = parse("{\"a\": 1,\n \"a\": 2}")
        XCTAssertNotNil(node, "duplicates do not stop the parse")
        XCTAssertEqual(diags.map(\.code), ["DS0002"])
        XCTAssertEqual(diags.first?.location?.description, "2:2")
        XCTAssertTrue(diags.first?.message.contains("line 1") ?? false)
    }

    func testSyntaxErrorsHavePositionsAndHelpfulMessages() {
        let cases: [(String, String, String, String)] = [
            ("{\"a\": 1,}", "DS0001", "1:9", "trailing commas"),
            ("{'a': 1}", "DS0001", "1:2", "double quotes"),
            ("[1 2]", "DS0001", "1:4", "expected ','"),
            ("{\"a\": tru}", "DS0001", "1:7", "invalid literal"),
            ("[01]", "DS0001", "1:2", "leading zeros"),
            ("[1.]", "DS0001", "1:2", "after '.'"),
            ("\"abc", "DS0001", "1:1", "unterminated"),
            ("\"a\\x\"", "DS0001", "1:3", "invalid escape"),
            ("\"\\ud800\"", "DS0001", "1:2", "surrogate"),
            ("[1] [2]", "DS0005", "1:5", "after the top-level value"),
            ("", "DS0001", "1:1", "empty"),
            ("   \n  ", "DS0001", "2:3", "empty"),
            ("{\"a\"\n 1}", "DS0001", "2:2", "expected ':'"),
        ]
        for (text, code, location, fragment) in cases {
            let (node, diags, _) = parse(text)
            XCTAssertNil(node, text)
            XCTAssertEqual(diags.first?.code, code, text)
            XCTAssertEqual(diags.first?.location?.description, location, text)
            XCTAssertTrue(diags.first?.message.contains(fragment) ?? false, "\(text): \(diags.first?.message ?? "")")
        }
    }

    func testInvalidUTF8IsReportedAtTheByte() {
        var bytes = Array("{\"a\": \"caf".utf8)
        bytes.append(0xE9)
        bytes += Array("\"}".utf8)
        let source = SourceFile(path: "t.json", bytes: bytes)
        let d = DiagnosticCollector(source: source)
        XCTAssertNil(JSONParser().parse(source, diagnostics: d))
        XCTAssertEqual(d.diagnostics.first?.code, "DS0003")
        XCTAssertEqual(d.diagnostics.first?.location?.offset, 10)
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let s = SourceFile(path: "t", bytes: [0x22] + bad + [0x22])
            let c = DiagnosticCollector(source: s)
            XCTAssertNil(JSONParser().parse(s, diagnostics: c), "\(bad)")
            XCTAssertEqual(c.diagnostics.first?.code, "DS0003", "\(bad)")
        }
    }

    func testDepthLimit() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let (node, diags, _) = parse(deep)
        XCTAssertNil(node)
        XCTAssertEqual(diags.first?.code, "DS0004")
        XCTAssertEqual(diags.first?.location?.column, 129)
        XCTAssertNotNil(parse(String(repeating: "[", count: 128) + String(repeating: "]", count: 128)).0)
    }

    func testEscapesDecode() throws {
        let v = try JSONParser().parseValue(#"["\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\u2028"]"#)
        XCTAssertEqual(v.arrayValue?.first?.stringValue, "\"\\/\u{8}\u{c}\n\r\té😀\u{2028}")
    }

    /// Mutated inputs never crash or hang, and valid ones agree with Foundation's parser.
    func testMutationFuzzNeverCrashesAndAgreesWithFoundation() throws {
        let seed = Array(#"{"a": [1, 2.5e3, "x\"y\u00e9", true, null, {"b": -0.1}], "c": "d"}"#.utf8)
        var rng = SplitMix64(state: 0xD5EC)
        var validCount = 0
        for _ in 0..<20_000 {
            var bytes = seed
            for _ in 0..<Int(rng.next() % 4 + 1) {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: i)
                default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            let ours = try? JSONParser().parseValue(bytes)
            let theirs = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            if ours != nil { validCount += 1 }
            if ours != nil, theirs == nil {
                XCTFail("accepted what Foundation rejects: \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        XCTAssertGreaterThan(validCount, 100, "some mutations stay valid")
    }
}

/// Deterministic generator for fuzz tests (no wall clock).
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
