import DSJSON
import DSPlan
import DSRender
@testable import DSRuntime
@testable import DSRuntimePOSIX
import XCTest

/// Issue 11 defects 2 and 8 (defence in depth in the transports) and issue 12 "a URL that
/// cannot be sent is dropped at once": a request whose URL or header would split the
/// request line or a header line is refused before any byte is written, and never retried.
final class RequestLineSafetyTests: XCTestCase {
    private func request(_ url: String, headers: [HTTPHeaderField] = []) -> RenderedRequest {
        RenderedRequest(method: "POST", url: url, headers: headers, body: Array("{}".utf8), signingString: nil, eventIDs: ["e1"], timestamp: 0, requestID: "e1")
    }

    /// A raw server that counts connections: nothing may reach it.
    private func server() throws -> RawSocketServer {
        try RawSocketServer { conn in
            while conn.readRequest() != nil { conn.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") }
            conn.close()
        }
    }

    func testSocketTransportRefusesToWriteABrokenRequestLineOrHeader() async throws {
        let server = try server()
        defer { server.stop() }
        let transport = SocketHTTPTransport()
        let badURLs = [
            server.baseURL + "/u/a\r\nX-Injected: yes/x", server.baseURL + "/u/a b/x", server.baseURL + "/u/a\tb", server.baseURL + "/u/a\u{0}b",
            server.baseURL + "/u/\u{7F}", server.baseURL + "/u/../../admin", server.baseURL + "/u/%2e%2E/x", "http://user:pw@127.0.0.1:\(server.port)/",
        ]
        for url in badURLs {
            do {
                _ = try await transport.send(request(url), timeout: .seconds(5))
                XCTFail("sent \(url.debugDescription)")
            } catch {
                XCTAssertEqual(error.kind, .invalidRequest, "\(url.debugDescription): \(error.message)")
                XCTAssertFalse(error.message.contains("pw"), error.message)
            }
        }
        for b in Array(UInt8(0x00)...UInt8(0x1F)) + [0x7F] where b != 0x09 {
            let value = "a" + String(UnicodeScalar(b)) + "b"
            do {
                _ = try await transport.send(request(server.baseURL + "/x", headers: [HTTPHeaderField(name: "X-User", value: value)]), timeout: .seconds(5))
                XCTFail("sent a header with byte \(b)")
            } catch {
                XCTAssertEqual(error.kind, .invalidRequest, error.message)
            }
        }
        do {
            _ = try await transport.send(request(server.baseURL + "/x", headers: [HTTPHeaderField(name: "X Bad", value: "v")]), timeout: .seconds(5))
            XCTFail("sent a header name with a space")
        } catch {
            XCTAssertEqual(error.kind, .invalidRequest, error.message)
        }
        XCTAssertEqual(server.connections, 0, "nothing was written")
        // HTAB is legal inside a field value (RFC 9110 section 5.5).
        let ok = try await transport.send(request(server.baseURL + "/x", headers: [HTTPHeaderField(name: "X-User", value: "a\tb")]), timeout: .seconds(5))
        XCTAssertEqual(ok.status, 200)
    }

    func testUnsupportedOrMalformedURLsFailAsInvalidInEveryTransport() async throws {
        let auto = AutoTransport(plain: SocketHTTPTransport(), other: URLSessionTransport())
        for url in ["http://api.example.com/x", "ftp://api.example.com/x", "api.example.com/x", "https://api.example.com:0/x", "https://exa mple.com/", "https://[::1/x"] {
            do {
                _ = try await auto.send(request(url), timeout: .seconds(2))
                XCTFail("sent \(url)")
            } catch {
                XCTAssertEqual(error.kind, .invalidRequest, "\(url): \(error.message)")
            }
        }
        XCTAssertThrowsError(try URLSessionTransport.urlRequest(request("https://api.example.com/a\r\nb"), timeout: .seconds(1)))
        XCTAssertThrowsError(try URLSessionTransport.urlRequest(request("https://api.example.com/", headers: [HTTPHeaderField(name: "X", value: "a\u{1}b")]), timeout: .seconds(1)))
    }

    /// An unsendable request is dead-lettered after its one attempt, with the reason, not
    /// retried (before: 6 attempts over 15 s).
    func testAnUnsendableRequestIsDeadLetteredAtOnceWithTheReason() async throws {
        let plan = try RuntimeTestSupport.plan(response: RuntimeTestSupport.fastRetry(attempts: 6))
        let transport = ScriptedTransport { _, _ in .failure(TransportError(.invalidRequest, "unsupported URL scheme \"ftp\" (only http and https can be sent)")) }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(2), transport: transport)
        XCTAssertEqual(counts.deadLettered, 2)
        XCTAssertEqual(counts.attempts, 2)
        XCTAssertEqual(counts.retries, 0)
        XCTAssertEqual(fates.deadLetters.map(\.attempts), [1, 1])
        XCTAssertTrue(fates.deadLetters.allSatisfy { $0.reason.contains("cannot be sent") && $0.reason.contains("ftp") }, fates.deadLetters.map(\.reason).description)
    }

    /// Event data that would change the request (a dot segment) is dead-lettered at once
    /// by the renderer, with the reason, and never reaches the transport.
    func testHostileEventIsDeadLetteredWithoutASend() async throws {
        let plan = try RuntimeTestSupport.plan(url: "https://api.example.com/u/{{user_id}}/x", response: RuntimeTestSupport.fastRetry(attempts: 6))
        let transport = ScriptedTransport { _, _ in RuntimeTestSupport.response(200) }
        let events: [JSONValue] = ["..", "a\r\nX-Injected: yes"].enumerated().map { i, id in
            .object(JSONObject([("type", "track"), ("event", "Order Completed"), ("event_id", .string("e\(i + 1)")), ("user_id", .string(id))]))
        }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), events, transport: transport)
        XCTAssertEqual(counts.deadLettered, 1)
        XCTAssertEqual(counts.delivered, 1)
        XCTAssertTrue(fates.deadLetters.first?.reason.contains("dot segment") ?? false)
        XCTAssertEqual(transport.requests.map(\.url), ["https://api.example.com/u/a%0D%0AX-Injected%3A%20yes/x"])
    }

    /// The token URL is checked like every URL and follows `--endpoint-override`.
    func testTokenURLHonoursTheHTTPSRuleAndTheOverride() throws {
        let plan = try RuntimeTestSupport.plan(
            auth: #"{"type": "oauth2_client_credentials", "token_url": "https://auth.example.com/token", "client_id": "id", "client_secret": "{{@secrets.cs}}"}"#,
            secrets: #"{"cs": {}}"#)
        var p = plan
        p.settings = [PlanSetting(name: "token_url", type: "string", required: true, defaultValue: nil, allowed: nil)]
        guard case .oauth2ClientCredentials(_, let id, let secret, let clientAuth, let scope, let audience, _) = plan.auth else { return XCTFail("not oauth") }
        p.auth = .oauth2ClientCredentials(tokenURL: "{{{@settings.token_url}}}", clientID: id, clientSecret: secret, clientAuth: clientAuth, scope: scope, audience: audience)
        func provider(_ url: String, _ override: EndpointOverride? = nil) throws -> (any AccessTokenProvider)? {
            try TokenProviderFactory.provider(for: p, templates: CredentialTemplates(plan: p, settings: JSONObject([("token_url", .string(url))]), secrets: JSONObject([("cs", "s")])),
                                              store: nil, transport: ScriptedTransport { _, _ in RuntimeTestSupport.response(500) }, clock: VirtualClock(), endpointOverride: override)
        }
        XCTAssertThrowsError(try provider("http://auth.example.com/token")) { error in
            let message = (error as! OAuthError).message
            XCTAssertTrue(message.contains("setting \"token_url\""), message)
            XCTAssertTrue(message.contains("http://"), message)
        }
        XCTAssertThrowsError(try provider("https://auth.example.com/a b"))
        XCTAssertNoThrow(try provider("http://127.0.0.1:9/token"))
        XCTAssertNoThrow(try provider("http://auth.example.com/token", try EndpointOverride("http://127.0.0.1:9")))
    }
}
