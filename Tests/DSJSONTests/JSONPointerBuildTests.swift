import DSJSON
import XCTest

/// `JSONPointer.escape` / `appending` scan bytes and build in place; they must give what
/// the plain definition gives (`pointer + "/" + token` with `~` -> `~0`, `/` -> `~1`).
final class JSONPointerBuildTests: XCTestCase {
    private func reference(_ token: String) -> String {
        var out = ""
        for c in token { out += c == "~" ? "~0" : c == "/" ? "~1" : String(c) }
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
                // Round trip for ASCII keys; a `/` joined by a combining mark is not escaped
                // (escape compares Characters) but split on by `tokens` (a known limit).
                if token.utf8.allSatisfy({ $0 < 0x80 }) { XCTAssertEqual(JSONPointer.tokens(built)?.last, token) }
            }
        }
    }
}
