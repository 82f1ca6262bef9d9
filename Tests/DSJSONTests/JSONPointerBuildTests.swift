import DSJSON
import XCTest

/// `JSONPointer.escape` / `appending` scan bytes and build in place; they must give what
/// the plain definition gives (`pointer + "/" + token` with `~` -> `~0`, `/` -> `~1`).
final class JSONPointerBuildTests: XCTestCase {
    /// RFC 6901 on code points: every `~` and `/` scalar is escaped, also when a combining
    /// mark follows it (a Character comparison would miss those).
    private func reference(_ token: String) -> String {
        var out = ""
        for u in token.unicodeScalars { out += u == "~" ? "~0" : u == "/" ? "~1" : String(u) }
        return out
    }

    func testAppendingMatchesDefinition() {
        let tokens = ["", "a", "~", "/", "a/b~c", "~1", "é/ü", "e\u{301}~", "0123456789abcde", "0123456789abcdef/",
                      String(repeating: "k", count: 40), String(repeating: "~/", count: 20), "🎉", "x\u{0}/y", "~\u{301}", "a/\u{301}b", "/\u{20DD}~"]
        let prefixes = ["", "/payload", "/batching/arrays/0/mapping/a~1b", String(repeating: "/p", count: 30)]
        for token in tokens {
            XCTAssertEqual(JSONPointer.escape(token), reference(token), token.debugDescription)
            for prefix in prefixes {
                let built = JSONPointer.appending(prefix, token)
                XCTAssertEqual(built, prefix + "/" + reference(token))
                XCTAssertEqual(Array(built.utf8), Array((prefix + "/" + reference(token)).utf8))
                // Every key round-trips, bytes included (a `/` or `~` joined by a combining mark too).
                XCTAssertEqual(JSONPointer.tokens(built).map { $0.last.map { Array($0.utf8) } }, Array(token.utf8), token.debugDescription)
            }
        }
    }

    /// A key whose `/` or `~` a combining mark follows: the pointer that names it resolves to
    /// it (before the fix `escape` left the `/` as is and `tokens` split on it).
    func testKeysWithCombiningMarksAfterSeparatorsRoundTrip() throws {
        let keys = ["a/\u{301}b", "~\u{301}", "/\u{20DD}~", "x~\u{0301}1"]
        let value = JSONValue.object(JSONObject(keys.enumerated().map { ($0.element, JSONValue.number(JSONNumber($0.offset))) }))
        for (i, k) in keys.enumerated() {
            let pointer = JSONPointer.appending("", k)
            XCTAssertEqual(JSONPointer.tokens(pointer)?.map { Array($0.utf8) }, [Array(k.utf8)], pointer.debugDescription)
            XCTAssertEqual(JSONPointer.resolve(pointer, in: value), .number(JSONNumber(i)), pointer.debugDescription)
            XCTAssertEqual(Array(JSONPointer.escape(k).utf8), Array(String(pointer.dropFirst()).utf8))
        }
        XCTAssertNil(JSONPointer.tokens("/~\u{301}0"), "a `~` must be followed by 0 or 1")
    }
}
