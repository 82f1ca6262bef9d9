import DSJSON
import DSMapping
import DSTemplate
import XCTest

/// Issue 14's mapping features: `@when` on output objects, `@drop_empty`, lookup tables in
/// mappings (`@lookup`) and templates (`lookup_table`).
final class MappingNodeModifierTests: XCTestCase {
    let event = json(#"""
    {"type": "track", "event": "Order Completed", "user_id": "u1", "traits": {"email": "a@b.c"},
     "properties": {"total": 19.9, "products": [{"sku": "a"}, {"sku": ""}], "empty": [], "none": {}, "code": 7}}
    """#)

    let tables: JSONValue = json(#"""
    {"names": {"map": {"Order Completed": "Purchase", "Product Viewed": "ViewContent"}, "unmatched": "default", "default": "Custom"},
     "pass": {"map": {"Order Completed": "purchase"}, "unmatched": "passthrough"},
     "omit": {"map": {"7": {"code": "seven"}, "true": 1}, "unmatched": "omit"}}
    """#)

    func evaluate(_ mapping: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue? {
        do {
            return try CompiledMapping.compile(json(mapping, file: file, line: line)).evaluate(event, data: ["lookups": tables])
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return nil
        }
    }

    func messages(_ mapping: String) -> [String] { CompiledMapping.check(json(mapping)).map(\.message) }

    // MARK: @when on an object

    func testWhenOnObjectMemberOmitsTheMember() {
        XCTAssertEqual(evaluate(#"{"a": 1, "user": {"@when": {"path": "type", "equals": "identify"}, "email": {"@path": "traits.email"}}}"#),
                       json(#"{"a": 1}"#))
        XCTAssertEqual(evaluate(#"{"a": 1, "user": {"@when": {"path": "type", "equals": "track"}, "email": {"@path": "traits.email"}}}"#),
                       json(#"{"a": 1, "user": {"email": "a@b.c"}}"#))
    }

    func testWhenOnArrayElementDropsTheElement() {
        XCTAssertEqual(evaluate(#"{"list": [{"@when": {"path": "type", "equals": "page"}, "k": 1}, {"k": 2}, {"@when": [{"path": "user_id", "exists": true}], "k": 3}]}"#),
                       json(#"{"list": [{"k": 2}, {"k": 3}]}"#))
        // Inside @map the condition reads the element.
        XCTAssertEqual(evaluate(#"{"items": {"@each": "properties.products", "@map": {"@when": {"path": "sku", "not_equals": ""}, "id": {"@path": "sku"}}}}"#),
                       json(#"{"items": [{"id": "a"}]}"#))
    }

    func testWhenOnTheRootIsAnError() {
        XCTAssertEqual(messages(#"{"@when": {"path": "type", "equals": "track"}, "a": 1}"#).count, 1)
        XCTAssertTrue(messages(#"{"@when": {"path": "type", "equals": "track"}, "a": 1}"#)[0].contains("root"))
    }

    func testOtherDirectivesBesideFieldsStillMix() {
        let m = messages(#"{"x": {"@path": "user_id", "a": 1}}"#)
        XCTAssertEqual(m.count, 1)
        XCTAssertTrue(m[0].contains("only @when and @drop_empty"), m[0])
        XCTAssertTrue(messages(#"{"x": {"@when": {"path": "type", "equals": "track"}}}"#)[0].contains("no output fields"))
        XCTAssertTrue(messages(#"{"x": {"@when": {"path": "type"}, "a": 1}}"#)[0].contains("needs one of"))
        XCTAssertTrue(messages(#"{"x": {"@drop_empty": "yes", "a": 1}}"#)[0].contains("true or false"))
    }

    // MARK: @drop_empty

    func testEmptyObjectsStayWithoutDropEmpty() {
        XCTAssertEqual(evaluate(#"{"user": {"em": {"@path": "traits.phone"}}, "l": [], "e": {"@path": "properties.empty"}}"#),
                       json(#"{"user": {}, "l": [], "e": []}"#))
    }

    func testDropEmptyPropagatesUpwardsAndKeepsTheRoot() {
        XCTAssertEqual(evaluate(#"{"@drop_empty": true, "user": {"em": {"@path": "traits.phone"}, "deep": {"x": []}}, "l": [{}, []], "e": {"@path": "properties.empty"}, "n": "{{properties.none}}"}"#),
                       json(#"{}"#))
        XCTAssertEqual(evaluate(#"{"@drop_empty": true, "user": {"em": {"@path": "traits.email"}, "ph": {}}, "zero": 0, "s": ""}"#),
                       json(#"{"user": {"em": "a@b.c"}, "zero": 0, "s": ""}"#))
    }

    func testARootDirectiveIsNeverDropped() {
        XCTAssertEqual(evaluate(#"{"@path": "properties.empty", "@drop_empty": true}"#), json("[]"))
        XCTAssertEqual(evaluate(#"{"@each": "properties.products", "@map": {"x": {"@path": "nope"}}, "@drop_empty": true}"#), json("[]"))
    }

    func testDropEmptyFalseReopensTheScope() {
        XCTAssertEqual(evaluate(#"{"@drop_empty": true, "a": {"@drop_empty": false, "b": {}}, "c": {}}"#), json(#"{"a": {"b": {}}}"#))
        XCTAssertEqual(evaluate(#"{"a": {"@drop_empty": true, "b": {}}, "c": {}}"#), json(#"{"c": {}}"#))
    }

    func testDropEmptyOnEachAndKeepNull() {
        XCTAssertEqual(evaluate(#"{"items": {"@each": "properties.empty", "@map": {"id": {"@path": "sku"}}, "@drop_empty": true}, "x": 1}"#), json(#"{"x": 1}"#))
        XCTAssertEqual(evaluate(#"{"@drop_empty": true, "items": {"@each": "properties.products", "@map": {"id": {"@path": "nope"}}}}"#), json(#"{}"#))
        XCTAssertEqual(evaluate(#"{"@drop_empty": true, "e": {"@path": "properties.empty", "@keep_null": true}}"#), json(#"{"e": null}"#))
    }

    // MARK: @lookup

    func testLookupDirective() {
        XCTAssertEqual(evaluate(#"{"a": {"@path": "event", "@lookup": "names"}, "b": {"@value": "Signed Up", "@lookup": "names"}, "c": {"@path": "missing", "@lookup": "names"}}"#),
                       json(#"{"a": "Purchase", "b": "Custom"}"#))
        XCTAssertEqual(evaluate(#"{"a": {"@path": "event", "@lookup": "pass"}, "b": {"@value": "Other", "@lookup": "pass"}}"#),
                       json(#"{"a": "purchase", "b": "Other"}"#))
        XCTAssertEqual(evaluate(#"{"a": {"@path": "properties.code", "@lookup": "omit"}, "b": {"@value": "x", "@lookup": "omit"}, "c": {"@value": true, "@lookup": "omit"}}"#),
                       json(#"{"a": {"code": "seven"}, "c": 1}"#))
    }

    func testLookupOrderDefaultTransformsAndType() {
        // transforms first, then the table, then @type; @default skips the table.
        XCTAssertEqual(evaluate(#"{"a": {"@value": " order completed ", "@transform": ["trim", "uppercase"], "@lookup": "pass"}, "b": {"@path": "missing", "@default": "Order Completed", "@lookup": "names"}, "c": {"@value": 7, "@transform": "string", "@lookup": "omit", "@type": "object"}}"#),
                       json(#"{"a": "ORDER COMPLETED", "b": "Order Completed", "c": {"code": "seven"}}"#))
    }

    func testLookupStaticProblemsAndUses() throws {
        XCTAssertTrue(messages(#"{"a": {"@path": "event", "@lookup": 3}}"#)[0].contains("@lookup must be"))
        XCTAssertTrue(messages(#"{"a": {"@path": "event", "@lookpu": "x"}}"#)[0].contains("did you mean '@lookup'"))
        let m = try CompiledMapping.compile(json(#"{"a": {"@path": "event", "@lookup": "names"}, "b": "{{lookup_table \"pass\" event}}!"}"#))
        XCTAssertEqual(m.lookupTables.map(\.name), ["names", "pass"])
        XCTAssertEqual(m.lookupTables.map(\.pointer), ["/a/@lookup", "/b"])
        XCTAssertEqual(m.lookupTables.map(\.offset), [nil, 15])
    }

    func testUnknownTableAtEvaluationIsAnError() throws {
        let m = try CompiledMapping.compile(json(#"{"a": {"@path": "event", "@lookup": "nope"}}"#))
        XCTAssertThrowsError(try m.evaluate(event, data: ["lookups": tables])) { error in
            XCTAssertEqual((error as? MappingError)?.pointer, "/a/@lookup")
        }
    }

    // MARK: lookup_table in templates

    func testLookupTableHelper() throws {
        func render(_ source: String, _ mode: TemplateMode = .plain) throws -> String {
            try CompiledTemplate.compile(source, mode: mode).render(event, data: ["lookups": tables])
        }
        XCTAssertEqual(try render(#"{{lookup_table "names" event}}/{{lookup_table "names" "x"}}/{{lookup_table "omit" "x"}}/{{lookup_table "pass" type}}"#),
                       "Purchase/Custom//track")
        XCTAssertEqual(try render(#"{"e": {{lookup_table "omit" properties.code}}, "n": {{lookup_table "omit" "x"}}, "s": "{{lookup_table "names" event}}"}"#, .json),
                       #"{"e": {"code":"seven"}, "n": null, "s": "Purchase"}"#)
        let t = try CompiledTemplate.compile(#"{{#if (lookup_table "names" event)}}{{lookup_table "pass" event}}{{/if}}"#, mode: .plain)
        XCTAssertEqual(t.lookupTables.map(\.name), ["names", "pass"])
        XCTAssertEqual(t.lookupTables[0].offset, 20)
        XCTAssertThrowsError(try CompiledTemplate.compile(#"{{lookup_table names event}}"#, mode: .plain)) { error in
            XCTAssertTrue((error as? TemplateSyntaxError)?.message.contains("table name in quotes") ?? false)
        }
        XCTAssertThrowsError(try CompiledTemplate.compile(#"{{lookup_table "names"}}"#, mode: .plain))
        XCTAssertThrowsError(try CompiledTemplate.compile(#"{{lookuptable "names" event}}"#, mode: .plain)) { error in
            XCTAssertTrue((error as? TemplateSyntaxError)?.message.contains("did you mean 'lookup_table'") ?? false, "\(error)")
        }
    }
}
