import XCTest

@testable import DSMock

/// The request parser's fast path (`HeadParser.parseSimple`: common heads checked and framed on
/// the bytes, the request's fields left as views of its head, `WireLayout`) against the general
/// parser (`HeadParser.parse`, Strings made while parsing), on chosen and random inputs: where the
/// fast path answers, every field, the framing and the keep-alive decision must be what the
/// general parser gives; everything else (every error) goes to the general parser.
final class HeadParserFastPathTests: XCTestCase {
    let limits = MockLimits(maxRequestLineBytes: 256, maxHeadBytes: 1024, maxHeaderCount: 8, maxBodyBytes: 4096, maxChunkLineBytes: 32)

    /// Requests the fast path parsed (fields are views), over all of `bytes` in one read.
    func wireBacked(_ bytes: [UInt8]) -> [MockRequest] {
        var parser = RequestParser(limits: limits)
        bytes.withUnsafeBytes { parser.append($0) }
        var out: [MockRequest] = []
        while case .request(let r, _) = parser.next() { out.append(r) }
        return out.filter(\.isWireBacked)
    }

    func assertSame(_ text: [UInt8], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        for step in [0, 3] {
            let fast = RequestParserProbe.outcomes(text, step: step, limits: limits)
            let general = RequestParserProbe.outcomes(text, step: step, limits: limits, fastPath: false)
            XCTAssertEqual(fast, general, message, file: file, line: line)
        }
    }

    func testChosenHeads() {
        let heads = [
            "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
            "GET /v1/events?api_key=k&x=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n",
            "POST /e HTTP/1.1\r\nhost: h\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
            "POST /e HTTP/1.1\r\nHOST: h\r\ncontent-length:   0  \r\n\r\n",
            "HEAD /x HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Tabs: \t a b \t\r\n\r\n",
            "GET / HTTP/1.0\r\n\r\n",
            "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET /a HTTP/1.1\nHost: h\n\n",
            "GET /caf%C3%A9?%C3%BC=1 HTTP/1.1\r\nHost: h\r\nX-Obs: caf\u{E9} \u{FF}\r\n\r\n",
            "OPTIONS /a:b HTTP/1.1\r\nHost: h\r\nX-Colon: a:b:c\r\n\r\n",
            "\r\nGET /after-crlf HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2?q HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: h\r\n\r\n",
            // The general parser's cases (errors and the forms the fast path leaves to it).
            "GET /a HTTP/1.1\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 1,1\r\n\r\nx",
            "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
            "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 99999\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0123456789012345678\r\n\r\n",
            "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
            "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            "POST /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
            "GET http://h/p?q HTTP/1.1\r\nHost: h\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /a HTTP/2.0\r\nHost: h\r\n\r\n",
            "GET /a HTTP/1.1 \r\nHost: h\r\n\r\n",
            "GET  /a HTTP/1.1\r\nHost: h\r\n\r\n",
            "G@T /a HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /a\u{7F} HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /a HTTP/1.1\r\n Host: h\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost : h\r\n\r\n",
            "GET /a HTTP/1.1\r\n: h\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost h\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: h\u{1}\r\n\r\n",
            "GET /a HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\nH: 8\r\n\r\n",
        ]
        for text in heads { assertSame(Array(text.utf8), text.debugDescription) }
        // The common forms do take the fast path (the comparisons above are not all general-vs-general).
        for text in heads.prefix(12) {
            XCTAssertFalse(wireBacked(Array(text.utf8)).isEmpty, text.debugDescription)
        }
        XCTAssertEqual(wireBacked(Array(heads[11].utf8)).count, 3)
        for text in heads.suffix(from: 12) {
            XCTAssertTrue(wireBacked(Array(text.utf8)).isEmpty, "left to the general parser: \(text.debugDescription)")
        }
    }

    /// Random heads built from pieces near the fast path's edges, then mutated byte by byte.
    func testRandomHeads() {
        var rng = SeededGenerator(seed: 16)
        let methods = ["GET", "POST", "HEAD", "get", "M-SEARCH", "G@T", "", "PUT"]
        let targets = ["/", "/v1/events", "/a?b=c", "/a?", "/?", "*", "http://h/p", "/caf%C3%A9", "/é", "/a\tb", "/a:b", "//x"]
        let versions = ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "http/1.1", "HTTP/1.10", "HTTP/1.", "HTTP/1.1 "]
        let names = ["Host", "host", "HOST", "Content-Length", "content-length", "Transfer-Encoding", "Connection", "Expect",
                     "X-A", "Hos", "Hostt", "Content-Lengths", "Bad Name", "", " Folded", "Ho\u{E9}st", "X-Colon:"]
        let values = ["x", " 12 ", "12,12", "0", "7", "4097", "99999999999999999999", "a\u{1}b", "caf\u{E9}", "", "\t v \t",
                      "close", "keep-alive", "100-continue", "chunked", "\u{7F}", "a:b"]
        var fastCount = 0
        // Half the time a piece is one the fast path takes, so that both paths get plenty of input.
        func pick(_ list: [String], common: Int) -> String {
            Bool.random(using: &rng) ? list[Int.random(in: 0..<common, using: &rng)] : list.randomElement(using: &rng)!
        }
        for round in 0..<4000 {
            var text = pick(methods, common: 4) + (Int.random(in: 0..<10, using: &rng) == 0 ? "  " : " ")
            text += pick(targets, common: 5) + " " + pick(versions, common: 2)
            let eol = Int.random(in: 0..<6, using: &rng) == 0 ? "\n" : "\r\n"
            text += eol
            if Int.random(in: 0..<5, using: &rng) > 0 { text += "Host: h" + eol }
            for _ in 0..<Int.random(in: 0..<4, using: &rng) {
                text += pick(names, common: 9) + ":" + pick(values, common: 5) + eol
            }
            text += eol
            text += String(repeating: "x", count: Int.random(in: 0..<9, using: &rng))
            var bytes = Array(text.utf8)
            if round % 3 == 0, !bytes.isEmpty {
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let interesting: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x20, 0x3A, 0x2F, 0x3F, 0x7F, 0x80, 0xFF, 0x41, 0x61]
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = interesting.randomElement(using: &rng)!
                }
            }
            assertSame(bytes, "round \(round): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            fastCount += wireBacked(bytes).count
        }
        XCTAssertGreaterThan(fastCount, 300, "the random heads exercise the fast path")
    }

    /// Every accessor of a request parsed by the fast path gives what the general parser's gives.
    func testAccessorsAgree() {
        let text = "HEAD /p/q?x=%20&y HTTP/1.1\r\nHost: h:1\r\nX-Sig: sha256=ab\r\nx-sig: second\r\nEmpty:\r\nContent-Length: 0\r\n\r\n"
        let bytes = Array(text.utf8)
        let fast = wireBacked(bytes)
        XCTAssertEqual(fast.count, 1)
        var general = RequestParser(limits: limits, fastPath: false)
        bytes.withUnsafeBytes { general.append($0) }
        guard case .request(let g, _) = general.next(), let f = fast.first else { return XCTFail("no request") }
        XCTAssertFalse(g.isWireBacked)
        XCTAssertEqual(f.method, g.method)
        XCTAssertEqual(f.target, g.target)
        XCTAssertEqual(f.version, g.version)
        XCTAssertEqual(f.headers, g.headers)
        XCTAssertEqual(f.path, "/p/q")
        XCTAssertEqual(f.path, g.path)
        XCTAssertEqual(f.query, g.query)
        XCTAssertEqual(f.head, g.head)
        XCTAssertTrue(f.isHEAD)
        XCTAssertEqual(f.isHEAD, g.isHEAD)
        for name in ["x-sig", "X-SIG", "empty", "host", "Content-Length", "missing", "", "X-Sig ", "é"] {
            XCTAssertEqual(f.header(name), g.header(name), name)
            XCTAssertEqual(f.headerValues(name), g.headerValues(name), name)
        }
    }

    /// The fields stay settable: setting one (or the head bytes) keeps the others.
    func testSettingFieldsOfAWireBackedRequest() {
        let bytes = Array("POST /a?b HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n".utf8)
        guard var r = wireBacked(bytes).first else { return XCTFail("not on the fast path") }
        r.head = Array("other".utf8)
        XCTAssertEqual(r.method, "POST")
        XCTAssertEqual(r.target, "/a?b")
        XCTAssertEqual(r.headers, [MockHeader(name: "Host", value: "h"), MockHeader(name: "Content-Length", value: "0")])
        XCTAssertEqual(r.head, Array("other".utf8))
        guard var s = wireBacked(bytes).first else { return XCTFail("not on the fast path") }
        s.headers.append(MockHeader(name: "X", value: "1"))
        s.method = "PUT"
        XCTAssertEqual(s.method, "PUT")
        XCTAssertEqual(s.path, "/a")
        XCTAssertEqual(s.header("x"), "1")
        XCTAssertEqual(s.header("host"), "h")
        XCTAssertEqual(s.head, bytes)
    }
}
