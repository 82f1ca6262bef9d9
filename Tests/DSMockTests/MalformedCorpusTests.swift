#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import XCTest

@testable import DSMock

/// The server survives hostile and broken clients and keeps serving: after every entry of a
/// malformed-request corpus (and a seeded random fuzz), a normal request on a new connection
/// still gets its scripted answer.
final class MalformedCorpusTests: XCTestCase {
    var server: MockServer!

    override func setUpWithError() throws {
        server = try MockServer.start(scenario: .always(200), limits: MockLimits(maxHeadBytes: 4096, maxBodyBytes: 4096, readTimeoutMs: 300))
    }

    override func tearDown() {
        server.stop()
    }

    /// Raw payloads and the status expected back (nil: any error status or a close).
    static let corpus: [(String, [UInt8], Int?)] = [
        ("truncated head then close", Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Le".utf8), nil),
        ("bare garbage", Array("\u{1}\u{2}\u{3}garbage\r\n\r\n".utf8), 400),
        ("lowercase version", Array("GET / http/1.1\r\nHost: x\r\n\r\n".utf8), 400),
        ("two spaces in request line", Array("GET  / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
        ("missing target", Array("GET HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
        ("relative target", Array("GET foo HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
        ("NUL in target", Array("GET /a\u{0}b HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400),
        ("NUL in header value", Array("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n".utf8), 400),
        ("NUL bytes only", [UInt8](repeating: 0, count: 64) + Array("\r\n\r\n".utf8), 400),
        ("space before colon", Array("GET / HTTP/1.1\r\nHost : x\r\n\r\n".utf8), 400),
        ("obs-fold", Array("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  b\r\n\r\n".utf8), 400),
        ("no colon", Array("GET / HTTP/1.1\r\nHost: x\r\nJustAName\r\n\r\n".utf8), 400),
        ("bare CR", Array("GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n".utf8), 400),
        ("huge header", Array("GET / HTTP/1.1\r\nHost: x\r\nX-A: \(String(repeating: "x", count: 10000))\r\n\r\n".utf8), 431),
        ("too many headers", Array(("GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: "A: b\r\n", count: 600) + "\r\n").utf8), 431),
        ("bad chunk size", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n".utf8), 400),
        ("negative chunk size", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nabc\r\n0\r\n\r\n".utf8), 400),
        ("overflowing chunk size", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n".utf8), 400),
        ("chunk size over body limit", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffff\r\n".utf8), 413),
        ("chunk data too long", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n".utf8), 400),
        ("chunk line with bare LF", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n".utf8), 400),
        ("chunk extension with control", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\u{1}\r\nabc\r\n0\r\n\r\n".utf8), 400),
        ("huge content length", Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n".utf8), 413),
        ("content length with sign", Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nabcde".utf8), 400),
        ("unknown transfer coding", Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n".utf8), 400),
        ("HTTP/9.9", Array("GET / HTTP/9.9\r\nHost: x\r\n\r\n".utf8), 505),
        ("invalid UTF-8 in header value is kept", Array("GET / HTTP/1.1\r\nHost: x\r\nX-A: \u{FF}".utf8) + [0xFF, 0xFE] + Array("\r\n\r\n".utf8), 200),
        ("pipelined garbage after a good request", Array((get("/ok") + "NOT HTTP AT ALL\r\n\r\n").utf8), 200),
        ("body shorter than Content-Length then close", Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc".utf8), nil),
        ("only CRLFs", Array(String(repeating: "\r\n", count: 50).utf8), nil),
        ("request line without CRLF, over limit", Array(String(repeating: "G", count: 20000).utf8), 414),
    ]

    func assertStillServing(_ label: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let client = try RawClient(port: server.port)
            let r = try client.roundTrip(get("/health"))
            XCTAssertEqual(r.status, 200, "after \(label)", file: file, line: line)
        } catch {
            XCTFail("after \(label): \(error)", file: file, line: line)
        }
    }

    func testCorpus() throws {
        for (label, bytes, expected) in Self.corpus {
            let client = try RawClient(port: server.port, timeoutMs: 3000)
            client.send(bytes)
            if label.hasSuffix("then close") {
                shutdown(client.fd, Int32(SHUT_WR))
                _ = client.readToEnd()
            } else if let expected {
                let response = try? client.readResponse()
                XCTAssertEqual(response?.status, expected, label)
                if expected >= 400 { XCTAssertEqual(response?.header("Connection"), "close", label) }
            } else {
                _ = client.readToEnd()  // 408 or a close; either way the connection ends
            }
            assertStillServing(label)
        }
        XCTAssertGreaterThan(server.protocolErrors.count, 15)
    }

    func testAbruptClosesAndResetsMidRequest() throws {
        for i in 0..<20 {
            let client = try RawClient(port: server.port)
            client.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n" + String(repeating: "a", count: i))
            if i % 2 == 0 { Socket.setLingerZero(client.fd) }  // RST instead of FIN
        }
        usleep(100_000)
        assertStillServing("abrupt closes")
        XCTAssertTrue(server.waitForRequests(1, timeoutMs: 1000))
    }

    func testSlowClientsDoNotBlockOthers() throws {
        // A separate server with a long read timeout, so "served while the slow ones wait" is
        // not a race against the timeout even on a loaded machine.
        let patient = try MockServer.start(scenario: .always(200), limits: MockLimits(readTimeoutMs: 60_000))
        defer { patient.stop() }
        let slow = try (0..<5).map { _ in try RawClient(port: patient.port) }
        for c in slow { c.send("GET / HTTP/1.1\r\nHo") }
        XCTAssertEqual(try RawClient(port: patient.port).roundTrip(get("/")).status, 200)
        // Served while the slow ones still hold their connections: none of them has been
        // answered or closed yet (a state check, not a stopwatch).
        for c in slow {
            var byte: UInt8 = 0
            let n = recv(c.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            XCTAssertTrue(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK), "a slow client's connection is still open and unanswered")
        }
        XCTAssertEqual(patient.journal.count, 1)
    }

    func testClientThatNeverReadsCannotExhaustTheServer() throws {
        let greedy = try RawClient(port: server.port)
        // Pipeline many requests and never read a response: output backs up, reading stops.
        let burst = String(repeating: get("/"), count: 2000)
        _ = greedy.sendNonBlocking(Array(burst.utf8))
        assertStillServing("a client that never reads")
    }

    func testSeededRandomFuzz() throws {
        var rng = SeededGenerator(seed: 0xD5EC)
        let pieces = ["GET ", "POST ", "/", "a", " HTTP/1.1", "\r\n", "\n", "Host: x", ":", " ", "Content-Length: ", "5", "-1",
                      "Transfer-Encoding: chunked", "0", "\r\n\r\n", "\u{0}", "\u{7F}", "ff", ";x=y", "Expect: 100-continue"]
        for round in 0..<150 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...24, using: &rng) {
                if Int.random(in: 0..<5, using: &rng) == 0 {
                    bytes.append(UInt8.random(in: 0...255, using: &rng))
                } else {
                    bytes += Array(pieces[Int.random(in: 0..<pieces.count, using: &rng)].utf8)
                }
            }
            let client = try RawClient(port: server.port, timeoutMs: 50)
            client.send(bytes)
            if round % 3 == 0 { Socket.setLingerZero(client.fd) }
        }
        usleep(200_000)
        assertStillServing("random fuzz")
    }
}

extension RawClient {
    /// Writes as much as the socket takes without blocking.
    func sendNonBlocking(_ bytes: [UInt8]) -> Int {
        Socket.setNonBlocking(fd)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            offset += n
        }
        return offset
    }
}
