import DSCompiler
import DSCore
import DSCrypto
import DSJSON
import DSPlan
@testable import DSRender
import Foundation
import XCTest

/// The seed document's three HMAC receivers (Node/Express, Python, Go), run as written,
/// must accept every request rendered for a Custom Webhook config: the Express one verifies
/// `JSON.stringify(req.body)`, so the body must already be in that form.
final class SeedReceiverSamplesTests: XCTestCase {
    // MARK: - The samples, verbatim from build-your-own-integration.txt

    /// The Node.js sample, line for line.
    static let nodeSample = """
    const crypto = require('crypto');
    function verifySignature(body, signature, secret) {
    const expected = 'sha256=' + crypto
    .createHmac('sha256', secret)
    .update(body, 'utf8')
    .digest('hex');
    return crypto.timingSafeEqual(
    Buffer.from(signature),
    Buffer.from(expected)
    );
    }
    // In your Express handler:
    app.post('/events', (req, res) => {
    const sig = req.headers['x-signature-256'];
    if (!verifySignature(JSON.stringify(req.body), sig, process.env.HMAC_SECRET)) {
    return res.status(401).json({ error: 'Invalid signature' });
    }
    // Process event...
    res.json({ ok: true });
    });
    """

    /// The Python sample (the seed's text lost its indentation; Python needs it back).
    static let pythonSample = """
    import hmac
    import hashlib
    def verify_signature(body: bytes, signature: str, secret: str) -> bool:
        expected = 'sha256=' + hmac.new(
            secret.encode(), body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(signature, expected)
    """

    /// The Go sample.
    static let goSample = """
    func verifySignature(body []byte, signature, secret string) bool {
    mac := hmac.New(sha256.New, []byte(secret))
    mac.Write(body)
    expected := "sha256=" + hex.EncodeToString(mac.Sum(nil))
    return hmac.Equal([]byte(signature), []byte(expected))
    }
    """

    /// The samples are the seed's own text (compared line by line without indentation).
    func testSamplesAreTheSeedsText() throws {
        // The shared seed sits next to the repository (../shared), as the conformance data does.
        let seedPath = Self.repository.deletingLastPathComponent().appendingPathComponent("shared/seed/build-your-own-integration.txt").path
        guard let seed = try? String(contentsOfFile: seedPath, encoding: .utf8) else { throw XCTSkip("the seed document is not on this machine") }
        func lines(_ s: String) -> String { s.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n") }
        let seedLines = lines(seed)
        for sample in [Self.nodeSample, Self.pythonSample, Self.goSample] {
            let sampleLines = lines(sample)
            XCTAssertTrue(seedLines.contains(sampleLines), "not in the seed:\n\(sampleLines)")
        }
    }

    // MARK: - Drivers

    struct Delivery {
        var body: [UInt8]
        var signature: String
    }

    private func tool(_ names: [String]) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin", "/usr/local/go/bin", "/opt/homebrew/bin"] {
            for name in names where FileManager.default.isExecutableFile(atPath: dir + "/" + name) { return dir + "/" + name }
        }
        return nil
    }

    private func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], in dir: URL) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Writes each delivery as `N.body` / `N.sig` in a fresh directory.
    private func stage(_ deliveries: [Delivery]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-seed-receivers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (i, d) in deliveries.enumerated() {
            try Data(d.body).write(to: dir.appendingPathComponent("\(i).body"))
            try Data(d.signature.utf8).write(to: dir.appendingPathComponent("\(i).sig"))
        }
        return dir
    }

    private func readStatuses(_ dir: URL) throws -> [Int] {
        let text = try String(contentsOf: dir.appendingPathComponent("statuses.txt"), encoding: .utf8)
        return text.split(separator: "\n").map { Int($0) ?? -1 }
    }

    /// The Node sample in an Express stand-in: `express.json()` is body-parser's json parser
    /// (the raw body decoded as UTF-8 and given to `JSON.parse`; strict mode refuses a body
    /// whose first non-space character is not `{` or `[` with 400), `app.post` registers
    /// the handler, `res.status(code).json(...)` records the status. HTTP status per request.
    func nodeStatuses(_ deliveries: [Delivery], secret: String) throws -> [Int] {
        guard let node = tool(["node", "nodejs"]) else { throw XCTSkip("node is not installed") }
        let dir = try stage(deliveries)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
        const fs = require('fs');
        const routes = {};
        const app = { post(path, handler) { routes[path] = handler; } };
        function expressJson(raw) {
          const text = raw.toString('utf8');
          if (!/^[\\x20\\x09\\x0a\\x0d]*[\\[{]/.test(text)) { const e = new Error('strict'); e.status = 400; throw e; }
          return JSON.parse(text);
        }
        \(Self.nodeSample)
        const out = [];
        for (let i = 0; i < \(deliveries.count); i++) {
          let status = 200;
          const res = { status(code) { status = code; return res; }, json(_) { return res; } };
          try {
            const req = { headers: { 'x-signature-256': fs.readFileSync(i + '.sig', 'utf8') }, body: expressJson(fs.readFileSync(i + '.body')) };
            routes['/events'](req, res);
          } catch (e) { status = e.status || 500; }
          out.push(status);
        }
        fs.writeFileSync('statuses.txt', out.join('\\n'));
        """
        try Data(script.utf8).write(to: dir.appendingPathComponent("receiver.js"))
        XCTAssertEqual(try run(node, ["receiver.js"], environment: ["HMAC_SECRET": secret], in: dir), 0)
        return try readStatuses(dir)
    }

    /// The Python sample over the raw body; 200 if it accepts, 401 if not.
    func pythonStatuses(_ deliveries: [Delivery], secret: String) throws -> [Int] {
        guard let python = tool(["python3"]) else { throw XCTSkip("python3 is not installed") }
        let dir = try stage(deliveries)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
        \(Self.pythonSample)
        import os
        out = []
        for i in range(\(deliveries.count)):
            body = open(f'{i}.body', 'rb').read()
            sig = open(f'{i}.sig', encoding='utf-8').read()
            out.append('200' if verify_signature(body, sig, os.environ['HMAC_SECRET']) else '401')
        open('statuses.txt', 'w').write('\\n'.join(out))
        """
        try Data(script.utf8).write(to: dir.appendingPathComponent("receiver.py"))
        XCTAssertEqual(try run(python, ["receiver.py"], environment: ["HMAC_SECRET": secret], in: dir), 0)
        return try readStatuses(dir)
    }

    /// The Go sample over the raw body, when a Go toolchain is installed.
    func goStatuses(_ deliveries: [Delivery], secret: String) throws -> [Int] {
        guard let go = tool(["go"]) else { throw XCTSkip("no Go toolchain (go) on this machine: the Go sample is not run") }
        let dir = try stage(deliveries)
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = """
        package main

        import (
        \t"crypto/hmac"
        \t"crypto/sha256"
        \t"encoding/hex"
        \t"fmt"
        \t"os"
        \t"strings"
        )

        \(Self.goSample)

        func main() {
        \tvar out []string
        \tfor i := 0; i < \(deliveries.count); i++ {
        \t\tbody, _ := os.ReadFile(fmt.Sprintf("%d.body", i))
        \t\tsig, _ := os.ReadFile(fmt.Sprintf("%d.sig", i))
        \t\tif verifySignature(body, string(sig), os.Getenv("HMAC_SECRET")) {
        \t\t\tout = append(out, "200")
        \t\t} else {
        \t\t\tout = append(out, "401")
        \t\t}
        \t}
        \tos.WriteFile("statuses.txt", []byte(strings.Join(out, "\\n")), 0o644)
        }
        """
        try Data(program.utf8).write(to: dir.appendingPathComponent("receiver.go"))
        XCTAssertEqual(try run(go, ["run", "receiver.go"], environment: ["HMAC_SECRET": secret, "GOFLAGS": "-mod=mod", "GO111MODULE": "off"], in: dir), 0)
        return try readStatuses(dir)
    }

    // MARK: - Requests

    static let secret = "seed-secret-\u{00E9}-\u{1F511}"

    /// Events whose values are hard to carry byte for byte through a parse and re-serialise.
    static let hardStrings = [
        #"quote \" and backslash \\ and slash \/ </script>"#,
        #"controls \u0000\u0001\u0007\b\t\n\u000b\f\r\u001b\u001f and DEL \u007f"#,
        #"separators \u2028 line \u2029 paragraph"#,
        #"emoji 😀 👩‍👩‍👧 🇬🇧 \ud83d\ude00"#,
        #"combining e\u0301 n\u0303 \u0041\u030A"#,
        #"RTL مرحبا بالعالم שלום \u200f\u202e"#,
        #"BOM \ufeff nbsp \u00a0 zero-width \u200b"#,
    ]
    static let hardNumbers = [
        "126.0", "131.950", "89.00", "1e21", "1E+21", "2.50e2", "1e-7", "0.000001", "0.1", "-0", "-0.0",
        "123456789012345678901234567890", "9007199254740993", "0.30000000000000004", "5e-324", "1.7976931348623157e308",
        "1e400", "-1e400", "1e-400", "100", "-17.250",
    ]

    static func hardEvents() -> [JSONValue] {
        var lines: [String] = []
        let consent = #""consent":{"categoryPreferences":{"analytics":true}}"#
        for (i, number) in hardNumbers.enumerated() {
            let s = hardStrings[i % hardStrings.count]
            lines.append("""
            {"type":"track","event":"\(s)","event_id":"evt-n\(i)","user_id":"\(hardStrings[(i + 3) % hardStrings.count])","anonymous_id":"a-\(i)",\
            "timestamp":"2026-03-14T09:31:07.864Z","context":{"page":{"url":"https://shop.example.com/p?q=\(s)"},\(consent)},\
            "properties":{"total":\(number),"10":\(number),"2":"two","a":[\(number),{"z":\(number),"0":"\(s)"}],"nested":{"x":\(number)}}}
            """)
        }
        return lines.map { try! JSONParser().parseValue($0) }
    }

    private static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The example Custom Webhook specs (by `"integration": "custom_webhook"`) with their events.
    static func exampleWebhookSpecs() throws -> [(name: String, text: String, events: [JSONValue])] {
        let dir = repository.appendingPathComponent("specs/examples")
        var out: [(String, String, [JSONValue])] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where file.hasSuffix(".json") && file.split(separator: ".").count == 2 {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            guard text.contains("\"custom_webhook\"") else { continue }
            let eventsFile = dir.appendingPathComponent(file.replacingOccurrences(of: ".json", with: ".events.ndjson"))
            let events = ((try? String(contentsOf: eventsFile, encoding: .utf8)) ?? "").split(separator: "\n").map { try! JSONParser().parseValue(String($0)) }
            out.append((file, text, events))
        }
        return out
    }

    /// A Custom Webhook config sending the canonical event, unbatched.
    static let canonicalSpec = """
    {"dspec": 1, "integration": "custom_webhook", "name": "canonical-hook",
     "secrets": {"hmac_secret": {"description": "HMAC key."}},
     "config": {"url": "https://hooks.example.com/events", "auth": "hmac", "hmac_secret": "{{@secrets.hmac_secret}}",
                "hmac_header": "X-Signature-256", "payload_format": "canonical", "consent": ["analytics"]}}
    """

    /// Renders `events` with `spec` (batched as the spec says, and one event per request).
    func deliveries(_ spec: String, _ events: [JSONValue]) throws -> [Delivery] {
        var out: [Delivery] = []
        let batchedPlan = try TestPlans.compile(spec)
        XCTAssertEqual(batchedPlan.payload.normalize, "javascript", "a Custom Webhook config sends JSON.stringify bodies")
        var unbatched = batchedPlan
        unbatched.batching = PlanBatching(enabled: false, maxEvents: 1, maxBytes: 0, maxWaitMs: 0, format: "json_array", envelope: nil)
        for plan in [batchedPlan, unbatched] {
            let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("hmac_secret", .string(Self.secret))])))
            let run = renderer.renderAll(events, environment: FixedRenderEnvironment())
            XCTAssertEqual(run.outcomes.map(\.reason), [], "every event is sent")
            for r in run.requests {
                out.append(Delivery(body: r.body, signature: try XCTUnwrap(r.header("X-Signature-256"))))
            }
        }
        return out
    }

    func allDeliveries() throws -> [Delivery] {
        var all: [Delivery] = []
        let examples = try Self.exampleWebhookSpecs()
        XCTAssertFalse(examples.isEmpty, "specs/examples has a Custom Webhook spec")
        for example in examples {
            all += try deliveries(example.text, example.events)
            all += try deliveries(example.text, Self.hardEvents())
        }
        all += try deliveries(Self.canonicalSpec, Self.hardEvents())
        return all
    }

    // MARK: - Tests

    func testNodeExpressSampleAcceptsEveryRequest() throws {
        let deliveries = try allDeliveries()
        let statuses = try nodeStatuses(deliveries, secret: Self.secret)
        XCTAssertEqual(statuses.count, deliveries.count)
        let rejected = statuses.enumerated().filter { $0.element != 200 }
        XCTAssertTrue(rejected.isEmpty, rejected.prefix(5).map { "status \($0.element) for body \(String(decoding: deliveries[$0.offset].body, as: UTF8.self))" }.joined(separator: "\n"))
        // Not vacuous: a wrong signature of the same length gets 401.
        var wrong = deliveries[0]
        wrong.signature = "sha256=" + String(repeating: "0", count: 64)
        XCTAssertEqual(try nodeStatuses([wrong], secret: Self.secret), [401])
    }

    func testPythonSampleAcceptsEveryRequest() throws {
        let deliveries = try allDeliveries()
        let statuses = try pythonStatuses(deliveries, secret: Self.secret)
        XCTAssertEqual(statuses, Array(repeating: 200, count: deliveries.count))
        var tampered = deliveries[0]
        tampered.body[tampered.body.count / 2] ^= 0x01
        XCTAssertEqual(try pythonStatuses([tampered], secret: Self.secret), [401])
    }

    func testGoSampleAcceptsEveryRequest() throws {
        let deliveries = try allDeliveries()
        let statuses = try goStatuses(deliveries, secret: Self.secret)
        XCTAssertEqual(statuses, Array(repeating: 200, count: deliveries.count))
    }

    /// The bodies are exactly what JSON.stringify(JSON.parse(body)) gives (checked in Swift,
    /// so this holds without node too), and a batch is an array of such values.
    func testBodiesAreInJSONStringifyForm() throws {
        for d in try allDeliveries() {
            XCTAssertEqual(try JavaScriptJSON.normalize(d.body), d.body)
            XCTAssertFalse(d.body.contains(0x20) && String(decoding: d.body, as: UTF8.self).contains("\": "), "compact")
        }
        let plan = try TestPlans.compile(try XCTUnwrap(Self.exampleWebhookSpecs().first).text)
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("hmac_secret", .string(Self.secret))])))
        let request = try renderer.render(Self.hardEvents()[0], environment: FixedRenderEnvironment())
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self),
                       #"[{"event_type":"quote \" and backslash \\ and slash / </script>","user":"emoji \#u{1F600} \#u{1F469}\#u{200D}\#u{1F469}\#u{200D}\#u{1F467} \#u{1F1EC}\#u{1F1E7} \#u{1F600}","data":{"page":"https://shop.example.com/p?q=quote \" and backslash \\ and slash / </script>","revenue":126}}]"#)
    }

    /// The Delivery Spec form offers the same as `payload.normalize`: mapping bodies and a
    /// json_object envelope come out in JSON.stringify form, and the signature covers them.
    func testDeliverySpecNormalizeJavaScript() throws {
        let plan = try TestPlans.compile("""
        {"dspec": 1, "name": "normalized", "secrets": {"k": {}},
         "endpoint": {"url": "https://hooks.example.com/e"},
         "payload": {"format": "json", "normalize": "javascript",
                     "mapping": {"name": {"@path": "event"}, "10": {"@path": "properties.total"}, "2": "two", "n": {"@path": "properties.nested"}}},
         "batching": {"max_events": 10, "max_wait_ms": 100, "format": "json_object", "envelope": {"b": 1.50, "0": "first", "events": {"@batch": true}}},
         "signing": {"preset": "seed", "secret": "{{@secrets.k}}"}}
        """)
        XCTAssertEqual(plan.payload.normalize, "javascript")
        let renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("k", .string("key"))])))
        let run = renderer.renderAll(Array(Self.hardEvents()[0..<2]), environment: FixedRenderEnvironment())
        let body = try XCTUnwrap(run.requests.first?.body)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), #"{"0":"first","b":1.5,"events":[{"2":"two","10":126,"name":"quote \" and backslash \\ and slash / </script>","n":{"x":126}},{"2":"two","10":131.95,"name":"controls \u0000\u0001\u0007\b\t\n\u000b\f\r\u001b\u001f and DEL \#u{7F}","n":{"x":131.95}}]}"#)
        XCTAssertEqual(run.requests.first?.header("X-Signature-256"), "sha256=" + Hex.encode(HMAC.authenticationCode(.sha256, key: Array("key".utf8), message: body)))
    }

    /// normalize applies to JSON bodies only.
    func testNormalizeIsRefusedForFormBodies() throws {
        let source = SourceFile(path: "form.json", text: """
        {"dspec": 1, "name": "form-normalized", "endpoint": {"url": "https://api.example.com/e"},
         "payload": {"format": "form", "normalize": "javascript", "mapping": {"a": {"@path": "event"}}}}
        """)
        let diagnostics = DiagnosticCollector(source: source)
        XCTAssertNil(SpecCompiler().compile(source, diagnostics: diagnostics).plan)
        XCTAssertEqual(diagnostics.sorted.map(\.code), ["DS0801"])
        var plan = TestPlans.plan(format: "form", contentType: "application/x-www-form-urlencoded", body: .mapping(["a": "b"]))
        plan.payload.normalize = "javascript"
        XCTAssertThrowsError(try RequestRenderer(plan: plan, configuration: RenderConfiguration()))
    }
}
