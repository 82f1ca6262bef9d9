import DeliverySpec
import Foundation
import XCTest

/// Secret hygiene (issue 11): every command on every example, run with distinctive markers in
/// place of the test secrets, must not show a marker (or its base64 form, as in a Basic
/// credential or a JWT) on standard output, standard error or in any file it writes, unless
/// the user asked for secrets: `render` without `--redact` (fixtures of test values) and
/// `deliver --dry-run --show-secrets`. Those two are run too, as controls that the markers
/// really reach the requests.
final class SecretHygieneTests: ScratchDirectoryTestCase {
    /// Every leak found: "EXAMPLE: COMMAND: WHERE contains MARKER-FORM".
    var leaks: [String] = []

    func testNoCommandShowsASecretUnlessAsked() throws {
        guard CLIRunner.executable != nil else { throw XCTSkip("dspec executable not found next to the test bundle") }
        // The examples, and the per-request signing auth kinds of specs/auth (SigV4 secret key and
        // session token, OAuth 1.0a consumer and token secrets, the Azure SAS key).
        func specs(_ folder: String) throws -> [(dir: URL, name: String)] {
            let dir = CLIRunner.repositoryRoot.appendingPathComponent(folder)
            return try FileManager.default.contentsOfDirectory(atPath: dir.path)
                .filter { $0.hasSuffix(".secrets.json") }.map { (dir, String($0.dropLast(".secrets.json".count))) }.sorted { $0.name < $1.name }
        }
        let exampleSpecs = try specs("specs/examples")
        XCTAssertEqual(exampleSpecs.count, 11, "every example has a secrets file")
        let authSpecs = try specs("specs/auth")
        XCTAssertEqual(authSpecs.count, 3, "aws_sigv4, oauth1 and azure_sas each have an example with secrets")
        var controls = (render: 0, showSecrets: 0)
        for (index, (examples, name)) in (exampleSpecs + authSpecs).enumerated() {
            let work = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            for suffix in [".json", ".settings.json", ".events.ndjson", ".suite.json", ".tracking-plan.schema.json"] {
                let from = examples.appendingPathComponent(name + suffix)
                if FileManager.default.fileExists(atPath: from.path) {
                    try FileManager.default.copyItem(at: from, to: work.appendingPathComponent(name + suffix))
                }
            }
            // The vendor contracts the specs name (docs/contracts.md), at the same relative path.
            if FileManager.default.fileExists(atPath: examples.appendingPathComponent("contracts").path) {
                try FileManager.default.copyItem(at: examples.appendingPathComponent("contracts"), to: work.appendingPathComponent("contracts"))
            }
            let marked = try markSecrets(examples.appendingPathComponent(name + ".secrets.json"), into: work.appendingPathComponent(name + ".secrets.json"))
            let markers = marked.markers
            let forms = Self.forms(of: markers)
            let p = { (suffix: String) in work.appendingPathComponent(name + suffix).path }
            let out = work.appendingPathComponent("out")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let common = ["--settings", p(".settings.json"), "--secrets", p(".secrets.json")]

            func run(_ label: String, _ args: [String]) throws -> CLIRunner.Result {
                let r = try CLIRunner.run(args)
                check(name, label + " (stdout)", r.stdout, forms)
                check(name, label + " (stderr)", r.stderr, forms)
                return r
            }

            // compile, lint
            _ = try run("compile", ["compile", p(".json")])
            let plan = out.appendingPathComponent(name + ".plan.json").path
            let compiled = try run("compile -o", ["compile", p(".json"), "-o", plan])
            XCTAssertEqual(compiled.status, 0, "\(name): compile: \(compiled.stderr)")
            _ = try run("lint", ["lint", p(".json")])
            _ = try run("lint --format sarif", ["lint", p(".json"), "--format", "sarif"])

            // render: redacted output must be clean; unredacted fixtures are the user's request.
            _ = try run("render --redact", ["render", p(".json"), "--events", p(".events.ndjson")] + common + ["-o", out.appendingPathComponent("redacted").path, "--redact"])
            _ = try run("render --redact --format http", ["render", p(".json"), "--events", p(".events.ndjson")] + common
                        + ["-o", out.appendingPathComponent("redacted-http").path, "--redact", "--format", "http"])
            let asked = work.appendingPathComponent("asked")
            let plain = try CLIRunner.run(["render", p(".json"), "--events", p(".events.ndjson")] + common + ["-o", asked.appendingPathComponent("fixtures").path])
            if Self.contains(plain.stdout + plain.stderr + (try Self.allText(under: asked)), forms) { controls.render += 1 }

            // deliver --dry-run: redacted by default; --show-secrets is the explicit request.
            _ = try run("deliver --dry-run", ["deliver", p(".json"), "--events", p(".events.ndjson"), "--dry-run"] + common)
            let shown = try CLIRunner.run(["deliver", p(".json"), "--events", p(".events.ndjson"), "--dry-run", "--show-secrets"] + common)
            if Self.contains(shown.stdout, forms) { controls.showSecrets += 1 }

            // deliver against the mock, which answers with an error body echoing the secrets.
            try deliverAgainstMock(name, work: work, out: out, plan: plan, markers: markers, forms: forms, serviceAccount: marked.serviceAccount,
                                   settings: p(".settings.json"), secrets: p(".secrets.json"), events: p(".events.ndjson"))

            // test: every report format in turn (a third of the cases, to keep the test short).
            if FileManager.default.fileExists(atPath: p(".suite.json")) {
                let format = ["text", "json", "junit", "github"][index % 4]
                _ = try run("test --format \(format)", ["test", p(".suite.json"), "--format", format, "--shard", "\(index % 3 + 1)/3",
                                                        "-o", out.appendingPathComponent("report.\(format)").path])
            }

            // diff: the wire diff renders both sides with the secrets.
            let moved = out.appendingPathComponent("moved.plan.json").path
            let planText = try String(contentsOfFile: plan, encoding: .utf8)
            try Self.redirect(planText, to: "http://127.0.0.1:9").write(toFile: moved, atomically: true, encoding: .utf8)
            for format in ["text", "json", "markdown", "github"] {
                _ = try run("diff --format \(format)", ["diff", p(".json"), moved, "--events", p(".events.ndjson"), "--format", format, "--fail-on", "never"] + common)
            }

            // Every file written, except the unredacted fixtures the user asked for.
            for file in try Self.files(under: out) {
                check(name, "written file \(file.lastPathComponent)", try Self.text(file), forms)
            }
        }
        XCTAssertGreaterThanOrEqual(controls.render, 6, "render without --redact shows the test secrets of the examples with static credentials (the markers reach the requests)")
        XCTAssertGreaterThanOrEqual(controls.showSecrets, 6, "deliver --dry-run --show-secrets shows the credentials of the examples with static credentials")
        XCTAssertTrue(leaks.isEmpty, "secret markers leaked:\n" + leaks.joined(separator: "\n"))
    }

    /// Runs `dspec mock` with the plan and the marked secrets, and `dspec deliver` of the
    /// plan redirected to it with a dead-letter file and a checkpoint.
    private func deliverAgainstMock(_ name: String, work: URL, out: URL, plan: String, markers: [String], forms: [String], serviceAccount: Bool,
                                    settings: String, secrets: String, events: String) throws {
        let echo = "rejected: " + markers.joined(separator: " ")
        let scenario = work.appendingPathComponent("scenario.json").path
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["error": ["message": echo], "message": echo, "meta": ["error": echo]]), as: UTF8.self)
        try #"{"routes": [{"path_prefix": "/", "cycle": true, "responses": [{"status": 200, "body": {"ok": true}}, {"status": 400, "body": \#(body)}, {"status": 401, "body": "bad key \#(echo)"}]}]}"#
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let mock = try BackgroundCommand(["mock", "--scenario", scenario, "--plan", plan, "--secrets", secrets, "--settings", settings])
        var base = mock.firstLine().trimmingCharacters(in: .whitespacesAndNewlines)
        defer {
            let logs = mock.stop()
            check(name, "mock (stdout)", logs.stdout, forms)
            check(name, "mock (stderr)", logs.stderr, forms)
        }
        guard base.hasPrefix("http://") else { XCTFail("\(name): mock did not start: \(base)"); return }
        if base.hasSuffix("/") { base.removeLast() }
        let redirected = out.appendingPathComponent("mock.plan.json").path
        try Self.redirect(try String(contentsOfFile: plan, encoding: .utf8), to: base).write(toFile: redirected, atomically: true, encoding: .utf8)
        var deliverSecrets = secrets
        if serviceAccount {
            // The key file names its own token endpoint; point it at the mock too.
            let text = try String(contentsOfFile: secrets, encoding: .utf8)
            deliverSecrets = work.appendingPathComponent("deliver.secrets.json").path
            try text.replacingOccurrences(of: "https://oauth2.googleapis.com", with: base).write(toFile: deliverSecrets, atomically: true, encoding: .utf8)
        }
        let r = try CLIRunner.run(["deliver", redirected, "--events", events, "--settings", settings, "--secrets", deliverSecrets,
                                   "--dead-letter", out.appendingPathComponent("dead-letters.ndjson").path,
                                   "--checkpoint", out.appendingPathComponent("checkpoint").path, "--format", "json"])
        check(name, "deliver (stdout)", r.stdout, forms)
        check(name, "deliver (stderr)", r.stderr, forms)
        XCTAssertTrue(r.status == 0 || r.status == 1, "\(name): deliver exit \(r.status): \(r.stderr)")
    }

    private func check(_ example: String, _ place: String, _ text: String, _ forms: [String]) {
        for form in forms where text.contains(form) {
            leaks.append("\(example): \(place) contains \(form)")
        }
    }

    /// Writes `source` with every string secret replaced by a marker; a service-account key
    /// (a JSON object in a string) keeps its key and gets a marker as `private_key_id`, and
    /// one line of its private key is watched as well.
    private func markSecrets(_ source: URL, into target: URL) throws -> (markers: [String], serviceAccount: Bool) {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as? [String: Any])
        var marked: [String: Any] = [:]
        var markers: [String] = []
        var serviceAccount = false
        let nonce = UUID().uuidString.prefix(8)
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            let marker = "SECRET-MARKER-\(nonce)-\(markers.count)-\(key)"
            if let text = value as? String, var inner = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
               let pem = inner["private_key"] as? String {
                inner["private_key_id"] = marker
                marked[key] = String(decoding: try JSONSerialization.data(withJSONObject: inner, options: [.sortedKeys]), as: UTF8.self)
                markers.append(marker)
                let lines = pem.split(separator: "\n").filter { $0.count == 64 }
                if lines.count > 3 { markers.append(String(lines[3])) }
                serviceAccount = true
            } else {
                marked[key] = marker
                markers.append(marker)
            }
        }
        try JSONSerialization.data(withJSONObject: marked, options: [.sortedKeys]).write(to: target)
        return (markers, serviceAccount)
    }

    /// The markers and their base64 forms (standard and URL-safe), at each of the three
    /// alignments a marker can have inside a longer encoded value (`user:MARKER` in a Basic
    /// credential): the characters that depend on the marker's bytes alone.
    static func forms(of markers: [String]) -> [String] {
        var forms: [String] = []
        for marker in markers {
            forms.append(marker)
            for shift in 0..<3 {
                let encoded = (Data(repeating: 0x3A, count: shift) + Data(marker.utf8) + Data([0x3A, 0x3A, 0x3A])).base64EncodedString()
                let chars = Array(encoded)
                let start = ((shift + 2) / 3) * 4
                let end = ((shift + marker.utf8.count) / 3) * 4
                guard end - start >= 12 else { continue }
                let middle = String(chars[start..<end])
                forms.append(middle)
                forms.append(middle.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
            }
        }
        var seen = Set<String>()
        return forms.filter { seen.insert($0).inserted }
    }

    static func contains(_ text: String, _ forms: [String]) -> Bool { forms.contains { text.contains($0) } }

    /// `plan` with every https origin (`https://HOST` up to the path) replaced by `base`.
    static func redirect(_ plan: String, to base: String) -> String {
        let regex = try! NSRegularExpression(pattern: #"https://[^/"]+"#)
        return regex.stringByReplacingMatches(in: plan, range: NSRange(plan.startIndex..., in: plan), withTemplate: NSRegularExpression.escapedTemplate(for: base))
    }

    static func files(under root: URL) throws -> [URL] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [URL] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { out.append(url) }
        return out.sorted { $0.path < $1.path }
    }

    static func text(_ file: URL) throws -> String { String(decoding: try Data(contentsOf: file), as: UTF8.self) }

    static func allText(under root: URL) throws -> String { try files(under: root).map(text).joined(separator: "\n") }
}

/// A `dspec` process left running (the mock): its first stdout line is read as soon as it
/// is printed; ``stop()`` sends SIGTERM and returns everything it wrote.
final class BackgroundCommand {
    private let process = Process()
    private let out = Pipe(), err = Pipe()
    private var firstLineBytes: [UInt8] = []

    init(_ args: [String]) throws {
        guard let exe = CLIRunner.executable else { throw XCTSkip("dspec executable not found next to the test bundle") }
        process.executableURL = exe
        process.arguments = args
        process.currentDirectoryURL = CLIRunner.repositoryRoot
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// The first line of standard output (empty if the process ended without one).
    func firstLine() -> String {
        let handle = out.fileHandleForReading
        while !firstLineBytes.contains(0x0A) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            firstLineBytes += chunk
        }
        return String(decoding: firstLineBytes.prefix { $0 != 0x0A }, as: UTF8.self)
    }

    /// Stops the process (SIGTERM) and returns its whole output.
    func stop() -> (stdout: String, stderr: String) {
        if process.isRunning { process.terminate() }
        let rest = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: firstLineBytes + rest, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }
}
