import DSRender
@testable import DSRuntime
@testable import DSRuntimePOSIX
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11 defect 4: the socket client parses what a server sends as strictly as the mock
/// parses requests. Each hostile response below, served byte for byte by a raw loopback
/// server, fails its request with a transport error; none may crash the process (before
/// the fix, a chunk size of `-1` trapped in `SocketResponseReader`).
final class HostileResponseCorpusTests: XCTestCase {
    private static let ok = "HTTP/1.1 200 OK\r\n"

    /// Shapes that must fail the request, with a fragment its error message must contain.
    static let hostile: [(name: String, bytes: [UInt8], expect: String)] = {
        var cases: [(String, [UInt8], String)] = []
        func add(_ name: String, _ text: String, _ expect: String = "malformed response") { cases.append((name, Array(text.utf8), expect)) }
        func chunked(_ sizeLine: String, _ rest: String = "hello\r\n0\r\n\r\n") -> String { ok + "Transfer-Encoding: chunked\r\n\r\n" + sizeLine + "\r\n" + rest }
        // Chunk sizes: hex digits only, bounded.
        add("chunk size -1", chunked("-1"))
        add("chunk size +5", chunked("+5"))
        add("chunk size 0x5", chunked("0x5"))
        add("chunk size leading space", chunked(" 5"))
        add("chunk size empty", chunked(""))
        add("chunk size junk suffix", chunked("5zz"))
        add("chunk size 17 hex digits", chunked("fffffffffffffffff"))
        add("chunk size Int.max", chunked("7fffffffffffffff"), "over")
        add("chunk size over the body limit", chunked("2000000"), "over")
        add("chunk extension with a control byte", chunked("5;a\u{1}b"))
        add("chunk extension without a name", chunked("5;"))
        add("chunk line over 4 KiB", chunked("5;" + String(repeating: "a", count: 5000)))
        add("chunk data longer than its size", chunked("3"))
        // Content-Length: digits only, no sign, duplicates agree.
        add("content-length -1", ok + "Content-Length: -1\r\n\r\nok")
        add("content-length +2", ok + "Content-Length: +2\r\n\r\nok")
        add("content-length hex", ok + "Content-Length: 0x2\r\n\r\nok")
        add("content-length empty", ok + "Content-Length: \r\n\r\nok")
        add("content-length list disagrees", ok + "Content-Length: 2, 3\r\n\r\nok")
        add("content-length headers disagree", ok + "Content-Length: 2\r\nContent-Length: 3\r\n\r\nok")
        add("content-length overflows Int", ok + "Content-Length: 99999999999999999999999\r\n\r\nok")
        add("content-length over the body limit", ok + "Content-Length: 20000000\r\n\r\nok", "over")
        add("content-length with chunked", ok + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
        // Status lines: HTTP/1.x SP 3DIGIT SP reason.
        add("status HTTP/2.0", "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n")
        add("status lowercase version", "http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        add("status negative", "HTTP/1.1 -20 OK\r\nContent-Length: 0\r\n\r\n")
        add("status four digits", "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n")
        add("status two digits", "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n")
        add("status 999", "HTTP/1.1 999 Weird\r\nContent-Length: 0\r\n\r\n")
        add("status no space before reason", "HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n")
        add("status double space", "HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n")
        add("status NUL in reason", "HTTP/1.1 200 O\u{0}K\r\nContent-Length: 0\r\n\r\n")
        add("status line garbage", "SSH-2.0-OpenSSH_9.6\r\n\r\n")
        add("protocol switch", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")
        add("endless interim responses", String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 40) + ok + "Content-Length: 0\r\n\r\n")
        // Header fields: token names, no folding, no control bytes, bounded count and size.
        add("space before colon", ok + "Content-Length : 2\r\n\r\nok")
        add("obsolete line folding", ok + "X-A: 1\r\n  folded\r\nContent-Length: 2\r\n\r\nok")
        add("invalid name character", ok + "X(y): z\r\nContent-Length: 2\r\n\r\nok")
        add("line without colon", ok + "NoColonHere\r\nContent-Length: 2\r\n\r\nok")
        add("empty field name", ok + ": v\r\nContent-Length: 2\r\n\r\nok")
        add("NUL in a value", ok + "X-A: a\u{0}b\r\nContent-Length: 2\r\n\r\nok")
        add("bare CR in a value", ok + "X-A: a\rb\r\nContent-Length: 2\r\n\r\nok")
        add("DEL in a value", ok + "X-A: a\u{7F}b\r\nContent-Length: 2\r\n\r\nok")
        add("too many header fields", ok + String(repeating: "X-A: 1\r\n", count: 200) + "Content-Length: 2\r\n\r\nok", "header fields")
        add("head over 64 KiB", ok + "X-Big: " + String(repeating: "b", count: 70_000) + "\r\nContent-Length: 2\r\n\r\nok", "over")
        return cases
    }()

    /// Odd but valid shapes that must keep working.
    static let valid: [(name: String, text: String, body: String)] = [
        ("chunk extension", ok + "Transfer-Encoding: chunked\r\n\r\n5;name=value;flag\r\nhello\r\n0\r\n\r\n", "hello"),
        ("quoted chunk extension", ok + "Transfer-Encoding: chunked\r\n\r\n5;name=\"a b\"\r\nhello\r\n0\r\n\r\n", "hello"),
        ("uppercase hex chunk", ok + "Transfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", "0123456789"),
        ("chunk size with leading zeros", ok + "Transfer-Encoding: chunked\r\n\r\n0002\r\nok\r\n0\r\nX-Trailer: 1\r\n\r\n", "ok"),
        ("agreeing content-length list", ok + "Content-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok", "ok"),
        ("empty reason phrase", "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok", "ok"),
        ("no reason phrase", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", "ok"),
        ("bare LF line endings", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", "ok"),
        ("HTTP/1.0 read until close", "HTTP/1.0 200 OK\r\n\r\nok", "ok"),
        ("one interim response", "HTTP/1.1 100 Continue\r\n\r\n" + ok + "Content-Length: 2\r\n\r\nok", "ok"),
        ("tab and obs-text in values", ok + "X-A: a\tb\u{E9}\r\nContent-Length: 2\r\n\r\nok", "ok"),
    ]

    private func serve(_ responses: [[UInt8]]) throws -> RawSocketServer {
        try RawSocketServer { conn in
            guard let request = conn.readRequest() else { return conn.close() }
            let line = String(decoding: request.prefix(while: { $0 != 13 }), as: UTF8.self)
            let index = line.split(separator: "/").dropFirst(1).first.flatMap { Int($0.prefix(while: \.isNumber)) } ?? -1
            if responses.indices.contains(index) {
                let bytes = responses[index]
                var sent = 0
                while sent < bytes.count {
                    let n = bytes.withUnsafeBytes { send(conn.fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { break }
                    sent += n
                }
            }
            conn.close()
        }
    }

    private func request(_ url: String) -> RenderedRequest {
        RenderedRequest(method: "POST", url: url, headers: [], body: Array("{}".utf8), signingString: nil, eventIDs: ["e1"], timestamp: 0, requestID: "e1")
    }

    func testEveryHostileResponseFailsItsRequestWithATransportError() async throws {
        XCTAssertGreaterThanOrEqual(Self.hostile.count, 25)
        let server = try serve(Self.hostile.map(\.bytes))
        defer { server.stop() }
        for (i, c) in Self.hostile.enumerated() {
            let transport = SocketHTTPTransport()
            do {
                let response = try await transport.send(request(server.baseURL + "/\(i)"), timeout: .seconds(10))
                XCTFail("\(c.name): accepted as status \(response.status) with body \(String(decoding: response.body, as: UTF8.self).prefix(40))")
            } catch {
                XCTAssertTrue(error.message.contains(c.expect), "\(c.name): \(error)")
                XCTAssertNotEqual(error.kind, .timeout, "\(c.name): refused at once, not timed out: \(error)")
            }
        }
    }

    func testOddButValidResponsesStillParse() async throws {
        let server = try serve(Self.valid.map { Array($0.text.utf8) })
        defer { server.stop() }
        for (i, c) in Self.valid.enumerated() {
            do {
                let response = try await SocketHTTPTransport().send(request(server.baseURL + "/\(i)"), timeout: .seconds(10))
                XCTAssertEqual(response.status, 200, c.name)
                XCTAssertEqual(String(decoding: response.body, as: UTF8.self), c.body, c.name)
            } catch {
                XCTFail("\(c.name): \(error)")
            }
        }
    }
}
