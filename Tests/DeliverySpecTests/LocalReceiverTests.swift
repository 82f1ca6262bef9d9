import Foundation
import XCTest

/// Issue 12 "Delivering to a local receiver": the README recipe (the real `dspec mock` and
/// `dspec deliver --endpoint-override` side by side) delivers every example with every
/// auth and signature check of the mock passing; the override is loopback only; the https
/// rule holds for URLs built from settings.
final class LocalReceiverTests: XCTestCase {
    /// A running `dspec mock` process and its output.
    private final class MockProcess {
        let process = Process()
        let out = Pipe(), err = Pipe()
        var baseURL = ""

        init(_ args: [String]) throws {
            guard let exe = CLIRunner.executable else { throw XCTSkip("dspec executable not found next to the test bundle") }
            process.executableURL = exe
            process.arguments = args
            process.currentDirectoryURL = CLIRunner.repositoryRoot
            process.standardOutput = out
            process.standardError = err
            try process.run()
            // The first stdout line is the bound address; read it byte by byte (blocks until printed).
            var line: [UInt8] = []
            let handle = out.fileHandleForReading
            while true {
                let byte = handle.readData(ofLength: 1)
                guard let b = byte.first else { break }
                if b == 0x0A { break }
                line.append(b)
            }
            baseURL = String(decoding: line, as: UTF8.self)
        }

        /// Stops the server (SIGTERM) and returns its request log (stderr).
        func stop() -> String {
            if process.isRunning { process.terminate() }
            let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return log
        }
    }

    private let examples = ["amplitude-batch", "custom-webhook", "customerio-track", "ga4-measurement-protocol", "github-style-webhook",
                            "google-ads-conversions", "hubspot-crm", "meta-conversions-api", "mixpanel-import", "stripe-meter-events"]

    /// The README recipe, for every example: the mock checks auth and signatures with its own
    /// copy of the secrets; every request passes and every selected event is delivered.
    func testReadmeRecipeDeliversEveryExampleToTheMockWithEveryCheckPassing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = dir.appendingPathComponent("ok.json").path
        try #"{"default": {"status": 200}}"#.write(toFile: scenario, atomically: true, encoding: .utf8)
        var checked = 0
        for name in examples {
            let spec = "specs/examples/\(name).json"
            let mock = try MockProcess(["mock", "--scenario", scenario, "--port", "0", "--plan", spec])
            XCTAssertTrue(mock.baseURL.hasPrefix("http://127.0.0.1:"), "\(name): \(mock.baseURL)")
            // A copy of the secrets: a rotated OAuth refresh token is written back to the
            // --secrets file, and the repository's examples must stay as they are.
            let secrets = dir.appendingPathComponent("\(name).secrets.json")
            try FileManager.default.copyItem(at: CLIRunner.repositoryRoot.appendingPathComponent("specs/examples/\(name).secrets.json"), to: secrets)
            let r = try CLIRunner.run(["deliver", spec, "--events", "specs/examples/\(name).events.ndjson",
                                       "--settings", "specs/examples/\(name).settings.json", "--secrets", secrets.path,
                                       "--endpoint-override", mock.baseURL, "--format", "json"])
            let log = mock.stop()
            XCTAssertEqual(r.status, 0, "\(name): \(r.stdout) \(r.stderr)\n\(log)")
            XCTAssertTrue(r.stdout.contains(#""dead_lettered":0"#), "\(name): \(r.stdout)")
            XCTAssertFalse(r.stdout.contains(#""delivered":0,"#), "\(name): \(r.stdout)")
            let requests = log.split(separator: "\n").filter { $0.contains(" -> ") }
            XCTAssertFalse(requests.isEmpty, "\(name): the mock saw no request\n\(log)")
            for line in requests {
                XCTAssertTrue(line.contains("-> 200"), "\(name): \(line)")
                XCTAssertFalse(line.contains("FAILED"), "\(name): \(line)")
            }
            checked += requests.filter { $0.contains(" ok") }.count
        }
        XCTAssertGreaterThan(checked, 10, "auth and signature checks ran")
    }

    func testEndpointOverrideIsLoopbackOnly() throws {
        for bad in ["http://10.0.0.1:80", "http://api.example.com", "http://127.0.0.1:8080/v1", "127.0.0.1:8080"] {
            let r = try CLIRunner.run(["deliver", "specs/examples/custom-webhook.json", "--events", "specs/examples/custom-webhook.events.ndjson",
                                       "--secrets", "specs/examples/custom-webhook.secrets.json", "--endpoint-override", bad])
            XCTAssertEqual(r.status, 2, bad + r.stderr)
            XCTAssertTrue(r.stderr.contains("--endpoint-override"), r.stderr)
            XCTAssertEqual(r.stdout, "", "nothing delivered")
        }
    }

    /// A base URL setting with http:// to a real host fails before anything is sent, naming
    /// the setting; the override allows it (everything goes to the loopback receiver).
    func testHTTPSRuleAppliesToURLsBuiltFromSettings() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("https-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("base.json").path
        try """
        {"dspec": 1, "name": "base-url", "settings": {"base_url": {"type": "string", "required": true}},
         "endpoint": {"url": "{{{@settings.base_url}}}/v1/events"},
         "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}}}}
        """.write(toFile: spec, atomically: true, encoding: .utf8)
        let settings = dir.appendingPathComponent("s.json").path
        try #"{"base_url": "http://api.example.com"}"#.write(toFile: settings, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["deliver", spec, "--events", "specs/examples/custom-webhook.events.ndjson", "--settings", settings])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("setting \"base_url\"") && r.stderr.contains("http://"), r.stderr)
        let dry = try CLIRunner.run(["deliver", spec, "--events", "specs/examples/custom-webhook.events.ndjson", "--settings", settings,
                                     "--endpoint-override", "http://127.0.0.1:9", "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stdout + dry.stderr)
        XCTAssertTrue(dry.stdout.contains("POST http://127.0.0.1:9/v1/events"), dry.stdout)
    }
}
