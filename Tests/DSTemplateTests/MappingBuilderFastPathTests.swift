import DSCore
import DSJSON
@testable import DSMapping
import DSTemplate
import Foundation
import XCTest

/// Lint compiles mappings with two fast paths: a directive's members are read in one pass
/// over its keys, and its templates are compiled for analysis (`TemplateOptions.analysis`).
/// Each is compared here with the general path (every key looked up where it is read,
/// templates with the render-only forms): the same errors, references, lookup uses and
/// results, on every mapping of the repository's specs, on chosen cases and on random trees.
final class MappingBuilderFastPathTests: XCTestCase {
    func parse(_ text: String) -> JSONNode? {
        let source = SourceFile(path: "t.json", text: text)
        return JSONParser().parse(source, diagnostics: DiagnosticCollector(source: source))
    }

    func assertSame(_ node: JSONNode, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(CompiledMapping.check(node), CompiledMapping.checkReference(node), "check: \(label)", file: file, line: line)
        let fast: Result<CompiledMapping, MappingError> = Result { () throws(MappingError) in try CompiledMapping.compile(node, templateOptions: .analysis) }
        let onePass: Result<CompiledMapping, MappingError> = Result { () throws(MappingError) in try CompiledMapping.compile(node) }
        let general: Result<CompiledMapping, MappingError> = Result { () throws(MappingError) in try CompiledMapping.compileReference(node) }
        for (name, candidate) in [("analysis + one pass", fast), ("one pass", onePass)] {
            switch (candidate, general) {
            case (.failure(let a), .failure(let b)):
                XCTAssertEqual(a, b, "\(name) compile error: \(label)", file: file, line: line)
            case (.success(let a), .success(let b)):
                XCTAssertEqual(a.references, b.references, "\(name) references: \(label)", file: file, line: line)
                XCTAssertEqual(a.references.map(\.pointer), b.references.map(\.pointer), "\(name) pointers: \(label)", file: file, line: line)
                XCTAssertEqual(a.lookupTables, b.lookupTables, "\(name) lookup uses: \(label)", file: file, line: line)
                for event in MappingInputTests.events {
                    let ra: Result<JSONValue, MappingError> = Result { () throws(MappingError) in try a.evaluate(event, data: MappingInputTests.data) }
                    let rb: Result<JSONValue, MappingError> = Result { () throws(MappingError) in try b.evaluate(event, data: MappingInputTests.data) }
                    switch (ra, rb) {
                    case (.success(let x), .success(let y)): XCTAssertEqual(x, y, "\(name) result: \(label)", file: file, line: line)
                    case (.failure(let x), .failure(let y)): XCTAssertEqual(x, y, "\(name) evaluation error: \(label)", file: file, line: line)
                    default: XCTFail("\(name): one evaluation failed, the other did not: \(label)", file: file, line: line)
                    }
                }
            default:
                XCTFail("\(name): one compile failed, the other did not: \(label)", file: file, line: line)
            }
        }
    }

    func testRepositoryMappings() throws {
        let specs = MappingInputTests.repositoryRoot.appendingPathComponent("specs")
        guard let walker = FileManager.default.enumerator(atPath: specs.path) else { throw XCTSkip("no specs directory") }
        var count = 0
        for case let path as String in walker where path.hasSuffix(".json") {
            guard let text = try? String(contentsOf: specs.appendingPathComponent(path), encoding: .utf8), let root = parse(text) else { continue }
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

    func testChosenDirectives() {
        let cases = [
            #"{"@path": "a", "@path": "b", "@transform": "trim"}"#,  // repeated key: the first wins
            #"{"@value": 1, "@path": "a"}"#,  // two sources
            #"{"@default": 1}"#,  // no source
            #"{"@map": {"x": 1}}"#, #"{"@each": "properties.items"}"#, #"{"@each": 3, "@map": {"@path": "sku"}}"#,
            #"{"@template": 3}"#, #"{"@template": "{{#if}}"}"#, #"{"@template": "a{{user_id}}b", "@type": "integer"}"#,
            #"{"@path": "user_id", "@pth": 1, "@tranform": "trim", "@keep_null": "yes", "@lookup": "", "@type": "strng"}"#,
            #"{"@path": "user_id", "@when": [{"path": "type", "equals": "track"}, 3], "@drop_empty": 1, "@default": {"a": [1]}}"#,
            #"{"a": {"@path": "x", "@drop_empty": true}, "@drop_empty": false, "@when": {"path": "type", "in": ["track"]}}"#,
            #"{"x": {"@when": {"path": "type", "exists": true}, "@drop_empty": true, "y": {"@each": "properties.items", "@map": {"@path": "sku"}}}}"#,
            #"{"@when": {"path": "x", "exists": true}, "a": 1}"#, #"{"@when": {"path": "x"}}"#, #"{"@drop_empty": true}"#,
            #"{"@path": "a", "b": 1}"#, #"{"@@path": {"@path": "user_id"}}"#,
            #"{"m": {"@lookup": "t", "@path": "event", "@lookup": "u"}, "t": "{{lookup_table \"u\" event}}"}"#,
            #"{"@path": "user_id", "\u212Aeep": 1, "@ke\u0301ep_null": true}"#,
        ]
        for text in cases {
            guard let node = parse(text) else { XCTFail("parse failed: \(text)"); continue }
            assertSame(node, text)
        }
    }

    /// Random trees full of directives, repeated keys and near-miss keys.
    func testRandomMappings() {
        var rng = SplitMix64(seed: 0x6f6e_6570)
        let keys = ["@path", "@value", "@template", "@each", "@map", "@default", "@transform", "@type", "@when", "@keep_null", "@lookup",
                    "@drop_empty", "@path", "@map", "@when", "@@at", "@pth", "@", "a", "b", "user_id", "path", "equals", "in", "exists", "é", "\u{212A}"]
        let strings = ["user_id", "properties.items", "@settings.region", "@root.event", "@index", "[odd key].x", "a..b", "", "this",
                       "{{user_id}}", "x{{properties.total}}y", "{{#each properties.items}}{{sku}}{{/each}}", "{{", "{{lookup_table \"t\" event}}",
                       "trim", "sha256", "integer", "string", "t", "{{#if flag}}a{{else}}b{{/if}}"]
        func scalar() -> String {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return "null"
            case 1: return Bool.random(using: &rng) ? "true" : "false"
            case 2: return ["0", "1.50", "-3"].randomElement(using: &rng)!
            default: return "\"" + strings.randomElement(using: &rng)!.replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
        }
        func tree(_ depth: Int) -> String {
            let roll = Int.random(in: 0..<10, using: &rng)
            if depth > 3 || roll < 3 { return scalar() }
            if roll < 4 { return "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in tree(depth + 1) }.joined(separator: ",") + "]" }
            let n = Int.random(in: 1...5, using: &rng)
            return "{" + (0..<n).map { _ in "\"\(keys.randomElement(using: &rng)!)\":\(tree(depth + 1))" }.joined(separator: ",") + "}"
        }
        var compiled = 0
        for i in 0..<4000 {
            let text = tree(0)
            guard let node = parse(text) else { continue }
            assertSame(node, "random #\(i): \(text)")
            if (try? CompiledMapping.compile(node)) != nil { compiled += 1 }
        }
        XCTAssertGreaterThan(compiled, 400, "random mappings that compile")
    }
}
