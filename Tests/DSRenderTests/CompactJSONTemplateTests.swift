import DSCore
import DSJSON
import DSPlan
@testable import DSRender
import DSTemplate
import XCTest

/// `payload.normalize: javascript` renders a compacted copy of the payload template
/// (``CompactJSONTemplate``) so the normalization usually finds the body already normal.
/// The fast path must give exactly the general path's body, and the general path's error
/// (same message) when there is one: checked on chosen and on many random templates and events.
final class CompactJSONTemplateTests: XCTestCase {
    static let seedTemplate = #"{ "event_type": "{{event}}", "user": "{{user_id}}", "data": { "page": "{{context.page.url}}", "revenue": {{properties.total}} } }"#

    // MARK: - The rewrite

    func testTheSeedTemplateLosesOnlyItsWhitespace() {
        XCTAssertEqual(CompactJSONTemplate.compact(Self.seedTemplate),
                       #"{"event_type":"{{event}}","user":"{{user_id}}","data":{"page":"{{context.page.url}}","revenue":{{properties.total}}}}"#)
    }

    func testWhitespaceInsideStringsAndBetweenTwoValuesStays() {
        XCTAssertEqual(CompactJSONTemplate.compact(" [ \"a b\" , \"{{x}} {{y}}\" ,\n\t{{z}} ] "), #"["a b","{{x}} {{y}}",{{z}}]"#)
        // Two values side by side are invalid JSON; joining them would make one valid token.
        XCTAssertEqual(CompactJSONTemplate.compact("[1 {{x}} , 2 ]"), "[1 {{x}},2]")
        XCTAssertEqual(CompactJSONTemplate.compact("[{{x}} {{y}}, true ]"), "[{{x}} {{y}},true]")
        // An escaped quote does not end the string.
        XCTAssertEqual(CompactJSONTemplate.compact(#"{ "a\" , b" : 1 }"#), #"{"a\" , b":1}"#)
    }

    func testNeverCreatesATagOpening() {
        XCTAssertEqual(CompactJSONTemplate.compact("{ {{k}}: 1 }"), "{ {{k}}:1}")
        XCTAssertEqual(CompactJSONTemplate.compact("[{ {\"a\": 1}]"), "[{ {\"a\":1}]")
    }

    func testLeavesTemplatesWithMoreThanPlainHolesAlone() {
        for source in [
            "{ {{#if a}}\"a\": 1{{/if}} }", "{ \"a\": {{{x}}} }", "{ \"a\": {{&x}} }", "{ {{! note }} \"a\": 1 }", "{ \"a\": {{> p}} }",
            "{ \"a\": {{~x}} }", "{ \"a\": {{x~}} }", "{ \"a\": \\{{x}} }", "{ \"a\": {{default x \"y\"}} }", "{ \"a\": {{lookup x key=1}} }",
            "{ \"a\": {{json (lowercase x)}} }", "{ \"a\": {{x }", "{ \"a\": {{else}} }", "{ \"a\": {{^x}}1{{/x}} }",
        ] {
            XCTAssertNil(CompactJSONTemplate.compact(source), source)
        }
        XCTAssertNil(CompactJSONTemplate.compact(#"{"a":{{x}}}"#), "nothing to remove")
        XCTAssertEqual(CompactJSONTemplate.compact("{ \"a\": {{ lowercase x }} }"), "{\"a\":{{ lowercase x }}}")
    }

    /// The rewrite relies on the lexer reading `{{x}}}` as the tag and then a `}` of text.
    func testATagFollowedByABraceIsTheTagThenText() throws {
        let t = try CompiledTemplate.compile(#"{"a":{{x}}}"#, mode: .json)
        XCTAssertEqual(try t.render(try JSONParser().parseValue(Array(#"{"x": 1.5}"#.utf8))), #"{"a":1.5}"#)
    }

    // MARK: - Fast path against the general path

    private func builders(_ template: String) throws -> (fast: PayloadBuilder, general: PayloadBuilder) {
        let payload = PlanPayload(format: "json", contentType: "application/json", body: .template(template), wrapper: nil, partials: [:],
                                  normalize: "javascript")
        let configuration = ResolvedConfiguration(data: ["settings": .object(JSONObject()), "secrets": .object(JSONObject())], secretValues: [])
        return (try PayloadBuilder(payload, needsValue: false, configuration: configuration),
                try PayloadBuilder(payload, needsValue: false, configuration: configuration, compacting: false))
    }

    private func outcome(_ builder: PayloadBuilder, _ event: JSONValue) -> String {
        let configuration = ResolvedConfiguration(data: ["settings": .object(JSONObject()), "secrets": .object(JSONObject())], secretValues: [])
        do {
            return "body " + String(decoding: try builder.encode(event, configuration: configuration).bytes, as: UTF8.self)
        } catch {
            return "error \(error)"
        }
    }

    /// Compares both paths on `event`; returns the body (nil on an error).
    @discardableResult
    private func assertSame(_ template: String, _ eventText: String, file: StaticString = #filePath, line: UInt = #line) throws -> String? {
        let (fast, general) = try builders(template)
        let event = try JSONParser().parseValue(Array(eventText.utf8))
        let a = outcome(fast, event), b = outcome(general, event)
        XCTAssertEqual(a, b, "template \(template) event \(eventText)", file: file, line: line)
        return a.hasPrefix("body ") ? String(a.dropFirst(5)) : nil
    }

    func testTheSeedTemplateTakesTheFastPathAndGivesTheSameBodies() throws {
        let (fast, _) = try builders(Self.seedTemplate)
        XCTAssertNotNil(fast.compactTemplate)
        let body = try assertSame(Self.seedTemplate, #"{"event": "Order Completed", "user_id": "user-1042", "context": {"page": {"url": "https://shop.example.com/checkout/complete"}}, "properties": {"total": 100.95}}"#)
        XCTAssertEqual(body, #"{"event_type":"Order Completed","user":"user-1042","data":{"page":"https://shop.example.com/checkout/complete","revenue":100.95}}"#)
        for event in [
            #"{"event": "Signed \"Up\"\n\t\u0001 \u2028 é 🎉", "properties": {"total": 1.50}}"#,
            #"{"event": "x", "properties": {"total": 1e2}}"#, #"{"event": "x", "properties": {"total": -0}}"#,
            #"{"event": "x", "properties": {"total": 0.0000001}}"#, #"{"event": "x", "properties": {"total": 123456789012345678901234}}"#,
            #"{"event": "x", "properties": {"total": {"b": 1, "2": [1.0, "\/"], "a": {"x": 1, "1": 2}}}}"#,
            #"{"event": "x", "properties": {"total": "12"}}"#, #"{"event": "x"}"#, #"{"event": 12.50, "user_id": true}"#,
            #"{"event": {"a": 1}, "user_id": [1, "a\/b"], "properties": {"total": null}}"#,
        ] {
            try assertSame(Self.seedTemplate, event)
        }
    }

    func testInvalidBodiesFailWithTheOriginalMessage() throws {
        // Two values side by side: JSON.parse rejects it, at a position in the original text.
        let template = "{ \"a\": {{x}} {{y}} }"
        XCTAssertNotNil(try builders(template).fast.compactTemplate)
        XCTAssertNil(try assertSame(template, #"{"x": 1, "y": 2}"#))
        XCTAssertNil(try assertSame("[ 1 ,, {{x}} ]", #"{"x": 1}"#))
        XCTAssertNil(try assertSame("{ \"a\" {{x}} }", #"{"x": 1}"#))
        XCTAssertEqual(try assertSame("{ \"a\" : {{x}} }", #"{"x": 1.50}"#), #"{"a":1.5}"#)
    }

    private typealias SplitMix = SplitMix64

    private static let paths = ["a", "b", "c", "d.e", "d.f", "missing"]

    private func ws(_ rng: inout SplitMix) -> String { [" ", "", "", "\n  ", "\t", " \r\n "].randomElement(using: &rng)! }

    /// A JSON-like template: mostly valid, with holes in value and string positions (keys
    /// included), literal escapes and numbers, and now and then a token too many or too few.
    private func randomTemplate(_ rng: inout SplitMix, depth: Int) -> String {
        let hole = { (rng: inout SplitMix) in "{{" + Self.paths.randomElement(using: &rng)! + "}}" }
        // The top is a container (the usual payload, and the only kind with whitespace to remove).
        switch depth == 0 ? Int.random(in: 5...6, using: &rng) : Int.random(in: 0...(depth > 2 ? 4 : 8), using: &rng) {
        case 0, 1, 8: return hole(&rng)
        case 2: return ["1", "1.0", "-0", "1e2", "0.5", "true", "null", "\"\""].randomElement(using: &rng)!
        case 3, 4:
            let parts = ["a", " ", "x y", "\\n", "\\\"", "\\/", "\\u00e9", "é", ":", ",", "{", "}"]
            return "\"" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                Bool.random(using: &rng) ? hole(&rng) : parts.randomElement(using: &rng)!
            }.joined() + "\""
        case 5:
            return "[" + ws(&rng) + (0..<Int.random(in: 0...3, using: &rng)).map { _ in randomTemplate(&rng, depth: depth + 1) }
                .joined(separator: ws(&rng) + [",", ",", " ", "  ", ",,"].randomElement(using: &rng)! + ws(&rng)) + ws(&rng) + "]"
        default:
            let keys = ["\"k\"", "\"m\"", "\"1\"", "\"{{a}}\"", "\"k{{b}}\"", "{{c}}", "\"a b\""]
            return "{" + ws(&rng) + (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                keys.randomElement(using: &rng)! + ws(&rng) + [":", ":", ":", ""].randomElement(using: &rng)! + ws(&rng) + randomTemplate(&rng, depth: depth + 1)
            }.joined(separator: ws(&rng) + "," + ws(&rng)) + ws(&rng) + "}"
        }
    }

    private func randomValue(_ rng: inout SplitMix, depth: Int) -> String {
        switch Int.random(in: 0...(depth > 1 ? 5 : 7), using: &rng) {
        case 0, 4, 5: return ["0", "-0", "1.50", "100.95", "1e2", "1E-7", "0.000001", "123456789012345678", "-12.5e+3", "7"].randomElement(using: &rng)!
        case 1: return ["true", "false", "null"].randomElement(using: &rng)!
        case 2, 3:
            let parts = ["plain", " ", "\\\"", "\\\\", "\\/", "\\n", "\\u0001", "\\u001f", "\\u007f", "é", "\\u2028", "🎉", "\\ud83c\\udf89", "<&>"]
            return "\"" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in parts.randomElement(using: &rng)! }.joined() + "\""
        case 6:
            return "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            // Distinct keys: the event parser refuses repeated ones.
            let keys = ["k", "1", "01", "m", "10", "\\u0041"].shuffled(using: &rng).prefix(Int.random(in: 0...3, using: &rng))
            return "{" + keys.map { key in "\"" + key + "\":" + randomValue(&rng, depth: depth + 1) }.joined(separator: ",") + "}"
        }
    }

    private func randomEvent(_ rng: inout SplitMix) -> String {
        var members: [String] = []
        for name in ["a", "b", "c"] where Int.random(in: 0...4, using: &rng) > 0 { members.append("\"\(name)\":" + randomValue(&rng, depth: 0)) }
        if Bool.random(using: &rng) { members.append("\"d\":{\"e\":\(randomValue(&rng, depth: 1)),\"f\":\(randomValue(&rng, depth: 1))}") }
        return "{" + members.joined(separator: ",") + "}"
    }

    func testRandomTemplatesAndEventsGiveTheGeneralPathsBodiesAndErrors() throws {
        var rng = SplitMix(seed: 0x5EED_0016)
        var compacted = 0, bodies = 0, errors = 0
        for _ in 0..<1200 {
            let template = randomTemplate(&rng, depth: 0)
            let pair: (fast: PayloadBuilder, general: PayloadBuilder)
            do { pair = try builders(template) } catch { continue }  // does not compile (both paths refuse it)
            if pair.fast.compactTemplate != nil { compacted += 1 }
            for _ in 0..<6 {
                let eventText = randomEvent(&rng)
                let event = try JSONParser().parseValue(Array(eventText.utf8))
                let a = outcome(pair.fast, event), b = outcome(pair.general, event)
                XCTAssertEqual(a, b, "template \(template) event \(eventText)")
                if a.hasPrefix("body ") { bodies += 1 } else { errors += 1 }
            }
        }
        // Token soup: any sequence of tokens and holes with whitespace between, mostly not JSON.
        // Whatever the rewrite joins must still read as the same tokens (or fail the same way).
        let tokens = ["{", "}", "[", "]", ",", ":", "{{a}}", "{{b}}", "{{d.e}}", "1", "-", "0", "\"s\"", "\"{{c}}\"", "true", "{{a}}", "{{b}}"]
        for _ in 0..<1500 {
            let template = (0..<Int.random(in: 1...10, using: &rng)).map { _ in tokens.randomElement(using: &rng)! }
                .map { $0 + ["", " ", " ", "\n", "\t "].randomElement(using: &rng)! }.joined()
            let pair: (fast: PayloadBuilder, general: PayloadBuilder)
            do { pair = try builders(template) } catch { continue }
            if pair.fast.compactTemplate != nil { compacted += 1 }
            for eventText in [#"{"a": 1, "b": 2, "c": "x", "d": {"e": 3}}"#, #"{"a": "x", "b": -1.50}"#, randomEvent(&rng)] {
                let event = try JSONParser().parseValue(Array(eventText.utf8))
                let a = outcome(pair.fast, event), b = outcome(pair.general, event)
                XCTAssertEqual(a, b, "template \(template) event \(eventText)")
                if a.hasPrefix("body ") { bodies += 1 } else { errors += 1 }
            }
        }
        // The generator must exercise the fast path with both outcomes.
        XCTAssertGreaterThan(compacted, 1000)
        XCTAssertGreaterThan(bodies, 1000)
        XCTAssertGreaterThan(errors, 1000)
    }

    // MARK: - Bodies proven normal (no scan)

    /// `CompiledTemplate.renderJavaScriptForm` claims a body needs no normalization: every
    /// time it says so, the body must be exactly `JavaScriptJSON.normalize`'s output.
    private func assertClaimHolds(_ template: CompiledTemplate, _ event: JSONValue, _ label: @autoclosure () -> String,
                                  file: StaticString = #filePath, line: UInt = #line) -> Bool? {
        var out: [UInt8] = []
        // Without a skeleton proof, a proof made by another template (never claimed).
        let skeleton = template.javaScriptFormSkeleton ?? Self.otherSkeleton
        let result = try? template.renderJavaScriptForm(event, data: [:], skeleton: skeleton, into: &out)
        if let own = template.javaScriptFormSkeleton {
            // The skeleton rendering by itself (what PayloadBuilder calls): the same bytes, the
            // same answer, the same failure.
            var direct: [UInt8] = []
            let directResult = try? own.render(event, data: [:], into: &direct)
            XCTAssertEqual(directResult, result, label(), file: file, line: line)
            XCTAssertEqual(direct, out, label(), file: file, line: line)
        }
        guard let proven = result else { return nil }
        if template.javaScriptFormSkeleton == nil { XCTAssertFalse(proven, label(), file: file, line: line) }
        // The same bytes as a plain render.
        var plain: [UInt8] = []
        try? template.render(event, data: [:], into: &plain)
        XCTAssertEqual(out, plain, label(), file: file, line: line)
        if proven {
            XCTAssertEqual(try? JavaScriptJSON.normalize(out), out, "claimed normal: \(String(decoding: out, as: UTF8.self)) \(label())",
                           file: file, line: line)
        }
        return proven
    }

    private static let otherSkeleton = try! CompiledTemplate.compile(#"{"a":{{a}}}"#, mode: .json).javaScriptFormSkeleton!

    func testTheSeedTemplateIsProvenNormalForPlainValues() throws {
        let (fast, _) = try builders(Self.seedTemplate)
        XCTAssertNotNil(fast.compactSkeleton)
        let template = try XCTUnwrap(fast.compactTemplate)
        for (text, expected) in [
            (#"{"event": "Order Completed", "user_id": "user-1042", "context": {"page": {"url": "https://shop.example.com/x"}}, "properties": {"total": 100.95}}"#, true),
            (#"{"event": "x", "properties": {"total": 12}}"#, true),
            (#"{"event": "x", "properties": {"total": "twelve"}}"#, true),
            (#"{"event": "x", "properties": {"total": true}}"#, true),
            (#"{"event": "x"}"#, true),  // missing: "" in a string, null in a value
            (#"{"event": "x", "properties": {"total": 1.50}}"#, false),  // JSON.stringify writes 1.5
            (#"{"event": "x", "properties": {"total": 1e2}}"#, false),
            (#"{"event": "x", "properties": {"total": 0}}"#, true),  // "0" is its own form (checked, not copied)
            (#"{"event": "x", "properties": {"total": -0}}"#, false),
            (#"{"event": "a/b\"c\n", "properties": {"total": 1}}"#, true),  // escapes JSON.stringify writes the same
            (#"{"event": "\u0001", "properties": {"total": 1}}"#, false),  // \u escapes: left to the scan
            (#"{"event": "\u2028", "properties": {"total": 1}}"#, false),
            (#"{"event": "é", "properties": {"total": 1}}"#, true),
            (#"{"event": "x", "properties": {"total": {"a": 1}}}"#, false),
            (#"{"event": "x", "properties": {"total": [1]}}"#, false),
            (#"{"event": {"a": 1}, "properties": {"total": 1}}"#, nil),  // whatever its string form is: checked
        ] as [(String, Bool?)] {
            let event = try JSONParser().parseValue(Array(text.utf8))
            let proven = assertClaimHolds(template, event, text)
            if let expected { XCTAssertEqual(proven, expected, text) }
            try assertSame(Self.seedTemplate, text)
        }
    }

    func testSkeletonsThatCannotBeProvenAreRefused() throws {
        func proves(_ source: String) throws -> Bool { try CompiledTemplate.compile(source, mode: .json).javaScriptFormSkeleton != nil }
        XCTAssertTrue(try proves(#"{"a":"{{x}}","b":[{{y}},"p{{z}}q"],"c":{{w}}}"#))
        XCTAssertTrue(try proves(#"{{x}}"#))
        XCTAssertTrue(try proves(#"["{{x}}{{y}}",{{z}}]"#))
        // Whitespace (the compacted template is what the renderer proves).
        XCTAssertFalse(try proves(#"{ "a": {{x}} }"#))
        // A hole in a key: it could repeat another key or be an array index.
        XCTAssertFalse(try proves(#"{"{{x}}":1}"#))
        XCTAssertFalse(try proves(#"{"k{{x}}":1,"k":2}"#))
        // A value hole touching other value text: `1` then `-5` is not one number.
        XCTAssertFalse(try proves(#"[1{{x}}]"#))
        XCTAssertFalse(try proves(#"[{{x}}1]"#))
        XCTAssertFalse(try proves(#"[{{x}}{{y}}]"#))
        // Literal text not in normal form, repeated keys, array-index keys, invalid JSON.
        XCTAssertFalse(try proves(#"{"a":1.50,"b":{{x}}}"#))
        XCTAssertFalse(try proves(#"{"a":"\/","b":{{x}}}"#))
        XCTAssertFalse(try proves(#"{"a":1,"a":{{x}}}"#))
        XCTAssertFalse(try proves(#"{"b":1,"1":{{x}}}"#))
        XCTAssertFalse(try proves(#"{"a":{{x}}"#))
        // A hole inside an escape would write into it: `\u00{{x}}1f` with x = "41" is
        // `\u00411f`, which JSON.parse reads as "A1f" (found in review: it was proven).
        XCTAssertFalse(try proves(#"{"a":"\u00{{x}}1f"}"#))
        XCTAssertFalse(try proves(#"{"a":"\u{{x}}0041"}"#))
        XCTAssertFalse(try proves(#"{"a":"\u004{{x}}1"}"#))
        // (`\{{x}}` is Handlebars' escaped mustache, literal text; a hole after `\\` does not
        // compile in a JSON string.)
        XCTAssertThrowsError(try proves(#"{"a":"\\{{x}}"}"#))
        // Right after a whole escape, a hole is outside it.
        XCTAssertTrue(try proves(#"{"a":"\u001f{{x}}"}"#))
        XCTAssertTrue(try proves(#"{"a":"\n{{x}}"}"#))
        // Templates that are not flat.
        XCTAssertNotEqual(try? proves(#"{"a":{{#if x}}1{{else}}2{{/if}}}"#), true)
    }

    /// Random templates and events: whenever a render is claimed normal it is, the bytes are
    /// the plain render's, and the payload equals the general path's; the generator must
    /// produce proven renders and refused ones.
    func testRandomTemplatesClaimNormalOnlyWhenTheBodyIs() throws {
        var rng = SplitMix(seed: 0x5EED_0017)
        var provenTemplates = 0, proven = 0, notProven = 0
        // Compact random templates (from the generator above, compacted when it can be).
        for _ in 0..<3000 {
            let source = randomTemplate(&rng, depth: 0)
            let compact = CompactJSONTemplate.compact(source) ?? source
            guard let template = try? CompiledTemplate.compile(compact, mode: .json) else { continue }
            if template.javaScriptFormSkeleton != nil { provenTemplates += 1 }
            for _ in 0..<5 {
                let eventText = randomEvent(&rng)
                let event = try JSONParser().parseValue(Array(eventText.utf8))
                switch assertClaimHolds(template, event, "template \(compact) event \(eventText)") {
                case true?: proven += 1
                case false?: notProven += 1
                case nil: break
                }
                if let (fast, general) = try? builders(source) {
                    XCTAssertEqual(outcome(fast, event), outcome(general, event), "template \(source) event \(eventText)")
                }
            }
        }
        // Token soup, compact: structure the generator above rarely makes.
        let tokens = ["{", "}", "[", "]", ",", ":", "{{a}}", "{{b}}", "{{d.e}}", "1", "-", "0", "\"s\"", "\"{{c}}\"", "\"k\":", "\"\\{{a}}\"",
                      "\"x{{b}}y\"", "true", "null", "\"{{a}}\":",
                      // Holes inside and next to escapes (an event's "41" completes `\u00` into "A").
                      "\"\\u00{{c}}1f\"", "\"\\u{{c}}\"", "\"\\u001f{{c}}\"", "\"\\\\{{c}}\""]
        for _ in 0..<4000 {
            let source = (0..<Int.random(in: 1...9, using: &rng)).map { _ in tokens.randomElement(using: &rng)! }.joined()
            guard let template = try? CompiledTemplate.compile(source, mode: .json) else { continue }
            if template.javaScriptFormSkeleton != nil { provenTemplates += 1 }
            for eventText in [#"{"a": 1, "b": 2, "c": "x", "d": {"e": 3}}"#, #"{"a": "x", "b": -1.50}"#, #"{"a": "5", "b": "-"}"#, #"{"c": "41"}"#, #"{"c": "0041"}"#, randomEvent(&rng)] {
                let event = try JSONParser().parseValue(Array(eventText.utf8))
                switch assertClaimHolds(template, event, "template \(source) event \(eventText)") {
                case true?: proven += 1
                case false?: notProven += 1
                case nil: break
                }
            }
        }
        XCTAssertGreaterThan(provenTemplates, 300)
        XCTAssertGreaterThan(proven, 1000)
        XCTAssertGreaterThan(notProven, 1000)
    }
}
