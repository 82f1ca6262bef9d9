import DSCore
@testable import DSTemplate
import XCTest

/// `TemplatePath.parse` splits plain dotted paths itself; everything must come out as the
/// template parser reads it (`parseWithParser`), on chosen and random paths.
final class TemplatePathTests: XCTestCase {
    func assertSame(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let fast: Result<TemplatePath, TemplateSyntaxError> = Result { () throws(TemplateSyntaxError) in try TemplatePath.parse(text) }
        let general: Result<TemplatePath, TemplateSyntaxError> = Result { () throws(TemplateSyntaxError) in try TemplatePath.parseWithParser(text) }
        switch (fast, general) {
        case (.success(let a), .success(let b)): XCTAssertEqual(a, b, text, file: file, line: line)
        case (.failure(let a), .failure(let b)): XCTAssertEqual(a.message, b.message, text, file: file, line: line)
        default:
            // The parser rejects the empty path with its own words; parse says "empty path".
            if text.isEmpty { return }
            XCTFail("one reading failed, the other did not: \(text) \(fast) \(general)", file: file, line: line)
        }
    }

    func testChosenPaths() {
        for text in ["a", "a.b", "properties.total", "@settings.region", "@root", "@root.x.y", "@index", "@", "@.", "a.", ".a", "a..b",
                     "this", "this.a", "@this", "true", "false.x", "null", "undefined", "1", "1a", "a.1", "a-b.$c_d", "a b", "[odd key].x",
                     "../a", "a/b", "é", "@settings", "@root.", "x.this", "a.true", "root.x", "_", "-", "$"] {
            assertSame(text)
        }
    }

    /// The fast path used to accept these, which a template (and Handlebars) rejects.
    func testKeywordsAndNumbersInsideAPathAreRejectedAsInTemplates() {
        for text in ["a.true", "x.this", "b.undefined", "@9", "@true", "a.-0", "@-9"] {
            XCTAssertThrowsError(try TemplatePath.parse(text), text)
        }
        XCTAssertEqual(try TemplatePath.parse("-9.9").segments, ["-9.9"], "a number literal, as the parser reads it")
    }

    func testRandomPaths() {
        var rng = SplitMix64(seed: 0x7061_7468)
        let pieces = ["a", "b", "x1", "_", "-", "$", "0", "9", ".", ".", "@", "this", "root", "true", "null", "undefined", "[k]", " ", "/", "é", "..", "Z"]
        for _ in 0..<20000 {
            let text = (0..<Int.random(in: 1...5, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            assertSame(text)
        }
    }
}
