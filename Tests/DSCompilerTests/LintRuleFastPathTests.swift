import DSCore
@testable import DSCompiler
import DSJSON
import XCTest

/// `ContractMappingWalk.isOutputObject` decides in one pass over the members; it must agree
/// with the general form on chosen nodes and on random objects of directive, modifier,
/// escaped and odd keys (repeats and canonically equivalent spellings included).
final class ContractWalkFastPathTests: XCTestCase {
    func node(_ text: String) -> JSONNode? {
        let source = SourceFile(path: "t.json", text: text)
        return JSONParser().parse(source, diagnostics: DiagnosticCollector(source: source))
    }

    func testChosenNodes() {
        let cases = [#"{}"#, #"[]"#, #""x""#, #"1"#, #"{"a": 1}"#, #"{"@when": {}}"#, #"{"@when": {}, "a": 1}"#, #"{"@drop_empty": true, "@@a": 1}"#,
                     #"{"@path": "a"}"#, #"{"a": 1, "@path": "a"}"#, #"{"@batch": true}"#, #"{"@": 1}"#, #"{"@@": 1}"#, #"{"@when": 1, "@drop_empty": 2}"#,
                     #"{"\u0040path": 1, "b": 2}"#, #"{"@whe\u006e": 1, "x": 2}"#, #"{"@when\u0301": 1, "x": 2}"#]
        for text in cases {
            guard let n = node(text) else { XCTFail("parse failed: \(text)"); continue }
            XCTAssertEqual(ContractMappingWalk.isOutputObject(n), ContractMappingWalk.isOutputObjectReference(n), text)
        }
    }

    func testRandomObjects() {
        var rng = SplitMix64(seed: 0x6f75_7470)
        let keys = ["@when", "@drop_empty", "@path", "@value", "@map", "@@x", "@@", "@", "a", "b", "", "@when\u{301}", "e\u{301}", "\u{212A}", "@batch", "@payload"]
        var outputs = 0
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...5, using: &rng)
            let text = "{" + (0..<n).map { _ in "\"\(keys.randomElement(using: &rng)!)\": 1" }.joined(separator: ",") + "}"
            guard let v = node(text) else { XCTFail("parse failed: \(text)"); continue }
            let fast = ContractMappingWalk.isOutputObject(v)
            XCTAssertEqual(fast, ContractMappingWalk.isOutputObjectReference(v), text)
            if fast { outputs += 1 }
        }
        XCTAssertGreaterThan(outputs, 1_000)
        XCTAssertLessThan(outputs, 19_000)
    }
}

/// `URLIsAbsolute.hasSpaceInLiteralText` answers a template without a space byte at once;
/// it must agree with searching `literalText` on chosen and random templates.
final class URLIsAbsoluteSpaceTests: XCTestCase {
    func reference(_ t: String) -> Bool { ASCIISearch.firstRange(of: " ", in: Substring(URLIsAbsolute.literalText(t))) != nil }

    func testChosenTemplates() {
        let cases = ["", " ", "https://a.b/c", "https://a.b/ c", "https://a.b/{{x y}}", "https://a.b/{{x y}} ", "{{ a }}b c", "a{{b", "a{{ b",
                     "a{{b}}}} c", "a}} b{{c}}", "a\u{00A0}b", "a\u{3000}b", "é {{x}}", "{{{x y}}}"]
        for t in cases { XCTAssertEqual(URLIsAbsolute.hasSpaceInLiteralText(t), reference(t), t.debugDescription) }
    }

    func testRandomTemplates() {
        var rng = SplitMix64(seed: 0x7572_6c73)
        let pieces = ["{{", "}}", "}", "{", " ", "a", "/", "é", "\u{00A0}", "x y", "https://", "%20", "@settings.h"]
        var spaced = 0
        for _ in 0..<20_000 {
            let t = (0..<Int.random(in: 0...8, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            let fast = URLIsAbsolute.hasSpaceInLiteralText(t)
            XCTAssertEqual(fast, reference(t), t.debugDescription)
            if fast { spaced += 1 }
        }
        XCTAssertGreaterThan(spaced, 1_000)
    }
}

/// `HeaderNamesValid.hasLineBreak` answers a value without a CR or LF byte at once; it must
/// agree with the general search (`contains("\r") || contains("\n")`).
final class HeaderLineBreakTests: XCTestCase {
    func reference(_ v: String) -> Bool { v.contains("\r") || v.contains("\n") }

    func testChosenValues() {
        for v in ["", "a", "\r", "\n", "\r\n", "a\r\nb", "x\u{0085}y", "x\u{2028}y", "\u{000B}", "e\u{301}\r", "\r\u{301}", "Bearer {{@secrets.k}}"] {
            XCTAssertEqual(HeaderNamesValid.hasLineBreak(v), reference(v), v.debugDescription)
        }
    }

    func testRandomValues() {
        var rng = SplitMix64(seed: 0x6864_7273)
        let pieces = ["\r", "\n", "\r\n", "a", " ", "é", "\u{301}", "\u{2028}", "\u{0085}", "{{x}}", "\t", "\u{000C}"]
        var breaks = 0
        for _ in 0..<20_000 {
            let v = (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            let fast = HeaderNamesValid.hasLineBreak(v)
            XCTAssertEqual(fast, reference(v), v.debugDescription)
            if fast { breaks += 1 }
        }
        XCTAssertGreaterThan(breaks, 1_000)
    }
}
