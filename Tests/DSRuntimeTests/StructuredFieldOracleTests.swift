import DSRuntime
import Foundation
import XCTest

/// The `RateLimit` / `RateLimit-Policy` parser against an independent RFC 9651
/// implementation: Mark Nottingham's `http-sf` (PyPI), on the same field values. Both must
/// agree on which values are valid Lists and, for valid ones, on each member's `r`, `t`, `q`
/// and `w` integer parameters. Skipped with a reason when `http_sf` is not installed.
final class StructuredFieldOracleTests: XCTestCase {
    static let values: [String] = [
        #""default";r=0;t=30"#, #""default";r=50;t=30"#, #""a";r=5;t=1, "b";r=0;t=20"#, #""burst";q=100;w=60,"daily";q=1000;w=86400"#,
        #""day";r=0"#, "", " ", #""a";r=0;t=3 "#, #""a";r=0;t=3,"#, #", "a";r=0"#, #""a";r=0;t=3 junk"#, #""a" ;r=0"#, #""a"; r=0"#,
        #""a";R=0"#, #""a";r=-1;t=5"#, #""a";r=0;t=1234567890123456"#, #""a";r=0;t=123456789012345"#, #""a";r=0;t=1.5"#,
        #""a";r=0;t=1.2345"#, #""a";r=0;t=1234567890123.5"#, "token;r=0;t=2", "*tok/en:x;r=1", "1tok", "a;x", "a;x=?1;y=?0", "a;x=?2",
        "(a b);c=?1", "(a  b )", "(a,b)", "()", "( )", ":AQI=:;r=0", ":AQ I=:", "@12;r=0", "@-12", "@1.5", #"%"x";r=0"#, #"%"caf%c3%a9""#,
        #"%"%C3%A9""#, #"%"%c3""#, #"%"bad\"""#, #""esc\"aped\\";r=0"#, #""bad\escape""#, "\"tab\there\"", "a;r=0,\tb;r=1",
        "a;r=0\t", "\ta", "a,,b", "a;;r=0", "a;r=", "a;r=;t=1", "a=1", "-", "-0", "--1", "1.", ".5", "1.0000", "999999999999999",
        "9999999999999999", "a;*k=1", "a;k_-.*9=1", "a;K=1", "a;_k=1", "é", "\"é\"",
    ]

    func testParserAgreesWithHTTPSF() throws {
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        guard let python = (onPath + ["/usr/bin/python3", "/usr/local/bin/python3"]).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("python3 is not installed")
        }
        let script = """
        import json, sys
        try:
            import http_sf
        except ImportError:
            print("MISSING"); sys.exit(0)
        out = []
        for v in json.load(open(sys.argv[1])):
            try:
                members = http_sf.parse(v.encode("utf-8"), tltype="list")
            except Exception:
                out.append(None); continue
            row = []
            for value, params in members:
                row.append([params.get(k) if type(params.get(k)) is int else None for k in ("r", "t", "q", "w")])
            out.append(row)
        print(json.dumps(out))
        """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-sf-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: Self.values).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, file.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text == "MISSING" { throw XCTSkip("http-sf is not installed (pip install http-sf)") }
        let oracle = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any], text)
        XCTAssertEqual(oracle.count, Self.values.count)
        var disagreements: [String] = []
        for (value, expected) in zip(Self.values, oracle) {
            let mine = StructuredFieldList.parse(value).map { members in
                members.map { m in ["r", "t", "q", "w"].map { key -> Int64? in if case .integer(let n)? = m.parameter(key) { return n } else { return nil } } }
            }
            let theirs = (expected as? [[Any]]).map { rows in rows.map { row in row.map { ($0 as? NSNumber)?.int64Value } } }
            if (mine == nil) != (theirs == nil) || (mine != nil && mine! != theirs!) {
                disagreements.append("\(value.debugDescription): dspec \(mine.map { "\($0)" } ?? "invalid"), http-sf \(theirs.map { "\($0)" } ?? "invalid")")
            }
        }
        XCTAssertEqual(disagreements, [], "\(disagreements.count) of \(Self.values.count) values")
    }
}
