import DSJSON
import DSSchema
import Foundation
import XCTest

final class JSONSchemaTests: XCTestCase {
    func schema(_ text: String, options: SchemaOptions = SchemaOptions(), resolver: SchemaResolver = NoSchemaResolver()) throws -> JSONSchema {
        try JSONSchema.compile(try JSONParser().parseValue(text), resolver: resolver, options: options)
    }

    func value(_ text: String) throws -> JSONValue { try JSONParser().parseValue(text) }

    func testErrorsCarryInstancePointerKeywordLocationThroughRefAndMessage() throws {
        let s = try schema(#"""
        {"$id": "https://example.com/order.json", "type": "object",
         "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/item"}}},
         "$defs": {"item": {"type": "object", "required": ["sku"], "properties": {"qty": {"type": "integer", "minimum": 1}}}}}
        """#)
        let errors = s.validate(try value(#"{"items": [{"sku": "a", "qty": 1}, {"qty": 0}]}"#))
        XCTAssertEqual(errors.count, 2)
        let required = try XCTUnwrap(errors.first { $0.keywordLocation.hasSuffix("required") })
        XCTAssertEqual(required.instanceLocation, "/items/1")
        XCTAssertEqual(required.keywordLocation, "/properties/items/items/$ref/required")
        XCTAssertEqual(required.absoluteKeywordLocation, "https://example.com/order.json#/$defs/item/required")
        XCTAssertEqual(required.message, "is missing the required property \"sku\"")
        let minimum = try XCTUnwrap(errors.first { $0.keywordLocation.hasSuffix("minimum") })
        XCTAssertEqual(minimum.instanceLocation, "/items/1/qty")
        XCTAssertEqual(minimum.keywordLocation, "/properties/items/items/$ref/properties/qty/minimum")
        XCTAssertEqual(minimum.message, "must be at least 1; got 0")
        XCTAssertFalse(s.isValid(try value(#"{"items": [{"qty": 0}]}"#)))
        XCTAssertTrue(s.isValid(try value(#"{"items": [{"sku": "a"}]}"#)))
    }

    func testBasicOutputFormat() throws {
        let s = try schema(#"{"properties": {"event": {"type": "string"}}, "additionalProperties": false}"#)
        XCTAssertEqual(s.basicOutput(try value(#"{"event": "x"}"#)), ["valid": true])
        let out = s.basicOutput(try value(#"{"event": 3, "evnt": "x"}"#))
        XCTAssertEqual(out["valid"], .bool(false))
        let errors = try XCTUnwrap(out["errors"]?.arrayValue)
        XCTAssertEqual(errors.count, 2)
        XCTAssertEqual(errors[0], [
            "keywordLocation": "/properties/event/type",
            "absoluteKeywordLocation": "urn:dspec:schema#/properties/event/type",
            "instanceLocation": "/event",
            "error": "expected string, got integer",
        ])
        XCTAssertEqual(errors[1]["instanceLocation"], "/evnt")
        XCTAssertEqual(errors[1]["error"], "property \"evnt\" is not allowed; did you mean \"event\"?")
    }

    func testNumbersAreExact() throws {
        // 19.99 / 0.01 is 1998.9999999999998 in binary floating point.
        let cents = try schema(#"{"multipleOf": 0.01}"#)
        XCTAssertTrue(cents.isValid(try value("19.99")))
        XCTAssertTrue(cents.isValid(try value("0.29")))
        XCTAssertFalse(cents.isValid(try value("0.291")))
        XCTAssertTrue(cents.isValid(try value("1e308")))
        // Ids beyond 2^53 compare digit by digit.
        let big = try schema(#"{"maximum": 12345678901234567890}"#)
        XCTAssertTrue(big.isValid(try value("12345678901234567890")))
        XCTAssertFalse(big.isValid(try value("12345678901234567891")))
        XCTAssertTrue(big.isValid(try value("12345678901234567889.999999")))
        let integer = try schema(#"{"type": "integer", "const": 1}"#)
        XCTAssertTrue(integer.isValid(try value("1.0")))
        XCTAssertTrue(integer.isValid(try value("10e-1")))
        XCTAssertFalse(integer.isValid(try value("1.5")))
        XCTAssertTrue(try schema(#"{"enum": [100]}"#).isValid(try value("1e2")))
    }

    func testStringLengthsCountCodePoints() throws {
        let s = try schema(#"{"minLength": 2, "maxLength": 2}"#)
        XCTAssertTrue(s.isValid("💩💩"))
        XCTAssertFalse(s.isValid("💩"))
        XCTAssertEqual(s.validate("abc").map(\.message), ["must be at most 2 characters long; is 3"])
    }

    func testECMARegexDialect() throws {
        // \d is ASCII only; $ matches only at the very end (ICU's $ also matches before a final newline).
        let digits = try schema(#"{"pattern": "^\\d+$"}"#)
        XCTAssertTrue(digits.isValid("123"))
        XCTAssertFalse(digits.isValid("١٢٣"))
        XCTAssertFalse(digits.isValid("123\n"))
        // \s includes U+FEFF in ECMA-262; patterns are unanchored.
        XCTAssertTrue(try schema(#"{"pattern": "^\\s$"}"#).isValid("\u{FEFF}"))
        XCTAssertTrue(try schema(#"{"pattern": "b"}"#).isValid("abc"))
        XCTAssertThrowsError(try schema(#"{"pattern": "(unclosed"}"#))
    }

    func testFormatIsAnAnnotationUnlessAsked() throws {
        let text = #"{"format": "date-time"}"#
        XCTAssertTrue(try schema(text).isValid("not a date"))
        let asserting = try schema(text, options: SchemaOptions(formatAssertion: true))
        XCTAssertFalse(asserting.isValid("not a date"))
        XCTAssertTrue(asserting.isValid("2024-05-14T09:21:37.412Z"))
        XCTAssertEqual(asserting.validate("2024-02-30T00:00:00Z").map(\.message), [#"is not a valid date-time: "2024-02-30T00:00:00Z""#])
    }

    func testRemoteRefsComeFromTheResolverOnly() throws {
        let resolver = DictionarySchemaResolver(["https://example.com/defs.json": try value(#"{"$defs": {"id": {"type": "string", "minLength": 1}}}"#)])
        let s = try schema(#"{"properties": {"id": {"$ref": "https://example.com/defs.json#/$defs/id"}}}"#, resolver: resolver)
        XCTAssertFalse(s.isValid(try value(#"{"id": ""}"#)))
        XCTAssertTrue(s.isValid(try value(#"{"id": "a"}"#)))
        XCTAssertThrowsError(try schema(#"{"$ref": "https://example.com/missing.json"}"#)) { error in
            XCTAssertTrue("\(error)".contains("cannot resolve \"https://example.com/missing.json\""), "\(error)")
        }
    }

    func testRefCycleWithoutProgressIsAnErrorNotACrash() throws {
        let s = try schema(##"{"$ref": "#"}"##, options: SchemaOptions(maxDepth: 64))
        XCTAssertFalse(s.isValid(1))
        XCTAssertTrue(s.validate(1).contains { $0.message.contains("deeper than 64") })
    }

    func testEqualityIsByCodePointsNotCanonicalEquivalence() throws {
        // "é" precomposed vs "e" + combining acute: Swift's == says equal, JSON Schema says different.
        XCTAssertFalse(try schema(#"{"const": "\u00e9"}"#).isValid("e\u{301}"))
    }

    func testUniqueItemsOnLongArraysUsesValueEquality() throws {
        let s = try schema(#"{"uniqueItems": true}"#)
        let distinct = (0..<20).map { JSONValue.int($0) }
        XCTAssertTrue(s.isValid(.array(distinct + [.string("e\u{301}"), .string("\u{e9}")])))
        XCTAssertEqual(s.validate(.array(distinct + [try value("1.0")])).map(\.message), ["items must be unique; items 1 and 20 are equal"])
        XCTAssertFalse(s.isValid(.array(distinct + [try value(#"{"a": 1, "b": [2]}"#), try value(#"{"b": [2.0], "a": 1e0}"#)])))
        XCTAssertTrue(s.isValid(.array(distinct + [try value(#"{"a": 1}"#), try value(#"{"a": "1"}"#)])))
    }

    /// The benchmark's schema and events: the counts the bench prints, checked here.
    func testBenchmarkFixtureOutcome() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let s = try JSONSchema.compile(try JSONParser().parseValue([UInt8](Data(contentsOf: dir.appendingPathComponent("benchmark-event.schema.json")))))
        guard case .array(let events) = try JSONParser().parseValue([UInt8](Data(contentsOf: dir.appendingPathComponent("benchmark-events.json")))) else {
            return XCTFail("events fixture is not an array")
        }
        XCTAssertEqual(events.count, 100)
        XCTAssertEqual(events.filter { s.isValid($0) }.count, 88)
        XCTAssertEqual(events.filter { s.validate($0).isEmpty }.count, 88)
    }
}

final class JSONSchemaLimitTests: XCTestCase {
    /// A bound too large for Int must still hold (it once wrapped to a negative number in the
    /// code-point shortcut of minLength and let every string through).
    func testHugeLengthAndCountBoundsDoNotOverflow() throws {
        let minLength = try JSONSchema.compile(try JSONParser().parseValue(#"{"minLength": 1e400}"#))
        XCTAssertFalse(minLength.isValid("abc"))
        XCTAssertFalse(minLength.validate("abc").isEmpty)
        let minItems = try JSONSchema.compile(try JSONParser().parseValue(#"{"minItems": 99999999999999999999999}"#))
        XCTAssertFalse(minItems.isValid([1, 2]))
        let maxLength = try JSONSchema.compile(try JSONParser().parseValue(#"{"maxLength": 1e400}"#))
        XCTAssertTrue(maxLength.isValid("abc"))
    }
}
