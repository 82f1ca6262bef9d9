import Foundation
import XCTest

/// Every command on every path shape a user types: `.`, `./x`, `../x`, bare names,
/// absolute paths, all inside directories whose names contain spaces.
final class PathShapeTests: XCTestCase {
    private var base: URL!
    private var specs: URL!

    override func setUpWithError() throws {
        let fm = FileManager.default
        base = fm.temporaryDirectory.appendingPathComponent("dspec shapes \(UUID().uuidString)")
        specs = base.appendingPathComponent("my specs")
        try fm.createDirectory(at: specs.appendingPathComponent("sub dir"), withIntermediateDirectories: true)
        let examples = CLIRunner.repositoryRoot.appendingPathComponent("specs/examples")
        for suffix in [".json", ".events.ndjson", ".settings.json", ".secrets.json", ".suite.json"] {
            try fm.copyItem(at: examples.appendingPathComponent("custom-webhook" + suffix), to: specs.appendingPathComponent("custom-webhook" + suffix))
        }
        try Data("{\"user\": \"{{name}}\"}".utf8).write(to: specs.appendingPathComponent("t.hbs"))
        try Data("{\"name\": \"ada\"}".utf8).write(to: specs.appendingPathComponent("d.json.data"))
        try Data(#"{"routes": [{"responses": [{"status": 200}]}]}"#.utf8).write(to: specs.appendingPathComponent("ok.scenario"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: base)
    }

    /// A shape: where the command runs and how it names the spec directory.
    private struct Shape {
        var name: String
        var cwd: URL
        /// The spec directory as typed.
        var dir: String
        /// A file of the spec directory as typed.
        func file(_ name: String) -> String {
            switch dir {
            case ".": return "./" + name
            case "": return name
            default: return dir + "/" + name
            }
        }
        var dirArgument: String { dir.isEmpty ? "." : dir }
    }

    private var shapes: [Shape] {
        [
            Shape(name: "dot", cwd: specs, dir: "."),
            Shape(name: "bare", cwd: specs, dir: ""),
            Shape(name: "parent", cwd: specs.appendingPathComponent("sub dir"), dir: ".."),
            Shape(name: "absolute", cwd: CLIRunner.repositoryRoot, dir: specs.path),
            Shape(name: "relative with spaces", cwd: base, dir: "my specs"),
        ]
    }

    func testEveryCommandAcceptsEveryPathShape() throws {
        for shape in shapes {
            let spec = shape.file("custom-webhook.json")
            let out = base.appendingPathComponent("out \(shape.name)").path
            let runs: [[String]] = [
                ["lint", spec],
                ["lint", shape.dirArgument],
                ["compile", spec, "-o", out + ".plan.json"],
                ["render", spec, "-o", out],
                ["render", spec, "-o", out, "--check"],
                ["render", shape.dirArgument, "-o", out, "--check"],
                ["deliver", spec, "--events", shape.file("custom-webhook.events.ndjson"), "--secrets", shape.file("custom-webhook.secrets.json"),
                 "--settings", shape.file("custom-webhook.settings.json"), "--dry-run"],
                ["deliver", out + ".plan.json", "--events", shape.file("custom-webhook.events.ndjson"), "--secrets", shape.file("custom-webhook.secrets.json"), "--dry-run"],
                ["test", spec, "--filter", "happy-path"],
                ["test", shape.file("custom-webhook.suite.json"), "--filter", "happy-path"],
                ["test", shape.dirArgument, "--filter", "happy-path"],
                ["diff", spec, spec, "--events", shape.file("custom-webhook.events.ndjson")],
                ["template", shape.file("t.hbs"), "--data", shape.file("d.json.data")],
            ]
            for args in runs {
                let r = try CLIRunner.run(args, in: shape.cwd)
                XCTAssertEqual(r.status, 0, "\(shape.name): dspec \(args.joined(separator: " "))\n\(r.stdout)\n\(r.stderr)")
            }
            try assertMockStarts(["mock", "--scenario", shape.file("ok.scenario"), "--plan", spec], in: shape.cwd, shape: shape.name)
        }
    }

    /// Starts `dspec mock`, waits for the address line, stops it with SIGTERM.
    private func assertMockStarts(_ args: [String], in directory: URL, shape: String) throws {
        guard let exe = CLIRunner.executable else { throw XCTSkip("dspec executable not found next to the test bundle") }
        let process = Process()
        process.executableURL = exe
        process.arguments = args
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var first = Data()
        while !first.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            first.append(chunk)
        }
        process.terminate()
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(String(decoding: first, as: UTF8.self).hasPrefix("http://127.0.0.1:"), "\(shape): dspec \(args.joined(separator: " "))\n\(stderr)")
        XCTAssertEqual(process.terminationStatus, 0, "\(shape): \(stderr)")
    }
}
