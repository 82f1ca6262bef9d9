import DSCore
import DSJSON
import DSMapping
import Foundation
import XCTest

/// The linter compiles mappings from the parsed `JSONNode` (no conversion to `JSONValue`);
/// plans and the runtime compile the value. Both must give the same mapping: the same
/// errors, references, lookup uses and results, on every mapping of the repository's specs
/// and on random trees full of directives, odd keys and repeated keys.
final class MappingInputTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONNode? {
        let source = SourceFile(path: "t.json", text: text)
        let node = JSONParser().parse(source, diagnostics: DiagnosticCollector(source: source))
        XCTAssertNotNil(node, "parse failed: \(text)", file: file, line: line)
        return node
    }

    static let events: [JSONValue] = [
        ["type": "track", "event": "Order", "user_id": "u1", "timestamp": "2024-01-02T03:04:05Z",
         "properties": ["total": "19.90", "items": [["sku": "a", "qty": 2], ["sku": "b"]], "flag": true, "empty": [:], "list": []],
         "traits": ["email": " A@B.c ", "n": 3]],
        ["type": "page", "properties": ["items": "not a list", "total": 4.5], "user_id": .null],
        [:],
    ]
    static let data: [String: JSONValue] = ["settings": ["region": "eu", "n": 2], "secrets": ["key": "k"], "payload": ["a": 1],
                                            "batch": [["x": 1]], "timestamp": "2024-01-01T00:00:00Z"]

    /// Everything the two compiles give, side by side.
    func assertSame(_ node: JSONNode, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let value = node.value
        XCTAssertEqual(CompiledMapping.check(node), CompiledMapping.check(value), "check: \(label)", file: file, line: line)
        let fromNode: Result<CompiledMapping, MappingError> = Result { () throws(MappingError) in try CompiledMapping.compile(node) }
        let fromValue: Result<CompiledMapping, MappingError> = Result { () throws(MappingError) in try CompiledMapping.compile(value) }
        switch (fromNode, fromValue) {
        case (.failure(let a), .failure(let b)):
            XCTAssertEqual(a, b, "compile error: \(label)", file: file, line: line)
        case (.success(let a), .success(let b)):
            XCTAssertEqual(a.references, b.references, "references: \(label)", file: file, line: line)
            XCTAssertEqual(a.lookupTables, b.lookupTables, "lookup uses: \(label)", file: file, line: line)
            // Lazily formed pointers: each names the string that reads the variable.
            for r in a.references {
                guard case .string? = JSONPointer.resolve(r.pointer, in: value) else {
                    XCTFail("reference pointer \(r.pointer) does not name a string: \(label)", file: file, line: line)
                    continue
                }
            }
            for event in Self.events {
                let ra: Result<JSONValue, MappingError> = Result { () throws(MappingError) in try a.evaluate(event, data: Self.data) }
                let rb: Result<JSONValue, MappingError> = Result { () throws(MappingError) in try b.evaluate(event, data: Self.data) }
                switch (ra, rb) {
                case (.success(let x), .success(let y)): XCTAssertEqual(x, y, "result: \(label)", file: file, line: line)
                case (.failure(let x), .failure(let y)): XCTAssertEqual(x, y, "evaluation error: \(label)", file: file, line: line)
                default: XCTFail("one evaluation failed, the other did not: \(label)", file: file, line: line)
                }
            }
        default:
            XCTFail("one compile failed, the other did not: \(label)", file: file, line: line)
        }
    }

    /// Every object under a `mapping`, `wrapper` or `envelope` key of every spec in `specs/`.
    func testRepositoryMappings() throws {
        let specs = Self.repositoryRoot.appendingPathComponent("specs")
        guard let walker = FileManager.default.enumerator(atPath: specs.path) else { throw XCTSkip("no specs directory") }
        var count = 0
        for case let path as String in walker where path.hasSuffix(".json") {
            guard let text = try? String(contentsOf: specs.appendingPathComponent(path), encoding: .utf8) else { continue }
            let source = SourceFile(path: path, text: text)
            guard let root = JSONParser().parse(source, diagnostics: DiagnosticCollector(source: source)) else { continue }
            func walk(_ node: JSONNode, _ key: String?) {
                if let key, ["mapping", "wrapper", "envelope", "@map"].contains(key), node.isObject {
                    assertSame(node, "\(path) \(key)")
                    count += 1
                }
                switch node.kind {
                case .object(let members): for m in members { walk(m.value, m.key) }
                case .array(let items): for i in items { walk(i, nil) }
                default: break
                }
            }
            walk(root, nil)
        }
        XCTAssertGreaterThan(count, 50, "mappings found in specs/")
    }

    func testChosenMappings() {
        let cases = [
            #"{"a": {"@path": "user_id"}, "a": {"@path": "event"}}"#,  // repeated key: the first wins
            #"{"@path": "a", "@path": "b", "@transform": "trim"}"#,
            #"{"x": {"@when": {"path": "type", "equals": "track", "equals": "page"}, "y": 1}}"#,
            #"{"@drop_empty": true, "@drop_empty": "no", "k": {"@value": {}}}"#,
            #"{"e": {"@each": "properties.items", "@map": {"s": "{{sku}}", "s": "{{qty}}", "i": {"@path": "@index"}}}}"#,
            #"{"e": {"@each": "properties.items", "@map": {"@path": "sku"}, "@drop_empty": true, "@when": [{"path": "@settings.region", "in": ["eu"]}]}}"#,
            #"{"@when": {"path": "x", "exists": true}, "a": 1}"#,
            #"{"m": {"@lookup": "t", "@path": "event"}, "t": "{{lookup_table \"u\" event}}"}"#,
            #"{"bad": {"@pth": "x", "@transform": ["trim", 3, "lowercas"], "@type": "strng", "@keep_null": 1}}"#,
            #"{"only": {"@when": {"path": "a"}}, "mixed": {"@path": "a", "b": 1}, "tpl": "{{#if}}"}"#,
            #"[{"@path": "@root.x"}, "{{@index}}", [], {}, null, 1.50, true]"#,
        ]
        for text in cases {
            if let node = parse(text) { assertSame(node, text) }
        }
    }

    /// Every error names a node of the mapping, and the message ends with its pointer.
    func assertErrorPointers(_ value: JSONValue, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        for e in CompiledMapping.check(value) {
            XCTAssertNotNil(JSONPointer.resolve(e.pointer, in: value), "error pointer \(e.pointer): \(label)", file: file, line: line)
            XCTAssertTrue(e.message.hasSuffix(" at " + (e.pointer.isEmpty ? "/" : e.pointer)), "\(e.message): \(label)", file: file, line: line)
        }
    }

    /// Pointers with keys that need escaping, from the table against `JSONPointer.appending`.
    func testEscapedPointers() throws {
        let mapping: JSONValue = ["a/b": ["~x": ["@path": "user_id"], "l": [["@path": "event"], "{{type}}"]], "e": ["@pth": "x"], "t~/": ["@transform": ["nope"], "@path": "a"]]
        let compiled = try CompiledMapping.compile(["a/b": mapping["a/b"]!])
        XCTAssertEqual(compiled.references.map(\.pointer), ["/a~1b/~0x/@path", "/a~1b/l/0/@path", "/a~1b/l/1"])
        XCTAssertEqual(CompiledMapping.check(mapping).map(\.pointer), ["/e/@pth", "/e", "/t~0~1/@transform/0"])
        assertErrorPointers(mapping, "escaped")
        // An evaluation error names the directive.
        let coerce = try CompiledMapping.compile(["x~": ["y": ["@path": "user_id", "@type": "integer"]]])
        XCTAssertThrowsError(try coerce.evaluate(["user_id": "abc"], data: [:])) { error in
            XCTAssertEqual((error as? MappingError)?.pointer, "/x~0/y")
        }
    }

    /// Random trees, written as JSON text (with repeated keys), parsed, and compiled both ways.
    func testRandomMappings() {
        var rng = SplitMix64(seed: 0x6d61_7070)
        let keys = ["@path", "@value", "@template", "@each", "@map", "@default", "@transform", "@type", "@when", "@keep_null", "@lookup",
                    "@drop_empty", "@@at", "@pth", "a", "b", "user_id", "path", "equals", "not_equals", "in", "exists", "~/", "é", "e\u{301}", "\u{212A}", "K"]
        let strings = ["user_id", "properties.items", "@settings.region", "@root.event", "@index", "[odd key].x", "a..b", "", "this",
                       "{{user_id}}", "x{{properties.total}}y", "{{#each properties.items}}{{sku}}{{/each}}", "{{", "{{lookup_table \"t\" event}}",
                       "trim", "sha256", "integer", "string", "object", "t", "plain"]
        func scalar() -> String {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return "null"
            case 1: return Bool.random(using: &rng) ? "true" : "false"
            case 2: return ["0", "1.50", "-3", "1e3"].randomElement(using: &rng)!
            default: return "\"" + strings.randomElement(using: &rng)!.replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
        }
        func tree(_ depth: Int) -> String {
            let roll = Int.random(in: 0..<10, using: &rng)
            if depth > 3 || roll < 3 { return scalar() }
            if roll < 5 {
                return "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in tree(depth + 1) }.joined(separator: ",") + "]"
            }
            let n = Int.random(in: 0...4, using: &rng)
            return "{" + (0..<n).map { _ in "\"\(keys.randomElement(using: &rng)!)\":\(tree(depth + 1))" }.joined(separator: ",") + "}"
        }
        for i in 0..<3000 {
            let text = tree(0)
            if let node = parse(text) {
                assertSame(node, "random #\(i): \(text)")
                assertErrorPointers(node.value, "random #\(i): \(text)")
            }
        }
    }
}
