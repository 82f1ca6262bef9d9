import DSJSON
import DSSchema
import XCTest

/// What a request contract checks for each content type (form, NDJSON, JSON) and the values of
/// header and query parameters, coerced from their strings as OpenAPI's styles say.
final class RequestContractBodyTests: XCTestCase {
    func openAPI(_ json: String) throws -> RequestContract {
        let d = try JSONParser().parseValue(Array(json.utf8))
        return try OpenAPIContract.contract(d, operationID: "send", method: nil, path: nil, baseURI: "urn:test")
    }

    let formDoc = ##"""
    {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
     "paths": {"/track": {"post": {"operationId": "send",
        "parameters": [{"in": "query", "name": "verbose", "schema": {"type": "integer", "enum": [0, 1]}},
                       {"in": "query", "name": "ip", "required": true, "schema": {"type": "boolean"}},
                       {"in": "query", "name": "tags", "schema": {"type": "array", "items": {"type": "integer"}}, "explode": false},
                       {"in": "header", "name": "X-Retries", "schema": {"type": "integer", "maximum": 3}}],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {
            "schema": {"$ref": "#/components/schemas/Form"},
            "encoding": {"data": {"contentType": "application/json"}}}}}, "responses": {}}}},
     "components": {"schemas": {"Form": {"type": "object", "required": ["data"], "additionalProperties": false,
        "properties": {"data": {"type": "array", "items": {"type": "object", "required": ["event"]}},
                       "strict": {"type": "integer", "minimum": 0}, "name": {"type": "string", "minLength": 2}}}}}}
    """##

    func check(_ c: RequestContract, _ target: String, _ headers: [(String, String)], _ body: String) -> [String] {
        c.check(headers: headers.map { (name: $0.0, value: $0.1) }, target: target, body: Array(body.utf8)).map(\.description)
    }

    func testFormBodiesDecodeToAnObjectOfStringsCoercedByTheSchema() throws {
        let c = try openAPI(formDoc)
        let form = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        XCTAssertEqual(check(c, "/track?ip=true", form, "data=%5B%7B%22event%22%3A%22a%20b%22%7D%5D&strict=1&name=J%C3%B6"), [])
        XCTAssertEqual(check(c, "/track?ip=true", form, "data=%5B%7B%7D%5D&strict=-1&name=x&extra=1"), [
            #"body /data/0: is missing the required property "event" (schema #/$ref/$ref/properties/data/items/required)"#,
            "body /strict: must be at least 0; got -1 (schema #/$ref/$ref/properties/strict/minimum)",
            "body /name: must be at least 2 characters long; is 1 (schema #/$ref/$ref/properties/name/minLength)",
            #"body /extra: property "extra" is not allowed (schema #/$ref/$ref/additionalProperties)"#,
        ])
        XCTAssertEqual(check(c, "/track?ip=true", form, "strict=one"), [
            #"body /: is missing the required property "data" (schema #/$ref/$ref/required)"#,
            "body /strict: expected integer, got string (schema #/$ref/$ref/properties/strict/type)",
        ], "a value that is not a number stays a string, and the schema says why it is wrong")
        XCTAssertEqual(check(c, "/track?ip=true", [("Content-Type", "application/json")], "{}"),
                       [#"body: the content type "application/json" is not one the contract accepts (application/x-www-form-urlencoded)"#])
        XCTAssertEqual(check(c, "/track?ip=true", form, ""), ["body: the request has no body; the contract requires one"])
    }

    func testQueryAndHeaderValuesAreCheckedAgainstTheirSchemas() throws {
        let c = try openAPI(formDoc)
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        let body = "data=%5B%5D"
        XCTAssertEqual(check(c, "https://api.example/track?ip=false&verbose=1&tags=1,2", form + [("x-retries", "3")], body), [])
        XCTAssertEqual(check(c, "https://api.example/track?ip=yes&verbose=2&tags=1,b", form + [("X-Retries", "9")], body), [
            "header X-Retries /: must be at most 3; got 9 (schema #/$ref/maximum)",
            "query verbose /: must be one of 0, 1; got 2 (schema #/$ref/enum)",
            "query ip /: expected boolean, got string (schema #/$ref/type)",
            "query tags /1: expected integer, got string (schema #/$ref/items/type)",
        ])
        XCTAssertEqual(check(c, "/track", form, body), [#"query: the required query parameter "ip" is missing"#])
        XCTAssertEqual(check(c, "/track?ip=true&verbose=1%20", form, body).first?.hasPrefix("query verbose /: expected integer, got string"), true,
                       "white space around a number is not the number")
    }

    func testNDJSONBodiesAreCheckedLineByLine() throws {
        let schema = try JSONParser().parseValue(Array(#"{"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}"#.utf8))
        let c = try RequestContract.jsonSchema(schema, baseURI: "urn:test")
        let ndjson = [("Content-Type", "application/x-ndjson")]
        XCTAssertEqual(check(c, "/", ndjson, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n"), [])
        XCTAssertEqual(check(c, "/", ndjson, "{\"id\":\"a\"}\n{\"id\":2}\n\n{}\nnot json\n"), [
            "body line 2 /id: expected string, got integer (schema #/properties/id/type)",
            #"body line 4 /: is missing the required property "id" (schema #/required)"#,
            "body line 5: the line is not JSON",
        ])
        // The same schema on a JSON body and a form body (an object of strings).
        XCTAssertEqual(check(c, "/", [("Content-Type", "application/json")], #"{"id": 1}"#),
                       ["body /id: expected string, got integer (schema #/properties/id/type)"])
        XCTAssertEqual(check(c, "/", [("Content-Type", "application/x-www-form-urlencoded")], "id=1"), [], "form values are strings")
        XCTAssertEqual(check(c, "/", [("Content-Type", "application/json")], "{"), ["body: the body is not JSON, though its content type is application/json"])
        XCTAssertEqual(check(c, "/", [("Content-Type", "text/plain")], "hello"), [], "a text body is not checked")
        XCTAssertEqual(check(c, "/", [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], "\u{1F}"), [], "a compressed body is not checked")
    }

    func testDeepObjectFormKeysNestForObjectProperties() throws {
        let schema = try JSONParser().parseValue(Array(#"{"type": "object", "required": ["event_name", "payload"], "properties": {"event_name": {"type": "string"}, "timestamp": {"type": "integer"}, "payload": {"type": "object", "required": ["stripe_customer_id"], "additionalProperties": {"type": "string"}}}}"#.utf8))
        let c = try RequestContract.jsonSchema(schema, baseURI: "urn:test")
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        XCTAssertEqual(check(c, "/", form, "event_name=api_requests&timestamp=1767225600&payload%5Bstripe_customer_id%5D=cus_1&payload[value]=3"), [])
        XCTAssertEqual(check(c, "/", form, "event_name=api_requests&payload[value]=3&payload[meta][x]=1"), [
            #"body /payload: is missing the required property "stripe_customer_id" (schema #/properties/payload/required)"#,
            "body /payload/meta: expected string, got object (schema #/properties/payload/additionalProperties/type)",
        ])
        XCTAssertEqual(check(c, "/", form, "event_name=a&other[x]=1&payload[stripe_customer_id]=c"), [], "brackets on a property the schema does not type as an object stay one key")
    }
}
