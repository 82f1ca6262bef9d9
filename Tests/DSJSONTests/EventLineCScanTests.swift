import DSCore
@testable import DSJSON
import XCTest

/// The C event line scan (`EventLine.scan`, `dspec_event_line_scan`) against the Swift
/// scanner it replaced (`EventLine.scanReference`) and the general parser: for every line,
/// chosen and random, both scanners accept or both reject, with the same members (ranges
/// and canonical flags); a line they accept is one the parser accepts, with the same keys;
/// a line the parser accepts inside the subset (an object, every key plain ASCII without
/// escapes, at most 64 members per object, at most 64 levels) is one they accept.
final class EventLineCScanTests: XCTestCase {
    private var scratch = EventLine.Scratch()
    private var referenceScratch = EventLine.Scratch()
    private(set) var acceptedCount = 0

    /// Compares the scanners and the parser on `text`; returns whether the C scan accepted it.
    @discardableResult
    private func compare(_ text: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let shown = String(decoding: text.prefix(300), as: UTF8.self)
        let fast = EventLine.scan(text, scratch: &scratch)
        let reference = EventLine.scanReference(text, scratch: &referenceScratch)
        // The same line scanned from a slice of a bigger buffer (bytes around it must not matter).
        let padded: [UInt8] = [0x7B, 0x22] + text + [0x22, 0x7D, 0x5C]
        let sliced = EventLine.scan(padded[2..<(2 + text.count)], scratch: &scratch)
        XCTAssertEqual(fast != nil, reference != nil, "C scan and reference disagree on: \(shown)", file: file, line: line)
        XCTAssertEqual(sliced != nil, fast != nil, "slice and array disagree on: \(shown)", file: file, line: line)
        if let fast, let reference {
            XCTAssertEqual(fast.bytes, text, file: file, line: line)
            XCTAssertEqual(Self.fields(fast), Self.fields(reference), "members differ on: \(shown)", file: file, line: line)
            if let sliced { XCTAssertEqual(Self.fields(sliced), Self.fields(fast), file: file, line: line) }
        }
        let parsed = try? JSONParser().parseValue(text)
        if let fast {
            guard case .object(let object)? = parsed else {
                XCTFail("C scan accepted what the parser rejects: \(shown)", file: file, line: line)
                return true
            }
            XCTAssertEqual(fast.members.map { String(decoding: text[Int($0.keyStart)..<Int($0.keyEnd)], as: UTF8.self) }, object.keys,
                           shown, file: file, line: line)
            for (i, m) in fast.members.enumerated() where m.canonical && i < object.count {
                XCTAssertEqual(JSONWriter.bytes(object.value(at: i)), Array(text[Int(m.valueStart)..<Int(m.valueEnd)]), shown, file: file, line: line)
            }
            acceptedCount += 1
        } else if case .object? = parsed, let parsed, Self.inSubset(text, parsed) {
            XCTFail("C scan rejected a line of the subset that the parser accepts: \(shown)", file: file, line: line)
        }
        return fast != nil
    }

    static func fields(_ e: EventLine) -> [[Int32]] {
        e.members.map { [$0.keyStart, $0.keyEnd, $0.valueStart, $0.valueEnd, $0.canonical ? 1 : 0] }
    }

    /// A parsed object whose line has no backslash and no byte >= 0x80 at all (so every key
    /// is plain ASCII), and whose nesting and object sizes are within the limits.
    static func inSubset(_ text: [UInt8], _ value: JSONValue) -> Bool {
        guard !text.contains(where: { $0 == 0x5C || $0 >= 0x80 }) else { return false }
        func ok(_ v: JSONValue, _ depth: Int) -> Bool {
            switch v {
            case .object(let o): return depth <= 64 && o.count <= 64 && (0..<o.count).allSatisfy { ok(o.value(at: $0), depth + 1) }
            case .array(let a): return depth <= 64 && a.allSatisfy { ok($0, depth + 1) }
            default: return true
            }
        }
        return ok(value, 1)
    }

    func testChosenEdgeCases() {
        var lines: [[UInt8]] = []
        func add(_ s: String) { lines.append(Array(s.utf8)) }
        // Structure, literals, numbers, whitespace.
        for s in [#"{}"#, " {} ", "\t{\r\n}\n", #"{"a":1}"#, #"{"a":[]}"#, #"{"a":[ ]}"#, #"{"a":{}}"#, #"{"a":{ }}"#, #"{ "a":1}"#,
                  #"{"a" :1}"#, #"{"a": 1}"#, #"{"a":1 }"#, #"{"a":1,"b":2}"#, #"{"a":1 ,"b":2}"#, #"{"a":[1 ,2]}"#,
                  #"{"a":true}"#, #"{"a":false}"#, #"{"a":null}"#, #"{"a":tru}"#, #"{"a":fals}"#, #"{"a":nul}"#, #"{"a":t"#,
                  #"{"a":truex}"#, #"{"a":nulll}"#, #"{"a":-}"#, #"{"a":-0}"#, #"{"a":-01}"#, #"{"a":00}"#, #"{"a":0.}"#,
                  #"{"a":.5}"#, #"{"a":1e}"#, #"{"a":1e+}"#, #"{"a":1E-5}"#, #"{"a":1.5e3}"#, #"{"a":+1}"#, #"{"a":1"#,
                  #"{"a":-"#, #"{"a":1."#, #"{"a":1e"#, #"{"a":0x1}"#, #"{"a":Infinity}"#, #"{"a":NaN}"#, #"{"a":1,}"#,
                  #"{,"a":1}"#, #"{"a"}"#, #"{"a":}"#, #"{"a"1}"#, #"{a:1}"#, #"{'a':1}"#, "{", "}", "", " ", #"{"a":1}}"#,
                  #"{"a":1}{"#, #"[{"a":1}]"#, #"{"a":[1,]}"#, #"{"a":[,1]}"#, #"{"a":[1 2]}"#, #"{"a":{"b":1,}}"#,
                  #"{"a":1,"a":1}"#, #"{"a":{"x":1,"x":1}}"#, #"{"a":{"x":1},"b":{"x":1}}"#, #"{"ab":1,"a":1,"b":1}"#,
                  #"{"":1}"#, #"{"":1,"":2}"#, "{\"a\":1}\u{0}", "\u{0}{}", "{\"a\":1}\u{B}", "{\u{C}}"] { add(s) }
        // Strings: escapes, surrogates, control bytes, DEL, U+2028/9.
        for s in [#"\""#, #"\\"#, #"\/"#, #"\b\f\n\r\t"#, #"\u0000"#, #"\u00E9\u00e9"#, #"\uD83D\uDE00"#, #"\ud83d\ude00"#,
                  #"\uD800"#, #"\uDC00"#, #"\uDBFF\uDFFF"#, #"\uD800\u0041"#, #"\uD800\uDBFF"#, #"\uD800x"#, #"\uD800\"#,
                  #"\u12"#, #"\u12G4"#, #"\x"#, #"\U0041"#, #"\'"#, #"\"#, "\u{7F}", "\u{2028}", "\u{2029}", "\u{2027}",
                  "é", "日本語", "😀", "\u{10FFFF}"] {
            add("{\"s\":\"" + s + "\"}")
            add("{\"k\":[\"" + s + "\"]}")
            add("{\"" + s + "\":1}")
        }
        for c in 0..<0x20 { lines.append(Array(#"{"s":"a"#.utf8) + [UInt8(c)] + Array(#""}"#.utf8)) }
        // UTF-8: overlongs, surrogates, past U+10FFFF, truncated and stray bytes, at and near 16-byte block edges.
        let sequences: [[UInt8]] = [[0xC0, 0x80], [0xC1, 0xBF], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
                                    [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xEE, 0x80, 0x80],
                                    [0xEF, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80],
                                    [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
                                    [0xFF], [0xFE], [0x80], [0xBF], [0xC3], [0xE2, 0x80], [0xF0, 0x9F, 0x98], [0xE2, 0x80, 0xA8],
                                    [0xE2, 0x80, 0xA9], [0xC3, 0x22], [0xE2, 0x22, 0x80], [0xC3, 0xA9, 0xA9]]
        for seq in sequences {
            for pad in [0, 1, 7, 8, 13, 14, 15, 16, 17, 30, 31, 32, 33] {
                let run = [UInt8](repeating: 0x61, count: pad)
                lines.append(Array(#"{"s":""#.utf8) + run + seq + run + Array(#""}"#.utf8))
                lines.append(Array(#"{"s":""#.utf8) + run + seq)  // unterminated: the sequence at the line's end
                lines.append(Array(#"{"s":""#.utf8) + run + seq + Array(#"""#.utf8))
                lines.append(Array(#"{""#.utf8) + run + seq + Array(#"":1}"#.utf8))
            }
        }
        // Specials at every offset around the 16-byte blocks.
        for special in [#"\n"#, #"""#, #"\"#, "\u{1}", "\u{1F}", " ", "é", "\u{2028}", "\u{7F}"] {
            for at in 0..<40 {
                let before = String(repeating: "x", count: at)
                add("{\"s\":\"" + before + special + "yz\"}")
                add("{\"" + before + special + "\":0}")
            }
        }
        // Depth and member limits, and their neighbours.
        for depth in [62, 63, 64, 65, 66, 128, 129, 200] {
            add("{\"a\":" + String(repeating: "[", count: depth - 2) + "{}" + String(repeating: "]", count: depth - 2) + "}")
            add(String(repeating: "{\"a\":[", count: depth / 2) + "0" + String(repeating: "]}", count: depth / 2))
            add(String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth))
            add("{\"a\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}")
            add("{\"a\":" + String(repeating: "[", count: depth))
        }
        for count in [63, 64, 65, 100] {
            let members = (0..<count).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
            add("{" + members + "}")
            add("{\"o\":{" + members + "}}")
            add("{" + members + ",\"k0\":1}")
        }
        var accepted = 0
        for text in lines where compare(text) { accepted += 1 }
        XCTAssertGreaterThan(accepted, 300, "of \(lines.count)")
        // Every prefix of some accepted lines (each one ends somewhere inside a token).
        for text in [#"{"type":"track","event":"Signed Up","event_id":"evt-1","user_id":"u-1","timestamp":"2026-01-01T00:00:00Z","properties":{"plan":"pro","n":1.5e-3,"ok":true,"no":null,"l":[false,-0]}}"#,
                     #"{"a":"\u00e9\ud83d\ude00\n","b":"é😀\u{2028}x"}"#] {
            let bytes = Array(text.utf8)
            for end in 0...bytes.count { compare(Array(bytes[..<end])) }
        }
    }

    /// Tens of thousands of random lines (long strings, so string runs cross the 16-byte
    /// blocks) and random mutations of each, most of them invalid.
    func testRandomAndMutatedLinesAgree() {
        var rng = EventLineRandom(seed: 0xC5CA_4E11)
        var total = 0
        for _ in 0..<25_000 {
            var text = Array(Self.object(&rng, depth: 0).utf8)
            total += 1
            compare(text)
            for _ in 0..<3 where !text.isEmpty {
                let i = Int(rng.next() % UInt64(text.count))
                switch rng.next() % 6 {
                case 0: text.remove(at: i)
                case 1: text.insert(Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))], at: i)
                case 2: text[i] = Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))]
                case 3: text.insert(contentsOf: text[i..<min(text.count, i + 6)], at: i)
                case 4: text.removeSubrange(i...)
                default: text[i] = UInt8(truncatingIfNeeded: rng.next())
                }
                total += 1
                compare(text)
            }
        }
        XCTAssertGreaterThan(acceptedCount, 10_000, "the fast path is exercised (\(acceptedCount) of \(total))")
    }

    static let alphabet: [UInt8] = Array(#"{}[]:,"\ abc01-.eE+tfnu/"#.utf8) + [0xC3, 0xA9, 0xE2, 0x80, 0xA8, 0xED, 0xA0, 0xF0, 0x9F, 0xF4, 0x90, 0xC0, 0xFF, 0x0A, 0x09, 0x01, 0x7F]

    static func spacing(_ rng: inout EventLineRandom) -> String { rng.next() % 6 == 0 ? [" ", "\t", "  ", "\r", "\n"][Int(rng.next() % 5)] : "" }

    static func string(_ rng: inout EventLineRandom) -> String {
        let pieces = ["a", "bc", "plain text ", "0123456789abcdef", "é", "ü", "日本", "😀", "\u{2028}", "\u{7F}", "\\n", "\\\"", "\\\\",
                      "\\/", "\\u00e9", "\\ud83d\\ude00", "\\u2029", "\\t", "\\b\\f\\r", " "]
        let n = Int(rng.next() % 12)
        return (0..<n).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
    }

    static func key(_ rng: inout EventLineRandom) -> String {
        let keys = ["a", "b", "type", "event", "event_id", "properties", "n", "x_y", "a", "a_rather_long_key_name_over_16", "é", "a\\u0062", "k\\\"q", ""]
        return keys[Int(rng.next() % UInt64(keys.count))]
    }

    static func object(_ rng: inout EventLineRandom, depth: Int) -> String {
        let n = Int(rng.next() % 7)
        var parts: [String] = []
        for _ in 0..<n { parts.append(spacing(&rng) + "\"" + key(&rng) + "\"" + spacing(&rng) + ":" + spacing(&rng) + value(&rng, depth: depth + 1) + spacing(&rng)) }
        return "{" + parts.joined(separator: ",") + spacing(&rng) + "}"
    }

    static func value(_ rng: inout EventLineRandom, depth: Int) -> String {
        switch rng.next() % (depth > 3 ? 4 : 6) {
        case 0: return "\"" + string(&rng) + "\""
        case 1:
            let numbers = ["0", "-0", "1.0", "1e400", "-1E-400", "12345678901234567890123", "0.000", "3.14", "-7", "2e+5"]
            return numbers[Int(rng.next() % UInt64(numbers.count))]
        case 2: return ["true", "false", "null"][Int(rng.next() % 3)]
        case 3: return "\"s\(rng.next() % 100)\""
        case 4: return object(&rng, depth: depth)
        default:
            let n = Int(rng.next() % 4)
            return "[" + (0..<n).map { _ in spacing(&rng) + value(&rng, depth: depth + 1) + spacing(&rng) }.joined(separator: ",") + "]"
        }
    }
}
