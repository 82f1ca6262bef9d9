import DSCore
@testable import DSJSON
import XCTest

/// `JSONPointer.tokens` splits a pointer without escapes in one pass over its bytes, and
/// `JSONNode.resolve` finds members by first byte: both against the plain definitions (the
/// generic split the fast path replaced; a first-match `==` walk), bytes included, on chosen
/// and random pointers and documents.
final class JSONPointerTokensTests: XCTestCase {
    /// The previous fast path: a generic split of the bytes after the leading "/".
    private func referenceTokens(_ pointer: String) -> [[UInt8]]? {
        if pointer.isEmpty { return [] }
        guard pointer.utf8.first == 0x2F, !pointer.utf8.contains(0x7E) else { return nil }
        return pointer.utf8.dropFirst().split(separator: 0x2F, omittingEmptySubsequences: false).map { Array(String(decoding: $0, as: UTF8.self).utf8) }
    }

    private func randomPointer(_ rng: inout DSCore.SplitMix64) -> String {
        // "~0" and "~1" escapes take the unchanged general path.
        let pieces = ["/", "/", "/", "a", "payload", "é", "e\u{301}", "\u{301}", "0", "12", "🎉", " ", "\u{0}", "x-y", "$ref", "//", String(repeating: "k", count: 20)]
        var s = rng.next() % 8 == 0 ? "" : "/"
        for _ in 0..<Int(rng.next() % 10) { s += pieces[Int(rng.next() % UInt64(pieces.count))] }
        return s
    }

    func testPlainTokensMatchTheGenericSplit() {
        var rng = DSCore.SplitMix64(seed: 0x7031)
        var pointers = ["", "/", "//", "///", "/a", "/a/", "/a//b", "a/b", "/é/ü", "/a\u{301}/\u{301}", "/~0", "/a~1b", "/~", String(repeating: "/x", count: 50)]
        for _ in 0..<20_000 { pointers.append(randomPointer(&rng)) }
        for p in pointers {
            let ours = JSONPointer.tokens(p)
            if let expected = referenceTokens(p) {
                XCTAssertEqual(ours.map { $0.map { Array($0.utf8) } }, expected, p.debugDescription)
            } else if p.utf8.first != 0x2F {
                XCTAssertNil(ours, p.debugDescription)
            }
        }
    }

    /// A first-match walk matching keys as `JSONObject` does (the same UTF-8 length, then `==`).
    private func referenceResolve(_ node: JSONNode, _ tokens: [String]) -> JSONNode? {
        var current = node
        for token in tokens {
            switch current.kind {
            case .object(let members):
                guard let m = members.first(where: { $0.key.utf8.count == token.utf8.count && $0.key == token }) else { return nil }
                current = m.value
            case .array(let a):
                guard let i = Int(token), i >= 0, i < a.count else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        return current
    }

    func testResolveMatchesAFirstMatchWalk() throws {
        var rng = DSCore.SplitMix64(seed: 0x2E50)
        let keys = ["a", "b", "é", "e\u{301}", "K", "\u{212A}", "", "0", "1", "a/b", "a~b", "\u{0}"]
        func value(_ depth: Int) -> String {
            switch rng.next() % (depth > 3 ? 2 : 4) {
            case 0: return "\(rng.next() % 10)"
            case 1: return "\"s\""
            case 2: return "[" + (0..<Int(rng.next() % 4)).map { _ in value(depth + 1) }.joined(separator: ",") + "]"
            default:
                return "{" + (0..<Int(rng.next() % 5)).map { _ in
                    var quoted: [UInt8] = []
                    JSONWriter.writeString(keys[Int(rng.next() % UInt64(keys.count))], into: &quoted)
                    return String(decoding: quoted, as: UTF8.self) + ":" + value(depth + 1)
                }.joined(separator: ",") + "}"
            }
        }
        for _ in 0..<1_000 {
            let text = value(0)
            let root = try XCTUnwrap(JSONParser().parse(SourceFile(path: "t.json", text: text), diagnostics: DiagnosticCollector()), text)
            for _ in 0..<20 {
                let tokens = (0..<Int(rng.next() % 4)).map { _ in keys[Int(rng.next() % UInt64(keys.count))] }
                let pointer = tokens.reduce("") { JSONPointer.appending($0, $1) }
                XCTAssertEqual(root.resolve(pointer)?.span, referenceResolve(root, tokens)?.span, "\(text) \(pointer)")
            }
        }
    }
}
