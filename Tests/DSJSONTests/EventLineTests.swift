import DSCore
@testable import DSJSON
import XCTest

/// `EventLine.scan` against the general parser: a line the scanner accepts is one the
/// parser accepts, with the same value; each top-level member's bytes parse to the parsed
/// object's value for that key; a member flagged canonical is byte for byte its compact
/// writing. A line the parser rejects is never accepted (the general path reports it).
final class EventLineTests: XCTestCase {
    /// Checks the properties for one line; returns whether the scanner accepted it.
    @discardableResult
    private func check(_ text: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let parsed = try? JSONParser().parseValue(text)
        guard let scanned = EventLine.scan(text) else { return false }
        guard let parsed, case .object(let object) = parsed else {
            XCTFail("scanner accepted what the parser rejects or is not an object: \(String(decoding: text, as: UTF8.self))", file: file, line: line)
            return true
        }
        XCTAssertEqual(scanned.materialize(or: .null), parsed, file: file, line: line)
        XCTAssertEqual(scanned.members.count, object.count, String(decoding: text, as: UTF8.self), file: file, line: line)
        for (i, m) in scanned.members.enumerated() where i < object.count {
            let key = String(decoding: text[Int(m.keyStart)..<Int(m.keyEnd)], as: UTF8.self)
            XCTAssertEqual(key, object.keys[i], file: file, line: line)
            let raw = Array(text[Int(m.valueStart)..<Int(m.valueEnd)])
            XCTAssertEqual(try? JSONParser().parseValue(raw), object.value(at: i), file: file, line: line)
            if m.canonical {
                XCTAssertEqual(JSONWriter.bytes(object.value(at: i)), raw, "canonical flag on \(String(decoding: raw, as: UTF8.self))", file: file, line: line)
            }
            XCTAssertEqual(scanned.value(of: key), object[key], file: file, line: line)
            XCTAssertEqual(scanned.string(of: key), object[key]?.stringValue, file: file, line: line)
        }
        return true
    }

    func testChosenLines() {
        let accepted: [String] = [
            #"{"type":"track","event":"Signed Up","event_id":"evt-1","properties":{"plan":"pro","n":1}}"#,
            #"{}"#, #"  { "a" : 1 , "b" : [ 1 , 2 ] }  "#, #"{"a":"\u00e9\n\"x\"","b":"é","c":"\u2028","d":"\ud83d\ude00"}"#,
            #"{"n":[1e400,-0,1.0,0.5e-3,-12E+2,123456789012345678901234567890]}"#,
            #"{"a":{"b":{"c":[true,false,null,{}]}},"s":"\/"}"#, "{\"raw\":\"\u{2028}\u{2029}\"}", "{\"a\":1}\r",
            #"{"a":1,"nested":{"a":1,"b":{"a":2}}}"#,
        ]
        for text in accepted { XCTAssertTrue(check(Array(text.utf8)), text) }
        let rejected: [String] = [
            #"{"a":1,"a":2}"#, #"{"a":{"b":1,"b":2}}"#, #"[1,2]"#, #""x""#, #"{"a":01}"#, #"{"a":1,}"#, #"{"a":"\x"}"#,
            #"{"a":"\ud800"}"#, #"{"a":"\udc00"}"#, #"{"a":1} x"#, #"{"é":1}"#, #"{"a\"b":1}"#, #"{"a":tru}"#, #"{"a":-}"#,
            #"{"a":1.}"#, #"{"a":1e}"#, "{\"a\":\"\u{1}\"}", "\u{FEFF}{\"a\":1}", #"{"a":[1,2}"#, "",
        ]
        for text in rejected {
            check(Array(text.utf8))
            XCTAssertNil(EventLine.scan(Array(text.utf8)), text)
        }
        XCTAssertNil(EventLine.scan([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]), "invalid UTF-8")
        XCTAssertNil(EventLine.scan(Array((String(repeating: "{\"a\":", count: 70) + "1" + String(repeating: "}", count: 70)).utf8)), "deep")
    }

    /// A line scanned from a reader's buffer keeps only its own bytes: the buffer's
    /// capacity stays with the reader (before, each queued event pinned a buffer of the
    /// reader's capacity: peak memory grew with the queue).
    func testTheLineDoesNotKeepTheReadersBuffer() {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        buffer.append(contentsOf: #"{"type":"track","event_id":"e1"}"#.utf8)
        let line = EventLine.scan(buffer[...])
        XCTAssertNotNil(line)
        XCTAssertLessThan(line?.bytes.capacity ?? .max, 1024)
        XCTAssertLessThan(line?.members.capacity ?? .max, 8, "the members, not the scanner's scratch")
        var scratch = EventLine.Scratch()
        let again = EventLine.scan(buffer[...], scratch: &scratch)
        XCTAssertLessThan(again?.members.capacity ?? .max, 8)
        buffer.withUnsafeBufferPointer { b in
            line?.bytes.withUnsafeBufferPointer { XCTAssertNotEqual($0.baseAddress, b.baseAddress) }
        }
    }

    /// Random values written with random spacing and escapes, plus random byte mutations of
    /// them (most of which are invalid): the properties hold for every one.
    func testRandomLinesAgreeWithTheParser() {
        var rng = EventLineRandom(seed: 0x5EED)
        var accepted = 0, total = 0
        for _ in 0..<6_000 {
            var text = Array(Self.object(&rng, depth: 0).utf8)
            total += 1
            if check(text) { accepted += 1 }
            for _ in 0..<2 where !text.isEmpty {
                let i = Int(rng.next() % UInt64(text.count))
                switch rng.next() % 4 {
                case 0: text.remove(at: i)
                case 1: text.insert(Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))], at: i)
                case 2: text[i] = Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))]
                default: text.insert(contentsOf: text[i..<min(text.count, i + 6)], at: i)
                }
                total += 1
                check(text)
            }
        }
        XCTAssertGreaterThan(accepted, 1_500, "the fast path is exercised (\(accepted) of \(total))")
    }

    static let alphabet: [UInt8] = Array(#"{}[]:,"\ abc01-.eE+tfnu/"#.utf8) + [0xC3, 0xA9, 0xE2, 0x80, 0xA8, 0xFF, 0x0A, 0x09, 0x01]

    static func spacing(_ rng: inout EventLineRandom) -> String { rng.next() % 6 == 0 ? [" ", "\t", "  ", "\r"][Int(rng.next() % 4)] : "" }

    static func key(_ rng: inout EventLineRandom) -> String {
        let keys = ["a", "b", "type", "event", "event_id", "properties", "n", "x_y", "a", "é", "a\\u0062", "k\\\"q"]
        return keys[Int(rng.next() % UInt64(keys.count))]
    }

    static func object(_ rng: inout EventLineRandom, depth: Int) -> String {
        let n = Int(rng.next() % 6)
        var parts: [String] = []
        for _ in 0..<n { parts.append(spacing(&rng) + "\"" + key(&rng) + "\"" + spacing(&rng) + ":" + spacing(&rng) + value(&rng, depth: depth + 1) + spacing(&rng)) }
        return "{" + parts.joined(separator: ",") + spacing(&rng) + "}"
    }

    static func value(_ rng: inout EventLineRandom, depth: Int) -> String {
        switch rng.next() % (depth > 3 ? 4 : 6) {
        case 0:
            let strings = ["plain", "", "é ü", "\\u00e9", "\\n\\t\\\"\\\\\\/", "\\ud83d\\ude00", "\u{2028}", "日本", "a\\u2029b", "\\b\\f\\r", "x\u{7F}"]
            return "\"" + strings[Int(rng.next() % UInt64(strings.count))] + "\""
        case 1:
            let numbers = ["0", "-0", "1.0", "1e400", "-1E-400", "12345678901234567890123", "0.000", "3.14", "-7"]
            return numbers[Int(rng.next() % UInt64(numbers.count))]
        case 2: return ["true", "false", "null"][Int(rng.next() % 3)]
        case 3: return "\"s\(rng.next() % 100)\""
        case 4: return object(&rng, depth: depth)
        default:
            let n = Int(rng.next() % 4)
            return "[" + (0..<n).map { _ in spacing(&rng) + value(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        }
    }
}

/// A small deterministic generator (SplitMix64).
typealias EventLineRandom = DSCore.SplitMix64
