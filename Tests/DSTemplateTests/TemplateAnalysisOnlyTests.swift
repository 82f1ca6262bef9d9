import DSCore
import DSJSON
@testable import DSTemplate
import Foundation
import XCTest

/// `TemplateOptions.analysis` (``TemplateOptions/optimizesRendering`` off) skips the render-only
/// forms (root-path trie, flat form) that lint and the compiler's rules never need. The
/// template must still say the same things about itself and render the same bytes and errors:
/// each test compiles both ways and compares, on chosen and many random templates and events.
final class TemplateAnalysisOnlyTests: XCTestCase {
    private func assertAgree(_ source: String, _ mode: TemplateMode, partials: [String: String] = [:], events: [JSONValue],
                             data: [String: JSONValue], file: StaticString = #filePath, line: UInt = #line) {
        let full = Result { () throws(TemplateSyntaxError) -> CompiledTemplate in try CompiledTemplate.compile(source, mode: mode, partials: partials) }
        let lean = Result { () throws(TemplateSyntaxError) -> CompiledTemplate in
            try CompiledTemplate.compile(source, mode: mode, partials: partials, options: .analysis)
        }
        switch (full, lean) {
        case (.failure(let f), .failure(let l)):
            XCTAssertEqual("\(l)", "\(f)", source, file: file, line: line)
            return
        case (.success(let f), .success(let l)):
            XCTAssertFalse(l.hasFlatForm, file: file, line: line)
            XCTAssertEqual("\(l.references)", "\(f.references)", source, file: file, line: line)
            XCTAssertEqual(l.helpersUsed, f.helpersUsed, source, file: file, line: line)
            XCTAssertEqual("\(l.unescapedHoles)", "\(f.unescapedHoles)", source, file: file, line: line)
            XCTAssertEqual("\(l.lookupTables)", "\(f.lookupTables)", source, file: file, line: line)
            XCTAssertEqual(l.isSingleExpression, f.isSingleExpression, source, file: file, line: line)
            for event in events {
                let a = Result { () throws(TemplateRenderError) -> String in try f.render(event, data: data) }
                let b = Result { () throws(TemplateRenderError) -> String in try l.render(event, data: data) }
                switch (a, b) {
                case (.success(let x), .success(let y)): XCTAssertEqual(y, x, source, file: file, line: line)
                case (.failure(let x), .failure(let y)): XCTAssertEqual(y.message, x.message, source, file: file, line: line)
                default: XCTFail("full \(a) but analysis-only \(b) for \(source)", file: file, line: line)
                }
                let va = Result { () throws(TemplateRenderError) -> JSONValue? in try f.renderValue(event, data: data) }
                let vb = Result { () throws(TemplateRenderError) -> JSONValue? in try l.renderValue(event, data: data) }
                switch (va, vb) {
                case (.success(let x), .success(let y)): XCTAssertEqual(y, x, source, file: file, line: line)
                case (.failure(let x), .failure(let y)): XCTAssertEqual(y.message, x.message, source, file: file, line: line)
                default: XCTFail("renderValue: full \(va) but analysis-only \(vb) for \(source)", file: file, line: line)
                }
            }
        default:
            XCTFail("full \(full) but analysis-only \(lean) for \(source)", file: file, line: line)
        }
    }

    func testChosenTemplates() throws {
        var props = JSONObject()
        props["total"] = .number(JSONNumber(text: "12.50"))
        props["items"] = .array([.string("a\"b"), .int(2), .null])
        props["name"] = .string("Ann \\ é 😀\n")
        var event = JSONObject()
        event["event"] = .string("Order Completed")
        event["type"] = .string("track")
        event["properties"] = .object(props)
        event["userId"] = .string("u-1")
        let events: [JSONValue] = [.object(event), .object(JSONObject()), .null, .array([.object(event)]), .string("x")]
        var settings = JSONObject()
        settings["region"] = .string("eu")
        settings["api_key"] = .string("k&y=1")
        let data: [String: JSONValue] = ["settings": .object(settings), "secrets": .object(settings), "sent_at": .string("2024-01-01T00:00:00Z")]
        let json = [
            #"{"event": "{{event}}", "total": {{properties.total}}, "user": "{{userId}}", "region": "{{@settings.region}}"}"#,
            #"{"items": [{{#each properties.items}}{{#if @index}}, {{/if}}{{json this}}{{/each}}], "n": {{length properties.items}}}"#,
            #"{{properties}}"#, #"{{json properties}}"#, #"{{{properties.name}}}"#,
            #"{"a": {{#with properties}}"{{name}}"{{/with}}, "b": "{{@root.event}}", "c": {{default properties.missing 0}}}"#,
            #"{"x": "{{lowercase event}}", "y": "{{sha256 userId}}", "z": {{> part}}}"#,
            #"{"k": "{{properties.[name]}}", "m": "{{missing.deep.path}}", "t": "{{type}}"}"#,
        ]
        for t in json { assertAgree(t, .json, partials: ["part": #"{"inner": "{{event}}"}"#], events: events, data: data) }
        for t in ["https://api.example.com/{{@settings.region}}/v1/{{userId}}?e={{event}}", "https://{{{@settings.region}}}.example.com/x", "{{@settings.api_key}}"] {
            assertAgree(t, .url, events: events, data: data)
        }
        for t in ["Bearer {{@secrets.api_key}}", "{{event}} {{userId}}", "{{#if userId}}{{userId}}{{else}}anon{{/if}}"] {
            assertAgree(t, .header, events: events, data: data)
            assertAgree(t, .plain, events: events, data: data)
            assertAgree(t, .text, events: events, data: data)
        }
        for bad in ["{{#if}}", "{{unknown_helper x}}", "{{> missing}}", "{{#each a}}", #"{"a": {{x}"#] {
            assertAgree(bad, .json, events: events, data: data)
        }
    }

    func testRandomTemplatesAndEvents() throws {
        var rng = SplitMix64(seed: 0xA11A_7515)
        let keys = ["a", "b", "type", "event", "properties", "x_1", "K", "0", "length", "a-long-key-name-here"]
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        func randomPath() -> String {
            var p = (0..<(1 + Int(rng.next() % 3))).map { _ in
                let k = pick(keys)
                return k.allSatisfy { $0.isLetter || $0 == "_" } ? k : "[\(k)]"
            }.joined(separator: ".")
            switch rng.next() % 8 {
            case 0: p = "@settings." + p
            case 1: p = "@root." + p
            case 2: p = "this"
            default: break
            }
            return p
        }
        func randomString() -> String {
            (0..<Int(rng.next() % 6)).map { _ in pick(["a", "\"", "\\", "\n", "é", "😀", " ", "<&>", "0"]) }.joined()
        }
        func randomValue(_ depth: Int) -> JSONValue {
            switch rng.next() % (depth > 2 ? 5 : 8) {
            case 0: return .int(Int(rng.next() % 1000))
            case 1: return .bool(rng.next() % 2 == 0)
            case 2: return .null
            case 3, 4: return .string(randomString())
            case 5: return .array((0..<Int(rng.next() % 4)).map { _ in randomValue(depth + 1) })
            default:
                var object = JSONObject()
                for _ in 0..<Int(rng.next() % 6) { object[pick(keys)] = randomValue(depth + 1) }
                return .object(object)
            }
        }
        func fragment(_ depth: Int) -> String {
            switch rng.next() % (depth > 1 ? 4 : 9) {
            case 0: return "{{\(randomPath())}}"
            case 1: return pick(["", " ", "lit-", "/", "?q=", "\"", ", "])
            case 2: return "{{{\(randomPath())}}}"
            case 3: return "{{\(pick(["json", "lowercase", "length", "string", "default"])) \(randomPath())\(rng.next() % 3 == 0 ? " 1" : "")}}"
            case 4: return "{{#if \(randomPath())}}\(fragment(depth + 1)){{else}}\(fragment(depth + 1)){{/if}}"
            case 5: return "{{#each \(randomPath())}}{{@index}}:\(fragment(depth + 1)){{/each}}"
            case 6: return "{{#with \(randomPath())}}\(fragment(depth + 1)){{../\(pick(keys).filter(\.isLetter).isEmpty ? "a" : pick(["a", "b", "type"]))}}{{/with}}"
            case 7: return "{{#unless \(randomPath())}}\(fragment(depth + 1)){{/unless}}"
            default: return "{{~ \(randomPath()) ~}}"
            }
        }
        let modes: [TemplateMode] = [.json, .text, .plain, .url, .header]
        var compiled = 0
        for _ in 0..<700 {
            let mode = pick(modes)
            let source = (0..<Int(rng.next() % 6)).map { _ in fragment(0) }.joined()
            let events = (0..<3).map { _ in randomValue(0) }
            assertAgree(source, mode, events: events, data: ["settings": randomValue(0)])
            if (try? CompiledTemplate.compile(source, mode: mode)) != nil { compiled += 1 }
        }
        XCTAssertGreaterThan(compiled, 300, "most random templates should compile")
    }
}
