import DSCore
import DSJSON
@testable import DSTemplate
import XCTest

/// The flat renderer's bind program (`FlatProgram.steps`): each interior node of the path
/// trie bound once, just before the first hole below it, and every member lookup starting
/// where the last one in the same object stopped. Compared with the general renderer on
/// templates that read an event's members in every order (the event's, the reverse, random,
/// repeated, a node both written and walked through), on nested, hashed and array values,
/// data variables and missing paths, through every entry point.
final class FlatBindProgramTests: XCTestCase {
    /// The flat form through every entry point against the general renderer: the same bytes
    /// or the same error; for a JSON template with a skeleton proof, the skeleton's own render too.
    private func assertAgrees(_ template: CompiledTemplate, _ event: JSONValue, data: [String: JSONValue] = [:],
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(template.hasFlatForm, template.source, file: file, line: line)
        let general = Result { () throws(TemplateRenderError) -> String in try template.renderGeneral(event, data: data) }
        let flat = Result { () throws(TemplateRenderError) -> String in try template.render(event, data: data) }
        var bytes: [UInt8] = [7]
        let intoBytes = Result { () throws(TemplateRenderError) in try template.render(event, data: data, into: &bytes) }
        var writer = ByteWriter(capacity: 2)
        writer.append(UInt8(ascii: "w"))
        let intoWriter = Result { () throws(TemplateRenderError) in try template.render(event, data: data, into: &writer) }
        let label = "\(template.source) on \(String(decoding: JSONWriter.bytes(event, style: .compact), as: UTF8.self))"
        switch general {
        case .success(let expected):
            XCTAssertEqual(try? flat.get(), expected, label, file: file, line: line)
            XCTAssertNoThrow(try intoBytes.get(), label, file: file, line: line)
            XCTAssertEqual(bytes, [7] + Array(expected.utf8), label, file: file, line: line)
            XCTAssertNoThrow(try intoWriter.get(), label, file: file, line: line)
            XCTAssertEqual(Array(writer.bytes), [UInt8(ascii: "w")] + Array(expected.utf8), label, file: file, line: line)
            if let skeleton = template.javaScriptFormSkeleton {
                var out: [UInt8] = []
                XCTAssertNoThrow(try skeleton.render(event, data: data, into: &out), label, file: file, line: line)
                XCTAssertEqual(out, Array(expected.utf8), label, file: file, line: line)
            }
        case .failure(let error):
            XCTAssertEqual(flat.errorMessage, error.message, label, file: file, line: line)
            XCTAssertEqual(intoBytes.errorMessage, error.message, label, file: file, line: line)
            XCTAssertEqual(bytes, [7], label, file: file, line: line)
            XCTAssertEqual(intoWriter.errorMessage, error.message, label, file: file, line: line)
            XCTAssertEqual(Array(writer.bytes), [UInt8(ascii: "w")], label, file: file, line: line)
        }
    }

    /// The program binds each interior node once, outermost first, just before the first hole
    /// that needs it, and writes the holes in the template's order.
    func testTheBindProgramFollowsTheTemplate() throws {
        let template = try CompiledTemplate.compile("{{b.x}}{{a}}{{b.y}}{{c.d.e}}{{c.d}}{{c.f}}{{@s.t}}{{b.x}}", mode: .text)
        let flat = try XCTUnwrap(template.storage.flat)
        let steps = Array(UnsafeBufferPointer(start: flat.steps.baseAddress, count: flat.stepCount))
        let described: [String] = steps.map { step in
            if step >= 0 { return "hole \(flat.holes[step].key.segment)" }
            return "bind \(flat.nodes[~step].key.segment)"
        }
        XCTAssertEqual(described, ["bind b", "hole x", "hole a", "hole y", "bind c", "bind d", "hole e", "hole d", "hole f", "bind s", "hole t", "hole x"])
    }

    /// The seed's webhook template and the event the side-by-side benchmark uses, with the
    /// event's members in their order, reversed and shuffled.
    func testTheWebhookTemplateInEveryMemberOrder() throws {
        let template = try CompiledTemplate.compile(#"{"event_type":"{{event}}","user":"{{user_id}}","data":{"page":"{{context.page.url}}","revenue":{{properties.total}}}}"#, mode: .json)
        XCTAssertNotNil(template.javaScriptFormSkeleton)
        let event = json(#"{"type": "track", "event": "Order Completed", "event_id": "evt-0", "user_id": "user-1042", "context": {"page": {"url": "https://shop.example.com/checkout/complete", "path": "/c"}, "ip": "203.0.113.24"}, "properties": {"order_id": "ORD-1", "total": 100.95, "currency": "GBP"}}"#)
        var rng = SplitMix64(seed: 0xB1D0)
        for _ in 0..<200 {
            assertAgrees(template, Self.reordered(event, &rng))
        }
        assertAgrees(template, event)
        assertAgrees(template, Self.reordered(event, &rng, reverse: true))
    }

    /// Random events (members in random orders, nested objects, objects large enough for a
    /// hash index, arrays, every scalar) and random flat templates over their own paths and
    /// some missing ones, in every mode, with data variables walked into.
    func testRandomOrdersAndShapesAgree() throws {
        var rng = SplitMix64(seed: 0xB1_4D_0001)
        let modes: [TemplateMode] = [.json, .text, .plain, .url, .header]
        var rendered = 0
        for _ in 0..<700 {
            let event = Self.randomObject(&rng, depth: 0)
            let settings = Self.randomObject(&rng, depth: 1)
            var paths = Self.paths(of: event, prefix: [])
            paths += Self.paths(of: settings, prefix: ["@settings"])
            paths += [["missing"], ["a", "missing"], ["@settings", "nope", "x"], ["@nothing"], ["0"], ["arr", "length"], ["arr", "1", "a"]]
            guard !paths.isEmpty else { continue }
            let mode = modes[Int(rng.next() % UInt64(modes.count))]
            var source = ""
            var inString = false
            for _ in 0..<(1 + Int(rng.next() % 9)) {
                let path = paths[Int(rng.next() % UInt64(paths.count))].map { segment -> String in
                    segment.hasPrefix("@") || segment.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_") }) ? segment : "[\(segment)]"
                }.joined(separator: ".")
                if mode == .json {
                    source += inString ? "\",\"k\":" : ","
                    inString = rng.next() % 2 == 0
                    source += inString ? "\"{{\(path)}}" : "{{\(path)}}"
                } else {
                    source += ["", " ", "-", "/", "?q="][Int(rng.next() % 5)] + "{{\(path)}}"
                }
            }
            if inString { source += "\"" }
            if mode == .json { source = "[0" + source + "]" }
            guard let template = try? CompiledTemplate.compile(source, mode: mode), template.hasFlatForm else { continue }
            rendered += 1
            assertAgrees(template, event, data: ["settings": settings])
            assertAgrees(template, Self.reordered(event, &rng), data: ["settings": Self.reordered(settings, &rng)])
            assertAgrees(template, .object(JSONObject()), data: [:])
            assertAgrees(template, .array([event]), data: ["settings": .string("x")])
        }
        XCTAssertGreaterThan(rendered, 600)
    }

    /// The inline literal copy against `ByteWriter.append`: every length around its 8/16/32
    /// edges, written after every prefix length into writers of every small capacity (so the
    /// copy also lands right where the writer must grow).
    func testLiteralCopyMatchesAppend() {
        var rng = SplitMix64(seed: 0x11_7E_8A1)
        let source = (0..<80).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        source.withUnsafeBufferPointer { src in
            for n in 0...40 {
                for offset in [0, 1, 7, 40 - n] where offset >= 0 {
                    for prefix in 0..<20 {
                        for capacity in [1, prefix + n, prefix + n + 1, 64] {
                            var expected = ByteWriter(capacity: capacity), actual = ByteWriter(capacity: capacity)
                            for i in 0..<prefix {
                                expected.append(UInt8(i))
                                actual.append(UInt8(i))
                            }
                            expected.append(UnsafeBufferPointer(rebasing: src[offset..<(offset + n)]))
                            FlatRenderer.appendLiteral(src.baseAddress! + offset, n, into: &actual)
                            XCTAssertEqual(Array(actual.bytes), Array(expected.bytes), "n \(n) offset \(offset) prefix \(prefix) capacity \(capacity)")
                        }
                    }
                }
            }
        }
    }

    // MARK: - Generators

    private static let keyPool = ["a", "b", "type", "event", "user_id", "context", "properties", "page", "url", "total", "x_1",
                                  "\u{212A}", "K", "é", "e\u{301}", "a-key-longer-than-fifteen-bytes", "0", "1", "length", "arr"]

    static func randomString(_ rng: inout SplitMix64) -> String {
        let pieces = ["a", "xyz", "\"", "\\", "\n", "\u{0}", "\u{1F}", "é", "\u{2028}", "😀", "0123456789abcdef", " ", "<&>", "/?#"]
        return (0..<Int(rng.next() % 6)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
    }

    static func randomValue(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        switch rng.next() % (depth > 2 ? 6 : 9) {
        case 0: return .int(Int(rng.next() % 2000) - 1000)
        case 1: return .number(JSONNumber(text: ["1.5", "100.95", "1e3", "-0", "0.1", "12345678901234567890"][Int(rng.next() % 6)]))
        case 2: return .bool(rng.next() % 2 == 0)
        case 3: return .null
        case 4, 5: return .string(randomString(&rng))
        case 6: return .array((0..<Int(rng.next() % 4)).map { _ in randomValue(&rng, depth: depth + 1) })
        default: return randomObject(&rng, depth: depth + 1)
        }
    }

    static func randomObject(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        var object = JSONObject()
        if rng.next() % 10 == 0 {
            // Large enough for a hash index: looked up through it, not scanned.
            for i in 0..<20 { object["k\(i)"] = randomValue(&rng, depth: depth + 1) }
        }
        for _ in 0..<Int(rng.next() % 7) {
            object[keyPool[Int(rng.next() % UInt64(keyPool.count))]] = depth > 2 ? .string(randomString(&rng)) : randomValue(&rng, depth: depth + 1)
        }
        if depth == 0, rng.next() % 3 == 0 { object["arr"] = .array([.int(1), randomObject(&rng, depth: 2)]) }
        return .object(object)
    }

    /// Every path into a value's objects (not into arrays), each interior node included.
    static func paths(of value: JSONValue, prefix: [String]) -> [[String]] {
        guard case .object(let object) = value, prefix.count < 4 else { return [] }
        var out: [[String]] = []
        for (key, child) in object where !key.hasPrefix("@") && key != "this" && !key.contains("]") {
            out.append(prefix + [key])
            out += paths(of: child, prefix: prefix + [key])
        }
        return out
    }

    /// The same value with every object's members in a random (or reversed) order.
    static func reordered(_ value: JSONValue, _ rng: inout SplitMix64, reverse: Bool = false) -> JSONValue {
        switch value {
        case .object(let object):
            var members = Array(object)
            if reverse { members.reverse() } else { members.shuffle(using: &rng) }
            return .object(JSONObject(members.map { ($0.0, reordered($0.1, &rng, reverse: reverse)) }))
        case .array(let items):
            return .array(items.map { reordered($0, &rng, reverse: reverse) })
        default:
            return value
        }
    }
}

private extension Result where Failure == TemplateRenderError {
    var errorMessage: String? {
        if case .failure(let error) = self { return error.message }
        return nil
    }
}
