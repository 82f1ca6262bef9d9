import DSJSON
import DSTemplate
import XCTest

/// Escaping by context: JSON, header, URL and plain modes; typed values; references.
final class TemplateModeTests: XCTestCase {
    static let seed = #"{ "event_type": "{{event}}", "user": "{{user_id}}", "data": { "page": "{{context.page.url}}", "revenue": {{properties.total}} } }"#

    func testSeedTemplateWithTotal() throws {
        let event = json(#"{"event": "Order \"Completed\"", "user_id": "u1", "context": {"page": {"url": "https://x.test/?a=1&b=\\"}}, "properties": {"total": 19.990}}"#)
        let output = try CompiledTemplate.compile(Self.seed, mode: .json).render(event)
        let parsed = try JSONParser().parseValue(output)
        XCTAssertEqual(parsed, json(#"{"event_type": "Order \"Completed\"", "user": "u1", "data": {"page": "https://x.test/?a=1&b=\\", "revenue": 19.990}}"#))
        XCTAssertTrue(output.contains("19.990"), "numbers keep their exact text: \(output)")
    }

    func testSeedTemplateWithoutTotal() throws {
        let event = json(#"{"event": "Page", "context": {"page": {"url": "/"}}}"#)
        let output = try CompiledTemplate.compile(Self.seed, mode: .json).render(event)
        XCTAssertEqual(try JSONParser().parseValue(output),
                       json(#"{"event_type": "Page", "user": "", "data": {"page": "/", "revenue": null}}"#))
    }

    func testValuePositionWritesTypedJSON() throws {
        let t = try CompiledTemplate.compile(#"{"s": {{s}}, "n": {{n}}, "b": {{b}}, "o": {{o}}, "a": {{a}}, "m": {{missing}}, "j": {{json o}}, "js": "{{json o}}"}"#, mode: .json)
        let event = json(#"{"s": "x\"y", "n": -1.5e3, "b": false, "o": {"k": [1, null]}, "a": ["\u2028"]}"#)
        let output = try t.render(event)
        XCTAssertEqual(output, #"{"s": "x\"y", "n": -1.5e3, "b": false, "o": {"k":[1,null]}, "a": ["\u2028"], "m": null, "j": {"k":[1,null]}, "js": "{\"k\":[1,null]}"}"#)
        XCTAssertNoThrow(try JSONParser().parseValue(output))
    }

    func testJSONEachWithCommas() throws {
        let t = try CompiledTemplate.compile(#"[{{#each items}}{{#unless @first}},{{/unless}}{"sku": "{{sku}}", "qty": {{qty}}}{{/each}}]"#, mode: .json)
        let output = try t.render(json(#"{"items": [{"sku": "a\"1", "qty": 2}, {"sku": "b"}]}"#))
        XCTAssertEqual(try JSONParser().parseValue(output), json(#"[{"sku": "a\"1", "qty": 2}, {"sku": "b", "qty": null}]"#))
    }

    func testJSONContextErrors() {
        XCTAssertTrue(compileError(#"{"a": {{#if x}}"{{x}}{{else}}null{{/if}}}"#, mode: .json)?.message.contains("different JSON contexts") == true)
        XCTAssertTrue(compileError(#"[{{#each xs}}"{{this}}{{/each}}]"#, mode: .json)?.message.contains("repeated block") == true)
        XCTAssertTrue(compileError(#"{"a": "\\{{x}}"}"#, mode: .json)?.message.contains("backslash") == true)
        XCTAssertTrue(compileError(#"{"a": {{> p}}}"#, mode: .json, partials: ["p": "\"open"])?.message.contains("close the quotes") == true)
    }

    func testJSONPartialCompiledPerContext() throws {
        let t = try CompiledTemplate.compile(#"{"a": "x{{> v}}", "b": {{> v}}}"#, mode: .json, partials: ["v": "{{val}}"])
        XCTAssertEqual(try t.render(json(#"{"val": "q\""}"#)), #"{"a": "xq\"", "b": "q\""}"#)
    }

    func testHeaderModeRejectsLineBreaksAndNUL() throws {
        let t = try CompiledTemplate.compile("Bearer {{@secrets.token}}", mode: .header)
        XCTAssertEqual(try t.render(.null, data: ["secrets": ["token": "abc"]]), "Bearer abc")
        for bad in ["a\r\nX-Evil: 1", "a\nb", "a\rb", "a\u{0}b"] {
            XCTAssertThrowsError(try t.render(.null, data: ["secrets": ["token": .string(bad)]]), bad.debugDescription) { error in
                XCTAssertTrue(error is TemplateRenderError)
                XCTAssertFalse("\(error)".contains("Evil"), "the message must not echo the value")
            }
        }
        let raw = try CompiledTemplate.compile("{{{x}}}", mode: .header)
        XCTAssertThrowsError(try raw.render(json(#"{"x": "a\nb"}"#)))
        XCTAssertThrowsError(try raw.renderValue(json(#"{"x": "a\nb"}"#), data: [:]))
        XCTAssertEqual(compileError("a\nb{{x}}", mode: .header)?.offset, 1)
        // On failure the reused buffer is left untouched.
        var buffer = Array("keep".utf8)
        XCTAssertThrowsError(try t.render(.null, data: ["secrets": ["token": "a\nb"]], into: &buffer))
        XCTAssertEqual(buffer, Array("keep".utf8))
    }

    func testURLModeEncodesPathSegmentAndQuery() throws {
        let t = try CompiledTemplate.compile("https://{{{@settings.host}}}/v1/users/{{user_id}}/events?name={{event}}&tag={{tag}}", mode: .url)
        let output = try t.render(json(#"{"user_id": "a/b c?", "event": "x&y=z #1+é", "tag": "A-Z_a.z~0"}"#), data: ["settings": ["host": "api.example.com"]])
        XCTAssertEqual(output, "https://api.example.com/v1/users/a%2Fb%20c%3F/events?name=x%26y%3Dz%20%231%2B%C3%A9&tag=A-Z_a.z~0")
        XCTAssertEqual(try CompiledTemplate.compile("/x/{{missing}}?q={{missing}}", mode: .url).render(.null), "/x/?q=")
    }

    func testPlainModeDoesNotEscape() throws {
        let t = try CompiledTemplate.compile("{{@timestamp}}.{{@body}}", mode: .plain)
        XCTAssertEqual(try t.render(.null, data: ["timestamp": 1700000000, "body": #"{"a":"<&>"}"#]), #"1700000000.{"a":"<&>"}"#)
    }

    func testRenderValueKeepsTypes() throws {
        let event = json(#"{"n": 12, "o": {"a": 1}, "s": "x"}"#)
        XCTAssertEqual(try CompiledTemplate.compile("{{n}}", mode: .plain).renderValue(event, data: [:]), .int(12))
        XCTAssertEqual(try CompiledTemplate.compile("{{o}}", mode: .plain).renderValue(event, data: [:]), json(#"{"a": 1}"#))
        XCTAssertNil(try CompiledTemplate.compile("{{missing}}", mode: .plain).renderValue(event, data: [:]))
        XCTAssertEqual(try CompiledTemplate.compile("{{number \"7\"}}", mode: .plain).renderValue(event, data: [:]), .int(7))
        XCTAssertEqual(try CompiledTemplate.compile("n={{n}}", mode: .plain).renderValue(event, data: [:]), "n=12")
        XCTAssertTrue(try CompiledTemplate.compile("{{~ n ~}}", mode: .plain).isSingleExpression)
        XCTAssertFalse(try CompiledTemplate.compile(" {{n}}", mode: .plain).isSingleExpression)
        XCTAssertFalse(try CompiledTemplate.compile("{{#if n}}{{n}}{{/if}}", mode: .plain).isSingleExpression)
    }

    func testReferences() throws {
        let source = "{{event}} {{@settings.region}} {{#each items}}{{sku}} {{../user_id}} {{@index}} {{@root.anonymous_id}}{{/each}} {{lowercase (default a.b c)}}"
        let t = try CompiledTemplate.compile(source, mode: .text)
        let refs = t.references.map { ($0.segments, $0.isData, $0.isRelative) }
        XCTAssertEqual(refs.map(\.0), [["event"], ["settings", "region"], ["items"], ["sku"], ["user_id"], ["index"], ["anonymous_id"], ["a", "b"], ["c"]])
        XCTAssertEqual(refs.map(\.1), [false, true, false, false, false, true, false, false, false])
        XCTAssertEqual(refs.map(\.2), [false, false, false, true, false, true, false, false, false])
        let settings = t.references[1]
        let bytes: [UInt8] = Array(source.utf8)
        let slice: [UInt8] = Array(bytes[settings.offset..<(settings.offset + settings.length)])
        XCTAssertEqual(String(decoding: slice, as: UTF8.self), "@settings.region")
        XCTAssertEqual(t.helpersUsed, ["each", "lowercase", "default"])
    }

    func testReferencesInsidePartials() throws {
        let t = try CompiledTemplate.compile("{{> a}}{{#each xs}}{{> b}}{{/each}}", mode: .text, partials: ["a": "{{x}}", "b": "{{y}}"])
        XCTAssertEqual(t.references.first { $0.segments == ["x"] }?.isRelative, false)
        XCTAssertEqual(t.references.first { $0.segments == ["y"] }?.isRelative, true)
        XCTAssertEqual(t.references.first { $0.segments == ["y"] }?.partial, "b")
    }

    func testSampleRenderAnalysis() throws {
        let good = try CompiledTemplate.compile(Self.seed, mode: .json)
        XCTAssertNil(TemplateAnalysis.sampleRender(json: good, sample: json(#"{"event": "x"}"#), data: [:]))
        let bad = try CompiledTemplate.compile(#"{"a": 1,}"#, mode: .json)
        let message = TemplateAnalysis.sampleRender(json: bad, sample: .null, data: [:])
        XCTAssertNotNil(message)
        XCTAssertTrue(message?.contains("not valid JSON") == true, message ?? "")
    }

    func testTemplatePath() throws {
        let p = try TemplatePath.parse("[odd key].b.1")
        XCTAssertEqual(p.resolve(root: json(#"{"odd key": {"b": [0, "one"]}}"#), data: [:]), "one")
        XCTAssertEqual(try TemplatePath.parse("@settings.region").dataName, "settings")
        XCTAssertTrue(try TemplatePath.parse("@root.x").isRoot)
        XCTAssertThrowsError(try TemplatePath.parse("a b"))
    }
}
