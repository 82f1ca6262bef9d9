import DSCore
import DSJSON
@testable import DSTemplate
import XCTest

/// `SimpleTemplateForm` builds the AST of plain text and plain-path holes directly. Every
/// template it takes must compile to exactly what the general path (lexer, parser,
/// whitespace pass) gives: the same tables, references, helpers, holes, table uses and
/// errors, in every mode, for both option sets; on chosen and many random sources.
final class SimpleTemplateFormTests: XCTestCase {
    private static let optionSets: [TemplateOptions] = [TemplateOptions(), .analysis]

    private func describe(_ r: Result<CompiledTemplate, TemplateSyntaxError>) -> String {
        switch r {
        case .failure(let e): return "error \(e.message) @\(e.offset)+\(e.length)"
        case .success(let t):
            return "\(t.tables)|\(t.references)|\(t.helpersUsed.sorted())|\(t.unescapedHoles)|\(t.lookupTables)|\(t.isSingleExpression)|\(t.hasFlatForm)"
        }
    }

    /// Compares both paths; returns true when the simple form took the source.
    @discardableResult
    private func assertAgree(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        for mode in TemplateMode.allCases {
            for options in Self.optionSets {
                let fast = Result { () throws(TemplateSyntaxError) -> CompiledTemplate in try CompiledTemplate.compile(source, mode: mode, options: options) }
                let reference = Result { () throws(TemplateSyntaxError) -> CompiledTemplate in
                    try CompiledTemplate.compileReference(source, mode: mode, options: options)
                }
                XCTAssertEqual(describe(fast), describe(reference), "\(mode) \(source.debugDescription)", file: file, line: line)
            }
        }
        return SimpleTemplateForm.program(source) != nil
    }

    func testChosenSources() {
        let simple = ["", "https://api.example.com/v1/track", "{{@secrets.token}}", "Bearer {{@secrets.token}}", "{{event}}",
                      "https://{{@settings.host}}/v1/{{@settings.account_id}}/events?x=1", "{{a}}{{b}}", "a}}b", "{{_x.Y_2.z}}",
                      "{{@root.userId}}", "{{@index}}", "{{elsewhere}}", "{{thisone}}", "x {{context.page.url}} y", "é {{a}} ü",
                      "line\nbreak {{a}}", "tab\t{{a}}", "\"{{a}}\"", "{\"k\": {{a}} }"]
        for s in simple { XCTAssertTrue(assertAgree(s), s) }
        let general = ["{{ a }}", "{{else}}", "{{this}}", "{{this.a}}", "{{true}}", "{{null}}", "{{undefined}}", "{{a.true}}",
                       "\\{{a}}", "\\\\{{a}}", "{{{a}}}", "{{a}}}", "{{&a}}", "{{#if a}}x{{/if}}", "{{~a}}", "{{a~}}", "{{a.0}}",
                       "{{0}}", "{{a..b}}", "{{a.}}", "{{@}}", "{{@@a}}", "{{a b}}", "{{a/b}}", "{{../a}}", "{{", "{{a", "a {{b",
                       "{{a}", "{\"k\": {{a}}}", "{{!c}}", "{{> p}}", "{{a-b}}", "{{é}}", "{{[a b]}}", "{{lookup_table \"t\" a}}", "{{upper a}}"]
        for s in general { XCTAssertFalse(assertAgree(s), s) }
    }

    func testRandomSources() {
        var rng = SplitMix64(seed: 0x5EED_F0_12)
        let fragments = ["{{", "}}", "}", "{", "@", ".", "a", "b_1", "Z", "_", "0", "9x", "this", "else", "true", "null",
                         "undefined", "root", "secrets", "index", "\\", " ", "\t", "\n", "~", "é", "/", "\"", "#if ", "/if",
                         "{{{", "}}}", "..", "&", "-", "[", "]", "x", "https://h/", "?q=", ":"]
        let pathParts = ["a", "b_1", "Z", "_", "userId", "context", "page", "url", "root", "secrets", "index", "else", "this",
                         "true", "x9", "0", "é", "a-b", ""]
        let texts = ["", "x", " ", "https://h/", "Bearer ", "/v1/", "\\", "é", "\"", "}", "{", "a}}b", "\n"]
        var tookSimple = 0
        for round in 0..<6_000 {
            var s = ""
            if round % 2 == 0 {
                for _ in 0..<Int(rng.next() % 9) { s += fragments[Int(rng.next() % UInt64(fragments.count))] }
            } else {
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    s += texts[Int(rng.next() % UInt64(texts.count))]
                    s += "{{"
                    if rng.next() % 3 == 0 { s += "@" }
                    let segments = 1 + Int(rng.next() % 3)
                    s += (0..<segments).map { _ in pathParts[Int(rng.next() % UInt64(pathParts.count))] }.joined(separator: ".")
                    s += rng.next() % 10 == 0 ? "}}}" : "}}"
                }
                s += texts[Int(rng.next() % UInt64(texts.count))]
            }
            if assertAgree(s) { tookSimple += 1 }
        }
        // Both kinds of source were drawn: the comparison covered the simple form.
        XCTAssertGreaterThan(tookSimple, 1_500)
        XCTAssertLessThan(tookSimple, 5_500)
    }
}
