import DSCore
import DSJSON
@testable import DSMapping
import XCTest

/// `DirectMapping` (payload bytes written straight from an event line) against the general
/// path (evaluate the mapping on the parsed event, then `JSONWriter` compact): byte for byte
/// equal on chosen and on many random mappings and events; escapes, unicode, numbers like
/// 1e400, -0 and 1.0, whitespace, missing and null values, paths through arrays and strings.
final class DirectMappingTests: XCTestCase {
    private func general(_ mapping: CompiledMapping, _ event: String) throws -> [UInt8] {
        JSONWriter.bytes(try mapping.evaluate(try JSONParser().parseValue(event), data: [:]))
    }

    /// Returns true when the direct path wrote the payload (false: it left it to the general path).
    @discardableResult
    private func compare(_ mapping: CompiledMapping, _ direct: DirectMapping, _ event: String, file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        guard let scanned = EventLine.scan(Array(event.utf8)) else { return false }
        var out: [UInt8] = []
        let written = direct.write(scanned, into: &out)
        // bytes(_:) (the flat program, else the tree writer) answers exactly as the tree writer.
        let flat = direct.bytes(scanned)
        XCTAssertEqual(flat != nil, written, event, file: file, line: line)
        if let flat, written { XCTAssertEqual(String(decoding: flat, as: UTF8.self), String(decoding: out, as: UTF8.self), event, file: file, line: line) }
        guard written else { return false }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), String(decoding: try general(mapping, event), as: UTF8.self), event, file: file, line: line)
        return true
    }

    func testChosenMappingsAndEvents() throws {
        let mapping = try CompiledMapping.compile(try JSONParser().parseValue(
            #"{"event": {"@path": "event"}, "id": {"@path": "event_id"}, "user": {"@path": "user_id"}, "props": {"@path": "properties"}, "plan": {"@path": "properties.plan"}, "deep": {"@path": "properties.a.b", "@keep_null": true}, "k": 1.0, "list": [{"@path": "n"}, "x", {"@path": "missing"}], "o": {"inner": {"@path": "type"}}}"#))
        let direct = try XCTUnwrap(mapping.direct)
        let events = [
            #"{"type":"track","event":"Signed Up","event_id":"evt-1","user_id":"u-1","properties":{"plan":"pro","n":1}}"#,
            #"{"type":"track","event":"Sign\u00e9d \"Up\"","event_id":"e\n2","properties":{ "plan" : "pro" , "a" : { "b" : [1, 2] } },"n":1e400}"#,
            #"{"event":null,"properties":{"plan":-0,"a":{"b":1.0}},"n":"\u2028"}"#,
            "{\"event\":\"raw \u{2028} sep\",\"properties\":{\"plan\":\"日本\",\"a\":\"string\"}}",
            #"{"properties":[1,2],"n":{}}"#, #"{"properties":"text"}"#, #"{}"#, #"{"properties":{"a":{"c":1}}}"#,
            #"{"properties":{"plan":{"x":[{"y":"\ud83d\ude00"}]}}}"#,
        ]
        var written = 0
        for event in events where try compare(mapping, direct, event) { written += 1 }
        XCTAssertGreaterThanOrEqual(written, 6)
        // A path through a string or an array is the evaluator's to decide (`length`, indexes).
        var out: [UInt8] = []
        XCTAssertFalse(direct.write(EventLine.scan(Array(#"{"properties":"text"}"#.utf8))!, into: &out))
    }

    func testOnlyPlainMappingsAreDirect() throws {
        for text in [#"{"a": "{{event}}"}"#, #"{"a": {"@path": "x", "@transform": "trim"}}"#, #"{"a": {"@path": "x", "@default": 1}}"#,
                     #"{"a": {"@path": "@settings.x"}}"#, #"{"a": {"@template": "x"}}"#, #"{"a": {"@path": "x", "@when": {"path": "y", "exists": true}}}"#,
                     #"{"@drop_empty": true, "a": {"@path": "x"}}"#, #"{"a": {"@each": "x", "@map": {"@path": "y"}}}"#] {
            XCTAssertNil(try CompiledMapping.compile(try JSONParser().parseValue(text)).direct, text)
        }
        XCTAssertNotNil(try CompiledMapping.compile(try JSONParser().parseValue(#"{"@path": "properties"}"#)).direct)
    }

    /// Random mappings of the direct forms against random events.
    func testRandomMappingsAndEventsAgreeWithTheEvaluator() throws {
        var rng = DirectRandom(seed: 0xD1EC7)
        var written = 0, total = 0
        for _ in 0..<400 {
            let text = Self.mapping(&rng, depth: 0, root: true)
            let mapping = try CompiledMapping.compile(try JSONParser().parseValue(text))
            let direct = try XCTUnwrap(mapping.direct, text)
            for _ in 0..<15 {
                total += 1
                if try compare(mapping, direct, Self.event(&rng, depth: 0)) { written += 1 }
            }
        }
        XCTAssertGreaterThan(written, total / 2, "the direct path is exercised (\(written) of \(total))")
    }

    /// The flat program (``DirectMapping/flat(_:)``) against the tree writer, which is checked
    /// against the evaluator above: random mappings and events, and the flat program must
    /// write most of them itself (not hand them to the tree writer).
    func testTheFlatProgramAgreesWithTheTreeWriter() throws {
        var rng = DirectRandom(seed: 0xF1A7)
        var flatWritten = 0, total = 0
        for _ in 0..<400 {
            let text = Self.mapping(&rng, depth: 0, root: true)
            let direct = try XCTUnwrap(try CompiledMapping.compile(try JSONParser().parseValue(text)).direct, text)
            for _ in 0..<15 {
                let event = Self.event(&rng, depth: 0, canonicalBias: true)
                guard let scanned = EventLine.scan(Array(event.utf8)) else { continue }
                total += 1
                var tree: [UInt8] = []
                let treeWrote = direct.write(scanned, into: &tree)
                let (result, flat) = direct.flat(scanned)
                switch result {
                case .written:
                    flatWritten += 1
                    XCTAssertTrue(treeWrote, "\(text) \(event)")
                    XCTAssertEqual(String(decoding: flat, as: UTF8.self), String(decoding: tree, as: UTF8.self), "\(text) \(event)")
                case .unsupported:
                    XCTAssertFalse(treeWrote, "\(text) \(event)")
                case .rewrite:
                    // The tree writer decides (a value to parse, then perhaps a path it leaves to
                    // the evaluator): bytes(_:) gives its answer.
                    XCTAssertEqual(direct.bytes(scanned), treeWrote ? tree : nil, "\(text) \(event)")
                case .missing:
                    XCTFail("the root is never missing: \(text) \(event)")
                }
            }
        }
        XCTAssertGreaterThan(flatWritten, total / 2, "the flat program is exercised (\(flatWritten) of \(total))")
    }

    /// The benchmark's mapping and event line, through bytes(_:): the flat program writes it.
    func testTheBenchmarkMappingIsWrittenByTheFlatProgram() throws {
        let direct = try XCTUnwrap(try CompiledMapping.compile(try JSONParser().parseValue(
            #"{"event": {"@path": "event"}, "id": {"@path": "event_id"}, "user": {"@path": "user_id"}, "props": {"@path": "properties"}}"#)).direct)
        let line = EventLine.scan(Array(#"{"type":"track","event":"Signed Up","event_id":"evt-7","user_id":"u-7","timestamp":"2026-01-01T00:00:00Z","properties":{"plan":"pro","n":7}}"#.utf8))!
        let (result, bytes) = direct.flat(line)
        XCTAssertEqual(result, .written)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), #"{"event":"Signed Up","id":"evt-7","user":"u-7","props":{"plan":"pro","n":7}}"#)
    }

    static let names = ["type", "event", "event_id", "properties", "a", "b", "n"]

    static func path(_ rng: inout DirectRandom) -> String {
        (0..<(1 + Int(rng.next() % 3))).map { _ in names[Int(rng.next() % UInt64(names.count))] }.joined(separator: ".")
    }

    static func mapping(_ rng: inout DirectRandom, depth: Int, root: Bool = false) -> String {
        let pick = root ? (rng.next() % 8 == 0 ? 1 : 0) : rng.next() % (depth > 2 ? 3 : 5)
        switch pick {
        case 0:
            let n = Int(rng.next() % 5)
            return "{" + (0..<n).map { "\"k\($0)\": " + mapping(&rng, depth: depth + 1) }.joined(separator: ", ") + "}"
        case 1: return #"{"@path": "\#(path(&rng))"}"#
        case 2: return #"{"@path": "\#(path(&rng))", "@keep_null": \#(rng.next() % 2 == 0)}"#
        case 3: return ["1.0", "-0", "\"c\"", "null", "true", #"{"@value": {"x": 1}}"#, "\"\\u00e9\\n\""][Int(rng.next() % 7)]
        default: return "[" + (0..<Int(rng.next() % 3)).map { _ in mapping(&rng, depth: depth + 1) }.joined(separator: ", ") + "]"
        }
    }

    static func event(_ rng: inout DirectRandom, depth: Int, canonicalBias: Bool = false) -> String {
        let n = Int(rng.next() % 6)
        var seen = Set<String>()
        var parts: [String] = []
        for _ in 0..<n {
            let key = names[Int(rng.next() % UInt64(names.count))]
            guard seen.insert(key).inserted else { continue }
            let space = rng.next() % 5 == 0 ? " " : ""
            parts.append("\"\(key)\"\(space):\(space)" + value(&rng, depth: depth + 1, canonicalBias: canonicalBias))
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func value(_ rng: inout DirectRandom, depth: Int, canonicalBias: Bool = false) -> String {
        switch rng.next() % (depth > 2 ? 3 : 5) {
        case 0:
            // Mostly canonical strings with a bias (the flat program copies them), else any.
            if canonicalBias && rng.next() % 4 != 0 { return ["\"plain\"", "\"\"", "\"é\"", "\"q\\\"\\\\\""][Int(rng.next() % 4)] }
            return ["\"plain\"", "\"\"", "\"é\"", "\"\\u00e9\"", "\"q\\\"\\\\\"", "\"\\ud83d\\ude00\"", "\"\u{2028}\"", "\"\\/\""][Int(rng.next() % 8)]
        case 1:
            if canonicalBias && rng.next() % 4 != 0 { return ["0", "12", "-3", "1.5"][Int(rng.next() % 4)] }
            return ["0", "-0", "1.0", "1e400", "-1E-5", "123456789012345678901"][Int(rng.next() % 6)]
        case 2: return ["true", "false", "null"][Int(rng.next() % 3)]
        case 3: return event(&rng, depth: depth, canonicalBias: canonicalBias)
        default:
            let sep = canonicalBias && rng.next() % 4 != 0 ? "," : ", "
            return "[" + (0..<Int(rng.next() % 3)).map { _ in value(&rng, depth: depth + 1, canonicalBias: canonicalBias) }.joined(separator: sep) + "]"
        }
    }
}

typealias DirectRandom = SplitMix64
