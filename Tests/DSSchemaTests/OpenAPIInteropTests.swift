import DSJSON
import DSSchema
import Foundation
import XCTest

/// The OpenAPI 3.0 dialect conversion checked from outside: every schema below, converted by
/// `OpenAPIContract.convert30Schema` and validated by DSSchema, must agree instance by instance
/// with `openapi-schema-validator`'s OAS30Validator (PyPI), and the OpenAPI documents stored in
/// the repository must be valid OpenAPI for `openapi-spec-validator`. Skips without them.
final class OpenAPIInteropTests: XCTestCase {
    static let cases = """
    [
     {"schema": {"type": "integer", "nullable": true, "minimum": 0, "exclusiveMinimum": true}, "instances": [null, 0, 1, -1, "a", 0.5]},
     {"schema": {"type": "number", "maximum": 5, "exclusiveMaximum": true}, "instances": [5, 4.999, 6, null]},
     {"schema": {"type": "number", "maximum": 5, "exclusiveMaximum": false, "minimum": 1, "exclusiveMinimum": false}, "instances": [5, 1, 0, 6]},
     {"schema": {"type": "string", "enum": ["a", "b"], "nullable": true}, "instances": [null, "a", "c"]},
     {"schema": {"type": "string", "enum": ["a", null], "nullable": true}, "instances": [null, "a"]},
     {"schema": {"nullable": true}, "instances": [null, 1, "x", {}]},
     {"schema": {"nullable": true, "minimum": 3}, "instances": [null, 2, 3]},
     {"schema": {"type": "string", "nullable": false}, "instances": [null, "x"]},
     {"schema": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "nullable": true}, "b": {"type": "array", "items": {"type": "integer", "nullable": true}}},
                 "additionalProperties": {"type": "boolean", "nullable": true}},
      "instances": [{"a": null}, {"a": "x", "b": [1, null]}, {"a": "x", "b": ["y"]}, {"a": 1}, {}, {"a": "x", "c": null}, {"a": "x", "c": 1}]},
     {"schema": {"allOf": [{"type": "integer", "nullable": true}, {"minimum": 2, "exclusiveMinimum": true}]}, "instances": [null, 2, 3]},
     {"schema": {"oneOf": [{"type": "string"}, {"type": "integer", "nullable": true}]}, "instances": [null, "a", 1, 1.5]},
     {"schema": {"not": {"type": "string", "nullable": true}}, "instances": [null, "a", 1]},
     {"schema": {"type": "string", "format": "date-time", "minLength": 2}, "instances": ["x", "not a date", "2026-01-01T00:00:00Z"]},
     {"schema": {"type": "integer", "format": "int32"}, "instances": [1, 1.0, 4294967296, "1"]}
    ]
    """

    func python(_ script: String, stdin: String) throws -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw XCTSkip("python3 is not available") }
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testConverted30SchemasAgreeWithOpenAPISchemaValidator() throws {
        let script = """
        import json, sys
        try:
            from openapi_schema_validator import OAS30Validator
        except ImportError:
            sys.exit(3)
        print(json.dumps([[OAS30Validator(c["schema"]).is_valid(i) for i in c["instances"]] for c in json.load(sys.stdin)]))
        """
        let r = try python(script, stdin: Self.cases)
        if r.status == 3 { throw XCTSkip("openapi-schema-validator is not installed (pip install openapi-schema-validator)") }
        XCTAssertEqual(r.status, 0)
        let peer = try JSONParser().parseValue(Array(r.out.utf8)).arrayValue ?? []
        let cases = try JSONParser().parseValue(Array(Self.cases.utf8)).arrayValue ?? []
        XCTAssertEqual(peer.count, cases.count)
        // Where the two differ on purpose: DSSchema keeps 2020-12's integer (1.0 is one); OAS30Validator
        // uses draft-04's (docs/contracts.md).
        let knownDifferences: Set<String> = [#"{"type":"integer","format":"int32"} 1.0"#]
        for (c, expected) in zip(cases, peer) {
            let schemaValue = try XCTUnwrap(c["schema"])
            let schema = try JSONSchema.compile(OpenAPIContract.convert30Schema(schemaValue))
            for (instance, verdict) in zip(c["instances"]?.arrayValue ?? [], expected.arrayValue ?? []) {
                if knownDifferences.contains("\(JSONWriter.string(schemaValue)) \(JSONWriter.string(instance))") {
                    XCTAssertNotEqual(schema.isValid(instance), verdict.boolValue, "a known difference disappeared: remove it from the list")
                    continue
                }
                XCTAssertEqual(schema.isValid(instance), verdict.boolValue,
                               "\(JSONWriter.string(schemaValue)) on \(JSONWriter.string(instance)): openapi-schema-validator says \(verdict)")
            }
        }
    }

    func testStoredOpenAPIDocumentsAreValidOpenAPI() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let documents = ["specs/examples/contracts/mixpanel-import.openapi.json", "specs/invalid/contracts/acme.openapi.json"].map { root.appendingPathComponent($0).path }
        let script = """
        import json, sys
        try:
            from openapi_spec_validator import validate
        except ImportError:
            sys.exit(3)
        for path in json.load(sys.stdin):
            validate(json.load(open(path)))
        print("ok")
        """
        let r = try python(script, stdin: JSONWriter.string(.array(documents.map { .string($0) })))
        if r.status == 3 { throw XCTSkip("openapi-spec-validator is not installed (pip install openapi-spec-validator)") }
        XCTAssertEqual(r.status, 0, "a stored OpenAPI document is not valid OpenAPI")
        XCTAssertEqual(r.out, "ok\n")
    }
}
