import DeliverySpec
import Foundation
import XCTest

/// https exactness (issue 13): `dspec deliver` sends to a local TLS server (Python `ssl`,
/// a certificate made here with `openssl req`) that records the raw request bytes. The
/// certificate is trusted without turning verification off: FoundationNetworking sets
/// libcurl's CA file to the system bundle (it reads no environment variable for it on
/// Linux), so the run happens in a private mount namespace (`unshare -m`) where the system
/// bundle path shows the system bundle plus this certificate. What arrives beyond the
/// rendered request must be exactly what ``HTTPSWireNote`` lists, what the `.http` fixture
/// and the dry run say, and what docs/runtime.md says.
final class HTTPSWireCaptureTests: XCTestCase {
    static let captureServer = #"""
import socket, ssl, sys
cert, key, out = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
srv.settimeout(60)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.settimeout(30)
tls = ctx.wrap_socket(conn, server_side=True)
data = b""
while b"\r\n\r\n" not in data:
    chunk = tls.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
length = 0
for line in head.split(b"\r\n")[1:]:
    name, _, value = line.partition(b":")
    if name.strip().lower() == b"content-length":
        length = int(value.strip())
while len(body) < length:
    chunk = tls.recv(65536)
    if not chunk:
        break
    body += chunk
with open(out, "wb") as f:
    f.write(head + b"\r\n\r\n" + body)
tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
tls.close()
"""#

    static func tool(_ name: String) -> String? {
        ["/usr/bin/", "/bin/", "/usr/local/bin/", "/usr/sbin/", "/sbin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// "Name: value" lines of a raw request head after the request line.
    static func headerLines(_ head: String) -> [String] {
        Array(head.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty })
    }

    /// The dry run's note line coexists with redaction (the secret stays `<redacted:NAME>`,
    /// `--show-secrets` shows it) and follows the URL actually used: with
    /// `--endpoint-override` to an http receiver there is no note.
    func testDryRunNoteWithRedactionAndEndpointOverride() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-https-note-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        {"dspec": 1, "name": "https-note", "secrets": {"api_key": {}},
         "endpoint": {"url": "https://api.example.com/hook?x=1"},
         "auth": {"type": "api_key", "in": "header", "name": "X-Api-Key", "value": "{{@secrets.api_key}}"},
         "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}}}}
        """.write(toFile: dir + "/probe.json", atomically: true, encoding: .utf8)
        try #"{"type": "track", "event": "Order Completed", "event_id": "e1"}"#.write(toFile: dir + "/probe.events.ndjson", atomically: true, encoding: .utf8)
        try #"{"api_key": "k-secret-123"}"#.write(toFile: dir + "/probe.secrets.json", atomically: true, encoding: .utf8)
        let base = ["deliver", dir + "/probe.json", "--events", dir + "/probe.events.ndjson", "--secrets", dir + "/probe.secrets.json", "--dry-run"]
        let note = "# over https, URLSession adds " + HTTPSWireNote.addedHeaders.map { "\($0.name): \($0.value)" }.joined(separator: "; ") + "; header order is not kept"

        let redacted = try CLIRunner.run(base)
        XCTAssertEqual(redacted.status, 0, redacted.stderr)
        XCTAssertTrue(redacted.stdout.hasPrefix(note + "\nPOST https://api.example.com/hook?x=1 HTTP/1.1\r\n"), redacted.stdout)
        XCTAssertTrue(redacted.stdout.contains("X-Api-Key: <redacted:api_key>\r\n"), redacted.stdout)
        XCTAssertFalse(redacted.stdout.contains("k-secret-123"), redacted.stdout)

        let shown = try CLIRunner.run(base + ["--show-secrets"])
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.hasPrefix(note + "\n"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("X-Api-Key: k-secret-123\r\n"), shown.stdout)

        let overridden = try CLIRunner.run(base + ["--endpoint-override", "http://127.0.0.1:9"])
        XCTAssertEqual(overridden.status, 0, overridden.stderr)
        XCTAssertTrue(overridden.stdout.hasPrefix("POST http://127.0.0.1:9/hook?x=1 HTTP/1.1\r\n"), overridden.stdout)
        XCTAssertFalse(overridden.stdout.contains("# over https"), overridden.stdout)
    }

    func testHTTPSWireDifferenceIsExactlyWhatTheNoteAndDocsSay() throws {
        guard let python = Self.tool("python3") else { throw XCTSkip("python3 is not installed") }
        guard let openssl = Self.tool("openssl") else { throw XCTSkip("openssl is not installed") }
        guard let unshare = Self.tool("unshare") else { throw XCTSkip("unshare (util-linux) is not installed") }
        let systemBundle = "/etc/ssl/certs/ca-certificates.crt"
        guard FileManager.default.fileExists(atPath: systemBundle) else { throw XCTSkip("no system CA bundle at \(systemBundle)") }
        guard let dspec = CLIRunner.executable?.path else { throw XCTSkip("dspec executable not found next to the test bundle") }

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-https-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try Self.run(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem",
                                          "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        guard made.status == 0 else { throw XCTSkip("openssl req cannot make a certificate here: \(made.output)") }
        let bundle = try Data(contentsOf: URL(fileURLWithPath: systemBundle)) + Data(contentsOf: URL(fileURLWithPath: dir + "/cert.pem"))
        try bundle.write(to: URL(fileURLWithPath: dir + "/bundle.pem"))

        // A private mount namespace must be available (root or CAP_SYS_ADMIN).
        let probe = try Self.run(unshare, ["-m", "sh", "-c", "mount --bind \"$1\" \"$2\"", "sh", dir + "/bundle.pem", systemBundle])
        guard probe.status == 0 else {
            throw XCTSkip("cannot trust a test certificate without a private mount namespace (unshare -m + mount --bind needs root or CAP_SYS_ADMIN): \(probe.output)")
        }

        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = ["-c", Self.captureServer, dir + "/cert.pem", dir + "/key.pem", dir + "/raw.bin"]
        let serverOut = Pipe()
        server.standardOutput = serverOut
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var portLine = Data()
        while !portLine.contains(0x0A) {
            let chunk = serverOut.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            portLine += chunk
        }
        let port = try XCTUnwrap(Int(String(decoding: portLine, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)), "capture server did not start")

        let spec = """
        {"dspec": 1, "name": "https-probe", "secrets": {"api_key": {}},
         "endpoint": {"url": "https://localhost:\(port)/hook?x=1", "timeout_ms": 10000},
         "auth": {"type": "api_key", "in": "header", "name": "X-Api-Key", "value": "{{@secrets.api_key}}"},
         "headers": {"X-Zeta": "last", "X-Alpha": "first", "X-Middle": "a, b"},
         "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}, "name": {"@path": "event"}}},
         "response": {"retry": {"max_attempts": 1, "initial_backoff_ms": 100, "max_backoff_ms": 100, "multiplier": 1, "jitter": "none", "max_elapsed_ms": 1000}}}
        """
        try spec.write(toFile: dir + "/probe.json", atomically: true, encoding: .utf8)
        try #"{"type": "track", "event": "Order Completed", "event_id": "e1"}"#.write(toFile: dir + "/probe.events.ndjson", atomically: true, encoding: .utf8)
        try #"{"api_key": "k-123"}"#.write(toFile: dir + "/probe.secrets.json", atomically: true, encoding: .utf8)

        // What dspec says: the .http fixture and the dry run.
        let rendered = try CLIRunner.run(["render", dir + "/probe.json", "--format", "http", "-o", dir + "/fixtures"])
        XCTAssertEqual(rendered.status, 0, rendered.stderr)
        let fixture = try String(contentsOfFile: dir + "/fixtures/probe/001-track-order-completed.http", encoding: .utf8)
        let fixtureLines = fixture.components(separatedBy: "\n")
        let note = fixtureLines[1]
        let dryRun = try CLIRunner.run(["deliver", dir + "/probe.json", "--events", dir + "/probe.events.ndjson", "--secrets", dir + "/probe.secrets.json", "--dry-run"])
        XCTAssertEqual(dryRun.status, 0, dryRun.stderr)
        XCTAssertTrue(dryRun.stdout.hasPrefix(note + "\n"), "the dry run starts with the same note: \(dryRun.stdout)")
        let renderedHeaders = Array(fixtureLines[3...].prefix { !$0.isEmpty })

        // What goes on the wire.
        let delivered = try Self.run(unshare, ["-m", "sh", "-c", "mount --bind \"$1\" \"$2\" && exec \"$3\" deliver \"$4\" --events \"$5\" --secrets \"$6\"", "sh",
                                               dir + "/bundle.pem", systemBundle, dspec, dir + "/probe.json", dir + "/probe.events.ndjson", dir + "/probe.secrets.json"],
                                     environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"])
        XCTAssertEqual(delivered.status, 0, delivered.output)
        XCTAssertTrue(delivered.output.contains("delivered 1,"), delivered.output)
        server.waitUntilExit()
        let raw = try Data(contentsOf: URL(fileURLWithPath: dir + "/raw.bin"))
        let text = String(decoding: raw, as: UTF8.self)
        let head = String(text[..<text.range(of: "\r\n\r\n")!.lowerBound])
        XCTAssertTrue(head.hasPrefix("POST /hook?x=1 HTTP/1.1\r\n"), head)
        XCTAssertEqual(String(text[text.range(of: "\r\n\r\n")!.upperBound...]), fixture.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n").trimmingCharacters(in: .newlines),
                       "the body is sent byte for byte")
        let wire = Self.headerLines(head)
        for line in renderedHeaders { XCTAssertTrue(wire.contains(line), "rendered header \(line) is sent as rendered: \(wire)") }
        let framing: Set<String> = ["host", "content-length"]
        let extra = wire.filter { line in
            !renderedHeaders.contains(line) && !framing.contains(line.prefix { $0 != ":" }.lowercased())
        }
        let expected = HTTPSWireNote.addedHeaders.map { "\($0.name): \($0.value)" }
        XCTAssertEqual(extra.sorted(), expected.sorted(), "measured: what URLSession adds over https")
        XCTAssertEqual(note, "# over https, URLSession adds " + expected.joined(separator: "; ") + "; header order is not kept")

        // The docs quote the same note.
        let docs = try String(contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("docs/runtime.md"), encoding: .utf8)
        XCTAssertTrue(docs.contains(note), "docs/runtime.md quotes the note line: \(note)")
    }
}
