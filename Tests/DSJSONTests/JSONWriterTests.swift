import DSJSON
import XCTest

final class JSONWriterTests: XCTestCase {
    func testEscapingIsMinimalAndSafe() {
        let s: JSONValue = .string("q\"b\\n\n\u{1}\u{7f}\u{2028}\u{2029}é</script>")
        XCTAssertEqual(JSONWriter.string(s), #""q\"b\\n\n\u0001\#u{7f}\u2028\u2029é</script>""#)
    }

    func testCanonicalOrderIsByCodePoint() {
        let v: JSONValue = ["b": 1, "a": ["z": true, "Z": false], "é": .null, "B": 2]
        XCTAssertEqual(JSONWriter.string(v, style: .compactSorted), #"{"B":2,"a":{"Z":false,"z":true},"b":1,"é":null}"#)
        XCTAssertEqual(JSONWriter.string(v), #"{"b":1,"a":{"z":true,"Z":false},"é":null,"B":2}"#)
    }

    func testPrettySorted() {
        let v: JSONValue = ["b": [1, 2], "a": [:], "c": []]
        XCTAssertEqual(JSONWriter.string(v, style: .prettySorted), "{\n  \"a\": {},\n  \"b\": [\n    1,\n    2\n  ],\n  \"c\": []\n}")
    }

    func testRoundTripThroughParser() throws {
        let v: JSONValue = ["s": "\u{0}\u{1f}\"\\/😀", "n": .number(JSONNumber(text: "1.50")), "a": [.null, true, false, ["k": "v"]]]
        XCTAssertEqual(try JSONParser().parseValue(JSONWriter.string(v)), v)
    }

    func testPointers() throws {
        let v: JSONValue = ["a/b": ["~k": [10, 20]], "": 1]
        XCTAssertEqual(JSONPointer.resolve("/a~1b/~0k/1", in: v), 20)
        XCTAssertEqual(JSONPointer.resolve("/", in: v), 1)
        XCTAssertNil(JSONPointer.resolve("/a~1b/~0k/01", in: v))
        XCTAssertNil(JSONPointer.resolve("a", in: v))
        XCTAssertFalse(JSONPointer.isValid("/a~2"))
        XCTAssertEqual(JSONPointer.appending("/x", "a/b~c"), "/x/a~1b~0c")
    }

    func testStringTokenMapAcrossEscapes() {
        let source = Array(#"{"t": "a\"b\u00e9{{x}}"}"#.utf8)
        // decoded: a " b é { { x   -> "{{" starts at decoded byte 5 (a=1, "=1, b=1, é=2)
        let offset = StringTokenMap.sourceOffset(decodedOffset: 5, tokenStart: 6, in: source)
        XCTAssertEqual(String(decoding: source[offset..<offset + 2], as: UTF8.self), "{{")
    }
}
