import DSJSON
import DSTemplate
import XCTest

/// Compile errors carry the UTF-8 byte offset and length of the offending text.
final class CompileErrorTests: XCTestCase {
    func testUnknownHelper() {
        let e = compileError("Hello {{upcase name}}")
        XCTAssertEqual(e?.offset, 8)
        XCTAssertEqual(e?.length, 6)
        XCTAssertTrue(e?.message.contains("did you mean 'uppercase'") == true, e?.message ?? "")
        // Offsets are bytes, not characters: "é" is two bytes.
        XCTAssertEqual(compileError("é {{nosuch x}}")?.offset, 5)
        XCTAssertEqual(compileError("{{#bogus x}}{{/bogus}}")?.offset, 3)
    }

    func testWrongArity() {
        let e = compileError("ab {{lowercase a b}}")
        XCTAssertEqual(e?.offset, 5)
        XCTAssertEqual(e?.length, 9)
        XCTAssertTrue(e?.message.contains("takes 1 argument but was given 2") == true, e?.message ?? "")
        XCTAssertEqual(compileError("{{eq a}}")?.offset, 2)
        XCTAssertEqual(compileError("{{lowercase (sha256)}}")?.offset, 13)
        XCTAssertEqual(compileError("{{#if a b}}{{/if}}")?.offset, 3)
        XCTAssertEqual(compileError("{{date t \"rfc\"}}")?.offset, 9)
    }

    func testUnclosedBlock() {
        let e = compileError("ab{{#if a}}x")
        XCTAssertEqual(e?.offset, 2)
        XCTAssertTrue(e?.message.contains("unclosed block") == true, e?.message ?? "")
    }

    func testMismatchedCloseTag() {
        let e = compileError("{{#if a}}x{{/each}}")
        XCTAssertEqual(e?.offset, 13)
        XCTAssertEqual(e?.length, 4)
        XCTAssertTrue(e?.message.contains("does not match") == true, e?.message ?? "")
        XCTAssertEqual(compileError("x{{/if}}")?.offset, 1)
    }

    func testUnclosedMustache() {
        XCTAssertEqual(compileError("abc {{foo")?.offset, 4)
        XCTAssertEqual(compileError("abc {{foo bar")?.offset, 4)
        XCTAssertEqual(compileError("abc {{{foo}}")?.offset, 4)
        XCTAssertEqual(compileError("a {{! never closed")?.offset, 2)
        XCTAssertEqual(compileError("a {{!-- never closed }}")?.offset, 2)
    }

    func testOtherErrors() {
        XCTAssertEqual(compileError("{{lowercase x k=1}}")?.offset, 14)
        XCTAssertEqual(compileError("xx{{> missing}}")?.offset, 2)
        XCTAssertNotNil(compileError("{{#each xs as |x|}}{{/each}}"))
        XCTAssertNotNil(compileError("{{}}"))
        XCTAssertNotNil(compileError("{{else}}"))
        let nested = compileError("{{> a}}", partials: ["a": "ok {{bad x}}"])
        XCTAssertEqual(nested?.offset, 0)
        XCTAssertTrue(nested?.message.contains("in partial 'a'") == true, nested?.message ?? "")
        XCTAssertNotNil(compileError(String(repeating: "{{#if a}}", count: 200) + String(repeating: "{{/if}}", count: 200)))
    }
}
