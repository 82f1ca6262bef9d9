import DSCore
import DSJSON
@testable import DSTemplate
import Foundation
import XCTest

/// The flat form of a template (`FlatProgram`: only text and root-level holes) is a second
/// renderer for the most common templates. Each test here compares it with the general
/// renderer, on chosen and on many random templates and events, so the fast path cannot
/// silently diverge: same bytes, same errors.
final class FlatProgramTests: XCTestCase {
    /// Renders through the flat form and through the general renderer (every entry point),
    /// and asserts they agree: the same output, or the same error.
    private func assertPathsAgree(_ template: CompiledTemplate, _ event: JSONValue, data: [String: JSONValue] = [:],
                                  file: StaticString = #filePath, line: UInt = #line) {
        let general = Result { () throws(TemplateRenderError) -> String in try template.renderGeneral(event, data: data) }
        let flat = Result { () throws(TemplateRenderError) -> String in try template.render(event, data: data) }
        switch (general, flat) {
        case (.success(let g), .success(let f)):
            XCTAssertEqual(f, g, "template: \(template.source)", file: file, line: line)
            var bytes: [UInt8] = [1, 2]
            XCTAssertNoThrow(try template.render(event, data: data, into: &bytes), file: file, line: line)
            XCTAssertEqual(bytes, [1, 2] + Array(g.utf8), file: file, line: line)
            var writer = ByteWriter(capacity: 4)
            writer.append(UInt8(ascii: "x"))
            XCTAssertNoThrow(try template.render(event, data: data, into: &writer), file: file, line: line)
            XCTAssertEqual(Array(writer.bytes), [UInt8(ascii: "x")] + Array(g.utf8), file: file, line: line)
        case (.failure(let g), .failure(let f)):
            XCTAssertEqual(f.message, g.message, file: file, line: line)
            var bytes: [UInt8] = [1]
            XCTAssertThrowsError(try template.render(event, data: data, into: &bytes), file: file, line: line)
            XCTAssertEqual(bytes, [1], "an error leaves the output as it was", file: file, line: line)
            var writer = ByteWriter(capacity: 4)
            writer.append(UInt8(ascii: "x"))
            XCTAssertThrowsError(try template.render(event, data: data, into: &writer), file: file, line: line)
            XCTAssertEqual(Array(writer.bytes), [UInt8(ascii: "x")], file: file, line: line)
        default:
            XCTFail("flat \(flat) but general \(general) for \(template.source)", file: file, line: line)
        }
    }

    func testWhichTemplatesAreFlat() throws {
        for source in ["", "plain text", "{{a}}", "x{{a.b.c}}y{{@settings.region}}z", "{{{a}}} {{a.length}} {{a.0}}", "{\"a\": {{a}}, \"b\": \"{{b}}\"}"] {
            XCTAssertTrue(try CompiledTemplate.compile(source, mode: source.hasPrefix("{") ? .json : .text).hasFlatForm, source)
        }
        for source in ["{{#if a}}x{{/if}}", "{{uppercase a}}", "{{this}}", "{{../a}}", "{{@root.a}}", "{{> p}}", "{{#each a}}{{this}}{{/each}}", "{{lookup_table \"t\" a}}"] {
            let template = try CompiledTemplate.compile(source, mode: .text, partials: ["p": "{{a}}"])
            XCTAssertFalse(template.hasFlatForm, source)
        }
    }

    /// The benchmark template on its own event (which has quotes to escape) and on the event
    /// the side-by-side benchmark uses.
    func testBenchmarkTemplateIsFlatAndAgrees() throws {
        let fixtures = packageRoot.appendingPathComponent("Tests/DSTemplateTests/Fixtures")
        let spec = try JSONParser().parseValue([UInt8](Data(contentsOf: fixtures.appendingPathComponent("benchmark-template.json"))))
        let event = try JSONParser().parseValue([UInt8](Data(contentsOf: fixtures.appendingPathComponent("benchmark-event.json"))))
        let template = try CompiledTemplate.compile(try XCTUnwrap(spec["template"]?.stringValue), mode: .json)
        XCTAssertTrue(template.hasFlatForm)
        var data: [String: JSONValue] = [:]
        if case .object(let object)? = spec["data"] { for (k, v) in object { data[k] = v } }
        assertPathsAgree(template, event, data: data)
        XCTAssertTrue(try template.render(event, data: data).contains(#""title": "Thank you for your order \"A-10293\"""#))
        assertPathsAgree(template, event, data: [:])
        assertPathsAgree(template, .object(JSONObject()), data: data)
        assertPathsAgree(template, .array([event]), data: data)
    }

    func testChosenValuesAndShapes() throws {
        var big = JSONObject()
        for i in 0..<40 { big["k\(i)"] = .string("v\(i)") }
        let nested: JSONValue = .object(JSONObject([("k", .string("deep")), ("n", .int(7))]))
        let strings: [String] = ["", "a", "quote\"d", "back\\slash", "tab\there", "nl\n", "\u{01}", "\u{1F}", "\u{7F}", "line\u{2028}sep\u{2029}",
                                 "\u{E2}\u{80}", "é ü 中文 😀", String(repeating: "x", count: 15), String(repeating: "y", count: 16),
                                 String(repeating: "z", count: 17) + "\"", String(repeating: "w", count: 100) + "\n" + String(repeating: "v", count: 31),
                                 "CR\r", "127.0.0.1:8080", "a b&c=d/e?f#g"]
        var values: [JSONValue] = strings.map { .string($0) }
        values += [.int(0), .double(1.5), .number(JSONNumber(text: "12345678901234567890")), .bool(true), .bool(false), .null,
                   .array([]), .array([.int(1), .string("two"), nested]), nested, .object(JSONObject()), .object(big)]
        let templates: [(String, TemplateMode)] = [
            ("{\"s\": \"{{v}}\", \"v\": {{v}}, \"n\": {{o.k}}, \"m\": {{o.missing.x}}, \"l\": {{v.length}}, \"i\": {{v.1}}, \"d\": \"{{@settings.region}}\", \"r\": {{@settings}}}", .json),
            ("{{v}}|{{{v}}}|{{v.length}}|{{o.k}}|{{@settings.region}}|{{@region}}", .text),
            ("https://{{v}}/p/{{v}}?q={{{v}}}&r={{o.k}}", .url),
            ("Bearer {{v}} {{o.n}}", .header),
            ("{{v}}-{{o.k}}", .plain),
            ("{{k3}}{{k39}}{{k0}}{{nope}}", .json),
        ]
        let settings: JSONValue = .object(JSONObject([("region", .string("eu\"1"))]))
        for (source, mode) in templates {
            let template = try CompiledTemplate.compile(source, mode: mode)
            XCTAssertTrue(template.hasFlatForm, source)
            for v in values {
                let event: JSONValue = .object(JSONObject([("o", nested), ("v", v)]))
                assertPathsAgree(template, event, data: ["settings": settings, "region": .string("r")])
                assertPathsAgree(template, event)
                assertPathsAgree(template, .object(big))
                assertPathsAgree(template, v)
            }
        }
    }

    /// Data variables: found by scanning a small dictionary, hashing a large one; keys that
    /// are canonically equivalent but spelled differently match as the dictionary matches them.
    func testDataVariablesSmallAndLargeDictionaries() throws {
        let template = try CompiledTemplate.compile("{{@settings.region}}|{{@K}}|{{@[\u{212A}]}}|{{@é}}|{{@long_variable_name_here}}|{{@missing}}", mode: .text)
        XCTAssertTrue(template.hasFlatForm)
        var data: [String: JSONValue] = ["settings": .object(JSONObject([("region", .string("eu"))])), "\u{212A}": .string("kelvin"),
                                         "e\u{301}": .string("decomposed"), "long_variable_name_here": .int(3)]
        assertPathsAgree(template, .object(JSONObject()), data: data)
        XCTAssertEqual(try template.render(.object(JSONObject()), data: data), "eu|kelvin|kelvin|decomposed|3|")
        for i in 0..<20 { data["extra\(i)"] = .int(i) }
        assertPathsAgree(template, .object(JSONObject()), data: data)
        assertPathsAgree(template, .object(JSONObject()), data: [:])
    }

    /// A key that is canonically equivalent to the hole's but spelled differently: both paths
    /// must find (or miss) it alike.
    func testKeysThatAreNotSmallASCII() throws {
        let kelvin = "\u{212A}", longKey = "a-key-longer-than-fifteen-bytes"
        let event: JSONValue = .object(JSONObject([(kelvin, .string("kelvin")), (longKey, .string("long")), ("é", .string("e-acute")),
                                                   ("e\u{301}", .string("decomposed"))]))
        for source in ["{{K}}|{{[\(kelvin)]}}|{{\(longKey)}}|{{é}}|{{[e\u{301}]}}", "{{[\(longKey)]}}{{K}}"] {
            let template = try CompiledTemplate.compile(source, mode: .text)
            XCTAssertTrue(template.hasFlatForm, source)
            assertPathsAgree(template, event)
        }
    }

    /// Random flat templates over random events: a small pool of keys so paths both hit and
    /// miss, values of every kind, holes in string and value positions.
    func testRandomTemplatesAndEventsAgree() throws {
        var rng = SplitMix64(seed: 0x5EED_F1A7)
        let keys = ["a", "b", "type", "event", "properties", "context", "x_1", "K", "\u{212A}", "a-much-longer-key-name", "0", "1", "length"]
        func randomString() -> String {
            let pieces = ["a", "xyz", "\"", "\\", "\n", "\u{0}", "\u{1B}", "é", "\u{2028}", "\u{E2}", "😀", "0123456789abcdef", " ", "<&>", "="]
            return (0..<Int(rng.next() % 12)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
        }
        func randomValue(_ depth: Int) -> JSONValue {
            switch rng.next() % (depth > 2 ? 5 : 8) {
            case 0: return .int(Int(rng.next() % 1000))
            case 1: return .bool(rng.next() % 2 == 0)
            case 2: return .null
            case 3, 4: return .string(randomString())
            case 5: return .array((0..<Int(rng.next() % 4)).map { _ in randomValue(depth + 1) })
            default:
                var object = JSONObject()
                let count = rng.next() % 8 == 0 ? 20 : Int(rng.next() % 6)
                for i in 0..<count { object[i < keys.count && count < 20 ? keys[Int(rng.next() % UInt64(keys.count))] : "k\(i)"] = randomValue(depth + 1) }
                return .object(object)
            }
        }
        let modes: [TemplateMode] = [.json, .text, .plain, .url, .header]
        var flatCount = 0
        for _ in 0..<600 {
            let mode = modes[Int(rng.next() % UInt64(modes.count))]
            var source = ""
            var inString = false
            for _ in 0..<Int(rng.next() % 8) {
                let depth = 1 + Int(rng.next() % 3)
                var path = (0..<depth).map { _ in
                    let k = keys[Int(rng.next() % UInt64(keys.count))]
                    return k.allSatisfy { $0.isLetter || $0 == "_" } && k.unicodeScalars.allSatisfy(\.isASCII) ? k : "[\(k)]"
                }.joined(separator: ".")
                if rng.next() % 6 == 0 { path = "@settings." + path }
                if mode == .json {
                    source += inString ? "\", \"k\": " : ", "
                    inString = rng.next() % 2 == 0
                    source += inString ? "\"{{\(path)}}" : "{{\(path)}}"
                } else {
                    source += ["", " ", "lit-", "/", "?q="][Int(rng.next() % 5)] + "{{\(path)}}"
                }
            }
            if inString { source += "\"" }
            guard let template = try? CompiledTemplate.compile(source, mode: mode) else { continue }
            if template.hasFlatForm { flatCount += 1 }
            for _ in 0..<4 {
                assertPathsAgree(template, randomValue(0), data: ["settings": randomValue(0)])
            }
        }
        XCTAssertGreaterThan(flatCount, 400, "the random templates should mostly be flat")
    }

    /// The vectorised scan against a byte-at-a-time reference, at every length and position
    /// around the 4-, 8- and 16-byte block edges.
    func testCopyCleanMatchesByteByByteReference() {
        var rng = SplitMix64(seed: 42)
        let special: [UInt8] = [0x00, 0x09, 0x1F, 0x22, 0x5C, 0xE2]
        let clean: [UInt8] = [0x20, 0x21, 0x23, 0x41, 0x5B, 0x5D, 0x7F, 0x80, 0xE1, 0xE3, 0xFF]
        func reference(_ bytes: [UInt8]) -> Int { bytes.firstIndex { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 } ?? bytes.count }
        var inputs: [[UInt8]] = []
        for n in 0...70 {
            inputs.append((0..<n).map { _ in clean[Int(rng.next() % UInt64(clean.count))] })
            for position in 0..<n {
                for s in special {
                    var bytes = (0..<n).map { _ in clean[Int(rng.next() % UInt64(clean.count))] }
                    bytes[position] = s
                    if rng.next() % 3 == 0, position + 1 < n { bytes[Int.random(in: (position + 1)..<n, using: &rng)] = special[Int(rng.next() % 6)] }
                    inputs.append(bytes)
                }
            }
        }
        for _ in 0..<3000 {
            inputs.append((0..<Int(rng.next() % 200)).map { _ in rng.next() % 10 == 0 ? special[Int(rng.next() % 6)] : UInt8(truncatingIfNeeded: rng.next()) })
        }
        for bytes in inputs {
            var dst = [UInt8](repeating: 0xAA, count: bytes.count + 1)
            let copied = bytes.withUnsafeBufferPointer { src in
                dst.withUnsafeMutableBufferPointer { FlatRenderer.copyClean($0.baseAddress!, src) }
            }
            XCTAssertEqual(copied, reference(bytes), "\(bytes)")
            XCTAssertEqual(Array(dst[..<copied]), Array(bytes[..<copied]))
            XCTAssertEqual(dst[bytes.count], 0xAA, "wrote past n")
            // And the whole escaper against JSONWriter's.
            let expected: [UInt8] = bytes.withUnsafeBufferPointer { buf in
                var out: [UInt8] = []
                JSONWriter.appendEscaped(buf, into: &out)
                return out
            }
            let actual: [UInt8] = bytes.withUnsafeBufferPointer { buf in
                var writer = ByteWriter(capacity: 1)
                FlatRenderer.appendJSONEscaped(buf, into: &writer)
                return Array(writer.bytes)
            }
            XCTAssertEqual(actual, expected, "\(bytes)")
        }
    }

    /// The in-place read of a string's bytes (`StringBytes`) against the standard library's,
    /// on strings made every way a renderer meets them: literals, parsed, built, sliced, small
    /// and large, ASCII and not. On the 64-bit platforms it must be on, so the other tests
    /// here exercise it.
    func testStringBytesMatchTheStandardLibrary() throws {
        #if (arch(x86_64) || arch(arm64)) && _endian(little)
        XCTAssertTrue(StringBytes.isSupported)
        #endif
        guard StringBytes.isSupported else { throw XCTSkip("the in-place string read is off on this platform") }
        var rng = SplitMix64(seed: 7)
        var strings: [String] = ["", "x", "fifteen-bytes!!", "sixteen-bytes!!!", "é", "😀😀😀😀", "a literal string that is long enough to be large"]
        let parsed = try JSONParser().parseValue(#"["short", "a parsed string long enough to be stored out of line", "\u00e9\u2028\"", "tab\tnl\n"]"#)
        if case .array(let items) = parsed { strings += items.compactMap(\.stringValue) }
        for _ in 0..<500 {
            let scalars = (0..<Int(rng.next() % 40)).map { _ -> Character in
                let pool: [Character] = ["a", "Z", "0", " ", "\"", "\\", "\n", "é", "中", "😀", "\u{2028}"]
                return pool[Int(rng.next() % UInt64(pool.count))]
            }
            let built = String(scalars)
            strings.append(built)
            strings.append(String(built.dropFirst(Int(rng.next() % 3))))
            strings.append(built + built)
        }
        for string in strings {
            var value = JSONValue.string(string)
            let decoded: [UInt8]? = withUnsafePointer(to: &value) { pointer in
                StringBytes.utf8(at: UnsafeRawPointer(pointer)).map { Array(UnsafeBufferPointer(start: $0.0, count: $0.1)) }
            }
            XCTAssertEqual(decoded, Array(string.utf8), string)
        }
    }

    /// Many threads rendering one shared event through the flat form (the thread sanitizer
    /// run, `scripts/tsan`, covers this class too).
    func testConcurrentFlatRendersAgree() throws {
        let event = json(#"{"a": "x\"y", "b": {"c": [1, 2], "d": "long string value, long enough for two blocks"}}"#)
        let template = try CompiledTemplate.compile(#"{"a": "{{a}}", "c": {{b.c}}, "d": {{b.d}}, "n": {{b.c.length}}}"#, mode: .json)
        XCTAssertTrue(template.hasFlatForm)
        let expected = try template.renderGeneral(event)
        let mismatches = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<300 where (try? template.render(event, data: [:])) != expected {
                mismatches.withLock { $0 += 1 }
            }
        }
        XCTAssertEqual(mismatches.withLock { $0 }, 0)
    }
}

/// A small deterministic generator for the random cases (reproducible from the seed).
