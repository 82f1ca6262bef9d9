import DSCore
import DSJSON
import DSRender
import Foundation
import XCTest

@testable import DSRuntime
@testable import DSRuntimePOSIX

/// Secrets never reach what the runtime writes: dead letters (a vendor error body may echo
/// the credential it rejected) and dry runs (redacted unless asked).
final class RedactionTests: XCTestCase {
    func testDeadLetterOfAVendorEchoingTheSecretIsRedacted() async throws {
        let plan = try RuntimeTestSupport.plan(url: "https://api.example.com/v1/events")
        let renderer = try RuntimeTestSupport.renderer(plan)
        let collector = DeadLetterCollector()
        let ledger = DeliveryLedger(deadLetters: collector, redactor: renderer.redactor)
        let transport = ScriptedTransport(answers: [RuntimeTestSupport.response(400, "invalid token tok-secret-1 (Bearer tok-secret-1)")])
        let deliverer = Deliverer(renderer: renderer, transport: transport, clock: VirtualClock(autoAdvance: true), ledger: ledger,
                                  options: DeliveryOptions(concurrency: 1), jitter: SeededJitterSource(seed: 1))
        let counts = await deliverer.run(.closed(events: RuntimeTestSupport.events(1)))
        XCTAssertEqual(counts.deadLettered, 1)
        let letter = try XCTUnwrap(collector.letters.first)
        XCTAssertEqual(letter.errorMessage, "invalid token <redacted:api_token> (Bearer <redacted:api_token>)")
        XCTAssertFalse(JSONWriter.string(letter.json).contains("tok-secret-1"))
    }

    func testDryRunPrinterRedactsUnlessToldNotTo() throws {
        let plan = try RuntimeTestSupport.plan(url: "https://api.example.com/v1/events")
        let renderer = try RuntimeTestSupport.renderer(plan)
        let request = try renderer.render(RuntimeTestSupport.events(1)[0], environment: FixedRenderEnvironment())
        for (redactor, shown) in [(renderer.redactor as SecretRedactor?, false), (nil, true)] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("dry-\(UUID().uuidString)").path
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            defer { close(fd); unlink(path) }
            let printer = DryRunPrinter(fd: fd, redactor: redactor)
            printer.emit(request)
            printer.flush()
            let text = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertEqual(text.contains("tok-secret-1"), shown, text)
            XCTAssertEqual(text.contains("Authorization: Bearer <redacted:api_token>"), !shown, text)
        }
    }
}

/// A provider with a fixed token.
private struct FixedTokenProvider: AccessTokenProvider {
    let token: String
    func accessToken() async throws(OAuthError) -> String { token }
    func invalidate(_ token: String) async {}
}

final class LiveCredentialRedactionTests: XCTestCase {
    /// An access token obtained during the run is in no secrets file, yet a vendor's error
    /// body may echo it: the recording provider lets the ledger redact it.
    func testAnEchoedAccessTokenIsRedacted() async throws {
        let plan = try RuntimeTestSupport.plan(url: "https://api.example.com/v1/events")
        let renderer = try RuntimeTestSupport.renderer(plan)
        let tokens = RecordingTokenProvider(FixedTokenProvider(token: "live-access-token-123"))
        let token = try await tokens.accessToken()
        XCTAssertEqual(token, "live-access-token-123")
        let collector = DeadLetterCollector()
        let ledger = DeliveryLedger(deadLetters: collector, redactor: renderer.redactor, liveSecrets: { tokens.liveSecrets })
        ledger.deadLettered([DeadLetter(line: 1, eventID: "e1", reason: "status 401 is classified drop", status: 401,
                                        errorMessage: "token live-access-token-123 expired; key tok-secret-1", attempts: 1)])
        await ledger.flush()
        XCTAssertEqual(collector.letters.first?.errorMessage, "token <redacted:access_token> expired; key <redacted:api_token>")
    }
}
