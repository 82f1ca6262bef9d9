import DSJSON
import Foundation
import XCTest

/// `JavaScriptJSON.normalize` must equal `JSON.stringify(JSON.parse(text))` byte for byte.
final class JavaScriptJSONTests: XCTestCase {
    private func js(_ text: String) throws -> String {
        String(decoding: try JavaScriptJSON.normalize(Array(text.utf8)), as: UTF8.self)
    }

    func testNumbersFollowNumberToString() throws {
        let cases: [(String, String)] = [
            ("126.0", "126"), ("1e21", "1e+21"), ("1E21", "1e+21"), ("0.1", "0.1"), ("-0", "0"), ("-0.0", "0"),
            ("100000000000000000000", "100000000000000000000"), ("123456789012345678901", "123456789012345680000"),
            ("1e-6", "0.000001"), ("1e-7", "1e-7"), ("1.5e-7", "1.5e-7"), ("0.000001234", "0.000001234"),
            ("1e400", "null"), ("-1e400", "null"), ("1e-400", "0"), ("-1e-400", "0"), ("5e-324", "5e-324"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"), ("2.50", "2.5"), ("0.30000000000000004", "0.30000000000000004"),
            ("9007199254740993", "9007199254740992"), ("1.0e2", "100"), ("123e-2", "1.23"), ("-1.5E+3", "-1500"),
            ("4.35", "4.35"), ("0", "0"), ("10", "10"), ("1e20", "100000000000000000000"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try js(input), expected, input)
        }
    }

    func testStringsEscapeOnlyWhatJSONStringifyEscapes() throws {
        XCTAssertEqual(try js(#""a\/b""#), #""a/b""#)
        XCTAssertEqual(try js(#""\u0001\b\f\n\r\t\u001f""#), #""\u0001\b\f\n\r\t\u001f""#)
        XCTAssertEqual(try js(#""\u2028\u2029""#), "\"\u{2028}\u{2029}\"")
        XCTAssertEqual(try js(#""\u00e9\ud83d\ude00""#), "\"\u{e9}\u{1F600}\"")
        XCTAssertEqual(try js(#""\uD800x\uDC00""#), #""\ud800x\udc00""#)
        XCTAssertEqual(try js(#""\"\\\u007f""#), "\"\\\"\\\\\u{7f}\"")
    }

    func testObjectsUseJavaScriptPropertyOrder() throws {
        XCTAssertEqual(try js(#"{ "b": 1, "a": 2, "10": 3, "2": 4, "01": 5, "-1": 6, "4294967295": 7, "4294967294": 8 }"#),
                       #"{"2":4,"10":3,"4294967294":8,"b":1,"a":2,"01":5,"-1":6,"4294967295":7}"#)
        XCTAssertEqual(try js(#"{"a":1,"b":2,"a":3}"#), #"{"a":3,"b":2}"#)
        XCTAssertEqual(try js(#"{"__proto__":1}"#), #"{"__proto__":1}"#)
        XCTAssertEqual(try js(" [ 1 , { } , [ ] , true , null ] "), "[1,{},[],true,null]")
    }

    func testRejectsWhatJSONParseRejects() {
        for bad in ["", "01", "1.", "[1,]", "{\"a\" 1}", "\"\u{01}\"", "'a'", "[1] x", "+1", "NaN", "\"\\x\""] {
            XCTAssertThrowsError(try js(bad), bad)
        }
        XCTAssertThrowsError(try JavaScriptJSON.normalize(Array(String(repeating: "[", count: 600).utf8) + Array(String(repeating: "]", count: 600).utf8)))
    }

    // MARK: - Against node

    private func node() -> String? {
        for path in ["/usr/bin/node", "/usr/local/bin/node", "/opt/homebrew/bin/node"] where FileManager.default.isExecutableFile(atPath: path) { return path }
        return nil
    }

    /// Runs `JSON.stringify(JSON.parse(line))` in node for each line of `input`.
    private func nodeStringify(lines: [String]) throws -> [String] {
        guard let node = node() else { throw XCTSkip("node is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-js-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.txt"), output = dir.appendingPathComponent("out.txt")
        try Data(lines.joined(separator: "\n").utf8).write(to: input)
        let script = """
        const fs = require('fs');
        const lines = fs.readFileSync(process.argv[1], 'utf8').split('\\n');
        fs.writeFileSync(process.argv[2], lines.map(l => JSON.stringify(JSON.parse(l))).join('\\n'));
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: node)
        process.arguments = ["-e", script, input.path, output.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(decoding: try Data(contentsOf: output), as: UTF8.self).components(separatedBy: "\n")
    }

    /// A fixed-seed generator, so a failure reproduces.
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func testNumberFormattingMatchesNodeOnRandomDoubles() throws {
        var rng = SplitMix(state: 0x5EED_0013)
        var texts: [String] = []
        for n in 0..<6000 {
            let d: Double
            switch n % 4 {
            case 0: d = Double(bitPattern: rng.next())                      // any bit pattern
            case 1: d = Double.random(in: -1e6...1e6, using: &rng)          // everyday magnitudes
            case 2: d = Double(Int64.random(in: -999_999...999_999, using: &rng)) / 100   // prices
            default: d = Double(sign: .plus, exponent: Int.random(in: -1074...1023, using: &rng), significand: 1 + Double.random(in: 0..<1, using: &rng))
            }
            guard d.isFinite else { continue }
            texts.append(d.description)
        }
        // Decimal texts as people write them: trailing zeros, exponents, too many digits.
        for _ in 0..<2000 {
            let digits = (0..<Int.random(in: 1...25, using: &rng)).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
            let intPart = String(digits.drop(while: { $0 == "0" })).isEmpty ? "0" : String(digits.drop(while: { $0 == "0" }))
            texts.append("\(Bool.random(using: &rng) ? "-" : "")\(intPart).\(Int.random(in: 0...999, using: &rng))0e\(Int.random(in: -330...310, using: &rng))")
        }
        let expected = try nodeStringify(lines: texts)
        XCTAssertEqual(expected.count, texts.count)
        var mismatches: [String] = []
        for (text, want) in zip(texts, expected) {
            let got = try js(text)
            if got != want { mismatches.append("\(text): node \(want), dspec \(got)") }
            if let d = Double(text), d.isFinite { XCTAssertEqual(JavaScriptJSON.jsonText(d), want, text) }
        }
        XCTAssertTrue(mismatches.isEmpty, mismatches.prefix(20).joined(separator: "\n"))
        XCTAssertGreaterThan(texts.count, 7000)
    }

    func testStringsAndObjectsMatchNode() throws {
        let lines = [
            #"{"s":"quote \" backslash \\ slash \/ controls \u0000\u0007\b\t\n\u000b\f\r\u001b\u001f del \u007f","u":"\u2028\u2029"}"#,
            #"{"emoji":"😀👩‍👩‍👧","combining":"e\u0301 ñ","rtl":"مرحبا שלום","lone":"\ud800 \udfff \ud83d","bom":"\ufeff"}"#,
            #"{"b":1,"a":{"z":1,"1":2,"0":3},"10":[1.50,-0,1E+2,0.0000001],"9":null,"a":true}"#,
            #" [ { "x" : 1e-7 , "y" : 123456789012345678901234567890 } , "\u00e9" ] "#,
        ]
        let expected = try nodeStringify(lines: lines)
        for (line, want) in zip(lines, expected) {
            XCTAssertEqual(try js(line), want, line)
        }
    }
}
