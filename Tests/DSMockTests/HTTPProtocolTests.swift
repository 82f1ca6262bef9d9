import XCTest

@testable import DSMock

/// HTTP/1.1 behaviour over real loopback sockets: keep-alive, framing, 100-continue, limits.
final class HTTPProtocolTests: XCTestCase {
    var server: MockServer!

    override func setUpWithError() throws {
        server = try MockServer.start(scenario: .always(200), limits: MockLimits(maxHeadBytes: 2048, maxBodyBytes: 1000, readTimeoutMs: 400))
    }

    override func tearDown() {
        server.stop()
    }

    func testKeepAliveServesSeveralRequestsOnOneConnection() throws {
        let client = try RawClient(port: server.port)
        for i in 0..<3 {
            let r = try client.roundTrip(post("/v1/events", body: "{\"n\":\(i)}"))
            XCTAssertEqual(r.status, 200)
            XCTAssertNil(r.header("Connection"))
            XCTAssertEqual(r.text, "{}")
            XCTAssertNotNil(r.header("Date"))
        }
        let journal = server.journal
        XCTAssertEqual(journal.count, 3)
        XCTAssertEqual(Set(journal.map(\.connectionID)).count, 1)
        XCTAssertEqual(journal.map(\.indexOnConnection), [0, 1, 2])
        XCTAssertEqual(journal.map(\.request.bodyText), ["{\"n\":0}", "{\"n\":1}", "{\"n\":2}"])
    }

    func testConnectionCloseIsHonoured() throws {
        let client = try RawClient(port: server.port)
        let r = try client.roundTrip(get("/", extra: "Connection: close\r\n"))
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Connection"), "close")
        XCTAssertEqual(client.readToEnd().1, .eof)
    }

    func testHTTP10ClosesByDefault() throws {
        let client = try RawClient(port: server.port)
        let r = try client.roundTrip("GET / HTTP/1.0\r\n\r\n")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(client.readToEnd().1, .eof)
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        server.reset(to: try MockScenario(json: """
            {"routes": [{"path": "/a", "responses": [{"status": 201, "delay_ms": 50}]}, {"path": "/b", "responses": [{"status": 202}]}]}
            """))
        let client = try RawClient(port: server.port)
        client.send(get("/a") + get("/b") + get("/a"))
        XCTAssertEqual(try client.readResponse().status, 201)
        XCTAssertEqual(try client.readResponse().status, 202)
        XCTAssertEqual(try client.readResponse().status, 201)
        XCTAssertEqual(server.journal.map(\.request.path), ["/a", "/b", "/a"])
    }

    func testChunkedBodyWithExtensionsAndTrailersIsDechunked() throws {
        let client = try RawClient(port: server.port)
        let request = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n" + "7 ; ext=\"q s\"\r\n, world\r\n" + "0\r\nX-Trailer: t1\r\nChecksum: abc\r\n\r\n"
        XCTAssertEqual(try client.roundTrip(request).status, 200)
        let entry = try XCTUnwrap(server.journal.first)
        XCTAssertEqual(entry.request.bodyText, "hello, world")
        XCTAssertTrue(entry.request.chunked)
        XCTAssertEqual(entry.request.trailers, [MockHeader(name: "X-Trailer", value: "t1"), MockHeader(name: "Checksum", value: "abc")])
        // The connection is still usable after a chunked body.
        XCTAssertEqual(try client.roundTrip(get("/next")).status, 200)
    }

    func testChunkedBodySplitAcrossManyWrites() throws {
        let client = try RawClient(port: server.port)
        let request = Array("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n".utf8)
        for byte in request {
            client.send([byte])
        }
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertEqual(server.journal.first?.request.bodyText, "abc0123456789")
    }

    func testExpectContinueSendsInterimResponseBeforeTheBody() throws {
        let client = try RawClient(port: server.port)
        client.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let interim = try client.readResponse()
        XCTAssertEqual(interim.status, 100)
        client.send("12345")
        let final = try client.readResponse()
        XCTAssertEqual(final.status, 200)
        XCTAssertEqual(server.journal.first?.request.bodyText, "12345")
    }

    func testExpectContinueWithTooLargeBodyGets413WithoutContinue() throws {
        let client = try RawClient(port: server.port)
        let r = try client.roundTrip("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(r.status, 413)
        XCTAssertEqual(r.header("Connection"), "close")
    }

    func testUnknownExpectationGets417() throws {
        let client = try RawClient(port: server.port)
        XCTAssertEqual(try client.roundTrip("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: teapot\r\n\r\nx").status, 417)
    }

    func testHeaderSectionOverLimitGets431() throws {
        let client = try RawClient(port: server.port)
        let big = String(repeating: "a", count: 3000)
        let r = try client.roundTrip("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(big)\r\n\r\n")
        XCTAssertEqual(r.status, 431)
        XCTAssertEqual(server.protocolErrors.first?.status, 431)
    }

    func testLongRequestLineGets414() throws {
        let client = try RawClient(port: server.port)
        let r = try client.roundTrip("GET /\(String(repeating: "p", count: 9000)) HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(r.status, 414)
    }

    func testBodyOverLimitGets413ForLengthAndChunked() throws {
        var client = try RawClient(port: server.port)
        XCTAssertEqual(try client.roundTrip("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n").status, 413)
        client = try RawClient(port: server.port)
        let chunk = String(repeating: "z", count: 600)
        client.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 413)
    }

    func testSlowClientGets408AndIsClosed() throws {
        let client = try RawClient(port: server.port)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n")  // never finishes the head
        let start = MonotonicClock.now()
        let r = try client.readResponse()
        XCTAssertEqual(r.status, 408)
        XCTAssertGreaterThanOrEqual(ms(start, MonotonicClock.now()), 300)
        XCTAssertEqual(client.readToEnd().1, .eof)
    }

    func testTricklingClientCannotExtendTheReadTimeout() throws {
        let client = try RawClient(port: server.port)
        let start = MonotonicClock.now()
        var got408 = false
        // One byte every 100 ms: each read makes progress, but the request never completes.
        for byte in Array("GET / HTTP/1.1\r\nHost: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".utf8) {
            if !client.send([byte]) { break }
            usleep(100_000)
            if ms(start, MonotonicClock.now()) > 3000 { break }
        }
        // The 408 itself proves the trickle did not extend the timeout (without it the read
        // below ends at the client's own 5 s timeout with no response).
        if let r = try? client.readResponse() { got408 = r.status == 408 }
        XCTAssertTrue(got408)
    }

    func testConflictingFramingIsRejected() throws {
        let cases = [
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        ]
        for c in cases {
            let client = try RawClient(port: server.port)
            XCTAssertEqual(try client.roundTrip(c).status, 400, c)
        }
        let client = try RawClient(port: server.port)
        XCTAssertEqual(try client.roundTrip("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").status, 501)
        XCTAssertEqual(client.readToEnd().1, .eof, "refused requests close the connection")
        XCTAssertEqual(try RawClient(port: server.port).roundTrip(post("/", body: "ok")).status, 200, "a fresh connection still works")
    }

    func testMissingOrDuplicateHostIsRejected() throws {
        XCTAssertEqual(try RawClient(port: server.port).roundTrip("GET / HTTP/1.1\r\n\r\n").status, 400)
        XCTAssertEqual(try RawClient(port: server.port).roundTrip("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status, 400)
        XCTAssertEqual(try RawClient(port: server.port).roundTrip("GET / HTTP/2.0\r\nHost: a\r\n\r\n").status, 505)
    }

    func testHeadResponseHasNoBody() throws {
        server.reset(to: try MockScenario(json: #"{"routes": [{"path": "/h", "responses": [{"status": 200, "body": "hello"}]}]}"#))
        let client = try RawClient(port: server.port)
        client.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try client.readResponseIgnoringLength()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Content-Length"), "5")
        XCTAssertEqual(try client.roundTrip(get("/h")).text, "hello", "no stray body bytes were sent after HEAD")
    }

    func testStopClosesConnectionsAndIsIdempotent() throws {
        let client = try RawClient(port: server.port)
        XCTAssertEqual(try client.roundTrip(get("/")).status, 200)
        server.stop()
        server.stop()
        XCTAssertNotEqual(client.readToEnd().1, .timeout)
        XCTAssertThrowsError(try RawClient(port: server.port, timeoutMs: 500).roundTrip(get("/")))
    }
}

extension RawClient {
    /// Reads a response to HEAD: the head only, whatever Content-Length says.
    func readResponseIgnoringLength() throws -> RawResponse {
        var bytes: [UInt8] = []
        while !(bytes.count >= 4 && Array(bytes.suffix(4)) == [13, 10, 13, 10]) {
            var b: UInt8 = 0
            guard recv(fd, &b, 1, 0) == 1 else { throw NSErrorLike("closed") }
            bytes.append(b)
        }
        let head = String(decoding: bytes, as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        let headers = lines.dropFirst().compactMap { l -> (String, String)? in
            guard let c = l.firstIndex(of: ":") else { return nil }
            return (String(l[..<c]), l[l.index(after: c)...].trimmingCharacters(in: .whitespaces))
        }
        return RawResponse(status: status, headers: headers, body: [], head: head)
    }
}
