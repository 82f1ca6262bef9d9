import DSJSON
import DSRender
@testable import DSRuntime
@testable import DSRuntimePOSIX
import XCTest

/// The production transport against a loopback server: headers exactly as rendered,
/// redirects refused, timeouts, resets.
final class URLSessionTransportTests: XCTestCase {
    private func request(_ url: String, headers: [HTTPHeaderField], body: String) -> RenderedRequest {
        RenderedRequest(method: "POST", url: url, headers: headers, body: Array(body.utf8), signingString: nil, eventIDs: ["e1"], timestamp: 0, requestID: "e1")
    }

    func testSendsExactlyTheRenderedHeadersAndBody() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(status: 202, headers: [("X-Answer", "yes")], body: #"{"ok":true}"#) }
        defer { server.stop() }
        let headers = [HTTPHeaderField(name: "Content-Type", value: "application/json"), HTTPHeaderField(name: "User-Agent", value: "dspec/1.0"),
                       HTTPHeaderField(name: "Authorization", value: "Bearer tok"), HTTPHeaderField(name: "X-Signature", value: "abc123")]
        // A body over 1 KiB, where curl would otherwise send Expect: 100-continue.
        let body = #"{"payload":""# + String(repeating: "x", count: 4000) + #""}"#
        let response = try await URLSessionTransport().send(request(server.baseURL + "/v1/events?a=1", headers: headers, body: body), timeout: .seconds(5))
        XCTAssertEqual(response.status, 202)
        XCTAssertEqual(response.header("x-answer"), "yes")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), #"{"ok":true}"#)
        let received = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(received.method, "POST")
        XCTAssertEqual(received.target, "/v1/events?a=1")
        XCTAssertEqual(String(decoding: received.body, as: UTF8.self), body)
        for h in headers { XCTAssertEqual(received.headers.filter { $0.name.lowercased() == h.name.lowercased() }.map(\.value), [h.value], h.name) }
        XCTAssertNil(received.header("Expect"))
        // Framing headers are the transport's; anything else libcurl adds is listed here so a
        // change shows up (see the runtime notes on Accept / Accept-Encoding / Accept-Language).
        let framing: Set<String> = ["host", "content-length", "connection"]
        let extra = received.headers.map { $0.name.lowercased() }.filter { !framing.contains($0) && !headers.map { $0.name.lowercased() }.contains($0) }
        XCTAssertTrue(Set(extra).isSubset(of: URLSessionTransport.headersAddedByLibcurl), "unexpected extra headers \(extra)")
    }

    func testRedirectsAreNotFollowed() async throws {
        let server = try LoopbackHTTPServer { r in
            r.target == "/start" ? .respond(status: 302, headers: [("Location", "/elsewhere")]) : .respond(status: 200)
        }
        defer { server.stop() }
        let headers = [HTTPHeaderField(name: "Content-Type", value: "application/json"), HTTPHeaderField(name: "Authorization", value: "Bearer secret")]
        let response = try await URLSessionTransport().send(request(server.baseURL + "/start", headers: headers, body: "{}"), timeout: .seconds(5))
        XCTAssertEqual(response.status, 302)
        XCTAssertEqual(server.requests.map(\.target), ["/start"])
    }

    func testCancellationEndsTheExchange() async throws {
        let server = try LoopbackHTTPServer { _ in .delay(30, .respond(status: 200)) }
        defer { server.stop() }
        let stalled = request(server.baseURL + "/slow", headers: [], body: "{}")
        let attempt = Task { () -> TransportError? in
            do throws(TransportError) {
                _ = try await URLSessionTransport().send(stalled, timeout: .seconds(60))
                return nil
            } catch {
                return error
            }
        }
        while server.requests.isEmpty { await Task.yield() }
        attempt.cancel()
        // Ended by the cancellation, not by the 30 s delay or the 60 s timeout: the error says which.
        let error = await attempt.value
        XCTAssertEqual(error?.kind, .other)
        XCTAssertEqual(error?.message, "cancelled")
    }

    func testTimeoutAndResetAreTransportErrors() async throws {
        let server = try LoopbackHTTPServer { r in r.target == "/slow" ? .delay(3, .respond(status: 200)) : .reset }
        defer { server.stop() }
        let transport = URLSessionTransport()
        let headers = [HTTPHeaderField(name: "Content-Type", value: "application/json")]
        do {
            _ = try await transport.send(request(server.baseURL + "/slow", headers: headers, body: "{}"), timeout: .milliseconds(200))
            XCTFail("expected a timeout")
        } catch {
            XCTAssertEqual(error.kind, .timeout)
        }
        do {
            _ = try await transport.send(request(server.baseURL + "/reset", headers: headers, body: "{}"), timeout: .seconds(5))
            XCTFail("expected a reset")
        } catch {
            XCTAssertEqual(error.kind, .connection, error.description)
        }
    }
}
