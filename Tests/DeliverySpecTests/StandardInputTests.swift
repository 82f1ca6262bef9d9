import Foundation
import XCTest

/// `-` is standard input for every command that reads a spec or events.
final class StandardInputTests: XCTestCase {
    private let spec = "specs/examples/custom-webhook.json"
    private let events = "specs/examples/custom-webhook.events.ndjson"
    private let secrets = "specs/examples/custom-webhook.secrets.json"

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: CLIRunner.repositoryRoot.appendingPathComponent(path)) }

    func testEveryCommandReadsASpecFromStandardInput() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-stdin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let runs: [[String]] = [
            ["lint", "-"],
            ["compile", "-"],
            ["render", "-", "--events", events, "--secrets", secrets, "-o", out.path],
            ["test", "-", "--list"],
            ["deliver", "-", "--events", events, "--secrets", secrets, "--dry-run"],
            ["diff", "-", spec],
        ]
        for args in runs {
            let r = try CLIRunner.run(args, stdin: try bytes(spec))
            XCTAssertEqual(r.status, 0, "dspec \(args.joined(separator: " ")): \(r.stdout)\n\(r.stderr)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("custom-webhook/001-track-order-completed.json").path),
                      "fixtures of a spec on stdin are named after the spec")
        let lint = try CLIRunner.run(["lint", "-"], stdin: Data(#"{"dspec": 1, "name": "Bad Name"}"#.utf8))
        XCTAssertEqual(lint.status, 1)
        XCTAssertTrue(lint.stdout.contains("<stdin>:"), lint.stdout)
    }

    func testEveryCommandReadsEventsFromStandardInput() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-stdin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let runs: [[String]] = [
            ["render", spec, "--events", "-", "-o", out.path],
            ["deliver", spec, "--events", "-", "--secrets", secrets, "--dry-run"],
            ["diff", spec, spec, "--events", "-"],
        ]
        for args in runs {
            let r = try CLIRunner.run(args, stdin: try bytes(events))
            XCTAssertEqual(r.status, 0, "dspec \(args.joined(separator: " ")): \(r.stdout)\n\(r.stderr)")
        }
    }

    func testStandardInputIsReadOnlyOnce() throws {
        let r = try CLIRunner.run(["deliver", "-", "--events", "-", "--dry-run"], stdin: try bytes(spec))
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("standard input (-) can be read only once, but SPEC and --events both name it"), r.stderr)
    }
}
