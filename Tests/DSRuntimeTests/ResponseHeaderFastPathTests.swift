import DSCore
import DSRender
@testable import DSRuntime
@testable import DSRuntimePOSIX
import XCTest

/// Differential tests of the response reader's byte paths against the String-based rules
/// they replace: the framing decision (`ResponseFraming` vs `ResponseFraming.Reference`, the
/// old code kept as it was), the header lookup on bytes (`HTTPHeaderBlock.firstValue` vs
/// `HTTPResponse.firstValue(named:in:)`), and the fields a parsed response exposes (vs
/// `parseField` of each line). Chosen inputs, then many random ones from a fixed seed:
/// names in every case, values with commas, spaces, tabs, digits, non-ASCII letters whose
/// lowercase is ASCII (the Kelvin sign), other UTF-8 and invalid UTF-8.
final class ResponseHeaderFastPathTests: XCTestCase {
    private typealias SplitMix = SplitMix64

    /// A header block over `fields` laid out as on the wire ("name: value\r\n"), with the
    /// offsets the reader computes (value trimmed of spaces and tabs).
    private func block(_ fields: [([UInt8], [UInt8])]) -> (bytes: [UInt8], offsets: [Int]) {
        var bytes: [UInt8] = []
        var offsets: [Int] = []
        for (name, value) in fields {
            offsets.append(bytes.count); bytes += name; offsets.append(bytes.count)
            bytes += Array(": ".utf8)
            var lo = 0, hi = value.count
            while lo < hi, value[lo] == 32 || value[lo] == 9 { lo += 1 }
            while hi > lo, value[hi - 1] == 32 || value[hi - 1] == 9 { hi -= 1 }
            offsets.append(bytes.count + lo); offsets.append(bytes.count + hi)
            bytes += value
            bytes += [13, 10]
        }
        return (bytes, offsets)
    }

    private func strings(_ fields: [([UInt8], [UInt8])]) -> [HTTPHeaderField] {
        let (bytes, offsets) = block(fields)
        return stride(from: 0, to: offsets.count, by: 4).map {
            HTTPHeaderField(name: String(decoding: bytes[offsets[$0]..<offsets[$0 + 1]], as: UTF8.self),
                            value: String(decoding: bytes[offsets[$0 + 2]..<offsets[$0 + 3]], as: UTF8.self))
        }
    }

    private enum Outcome: Equatable {
        case failed(String)
        case framed(keepAlive: Bool, chunked: Bool?, length: String)
    }

    private func describe(_ length: () throws(TransportError) -> Int?) -> String {
        do { return try length().map(String.init) ?? "none" } catch { return "error: \(error.message)" }
    }

    private func fast(_ fields: [([UInt8], [UInt8])], version: String) -> Outcome {
        let (bytes, offsets) = block(fields)
        do {
            let f = try ResponseFraming(bytes, offsets: offsets, version: version)
            return .framed(keepAlive: f.keepAlive(), chunked: f.chunked(), length: describe { () throws(TransportError) in try f.contentLength() })
        } catch {
            return .failed(error.message)
        }
    }

    private func reference(_ fields: [([UInt8], [UInt8])], version: String) -> Outcome {
        do {
            let r = try ResponseFraming.Reference.framing(strings(fields), version: version)
            return .framed(keepAlive: r.keepAlive, chunked: r.chunked, length: describe(r.contentLength))
        } catch {
            return .failed(error.message)
        }
    }

    private func assertSame(_ fields: [([UInt8], [UInt8])], version: String = "HTTP/1.1", file: StaticString = #filePath, line: UInt = #line) {
        let shown = fields.map { String(decoding: $0.0 + Array(": ".utf8) + $0.1, as: UTF8.self) }
        XCTAssertEqual(fast(fields, version: version), reference(fields, version: version), "\(version) \(shown)", file: file, line: line)
        let (bytes, offsets) = block(fields)
        let headerBlock = HTTPHeaderBlock(bytes: bytes, offsets: offsets)
        XCTAssertEqual(headerBlock.fields, strings(fields), file: file, line: line)
        for query in ["Content-Length", "content-length", "CONNECTION", "Retry-After", "retry-after", "x-a", "X-A", "\u{212A}eep", "ke\u{212A}",
                      "transfer-encoding", "", "é", "x-é"] + fields.map({ String(decoding: $0.0, as: UTF8.self) }) {
            XCTAssertEqual(headerBlock.firstValue(named: query), HTTPResponse.firstValue(named: query, in: strings(fields)),
                           "query \(query) in \(shown)", file: file, line: line)
        }
    }

    private func f(_ name: String, _ value: String) -> ([UInt8], [UInt8]) { (Array(name.utf8), Array(value.utf8)) }

    func testChosenHeadsFrameAsTheStringRulesDo() {
        assertSame([f("Server", "nginx/1.22.1"), f("Date", "Mon, 30 Nov 2026 07:41:33 GMT"), f("Content-Type", "application/json"),
                    f("Content-Length", "11"), f("Connection", "keep-alive")])
        assertSame([f("Content-Length", "11")], version: "HTTP/1.0")
        assertSame([f("connection", "Keep-Alive")], version: "HTTP/1.0")
        assertSame([f("Connection", "close, keep-alive")])
        assertSame([f("Connection", " , ,close")])
        assertSame([f("Connection", "keep-alive"), f("connection", "close")])
        assertSame([f("Connection", "\u{212A}eep-alive")], version: "HTTP/1.0")  // lowercases to keep-alive
        assertSame([f("Connection", "clos\u{0301}e")])
        assertSame([f("Transfer-Encoding", "gzip, chunked")])
        assertSame([f("Transfer-Encoding", "chunked, gzip")])
        assertSame([f("Transfer-Encoding", "chunked,")])
        assertSame([f("Transfer-Encoding", ",,")])
        assertSame([f("Transfer-Encoding", "")])
        assertSame([f("Transfer-Encoding", "CHUNKED")])
        assertSame([f("transfer-encoding", "gzip"), f("Transfer-Encoding", "chunked")])
        assertSame([f("Transfer-Encoding", "chunked"), f("Content-Length", "5")])
        assertSame([f("Content-Length", "5, 5")])
        assertSame([f("Content-Length", "5,6")])
        assertSame([f("Content-Length", "5"), f("content-length", "6")])
        assertSame([f("Content-Length", "5,")])
        assertSame([f("Content-Length", "")])
        assertSame([f("Content-Length", "-1")])
        assertSame([f("Content-Length", "+2")])
        assertSame([f("Content-Length", "0x2")])
        assertSame([f("Content-Length", "123456789012345678")])
        assertSame([f("Content-Length", "1234567890123456789")])
        assertSame([f("Content-Length", "٣")])  // an Arabic-Indic digit
        assertSame([f("Content-Length", String(repeating: "7", count: 60))])
        assertSame([(Array("Content-Length".utf8), [0xFF, 0x35])])
        assertSame([(Array("X-A".utf8), [0xC3])])
        assertSame([])
    }

    func testRandomHeadsFrameAsTheStringRulesDo() {
        var rng = SplitMix(seed: 16)
        let names = ["content-length", "Content-Length", "CONTENT-LENGTH", "transfer-encoding", "Transfer-Encoding", "connection", "Connection",
                     "CoNnEcTiOn", "x-a", "X-A", "Retry-After", "content-lengt", "connections"]
        let pieces: [[UInt8]] = ["close", "CLOSE", "keep-alive", "Keep-Alive", "chunked", "Chunked", "gzip", "identity", "0", "5", "11", "007",
                                 "123456789012345678", "99999999999999999999", ",", ",", " ", "\t", "-", "+", "x", "\u{212A}", "é", "\u{0301}"]
            .map { Array($0.utf8) } + [[0xFF], [0xC3], [0x80]]
        for _ in 0..<20_000 {
            var fields: [([UInt8], [UInt8])] = []
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                var value: [UInt8] = []
                for _ in 0..<Int.random(in: 0...5, using: &rng) { value += pieces.randomElement(using: &rng)! }
                fields.append((Array(names.randomElement(using: &rng)!.utf8), value))
            }
            assertSame(fields, version: Bool.random(using: &rng) ? "HTTP/1.1" : "HTTP/1.0")
        }
    }

    /// The whole reader: a response's fields, status and body as the byte path exposes them
    /// are what `parseField` of each line gives, for chosen heads and random ones.
    func testParsedResponsesExposeTheFieldsOfEachLine() {
        var rng = SplitMix(seed: 61)
        var heads: [[String]] = [
            ["Server: nginx/1.22.1", "Date: Mon, 30 Nov 2026 07:41:33 GMT", "Content-Type: application/json", "Content-Length: 11", "Connection: keep-alive"],
            ["Content-Length:11", "X-Empty:", "X-Spaces: \t a b \t"],
            ["content-length: 11", "Retry-After: 120", "X-Utf8: caf\u{e9}"],
        ]
        let names = ["X-A", "x-b", "Retry-After", "X-RateLimit-Remaining", "ETag", "Vary"]
        let values = ["1", " two ", "\tthree", "caf\u{e9}", "a, b", "", "W/\"x\""]
        for _ in 0..<2_000 {
            var head = ["Content-Length: 11"]
            for _ in 0..<Int.random(in: 0...5, using: &rng) { head.insert(names.randomElement(using: &rng)! + ":" + values.randomElement(using: &rng)!, at: Int.random(in: 0...head.count, using: &rng)) }
            heads.append(head)
        }
        for head in heads {
            let wire = Array(("HTTP/1.1 200 OK\r\n" + head.map { $0 + "\r\n" }.joined() + "\r\n{\"ok\":true}").utf8)
            guard case .success(let response)? = ResponseParserProbe.responses(wire, method: "POST", limits: SocketResponseLimits()).first else {
                return XCTFail("not parsed: \(head)")
            }
            let expected = head.map { try? SocketConnection.parseField(Array($0.utf8)[...]) }
            XCTAssertEqual(response.headers, expected.compactMap { $0 }, "\(head)")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "{\"ok\":true}")
            XCTAssertEqual(response, HTTPResponse(status: 200, headers: expected.compactMap { $0 }, body: Array("{\"ok\":true}".utf8)))
            for name in names + ["content-length", "CONTENT-LENGTH"] {
                XCTAssertEqual(response.header(name), HTTPResponse.firstValue(named: name, in: response.headers), "\(name) in \(head)")
            }
        }
    }

    /// The field-line checks on a buffer pointer against the slice-based checks (which also
    /// word the refusals): same ranges, or both refuse with the same message.
    func testFieldLinesSplitAsTheSlicePath() {
        var rng = SplitMix(seed: 5)
        let alphabet = Array("Xa-:: \t,é".utf8) + [0, 9, 13, 127, 0x80, 0xFF, 40, 64]
        var lines: [[UInt8]] = ["Content-Length: 11", "X: ", ":v", " X: v", "\tX: v", "X v", "X(: v", "X:\u{1}", "X:\u{7F}", "X:  a b  ", "X:", ""].map { Array($0.utf8) }
        for _ in 0..<20_000 {
            var line = Array("X-Name: value".utf8)
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                let i = Int.random(in: 0...line.count, using: &rng)
                if i < line.count, Bool.random(using: &rng) { line[i] = alphabet.randomElement(using: &rng)! } else { line.insert(alphabet.randomElement(using: &rng)!, at: i) }
            }
            lines.append(line)
        }
        func describe(_ f: () throws(TransportError) -> (name: Range<Int>, value: Range<Int>)) -> String {
            do { let r = try f(); return "\(r.name) \(r.value)" } catch { return error.message }
        }
        for line in lines {
            let buffer = Array("pad\r\n".utf8) + line + [13, 10]
            let slice = buffer[5..<(5 + line.count)]
            XCTAssertEqual(describe { () throws(TransportError) in try SocketConnection.fieldRanges(slice) },
                           describe { () throws(TransportError) in try SocketConnection.slowFieldRanges(slice) }, "\(line)")
        }
    }

    /// A response's headers can still be replaced, after which the lookup reads the new ones.
    func testSettingHeadersReplacesTheByteBlock() {
        let wire = Array("HTTP/1.1 429 Too Many\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n".utf8)
        guard case .success(var response)? = ResponseParserProbe.responses(wire, method: "POST", limits: SocketResponseLimits()).first else {
            return XCTFail("not parsed")
        }
        XCTAssertEqual(response.header("retry-after"), "7")
        response.headers = [HTTPHeaderField(name: "Retry-After", value: "9")]
        XCTAssertEqual(response.header("Retry-After"), "9")
        XCTAssertEqual(response.headers.count, 1)
    }

    /// Offsets outside the bytes (never produced by the reader) give empty strings, not a trap.
    func testOutOfRangeOffsetsAreClamped() {
        let b = HTTPHeaderBlock(bytes: Array("abc".utf8), offsets: [0, 1, 2, 99, -1, 2, 0, 3, 7])
        XCTAssertEqual(b.fields, [HTTPHeaderField(name: "a", value: ""), HTTPHeaderField(name: "", value: "abc")])
    }
}
