import DSJSON
import Foundation
import DSPlan
@testable import DSRender
import XCTest

/// Issue 11 defects 2 and 8, issue 12 "Delivering to a local receiver": event data never
/// changes the request line, the host or a header line; every rendered URL is re-parsed.
final class URLSafetyTests: XCTestCase {
    private let env = FixedRenderEnvironment()

    private func event(userID: String) -> JSONValue {
        var o = JSONObject()
        o["type"] = "track"
        o["event_id"] = "e1"
        o["user_id"] = .string(userID)
        return .object(o)
    }

    /// The issue's shape: a triple-stash of event data in the URL. The renderer refuses the
    /// plan outright (lint rejects the spec, DS0205), so no event can reach the request line.
    func testTripleStashOfEventDataInAURLIsRefused() {
        let plan = TestPlans.plan(url: "https://api.example.com/u/{{{user_id}}}/x")
        XCTAssertThrowsError(try RequestRenderer(plan: plan, configuration: RenderConfiguration())) { error in
            let e = error as! RenderError
            XCTAssertEqual(e.kind, .plan)
            XCTAssertTrue(e.message.contains("{{{@settings.NAME}}}"), e.message)
        }
        // A helper's output is event data too.
        XCTAssertThrowsError(try RequestRenderer(plan: TestPlans.plan(url: "https://api.example.com/u/{{{lowercase user_id}}}"), configuration: RenderConfiguration()))
        // A setting may be inserted verbatim.
        let settings = [PlanSetting(name: "base", type: "string", required: true, defaultValue: nil, allowed: nil)]
        XCTAssertNoThrow(try RequestRenderer(plan: TestPlans.plan(url: "{{{@settings.base}}}/u/{{user_id}}", settings: settings),
                                             configuration: RenderConfiguration(settings: JSONObject([("base", "https://api.example.com/v2")]))))
    }

    /// Hostile user ids in an escaped path hole: each is percent-encoded or, for dot
    /// segments, refused; none can add a header, a query, a segment or a space.
    func testHostileValuesInAPathSegmentNeverReachTheRequestLineRaw() throws {
        let renderer = try RequestRenderer(plan: TestPlans.plan(url: "https://api.example.com/u/{{user_id}}/x"), configuration: RenderConfiguration())
        let cases: [(String, String?)] = [
            ("a\r\nX-Injected: yes", "https://api.example.com/u/a%0D%0AX-Injected%3A%20yes/x"),
            ("a\u{0}b", "https://api.example.com/u/a%00b/x"),
            ("a b\tc", "https://api.example.com/u/a%20b%09c/x"),
            ("a?admin=1&x=2", "https://api.example.com/u/a%3Fadmin%3D1%26x%3D2/x"),
            ("../../admin", "https://api.example.com/u/..%2F..%2Fadmin/x"),
            ("..", nil), (".", nil), ("%2e%2E", "https://api.example.com/u/%252e%252E/x"),
        ]
        for (id, expected) in cases {
            if let expected {
                XCTAssertEqual(try renderer.render(event(userID: id), environment: env).url, expected, id.debugDescription)
            } else {
                XCTAssertThrowsError(try renderer.render(event(userID: id), environment: env), id.debugDescription) { error in
                    let e = error as! RenderError
                    XCTAssertEqual(e.kind, .url)
                    XCTAssertTrue(e.message.contains("dot segment"), e.message)
                }
            }
        }
    }

    /// Property: whatever a user id holds, the request keeps its host, its path shape (three
    /// segments) and its query (none), or is refused. 3,000 seeded strings over hostile bytes.
    func testNoUserIDChangesTheShapeOfTheRequest() throws {
        let renderer = try RequestRenderer(plan: TestPlans.plan(url: "https://api.example.com/u/{{user_id}}/x"), configuration: RenderConfiguration())
        let alphabet: [String] = ["\r", "\n", "\u{0}", " ", "\t", "?", "&", "#", "/", "\\", ".", "..", "%", "%2e", "%2F", ":", "@", "[", "]", "\u{7F}", "\u{1B}",
                                  "é", "\u{2028}", "a", "Z", "0", "=", "+", ";", "\"", "<", "{{", "}}"]
        var rng = SplitMix(seed: 0x5EED)
        var refused = 0
        for _ in 0..<3000 {
            let id = (0..<Int(rng.next() % 6 + 1)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            do {
                let url = try renderer.render(event(userID: id), environment: env).url
                let parsed = try RequestURL(url)
                XCTAssertEqual(parsed.host, "api.example.com", id.debugDescription)
                XCTAssertEqual(parsed.rest.split(separator: "/", omittingEmptySubsequences: false).count, 4, "\(id.debugDescription) -> \(url)")
                XCTAssertFalse(parsed.rest.contains("?") || parsed.rest.contains("#"), "\(id.debugDescription) -> \(url)")
            } catch let error as RenderError {
                XCTAssertEqual(error.kind, .url, error.message)
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 0, "dot segments were generated and refused")
    }

    /// A helper call in a URL template (`{{lowercase user_id}}`) is not "a space in the URL"
    /// (DS0202 false positive); the helper's output is percent-encoded like any value.
    func testHelperInAURLTemplateLintsCleanAndIsEncoded() throws {
        let plan = try TestPlans.compile("""
        {"dspec": 1, "name": "helper-url", "endpoint": {"url": "https://api.example.com/u/{{lowercase user_id}}/x"},
         "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}}}}
        """)
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration())
        XCTAssertEqual(try renderer.render(event(userID: "A B/C"), environment: env).url, "https://api.example.com/u/a%20b%2Fc/x")
    }

    /// Property: whatever string `RequestURL` accepts is printable ASCII, http(s), with a
    /// non-empty host and no user info; an endpoint override keeps it valid and keeps its
    /// path and query. 20,000 seeded strings built from URL pieces and hostile bytes.
    func testRequestURLAcceptsOnlySendableURLs() throws {
        let pieces = ["http://", "https://", "HTTP://", "ftp://", "://", "api.example.com", "127.0.0.1", "[::1]", "[", "]", ":", ":80", ":0", ":99999",
                      "@", "user:pw@", "/", "/v1", "/..", "/.", "/%2e", "?", "&a=1", "#f", " ", "\t", "\r\n", "\u{0}", "\u{7F}", "é", "%20", "x", "."]
        var rng = SplitMix(seed: 42)
        let override = try EndpointOverride("http://127.0.0.1:18081")
        var accepted = 0
        for _ in 0..<20000 {
            let start = ["", "https://api.example.com", "http://localhost"][Int(rng.next() % 3)]
            let text = start + (0..<Int(rng.next() % 6 + 1)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            guard let url = try? RequestURL(text) else { continue }
            accepted += 1
            XCTAssertTrue(text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, text.debugDescription)
            XCTAssertTrue(url.scheme == "http" || url.scheme == "https", text)
            XCTAssertFalse(url.host.isEmpty || url.authority.contains("@"), text)
            let moved = try RequestURL(override.apply(to: text))
            XCTAssertEqual(moved.origin, "http://127.0.0.1:18081", text)
            XCTAssertEqual(moved.rest, url.rest, text)
        }
        XCTAssertGreaterThan(accepted, 1000, "the generator reaches valid URLs")
    }

    /// The Customer.io example's URL shape with `user_id: ".."`: refused, not sent to the
    /// parent path.
    func testCustomerIOExampleRefusesADotDotUserID() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("specs/examples/customerio-track.json")
        let plan = try TestPlans.compile(String(contentsOf: url, encoding: .utf8))
        let settings = try JSONParser().parseValue(Array(try Data(contentsOf: url.deletingPathExtension().appendingPathExtension("settings.json"))))
        let secrets = try JSONParser().parseValue(Array(try Data(contentsOf: url.deletingPathExtension().appendingPathExtension("secrets.json"))))
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: settings, secrets: secrets))
        var o = JSONObject()
        o["type"] = "identify"
        o["event_id"] = "e1"
        o["user_id"] = ".."
        o["traits"] = .object(JSONObject([("email", "a@example.com")]))
        XCTAssertThrowsError(try renderer.render(.object(o), environment: env)) { error in
            XCTAssertEqual((error as! RenderError).kind, .url)
        }
        let run = renderer.renderAll([.object(o)], environment: env)
        XCTAssertTrue(run.requests.isEmpty)
    }

    /// Re-validation of the whole rendered URL: a setting inserted verbatim cannot smuggle
    /// a CR/LF, space or other control byte either.
    func testRenderedURLWithControlBytesFromASettingIsRefused() {
        let settings = [PlanSetting(name: "base", type: "string", required: true, defaultValue: nil, allowed: nil)]
        for bad in ["https://api.example.com/a\r\nX: y", "https://api.example.com/a b", "https://api.example.com/\u{7F}", "ftp://api.example.com/x",
                    "https://user:pw@api.example.com/x", "https://api.example.com:99999/x", "https:///x"] {
            let plan = TestPlans.plan(url: "{{{@settings.base}}}/v1", settings: settings)
            XCTAssertThrowsError(try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: JSONObject([("base", .string(bad))]))), bad.debugDescription) { error in
                let e = error as! RenderError
                XCTAssertEqual(e.kind, .url, e.message)
                XCTAssertTrue(e.message.contains("setting \"base\""), e.message)
                XCTAssertFalse(e.message.contains("pw"), e.message)
            }
        }
    }

    /// The host comes from the template and settings only.
    func testEventDataCannotChangeTheHost() throws {
        let renderer = try RequestRenderer(plan: TestPlans.plan(url: "https://{{user_id}}.api.example.com/v1"), configuration: RenderConfiguration())
        XCTAssertThrowsError(try renderer.render(event(userID: "evil"), environment: env)) { error in
            XCTAssertEqual((error as! RenderError).kind, .url)
        }
    }

    /// Issue 12: a setting in the authority is validated as host[:port], not percent-encoded.
    func testHostAndPortSettingInTheAuthority() throws {
        let settings = [PlanSetting(name: "host", type: "string", required: true, defaultValue: nil, allowed: nil)]
        let plan = TestPlans.plan(url: "https://{{@settings.host}}/v1/{{user_id}}", settings: settings)
        func renderer(_ host: String) throws -> RequestRenderer {
            try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: JSONObject([("host", .string(host))])))
        }
        XCTAssertEqual(try renderer("127.0.0.1:18081").render(event(userID: "u:1"), environment: env).url, "https://127.0.0.1:18081/v1/u%3A1")
        XCTAssertEqual(try renderer("[::1]:8443").render(event(userID: "u"), environment: env).url, "https://[::1]:8443/v1/u")
        // A bad host setting stops the renderer before any event (it would fail every one).
        for bad in ["evil.com/x?", "a b", "host:0", "host:port", "a@b", ""] {
            XCTAssertThrowsError(try renderer(bad), bad) { error in
                let e = error as! RenderError
                XCTAssertEqual(e.kind, .url, e.message)
                XCTAssertTrue(e.message.contains("host") && e.message.contains("setting \"host\""), e.message)
            }
        }
    }

    /// Issue 12: the https rule holds for every rendered URL, naming the setting.
    func testHTTPFromASettingIsRefusedUnlessLoopbackOrOverridden() throws {
        let settings = [PlanSetting(name: "base_url", type: "string", required: true, defaultValue: nil, allowed: nil)]
        let plan = TestPlans.plan(url: "{{{@settings.base_url}}}/v1/events", settings: settings)
        XCTAssertThrowsError(try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: JSONObject([("base_url", "http://api.example.com")])))) { error in
            let e = error as! RenderError
            XCTAssertEqual(e.kind, .url)
            XCTAssertTrue(e.message.contains("setting \"base_url\""), e.message)
            XCTAssertTrue(e.message.contains("http://"), e.message)
        }
        // Also when the rest of the URL reads the event (the scheme and host come from settings only).
        let perEvent = TestPlans.plan(url: "{{{@settings.base_url}}}/v1/u/{{user_id}}", settings: settings)
        XCTAssertThrowsError(try RequestRenderer(plan: perEvent, configuration: RenderConfiguration(settings: JSONObject([("base_url", "http://api.example.com")])))) { error in
            XCTAssertTrue((error as! RenderError).message.contains("setting \"base_url\""))
        }
        for loopback in ["http://127.0.0.1:9", "http://localhost:8080", "http://[::1]:80"] {
            XCTAssertNoThrow(try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: JSONObject([("base_url", .string(loopback))]))))
        }
        let override = try EndpointOverride("http://127.0.0.1:18081")
        let r = try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: JSONObject([("base_url", "http://api.example.com")]), endpointOverride: override))
        XCTAssertEqual(try r.render(TestPlans.trackEvent, environment: env).url, "http://127.0.0.1:18081/v1/events")
    }

    /// `--endpoint-override`: loopback only; replaces scheme, host and port, keeps path and query.
    func testEndpointOverride() throws {
        let o = try EndpointOverride("http://127.0.0.1:18081/")
        XCTAssertEqual(o.apply(to: "https://api.example.com/v1/x?a=1&b=%20#f"), "http://127.0.0.1:18081/v1/x?a=1&b=%20#f")
        XCTAssertEqual(o.apply(to: "https://api.example.com"), "http://127.0.0.1:18081")
        XCTAssertNoThrow(try EndpointOverride("http://localhost:1"))
        XCTAssertNoThrow(try EndpointOverride("http://[::1]:8080"))
        XCTAssertNoThrow(try EndpointOverride("http://127.1.2.3:8080"))
        for bad in ["http://10.0.0.1:80", "http://api.example.com", "http://127.0.0.1.evil.com:80", "http://127.0.0.1:80/v1", "127.0.0.1:80", "ftp://127.0.0.1:21",
                    "http://[::2]:80", "http://localhost:0"] {
            XCTAssertThrowsError(try EndpointOverride(bad), bad)
        }
        let plan = TestPlans.plan(url: "https://api.example.com/v1/events", query: [PlanHeader(name: "q", value: "1")])
        let r = try RequestRenderer(plan: plan, configuration: RenderConfiguration(endpointOverride: o))
        XCTAssertEqual(try r.render(TestPlans.trackEvent, environment: env).url, "http://127.0.0.1:18081/v1/events?q=1")
    }

    /// Defect 8: control bytes other than HTAB never reach a header value (RFC 9110 5.5).
    func testControlBytesInHeaderValuesAreRefused() throws {
        let plan = TestPlans.plan(headers: [PlanHeader(name: "Content-Type", value: "application/json"), PlanHeader(name: "X-User", value: "{{user_id}}")])
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration())
        for b in Array(UInt8(0x01)...UInt8(0x1F)) + [0x7F] where b != 0x09 {
            let value = "a" + String(UnicodeScalar(b)) + "b"
            XCTAssertThrowsError(try renderer.render(event(userID: value), environment: env), "byte \(b)") { error in
                let e = error as! RenderError
                XCTAssertEqual(e.kind, .headerInjection)
                XCTAssertTrue(e.message.contains("X-User"), e.message)
            }
        }
        // HTAB is a legal field-value byte (RFC 9110 section 5.5).
        XCTAssertEqual(try renderer.render(event(userID: "a\tb"), environment: env).header("X-User"), "a\tb")
        // A constant header from a setting is checked when the renderer is built.
        let settings = [PlanSetting(name: "ua", type: "string", required: true, defaultValue: nil, allowed: nil)]
        let p2 = TestPlans.plan(headers: [PlanHeader(name: "User-Agent", value: "{{@settings.ua}}")], settings: settings)
        XCTAssertThrowsError(try RequestRenderer(plan: p2, configuration: RenderConfiguration(settings: JSONObject([("ua", "x\u{1B}[31m")]))))
    }
}

/// A small seeded generator (SplitMix64), so the property test is the same on every run.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
