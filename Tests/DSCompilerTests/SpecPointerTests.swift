import DSCore
import DSJSON
@testable import DSSpec
import Foundation
import XCTest

/// Lets the test find every `Located` in a decoded spec, whatever its value type.
private protocol AnyLocatedValue {
    var pointer: String { get }
    var location: SpecPointer { get }
    var span: SourceSpan { get }
}
extension Located: AnyLocatedValue {}

/// `SpecPointer` (a parent plus one token, joined into text when read) against the eager
/// path it replaced (`JSONPointer.appending` at every step), and the decoder's pointers
/// against pointers formed by walking the document with that eager path.
final class SpecPointerTests: XCTestCase {
    /// Deterministic generator (DSCore's SplitMix64), so a failure reproduces.
    private struct Random {
        private var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    private static let alphabet: [String] = ["a", "b", "~", "/", "0", "1", "~0", "~1", "é", "x-", " ", "\\", "\"", "🙂", "e\u{301}", "/\u{301}"]

    private static func randomKey(_ r: inout Random) -> String {
        var s = ""
        for _ in 0..<r.below(6) { s += alphabet[r.below(alphabet.count)] }
        return s
    }

    func testChosenPointersMatchTheEagerPath() {
        let root: SpecPointer = ""
        XCTAssertEqual(root.string, "")
        XCTAssertEqual(root.appending("a/b").appending(0).appending("~x").string, JSONPointer.appending(JSONPointer.appending(JSONPointer.appending("", "a/b"), 0), "~x"))
        XCTAssertEqual(root.appending("a/b").appending(0).appending("~x").string, "/a~1b/0/~0x")
        XCTAssertEqual(SpecPointer("/secrets").appending(3).string, "/secrets/3")
        XCTAssertEqual(root.appending("").string, "/")
        XCTAssertEqual(root.appending("").appending("").string, "//")
        XCTAssertEqual(SpecPointer("/a").appending("/\u{301}").string, "/a/~1\u{301}")
        // Equality is by text, however each pointer was formed.
        XCTAssertEqual(SpecPointer("/a~1b/0"), root.appending("a/b").appending(0))
        XCTAssertNotEqual(SpecPointer("/a/b"), root.appending("a/b"))
        // A Located's pointer reads and writes through its location.
        var l = Located(1, span: SourceSpan(start: 0, end: 1), at: root.appending("k~"))
        XCTAssertEqual(l.pointer, "/k~0")
        l.pointer = "/other"
        XCTAssertEqual(l.location, SpecPointer("/other"))
        XCTAssertEqual(l.anchor.pointer, "/other")
    }

    func testRandomPointerChainsMatchTheEagerPath() {
        var r = Random(state: 0x5EED_0016)
        for _ in 0..<2000 {
            let start = r.below(3) == 0 ? "" : "/" + Self.randomKey(&r)
            var lazy = SpecPointer(start)
            var eager = start
            for _ in 0..<r.below(8) {
                if r.below(3) == 0 {
                    let i = r.below(1000)
                    lazy = lazy.appending(i)
                    eager = JSONPointer.appending(eager, i)
                } else {
                    let k = Self.randomKey(&r)
                    lazy = lazy.appending(k)
                    eager = JSONPointer.appending(eager, k)
                }
                XCTAssertEqual(lazy.string, eager)
                XCTAssertEqual(lazy, SpecPointer(eager))
            }
        }
    }

    /// Pointers of every value and member name in a document, formed eagerly while walking it.
    private static func eagerPointers(_ node: JSONNode, _ pointer: String, into map: inout [Int: String]) {
        map[node.span.start] = pointer
        if node.isObject {
            for m in node.members {
                let p = JSONPointer.appending(pointer, m.key)
                map[m.keySpan.start] = p
                eagerPointers(m.value, p, into: &map)
            }
        } else if let elements = node.elements {
            for (i, e) in elements.enumerated() { eagerPointers(e, JSONPointer.appending(pointer, i), into: &map) }
        }
    }

    /// Decodes a spec and checks every `Located` pointer against the eager walk; returns how many.
    private func checkDecodedPointers(_ text: String, name: String) -> Int {
        let source = SourceFile(path: name, text: text)
        let diagnostics = DiagnosticCollector(source: source)
        guard let node = JSONParser().parse(source, diagnostics: diagnostics),
              let spec = SpecDecoder().decode(node, diagnostics: diagnostics) else { return 0 }
        var map: [Int: String] = [:]
        Self.eagerPointers(node, "", into: &map)
        var checked = 0
        func visit(_ value: Any) {
            if value is JSONNode { return }
            if let l = value as? AnyLocatedValue {
                checked += 1
                XCTAssertEqual(l.pointer, l.location.string)
                if let expected = map[l.span.start] {
                    XCTAssertEqual(l.pointer, expected, "\(name): the value at \(l.span)")
                } else {
                    XCTFail("\(name): no node starts at \(l.span) (pointer \(l.pointer))")
                }
            }
            for child in Mirror(reflecting: value).children { visit(child.value) }
        }
        visit(spec)
        return checked
    }

    func testDecodedPointersOfTheRepositorySpecsMatchTheEagerWalk() throws {
        var checked = 0
        for dir in [RepositoryPaths.examples, RepositoryPaths.invalid, RepositoryPaths.root.appendingPathComponent("specs/features"),
                    RepositoryPaths.root.appendingPathComponent("specs/auth")] {
            for url in RepositoryPaths.specs(in: dir) {
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                checked += checkDecodedPointers(text, name: url.lastPathComponent)
            }
        }
        XCTAssertGreaterThan(checked, 1000, "located values checked")
    }

    /// Random specs whose names (settings, secrets, headers, query, partials, lookups, batch
    /// arrays) hold `~`, `/`, quotes and non-ASCII text, some values of the wrong type.
    func testDecodedPointersOfRandomSpecsMatchTheEagerWalk() throws {
        var r = Random(state: 0xD5_9EC0)
        func key() -> String {
            var k = Self.randomKey(&r)
            if k.isEmpty { k = "k" }
            return JSONWriter.string(.string(k + String(r.below(100))))
        }
        func value() -> String {
            switch r.below(5) {
            case 0: return "3"
            case 1: return "true"
            case 2: return "[\"a\", 2]"
            default: return JSONWriter.string(.string(Self.randomKey(&r)))
            }
        }
        func object(_ n: Int, _ member: () -> String) -> String {
            "{" + (0..<n).map { _ in key() + ": " + member() }.joined(separator: ", ") + "}"
        }
        var checked = 0
        for i in 0..<300 {
            let n = { r.below(4) }
            let settings = object(n()) { "{\"type\": \"string\", \"default\": \(value()), \"enum\": [\"a\", \(value())]}" }
            let secrets = r.below(2) == 0 ? object(n()) { "{\"description\": \(value())}" } : "[" + (0..<n()).map { _ in r.below(4) == 0 ? "7" : key() }.joined(separator: ", ") + "]"
            let lookups = object(n()) { "{\"map\": \(object(2) { value() }), \"default\": \(value())}" }
            let arrays = object(n()) { "{\"types\": [\"track\", \(value())], \"names\": \(value()), \"max_events\": 10, \"mapping\": {\"a\": \"$.x\"}}" }
            let text = """
            {
              "dspec": 1,
              "name": \(value()),
              "settings": \(settings),
              "secrets": \(secrets),
              "events": {"types": ["track", \(value())], "names": [\(value())]},
              "endpoint": {"method": "POST", "url": "https://example.com/x", "query": \(object(n()) { value() }), "timeout_ms": \(r.below(2) == 0 ? "5000" : value())},
              "headers": \(object(n()) { value() }),
              "payload": {"template": "{}", "partials": \(object(n()) { value() })},
              "batching": {"enabled": true, "max_events": 10, "arrays": \(arrays)},
              "response": {"rules": [{"status": [404, "5xx", \(value())], "outcome": "drop", "body_contains": \(value())}, \(value())], "isolate_on": [400, \(value())]},
              "lookups": \(lookups),
              "lint": {"suppress": [{"rule": "DS0001", "pointer": "/x", "reason": \(value())}, \(value())]},
              \(key()): \(value())
            }
            """
            checked += checkDecodedPointers(text, name: "random-\(i)")
        }
        XCTAssertGreaterThan(checked, 3000, "located values checked")
    }
}
