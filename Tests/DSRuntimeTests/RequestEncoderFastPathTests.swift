import DSCore
@testable import DSRender
@testable import DSRuntime
@testable import DSRuntimePOSIX
import XCTest

/// Differential tests of the socket transport's per-endpoint request encoder
/// (`HTTPRequestHead.Encoder`, prepared once per URL, byte checks on UTF-8 buffers) against
/// the general `HTTPRequestHead.encode` it stands in for: the same wire bytes, or the same
/// refusal with the same message, on chosen requests and many random ones. And of the
/// status-line parser (indexing the buffer's slice in place) against its former version,
/// which copied the line first.
final class RequestEncoderFastPathTests: XCTestCase {
    private typealias SplitMix = SplitMix64

    private func outcome(_ body: () throws(TransportError) -> [UInt8]) -> String {
        do { return String(decoding: try body(), as: UTF8.self) + "|\(try body().count)" } catch { return "refused: \(error.kind) \(error.message)" }
    }

    private func assertSame(_ request: RenderedRequest, _ endpoint: HTTPEndpoint, file: StaticString = #filePath, line: UInt = #line) {
        let encoder = HTTPRequestHead.Encoder(endpoint: endpoint)
        XCTAssertEqual(outcome { () throws(TransportError) in try encoder.encode(request) },
                       outcome { () throws(TransportError) in try HTTPRequestHead.encode(request, endpoint: endpoint) },
                       "\(request.method) \(request.headers)", file: file, line: line)
    }

    private func request(_ method: String, _ headers: [(String, String)], body: String) -> RenderedRequest {
        RenderedRequest(method: method, url: "http://127.0.0.1:9/x", headers: headers.map { HTTPHeaderField(name: $0.0, value: $0.1) },
                        body: Array(body.utf8), signingString: nil, eventIDs: ["e"], timestamp: 0, requestID: "e")
    }

    /// One encoder across a run of requests, as the transport keeps it per URL: the head it
    /// reuses from the last request (same method and the very same field strings) must give
    /// the general path's bytes for every request, whether the fields repeat as the same
    /// strings, as equal strings built anew, as canonically equivalent strings with other
    /// bytes (`==` would call them equal), or change, and whatever the method and body.
    func testAReusedEncoderEncodesEveryRequestOfARunAsTheGeneralPath() throws {
        let endpoint = try HTTPEndpoint(url: "http://127.0.0.1:8080/v1/events?a=1")
        let encoder = HTTPRequestHead.Encoder(endpoint: endpoint)
        var rng = SplitMix(seed: 77)
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        XCTAssertEqual(composed, decomposed, "the trap: equal as Strings")
        let shared: [[HTTPHeaderField]] = [
            [HTTPHeaderField(name: "Content-Type", value: "application/json"), HTTPHeaderField(name: "User-Agent", value: "dspec/1.0")],
            [HTTPHeaderField(name: "X-Name", value: composed)],
            [HTTPHeaderField(name: "X-Name", value: decomposed)],
            [HTTPHeaderField(name: "X-Bad", value: "a\r\nb")],
            [],
        ]
        var hits = 0
        for i in 0..<3_000 {
            var headers = shared[Int(rng.next() % UInt64(shared.count))]
            switch rng.next() % 4 {
            case 0: headers = headers.map { HTTPHeaderField(name: String(decoding: Array($0.name.utf8), as: UTF8.self), value: String(decoding: Array($0.value.utf8), as: UTF8.self)) }
            case 1: headers.append(HTTPHeaderField(name: "Idempotency-Key", value: "evt-\(i)"))
            default: break
            }
            let method = ["POST", "PUT", "GET", "POST"][Int(rng.next() % 4)]
            let body = rng.next() % 5 == 0 ? "" : "{\"n\":\(i)}"
            let request = request(method, headers.map { ($0.name, $0.value) }, body: body)
            // The tuple round trip above keeps the very same strings (no copy of their bytes).
            XCTAssertEqual(outcome { () throws(TransportError) in try encoder.encode(request) },
                           outcome { () throws(TransportError) in try HTTPRequestHead.encode(request, endpoint: endpoint) }, "\(i) \(method) \(headers)")
            if i > 0, HTTPRequestHead.Encoder.sameFields(request.headers, shared[0]) { hits += 1 }
        }
        XCTAssertGreaterThan(hits, 100)
        XCTAssertFalse(sameStringValue(composed, decomposed))
        XCTAssertTrue(sameStringValue(composed, composed))
    }

    func testChosenRequestsEncodeAsTheGeneralPath() throws {
        let endpoint = try HTTPEndpoint(url: "http://127.0.0.1:8080/v1/ev%20ents?a=1#frag")
        let cases: [(String, [(String, String)], String)] = [
            ("POST", [("Content-Type", "application/json")], #"{"a":1}"#),
            ("POST", [], ""),
            ("put", [], ""),
            ("PATCH", [], ""),
            ("GET", [], ""),
            ("DELETE", [], "x"),
            ("POST", [("Host", "vendor.example"), ("content-length", "99"), ("Transfer-Encoding", "chunked"), ("X-A", "a\tb")], "body"),
            ("POST", [("X-Bad", "a\r\nInjected: 1")], "{}"),
            ("POST", [("X-Del", "a\u{7F}")], "{}"),
            ("POST", [("Bad Name", "v")], "{}"),
            ("POST", [("", "v")], "{}"),
            ("PO ST", [], "{}"),
            ("", [], "{}"),
            ("POST", [("X-Utf8", "café ✓")], "{}"),
            ("POST", [("Naïve", "v")], "{}"),
            ("POST", [("X-Long", String(repeating: "v", count: 5000))], String(repeating: "b", count: 100_000)),
        ]
        for (method, headers, body) in cases { assertSame(request(method, headers, body: body), endpoint) }
        // A target with a byte the request line cannot carry is refused by both.
        var dirty = endpoint
        dirty.target = "/a b"
        assertSame(request("POST", [], body: "{}"), dirty)
        dirty.target = "/é"
        assertSame(request("POST", [], body: "{}"), dirty)
    }

    func testRandomRequestsEncodeAsTheGeneralPath() throws {
        var rng = SplitMix(seed: 7)
        let endpoint = try HTTPEndpoint(url: "http://[::1]:9000/ingest")
        let methods = ["POST", "post", "PUT", "Patch", "GET", "DELETE", "HEAD", "OPTIONS", "M!#$%&'*+-.^_`|~", "P OST", "PÖST", ""]
        let names = ["Content-Type", "X-A", "host", "HOST", "Content-Length", "transfer-encoding", "Authorization", "X-Sig", "a!#$%&'*+-.^_`|~z",
                     "Bad Name", "Bad:Name", "", "Ünï", "X\tY", "(x)", "x@y"]
        let valueBytes: [String] = ["a", "b", " ", "\t", ",", "é", "✓", "\r", "\n", "\u{0}", "\u{7F}", "\u{1F}", "0", "=", "\""]
        for _ in 0..<20_000 {
            var headers: [(String, String)] = []
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                var value = ""
                // Mostly clean values, so the fast path is taken as often as refused.
                let pool = Bool.random(using: &rng) ? Array(valueBytes.prefix(7)) : valueBytes
                for _ in 0..<Int.random(in: 0...8, using: &rng) { value += pool.randomElement(using: &rng)! }
                headers.append((names.randomElement(using: &rng)!, value))
            }
            let body = String(repeating: "x", count: Int.random(in: 0...3, using: &rng) == 0 ? 0 : Int.random(in: 1...20_000, using: &rng))
            assertSame(request(methods.randomElement(using: &rng)!, headers, body: body), endpoint)
        }
    }

    /// Requests held in parts (a shared constant list, the request's own list, a final
    /// signature header: `RenderedRequest.headerParts`) encode as the same request with one
    /// list, through the fast encoder and the general one.
    func testRandomRequestsInPartsEncodeAsTheGeneralPath() throws {
        var rng = SplitMix(seed: 11)
        let endpoint = try HTTPEndpoint(url: "http://127.0.0.1:8080/v1/events")
        let names = ["Content-Type", "User-Agent", "host", "Content-Length", "transfer-encoding", "X-Sig", "Connection", "Bad Name", ""]
        // The last value is longer than an inline one: as a final header it is held as text.
        let values = ["application/json", "dspec/1.0", "close", "keep-alive", "sha256=00ff", "a\r\nInjected: 1", "é", "", "\u{7F}",
                      "sha512=" + String(repeating: "0f", count: 64)]
        var inParts = 0
        for _ in 0..<10_000 {
            let all = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                HTTPHeaderField(name: names.randomElement(using: &rng)!, value: Int.random(in: 0...3, using: &rng) == 0 ? values.randomElement(using: &rng)! : values[Int.random(in: 0...4, using: &rng)])
            }
            let sharedCount = Int.random(in: 0...all.count, using: &rng)
            let hasFinal = sharedCount < all.count && Bool.random(using: &rng)
            let listEnd = hasFinal ? all.count - 1 : all.count
            let body = Array(String(repeating: "b", count: Int.random(in: 0...300, using: &rng)).utf8)
            let ids: RenderedEventIDs = Bool.random(using: &rng) ? .single("e1") : .list(["e1", "e2"])
            let parts = RenderedRequest(method: ["POST", "GET", "PUT"].randomElement(using: &rng)!, url: "http://127.0.0.1:8080/v1/events",
                                        sharedHeaders: Array(all[..<sharedCount]), ownHeaders: Array(all[sharedCount..<listEnd]),
                                        finalTextHeader: hasFinal ? all.last : nil, body: body, signingString: body, eventIDs: ids, timestamp: 0, requestID: "e1")
            XCTAssertEqual(parts.headers, all)
            let joined = RenderedRequest(method: parts.method, url: parts.url, headers: all, body: body, signingString: body, eventIDs: parts.eventIDs,
                                         timestamp: 0, requestID: "e1")
            let encoder = HTTPRequestHead.Encoder(endpoint: endpoint)
            XCTAssertEqual(outcome { () throws(TransportError) in try encoder.encode(parts) },
                           outcome { () throws(TransportError) in try HTTPRequestHead.encode(joined, endpoint: endpoint) }, "\(all)")
            XCTAssertEqual(HTTPRequestHead.asksToClose(parts), HTTPRequestHead.asksToClose(joined))
            if sharedCount > 0 || hasFinal { inParts += 1 }
        }
        XCTAssertGreaterThan(inParts, 5_000)
    }

    /// One encoder across a run of requests held in parts, drawn from a few shared lists, own
    /// lists and final headers (the very same strings, so the last head is reused often; some
    /// equal-as-String but different bytes, some refused): each encodes as the general path.
    func testAReusedEncoderEncodesRequestsInPartsAsTheGeneralPath() throws {
        var rng = SplitMix(seed: 23)
        let endpoint = try HTTPEndpoint(url: "http://127.0.0.1:8080/v1/events")
        let encoder = HTTPRequestHead.Encoder(endpoint: endpoint)
        let sharedLists: [[HTTPHeaderField]] = [
            [HTTPHeaderField(name: "Content-Type", value: "application/json"), HTTPHeaderField(name: "User-Agent", value: "dspec/1.0")],
            [HTTPHeaderField(name: "Content-Type", value: "application/json")],
            [],
        ]
        let ownLists: [[HTTPHeaderField]] = [
            [], [HTTPHeaderField(name: "User-Agent", value: "dspec/1.0")], [HTTPHeaderField(name: "X-Name", value: "caf\u{E9}")],
            [HTTPHeaderField(name: "X-Name", value: "cafe\u{301}")], [HTTPHeaderField(name: "X-Bad", value: "a\r\nInjected: 1")],
        ]
        let finals: [HTTPHeaderField?] = [nil, nil, HTTPHeaderField(name: "X-Signature-256", value: "sha256=00ff"), HTTPHeaderField(name: "Host", value: "vendor.example"),
                                          HTTPHeaderField(name: "X-Signature-512", value: "sha512=" + String(repeating: "0f", count: 64)),
                                          HTTPHeaderField(name: "X-Bad-Signature", value: "v1,a\r\nInjected: 1")]
        var reusable = 0
        var last: (Int, Int, Int, String)?
        for i in 0..<6_000 {
            let s = Int(rng.next() % UInt64(sharedLists.count)), o = Int(rng.next() % UInt64(ownLists.count)), f = Int(rng.next() % UInt64(finals.count))
            let method = ["POST", "POST", "GET"][Int(rng.next() % 3)]
            let body = Array((rng.next() % 4 == 0 ? "" : "{\"n\":\(i)}").utf8)
            let parts = RenderedRequest(method: method, url: "http://127.0.0.1:8080/v1/events", sharedHeaders: sharedLists[s], ownHeaders: ownLists[o],
                                        finalTextHeader: finals[f], body: body, signingString: body, eventIDs: .single("e\(i)"), timestamp: 0, requestID: "e\(i)")
            let joined = RenderedRequest(method: method, url: parts.url, headers: parts.headers, body: body, signingString: body, eventIDs: ["e\(i)"],
                                         timestamp: 0, requestID: "e\(i)")
            XCTAssertEqual(outcome { () throws(TransportError) in try encoder.encode(parts) },
                           outcome { () throws(TransportError) in try HTTPRequestHead.encode(joined, endpoint: endpoint) }, "\(i) \(method) \(parts.headers)")
            if let last, last == (s, o, f, method) { reusable += 1 }
            last = (s, o, f, method)
        }
        XCTAssertGreaterThan(reusable, 20, "requests that follow one with the same method and parts")
    }

    func testContentLengthDigits() {
        for n in [0, 1, 9, 10, 99, 100, 12345, 1 << 20, Int.max] {
            var bytes: [UInt8] = []
            HTTPRequestHead.Encoder.appendDecimal(n, to: &bytes)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), String(n))
        }
    }

    /// The status-line parser as it was (it copied the line into an array first).
    private static func formerParseStatusLine(_ line: ArraySlice<UInt8>) throws(TransportError) -> (String, Int) {
        let b = Array(line)
        guard b.count >= 12, b[0..<7].elementsEqual("HTTP/1.".utf8), HTTPResponseBytes.isDigit(b[7]), b[8] == 32,
              (49...53).contains(b[9]), HTTPResponseBytes.isDigit(b[10]), HTTPResponseBytes.isDigit(b[11]) else {
            throw TransportError(.connection, "malformed response: bad status line \"\(HTTPResponseBytes.printable(b.prefix(40)))\" (expected HTTP/1.x SP 3DIGIT SP reason)")
        }
        if b.count > 12 {
            guard b[12] == 32, b[13...].allSatisfy(HTTPResponseBytes.isFieldValueByte) else {
                throw TransportError(.connection, "malformed response: bad status line \"\(HTTPResponseBytes.printable(b.prefix(40)))\" (expected HTTP/1.x SP 3DIGIT SP reason)")
            }
        }
        let status = Int(b[9] - 48) * 100 + Int(b[10] - 48) * 10 + Int(b[11] - 48)
        return (String(decoding: b[0..<8], as: UTF8.self), status)
    }

    private func parsed(_ f: () throws(TransportError) -> (String, Int)) -> String {
        do { let (v, s) = try f(); return "\(v) \(s)" } catch { return "\(error.kind) \(error.message)" }
    }

    func testStatusLinesParseAsTheFormerParser() {
        var rng = SplitMix(seed: 99)
        var lines = ["HTTP/1.1 200 OK", "HTTP/1.0 404 Not Found", "HTTP/1.1 200", "HTTP/1.1 200 ", "HTTP/1.1 599 x", "HTTP/1.1 600 x", "HTTP/1.1 099 x",
                     "HTTP/2.0 200 OK", "HTTP/1.1  200 OK", "HTTP/1.1 2000 OK", "HTTP/1.9 200 Ok", "http/1.1 200 OK", "", "HTTP/1.1 20", "HTTP/1.1 200 \u{7F}",
                     "HTTP/1.1 200 caf\u{e9}", "HTTP/1.1 200\tOK"].map { Array($0.utf8) }
        let alphabet = Array("HTTP/1.0 2345 OKx\t\u{7F}".utf8) + [0, 0xC3, 0xA9]
        for _ in 0..<20_000 {
            var line = Array("HTTP/1.1 200 OK".utf8)
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let i = Int.random(in: 0...line.count, using: &rng)
                switch Int.random(in: 0...2, using: &rng) {
                case 0 where i < line.count: line[i] = alphabet.randomElement(using: &rng)!
                case 1 where i < line.count: line.remove(at: i)
                default: line.insert(alphabet.randomElement(using: &rng)!, at: i)
                }
            }
            lines.append(line)
        }
        for line in lines {
            // As the reader passes it: a slice of a larger buffer, not starting at index 0.
            let buffer = Array("xx\r\n".utf8) + line + Array("\r\nmore".utf8)
            let slice = buffer[4..<(4 + line.count)]
            XCTAssertEqual(parsed { () throws(TransportError) in try SocketConnection.parseStatusLine(slice) },
                           parsed { () throws(TransportError) in try Self.formerParseStatusLine(slice) }, "\(line)")
            XCTAssertEqual(parsed { () throws(TransportError) in try SocketConnection.parseStatusLine(line[...]) },
                           parsed { () throws(TransportError) in try Self.formerParseStatusLine(line[...]) }, "\(line)")
        }
    }
}
