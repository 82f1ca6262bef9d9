import DSJSON
import DSSchema
import XCTest

/// Extracting a request contract from an OpenAPI operation, and the 3.0 dialect conversion.
final class OpenAPIContractTests: XCTestCase {
    func doc(_ version: String, _ body: String, parameters: String = "[]") throws -> JSONValue {
        try JSONParser().parseValue(Array("""
        {"openapi": "\(version)", "info": {"title": "t", "version": "1"},
         "paths": {"/v1/events": {
            "parameters": [{"in": "header", "name": "X-Account", "required": true, "schema": {"type": "string"}}],
            "post": {"operationId": "send", "parameters": \(parameters),
                     "requestBody": {"$ref": "#/components/requestBodies/Events"}, "responses": {}}}},
         "components": {"requestBodies": {"Events": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}}},
                        "parameters": {"Dry": {"in": "query", "name": "dry_run", "required": true, "schema": {"type": "boolean"}}},
                        "schemas": {"Event": \(body)}}}
        """.utf8))
    }

    func contract(_ d: JSONValue, id: String? = "send", method: String? = nil, path: String? = nil) throws -> RequestContract {
        try OpenAPIContract.contract(d, operationID: id, method: method, path: path, baseURI: "urn:test")
    }

    func testOpenAPI30NullableAndBooleanExclusiveBoundsAreConverted() throws {
        let d = try doc("3.0.3", #"{"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "nullable": true, "minimum": 0, "exclusiveMinimum": true}, "k": {"type": "string", "enum": ["a"], "nullable": true}, "m": {"type": "number", "maximum": 5, "exclusiveMaximum": false}}}"#)
        let c = try contract(d)
        let body = try XCTUnwrap(c.body)
        func valid(_ s: String) throws -> Bool { body.isValid(try JSONParser().parseValue(Array(s.utf8))) }
        XCTAssertTrue(try valid(#"{"n": null}"#), "nullable adds null to the type")
        XCTAssertFalse(try valid(#"{"n": 0}"#), "exclusiveMinimum: true makes minimum exclusive")
        XCTAssertTrue(try valid(#"{"n": 1, "k": "a", "m": 5}"#), "exclusiveMaximum: false keeps maximum inclusive")
        XCTAssertFalse(try valid(#"{"n": 1, "k": null}"#), "nullable does not add null to an enum (OpenAPI 3.0.3)")
        XCTAssertFalse(try valid(#"{"k": "a"}"#))
        XCTAssertEqual(body.validate(try JSONParser().parseValue(Array(#"{"n": 0}"#.utf8))).first?.instanceLocation, "/n")
    }

    func testOpenAPI30RefSiblingsAreIgnoredAnd31SchemasAreUsedAsTheyAre() throws {
        let d30 = try doc("3.0.0", ##"{"type": "object", "properties": {"a": {"$ref": "#/components/schemas/Small", "maximum": 1}}}"##)
        var withSmall = d30.objectValue!
        var components = withSmall["components"]!.objectValue!
        var schemas = components["schemas"]!.objectValue!
        schemas["Small"] = .object(JSONObject([("type", .string("integer"))]))
        components["schemas"] = .object(schemas)
        withSmall["components"] = .object(components)
        let c30 = try contract(.object(withSmall))
        XCTAssertTrue(c30.body!.isValid(try JSONParser().parseValue(Array(#"{"a": 7}"#.utf8))), "3.0 ignores keywords next to $ref")
        // 3.1: JSON Schema 2020-12, so exclusiveMinimum is a number and type arrays carry null.
        let d31 = try doc("3.1.0", #"{"type": "object", "properties": {"n": {"type": ["integer", "null"], "exclusiveMinimum": 0}}}"#)
        let c31 = try contract(d31)
        XCTAssertTrue(c31.body!.isValid(try JSONParser().parseValue(Array(#"{"n": null}"#.utf8))))
        XCTAssertFalse(c31.body!.isValid(try JSONParser().parseValue(Array(#"{"n": 0}"#.utf8))))
    }

    func testOperationByMethodAndPathAndRequiredParameters() throws {
        let d = try doc("3.0.3", ##"{"type": "object"}"##, parameters: ##"[{"$ref": "#/components/parameters/Dry"}, {"in": "header", "name": "Content-Type", "required": true}]"##)
        let c = try contract(d, id: nil, method: "POST", path: "/v1/events")
        XCTAssertEqual(c.requiredHeaders, ["X-Account"], "path-item parameters apply; Content-Type is ignored as the specification says")
        XCTAssertEqual(c.requiredQuery, ["dry_run"])
        XCTAssertTrue(c.bodyRequired)
        let v = c.check(headerNames: ["content-type"], queryNames: [], jsonBody: .object(JSONObject()), bodyIsJSON: true, hasBody: true)
        XCTAssertEqual(v.map(\.description), [#"header: the required header "X-Account" is missing"#, #"query: the required query parameter "dry_run" is missing"#])
        XCTAssertEqual(c.check(headerNames: ["x-account"], queryNames: ["dry_run"], jsonBody: .object(JSONObject()), bodyIsJSON: true, hasBody: true), [])
    }

    func testMissingOperationsAndVersionsAreClearErrors() throws {
        let d = try doc("3.0.3", #"{"type": "object"}"#)
        XCTAssertThrowsError(try contract(d, id: "sned")) { e in
            XCTAssertTrue("\(e)".contains(#"no operation has operationId "sned"; did you mean "send"?"#), "\(e)")
        }
        XCTAssertThrowsError(try contract(d, id: nil, method: "GET", path: "/v1/events")) { e in
            XCTAssertTrue("\(e)".contains("has no GET operation (it has POST)"), "\(e)")
        }
        XCTAssertThrowsError(try contract(try doc("2.0", "{}"))) { e in XCTAssertTrue("\(e)".contains("not supported"), "\(e)") }
        XCTAssertThrowsError(try contract(.object(JSONObject([("swagger", .string("2.0"))])))) { e in XCTAssertTrue("\(e)".contains("Swagger 2.0"), "\(e)") }
    }
}
