import DSCrypto
import DSTemplate
import Foundation
import DSJSON
import DSMapping
import XCTest

/// The field-mapping language: directives, transforms, coercion, conditions, iteration.
final class MappingTests: XCTestCase {
    let event = json(#"""
    {"type": "track", "event": "Order Completed", "user_id": "u1", "timestamp": "2024-01-02T03:04:05.678Z",
     "traits": {"email": "  Foo@Example.com ", "phone": "+1 (555) 010-9999"},
     "properties": {"total": "19.90", "count": "3", "flag": "true", "products": [{"sku": "a", "qty": "2"}, {"sku": "b"}]},
     "odd key": {"x": 1}, "nothing": null}
    """#)

    func evaluate(_ mapping: String, data: [String: JSONValue] = [:], file: StaticString = #filePath, line: UInt = #line) -> JSONValue? {
        do {
            return try CompiledMapping.compile(json(mapping, file: file, line: line)).evaluate(event, data: data)
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return nil
        }
    }

    func errors(_ mapping: String) -> [MappingError] { CompiledMapping.check(json(mapping)) }

    func testNodes() {
        XCTAssertEqual(evaluate(#"{"a": "constant", "b": 1, "c": true, "d": null, "e": "{{user_id}}", "f": "{{properties.products}}", "g": "id={{user_id}}/{{missing}}", "h": "{{missing}}"}"#),
                       json(#"{"a": "constant", "b": 1, "c": true, "d": null, "e": "u1", "f": [{"sku": "a", "qty": "2"}, {"sku": "b"}], "g": "id=u1/"}"#))
        XCTAssertEqual(evaluate(#"["{{user_id}}", "{{missing}}", {"@path": "missing"}, 3]"#), json(#"["u1", 3]"#))
        XCTAssertEqual(evaluate(#"{"nested": {"deep": {"id": {"@path": "user_id"}}}, "@@context": {"@value": 1}}"#),
                       json(#"{"nested": {"deep": {"id": "u1"}}, "@context": 1}"#))
    }

    func testSources() {
        XCTAssertEqual(evaluate(#"{"p": {"@path": "[odd key].x"}, "v": {"@value": {"@path": "not interpreted"}}, "t": {"@template": "{{event}}!"}, "n": {"@template": "{{properties}}"}}"#),
                       json(#"{"p": 1, "v": {"@path": "not interpreted"}, "t": "Order Completed!", "n": "{\"total\":\"19.90\",\"count\":\"3\",\"flag\":\"true\",\"products\":[{\"sku\":\"a\",\"qty\":\"2\"},{\"sku\":\"b\"}]}"}"#))
        XCTAssertEqual(evaluate(#"{"r": {"@path": "@settings.region"}, "s": "{{@secrets.key}}"}"#, data: ["settings": ["region": "eu"], "secrets": ["key": "k"]]),
                       json(#"{"r": "eu", "s": "k"}"#))
    }

    func testEachWithRootAndIndex() {
        let m = #"{"items": {"@each": "properties.products", "@map": {"sku": {"@path": "sku"}, "qty": {"@path": "qty", "@type": "integer"}, "pos": {"@path": "@index"}, "user": {"@path": "@root.user_id"}, "label": "{{@index}}:{{sku}}:{{@root.event}}"}}}"#
        XCTAssertEqual(evaluate(m), json(#"{"items": [{"sku": "a", "qty": 2, "pos": 0, "user": "u1", "label": "0:a:Order Completed"}, {"sku": "b", "pos": 1, "user": "u1", "label": "1:b:Order Completed"}]}"#))
        XCTAssertEqual(evaluate(#"{"x": {"@each": "properties.products", "@map": "{{missing}}"}}"#), json(#"{"x": []}"#))
        XCTAssertEqual(evaluate(#"{"x": {"@each": "nope", "@map": {"a": 1}}}"#), json("{}"))
        XCTAssertThrowsError(try CompiledMapping.compile(json(#"{"x": {"@each": "user_id", "@map": {}}}"#)).evaluate(event, data: [:])) { error in
            XCTAssertEqual((error as? MappingError)?.pointer, "/x/@each")
        }
    }

    func testTransforms() {
        let emailHash = Digest.sha256Hex("foo@example.com")
        XCTAssertEqual(evaluate(#"{"h": {"@path": "traits.email", "@transform": ["trim", "lowercase", "sha256"]}}"#), .object(JSONObject([("h", .string(emailHash))])))
        XCTAssertEqual(evaluate(#"""
            {"t": {"@path": "traits.email", "@transform": "trim"}, "u": {"@value": "ab", "@transform": "uppercase"},
             "l": {"@value": "AB", "@transform": "lowercase"}, "s1": {"@value": "abc", "@transform": "sha1"},
             "b": {"@value": "hello", "@transform": "base64"}, "e": {"@value": "a b&c", "@transform": "urlencode"},
             "d": {"@path": "traits.phone", "@transform": "digits"}, "secs": {"@path": "timestamp", "@transform": "unix_seconds"},
             "ms": {"@path": "timestamp", "@transform": "unix_ms"}, "iso": {"@value": 1704164645, "@transform": "iso8601"},
             "str": {"@value": 12, "@transform": "string"}, "num": {"@path": "properties.total", "@transform": "number"},
             "int": {"@value": "7", "@transform": "integer"}, "bool": {"@path": "properties.flag", "@transform": "boolean"},
             "missing": {"@path": "traits.none", "@transform": ["trim", "sha256"]}}
            """#),
            json(#"""
            {"t": "Foo@Example.com", "u": "AB", "l": "ab", "s1": "a9993e364706816aba3e25717850c26c9cd0d89d", "b": "aGVsbG8=", "e": "a%20b%26c",
             "d": "15550109999", "secs": 1704164645, "ms": 1704164645678, "iso": "2024-01-02T03:04:05.000Z", "str": "12", "num": 19.90,
             "int": 7, "bool": true}
            """#))
        XCTAssertThrowsError(try CompiledMapping.compile(json(#"{"t": {"@path": "event", "@transform": "unix_ms"}}"#)).evaluate(event, data: [:]))
        // Google Ads' conversion_date_time layout, from an epoch number and from ISO 8601 with an offset.
        XCTAssertEqual(evaluate(#"{"a": {"@value": 1704164645, "@transform": "datetime_utc"}, "b": {"@value": "2024-01-02T05:04:05.999+02:00", "@transform": "datetime_utc"}}"#),
                       json(#"{"a": "2024-01-02 03:04:05+00:00", "b": "2024-01-02 03:04:05+00:00"}"#))
        XCTAssertEqual(try CompiledTemplate.compile(#"{{date ts "datetime_utc"}}"#, mode: .plain).render(["ts": 1704164645], data: [:]), "2024-01-02 03:04:05+00:00")
    }

    func testTypeCoercion() {
        XCTAssertEqual(evaluate(#"{"n": {"@path": "properties.total", "@type": "number"}, "i": {"@path": "properties.count", "@type": "integer"}, "b": {"@path": "properties.flag", "@type": "boolean"}, "s": {"@value": true, "@type": "string"}, "o": {"@path": "traits", "@type": "object"}, "a": {"@path": "properties.products", "@type": "array"}}"#)?["n"], .number(JSONNumber(text: "19.90")))
        func failure(_ m: String) -> MappingError? {
            do { _ = try CompiledMapping.compile(json(m)).evaluate(event, data: [:]); return nil } catch { return error }
        }
        let e = failure(#"{"value": {"@value": "abc", "@type": "number"}}"#)
        XCTAssertEqual(e?.pointer, "/value")
        XCTAssertEqual(e?.message, #"cannot coerce "abc" to number at /value"#)
        XCTAssertEqual(failure(#"{"q": {"@value": 2.5, "@type": "integer"}}"#)?.message, "cannot coerce 2.5 to integer (it has a fractional part) at /q")
        XCTAssertEqual(failure(#"{"a": [{"x": {"@value": "yes!", "@type": "boolean"}}]}"#)?.pointer, "/a/0/x")
        XCTAssertEqual(failure(#"{"o": {"@value": 1, "@type": "object"}}"#)?.pointer, "/o")
    }

    func testWhen() {
        XCTAssertEqual(evaluate(#"""
            {"eq": {"@value": 1, "@when": {"path": "type", "equals": "track"}},
             "eqFalse": {"@value": 1, "@when": {"path": "type", "equals": "page"}},
             "in": {"@value": 2, "@when": {"path": "type", "in": ["page", "track"]}},
             "ne": {"@value": 3, "@when": {"path": "type", "not_equals": "page"}},
             "exists": {"@value": 4, "@when": {"path": "user_id", "exists": true}},
             "notExists": {"@value": 5, "@when": {"path": "anonymous_id", "exists": false}},
             "all": {"@value": 6, "@when": [{"path": "type", "equals": "track"}, {"path": "user_id", "equals": "nope"}]},
             "keepNullIgnored": {"@path": "missing", "@keep_null": true, "@when": {"path": "type", "equals": "page"}},
             "numeric": {"@value": 7, "@when": {"path": "@settings.level", "equals": 1.0}}}
            """#, data: ["settings": ["level": 1]]),
            json(#"{"eq": 1, "in": 2, "ne": 3, "exists": 4, "notExists": 5, "numeric": 7}"#))
    }

    func testDefaultsAndKeepNull() {
        XCTAssertEqual(evaluate(#"""
            {"dropped": {"@path": "missing"}, "kept": {"@path": "missing", "@keep_null": true},
             "explicitNull": {"@path": "nothing"}, "defaulted": {"@path": "missing", "@default": 0},
             "nullDefaulted": {"@path": "nothing", "@default": "n/a", "@transform": "uppercase"},
             "defaultTyped": {"@path": "missing", "@default": "5", "@type": "integer"}}
            """#),
            json(#"{"kept": null, "explicitNull": null, "defaulted": 0, "nullDefaulted": "n/a", "defaultTyped": 5}"#))
    }

    func testStaticErrorsAreAllReported() {
        let problems = errors(#"""
            {"a": {"@paht": "x"}, "b": {"@path": "x", "name": 1}, "c": {"@path": "x", "@value": 1},
             "d": {"@path": "x", "@transform": ["trim", "sha265"]}, "e": {"@path": "x", "@type": "numbr"},
             "f": {"@each": "list"}, "g": {"@path": "a b"}, "h": "{{nosuch x}}",
             "i": {"@path": "x", "@when": {"path": "y", "equalz": 1}}, "j": {"@default": 1}, "k": {"@path": "x", "@keep_null": "yes"}}
            """#)
        let pointers = problems.map(\.pointer)
        XCTAssertEqual(pointers, ["/a/@paht", "/a", "/b", "/c", "/d/@transform/1", "/e/@type", "/f/@each", "/g/@path", "/h",
                                  "/i/@when/equalz", "/i/@when", "/j", "/k/@keep_null"])
        XCTAssertTrue(problems[0].message.contains("did you mean '@path'"), problems[0].message)
        XCTAssertTrue(problems[2].message.contains("mixes directives and output fields"), problems[2].message)
        XCTAssertTrue(problems[4].message.contains("did you mean 'sha256'"), problems[4].message)
        XCTAssertTrue(problems[5].message.contains("did you mean 'number'"), problems[5].message)
        XCTAssertThrowsError(try CompiledMapping.compile(json(#"{"a": {"@paht": "x"}}"#))) { error in
            XCTAssertEqual((error as? MappingError)?.pointer, "/a/@paht")
        }
        XCTAssertTrue(CompiledMapping.check(json(#"{"ok": {"@path": "x"}}"#)).isEmpty)
    }

    func testReferences() throws {
        let m = try CompiledMapping.compile(json(#"""
            {"a": {"@path": "user_id"}, "b": "{{@settings.region}}-{{event}}",
             "c": {"@each": "properties.products", "@map": {"s": {"@path": "sku"}, "r": {"@path": "@root.user_id"}, "t": "{{qty}}{{@root.event}}"}},
             "d": {"@value": 1, "@when": {"path": "type", "equals": "x"}}}
            """#))
        let refs = m.references.map { "\($0.segments.joined(separator: ".")) data=\($0.isData) rel=\($0.isRelative) \($0.pointer)" }
        XCTAssertEqual(refs, [
            "user_id data=false rel=false /a/@path",
            "settings.region data=true rel=false /b",
            "event data=false rel=false /b",
            "properties.products data=false rel=false /c/@each",
            "sku data=false rel=true /c/@map/s/@path",
            "user_id data=false rel=false /c/@map/r/@path",
            "qty data=false rel=true /c/@map/t",
            "event data=false rel=false /c/@map/t",
            "type data=false rel=false /d/@when/path",
        ])
        XCTAssertTrue(CompiledMapping.directiveNames.contains("@keep_null"))
        XCTAssertTrue(CompiledMapping.transformNames.contains("digits"))
    }
}

/// The benchmark fixtures (shared with the lead's benchmark executable) stay valid: the
/// template renders JSON, and the mapping produces the same payload.
final class BenchmarkFixtureTests: XCTestCase {
    func testTemplateAndMappingFixturesAgree() throws {
        let dir = packageRoot.appendingPathComponent("Tests/DSTemplateTests/Fixtures")
        let spec = try JSONParser().parseValue(Array(try Data(contentsOf: dir.appendingPathComponent("benchmark-template.json"))))
        let event = try JSONParser().parseValue(Array(try Data(contentsOf: dir.appendingPathComponent("benchmark-event.json"))))
        var data: [String: JSONValue] = [:]
        for m in spec["data"]?.objectValue ?? JSONObject() { data[m.key] = m.value }
        let template = try CompiledTemplate.compile(try XCTUnwrap(spec["template"]?.stringValue), mode: .json)
        XCTAssertEqual(template.references.count, 16)
        let rendered = try JSONParser().parseValue(try template.render(event, data: data))
        let mapped = try CompiledMapping.compile(try XCTUnwrap(spec["mapping"])).evaluate(event, data: data)
        XCTAssertEqual(rendered, mapped)
        XCTAssertEqual(rendered["order"]?["quantity"], .int(3))
    }
}
