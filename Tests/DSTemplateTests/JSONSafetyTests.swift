import DSJSON
import DSTemplate
import XCTest

/// Whatever an event contains, a JSON-mode template renders valid JSON that carries the
/// value exactly: a seeded property test over adversarial strings and values.
final class JSONSafetyTests: XCTestCase {
    /// SplitMix64: deterministic, no wall clock.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let pieces: [String] = {
        var p = ["\"", "\\", "\\\"", "\\u0000", "</script>", "<!--", "\r\n", "\n", "\u{2028}", "\u{2029}", "😀", "𝄞", "{{", "}}",
                 "{{x}}", "\u{FEFF}", "é", "e\u{301}", "\u{7F}", "a", "Z", " ", "'", "&", "%", "/", "null", "[", "]", "{", "}", ","]
        for c in 0..<0x20 { p.append(String(UnicodeScalar(UInt8(c)))) }
        return p
    }()

    static func string(_ g: inout Generator) -> String {
        var s = ""
        for _ in 0..<g.below(12) { s += pieces[g.below(pieces.count)] }
        return s
    }

    static func value(_ g: inout Generator, depth: Int = 0) -> JSONValue {
        switch g.below(depth >= 2 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(g.below(2) == 0)
        case 2: return .number(JSONNumber(text: ["0", "-1", "1.50", "1e-7", "12345678901234567890", "-0.0"][g.below(6)]))
        case 3, 4: return .string(string(&g))
        case 5: return .array((0..<g.below(4)).map { _ in value(&g, depth: depth + 1) })
        default:
            var o = JSONObject()
            for _ in 0..<g.below(4) { o[string(&g)] = value(&g, depth: depth + 1) }
            return .object(o)
        }
    }

    func testAdversarialEventsAlwaysRenderValidJSON() throws {
        let flat = try CompiledTemplate.compile(
            #"{"a": "{{s}}", "b": {{s}}, "c": "pre {{s}} mid {{{s}}} post", "v": {{v}}, "n": {{nested.deep.s}}, "m": {{missing}}, "t": "{{v}}"}"#, mode: .json)
        let loops = try CompiledTemplate.compile(
            #"{"strings": [{{#each list}}{{#unless @first}}, {{/unless}}"{{this}}"{{/each}}], "values": [{{#each list}}{{#if @index}},{{/if}}{{this}}{{/each}}], "keys": { {{#each obj}}{{#unless @first}},{{/unless}}"{{@key}}": {{this}}{{/each}} }}"#, mode: .json)
        let helpers = try CompiledTemplate.compile(
            #"{"j": {{json v}}, "js": "{{json v}}", "p": {{> inner}}, "d": {{default missing s}}}"#, mode: .json,
            partials: ["inner": #"{"in": "{{s}}", "val": {{v}}}"#])
        var g = Generator(state: 0x5EED)
        let parser = JSONParser()
        var buffer: [UInt8] = []
        for iteration in 0..<3000 {
            let s = Self.string(&g)
            let v = Self.value(&g)
            var list: [JSONValue] = []
            for _ in 0..<g.below(5) { list.append(.string(Self.string(&g))) }
            var obj = JSONObject()
            for _ in 0..<g.below(4) { obj[Self.string(&g)] = Self.value(&g) }
            let event: JSONValue = .object(JSONObject([
                ("s", .string(s)), ("v", v), ("list", .array(list)), ("obj", .object(obj)),
                ("nested", .object(JSONObject([("deep", .object(JSONObject([("s", .string(s))])))]))),
            ]))
            let context = "iteration \(iteration), s = \(s.debugDescription)"

            buffer.removeAll(keepingCapacity: true)
            try flat.render(event, data: [:], into: &buffer)
            XCTAssertNotNil(String(validating: buffer, as: UTF8.self), context)
            let out = try parser.parseValue(buffer)
            XCTAssertEqual(out["a"], .string(s), context)
            XCTAssertEqual(out["b"], .string(s), context)
            XCTAssertEqual(out["c"], .string("pre \(s) mid \(s) post"), context)
            XCTAssertEqual(out["v"], v, context)
            XCTAssertEqual(out["n"], .string(s), context)
            XCTAssertEqual(out["m"], .null, context)
            XCTAssertEqual(out["t"]?.stringValue != nil, true, context)

            let out2 = try parser.parseValue(try loops.render(event))
            XCTAssertEqual(out2["strings"], .array(list), context)
            XCTAssertEqual(out2["values"], .array(list), context)
            XCTAssertEqual(out2["keys"], .object(obj), context)

            let out3 = try parser.parseValue(try helpers.render(event))
            XCTAssertEqual(out3["j"], v, context)
            XCTAssertEqual(out3["js"], .string(JSONWriter.string(v)), context)
            XCTAssertEqual(out3["p"], .object(JSONObject([("in", .string(s)), ("val", v)])), context)
            XCTAssertEqual(out3["d"], .string(s), context)
        }
    }

    func testLineSeparatorsAreEscaped() throws {
        let t = try CompiledTemplate.compile(#"{"a": "{{s}}"}"#, mode: .json)
        let out = try t.render(json(#"{"s": "\u2028\u2029</script>"}"#))
        XCTAssertEqual(out, #"{"a": "\u2028\u2029</script>"}"#)
    }
}
