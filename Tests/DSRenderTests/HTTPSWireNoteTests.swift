@testable import DSRender
import XCTest

/// The https note line of `.http` fixtures (``HTTPSWireNote``); its content is measured by
/// `HTTPSWireCaptureTests` (DeliverySpecTests) against a local TLS server.
final class HTTPSWireNoteTests: XCTestCase {
    func request(_ url: String, _ headers: [(String, String)]) -> RenderedRequest {
        RenderedRequest(method: "POST", url: url, headers: headers.map { HTTPHeaderField(name: $0.0, value: $0.1) }, body: Array("{}".utf8),
                        signingString: nil, eventIDs: ["e1"], timestamp: 1_767_225_600, requestID: "e1")
    }

    func testNoteOnlyForHTTPSAndOnlyForHeadersTheRequestDoesNotSet() {
        let plain = FixtureEncoder.http(request("http://127.0.0.1:8080/x", [("Content-Type", "application/json")]))
        XCTAssertEqual(String(decoding: plain, as: UTF8.self),
                       "# dspec render: events e1; timestamp 1767225600; request_id e1\nPOST http://127.0.0.1:8080/x\nContent-Type: application/json\n\n{}\n")
        let secure = FixtureEncoder.http(request("https://api.example.com/x", [("Content-Type", "application/json")]))
        XCTAssertEqual(String(decoding: secure, as: UTF8.self).components(separatedBy: "\n")[1],
                       "# over https, URLSession adds Accept: */*; Accept-Encoding: deflate, gzip, br, zstd; Accept-Language: en; Connection: keep-alive; header order is not kept")
        let own = HTTPSWireNote.line(for: request("HTTPS://api.example.com/x", [("accept", "application/json"), ("Accept-Language", "de")]))
        XCTAssertEqual(own, "# over https, URLSession adds Accept-Encoding: deflate, gzip, br, zstd; Connection: keep-alive; header order is not kept")
        let all = HTTPSWireNote.line(for: request("https://a.example/x", HTTPSWireNote.addedHeaders.map { ($0.name, "x") }))
        XCTAssertEqual(all, "# over https, URLSession does not keep header order")
    }
}
