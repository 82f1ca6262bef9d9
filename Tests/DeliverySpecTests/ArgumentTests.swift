import Foundation
import XCTest

/// Argument parsing: values, repeats, `--`, suggestions; counted nouns; mock defaults.
final class ArgumentTests: XCTestCase {
    func testAnOptionDoesNotTakeTheNextOptionAsItsValue() throws {
        let r = try CLIRunner.run(["lint", "specs/examples", "--format", "--quiet"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("--format needs a value, but the next argument is the option --quiet"), r.stderr)
        XCTAssertEqual(try CLIRunner.run(["test", "specs/examples/custom-webhook.json", "--filter", "-o", "x"]).status, 2)
        // `-` is standard input, a value like any other.
        XCTAssertEqual(try CLIRunner.run(["diff", "specs/examples/custom-webhook.json", "specs/examples/custom-webhook.json", "--events", "-"],
                                         stdin: Data()).status, 0)
    }

    func testARepeatedOptionIsAnError() throws {
        let r = try CLIRunner.run(["lint", "specs/examples", "--format", "json", "--format", "text"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("--format given twice (\"json\" and \"text\"); give it once"), r.stderr)
        // Never the real /dev/null: a parser regression must not write outside a temp folder.
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("repeated-\(UUID().uuidString).plan.json").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let alias = try CLIRunner.run(["compile", "specs/examples/custom-webhook.json", "-o", out, "--output", out])
        XCTAssertEqual(alias.status, 2)
        XCTAssertTrue(alias.stderr.contains("--output given twice"), alias.stderr)
    }

    func testHelpAfterDoubleDashIsAPositional() throws {
        let r = try CLIRunner.run(["lint", "--", "-h"])
        XCTAssertEqual(r.status, 2, "a file named -h, which does not exist: \(r.stdout)")
        XCTAssertTrue(r.stderr.contains("-h: no such file"), r.stderr)
        XCTAssertEqual(try CLIRunner.run(["lint", "-h"]).status, 0)
    }

    func testOptionSuggestionsUseEditDistance() throws {
        let r = try CLIRunner.run(["lint", "specs/examples", "--fromat", "json"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("unknown option --fromat; did you mean --format?"), r.stderr)
        let t = try CLIRunner.run(["test", "specs/examples", "--shrad", "1/2"])
        XCTAssertTrue(t.stderr.contains("did you mean --shard?"), t.stderr)
    }

    func testTestJobsMustBeAWholeNumberFromOne() throws {
        for bad in ["0", "-1", "two", "65"] {
            let r = try CLIRunner.run(["test", "specs/examples/custom-webhook.json", "--jobs", bad])
            XCTAssertEqual(r.status, 2, bad)
            XCTAssertTrue(r.stderr.contains("--jobs expects a whole number from 1 to 64"), r.stderr)
        }
        let r = try CLIRunner.run(["test", "specs/examples/custom-webhook.json", "--filter", "happy-path", "--jobs", "3"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("1 case: 1 passed") || r.stdout.contains("1 passed"), r.stdout)
    }

    /// Below 0.01 a nominal second is under 10 ms of real time and the lower-bound checks
    /// stop proving anything (ConformanceTimeScale.minimumScale): a usage error, exit 2.
    func testTimeScaleIsFromAHundredthToOne() throws {
        for bad in ["0", "0.001", "0.0099", "1.5", "-0.1", "nan", "fast"] {
            let r = try CLIRunner.run(["test", "specs/examples/custom-webhook.json", "--time-scale", bad])
            XCTAssertEqual(r.status, 2, bad)
            XCTAssertTrue(r.stderr.contains("--time-scale expects a number from 0.01 to 1"), r.stderr)
        }
        for good in ["0.01", "1"] {
            let r = try CLIRunner.run(["test", "specs/examples/custom-webhook.json", "--filter", "happy-path", "--time-scale", good])
            XCTAssertEqual(r.status, 0, good + r.stdout + r.stderr)
        }
    }

    func testCountedNounsAreSingularForOneAndMockNeedsNoScenario() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-plural-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("specs/examples/custom-webhook.json"), encoding: .utf8)
        let edited = dir.appendingPathComponent("cw.json")
        try Data(text.replacingOccurrences(of: "\"timeout_ms\": 5000", with: "\"timeout_ms\": 6000").utf8).write(to: edited)
        let diff = try CLIRunner.run(["diff", "specs/examples/custom-webhook.json", edited.path, "--fail-on", "never"])
        XCTAssertTrue(diff.stdout.contains("\n1 change: "), diff.stdout)
        XCTAssertFalse(diff.stdout.contains("1 changes"), diff.stdout)
        // One event delivered with one HTTP attempt, to `dspec mock --plan SPEC` alone (no
        // --scenario: every request answered 200).
        let mock = try MockProcess(["mock", "--plan", "specs/examples/custom-webhook.json"])
        defer { mock.stop() }
        let plan = dir.appendingPathComponent("cw.plan.json")
        var compiled = try String(decoding: CLIRunner.run(["compile", "specs/examples/custom-webhook.json"]).stdout.utf8, as: UTF8.self)
        compiled = compiled.replacingOccurrences(of: "https://hooks.example.com", with: mock.baseURL)
        try Data(compiled.utf8).write(to: plan)
        let event = try String(contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("specs/examples/custom-webhook.events.ndjson"), encoding: .utf8)
            .split(separator: "\n")[0]
        let deliver = try CLIRunner.run(["deliver", plan.path, "--events", "-", "--secrets", "specs/examples/custom-webhook.secrets.json"],
                                        stdin: Data((event + "\n").utf8))
        XCTAssertEqual(deliver.status, 0, deliver.stdout + deliver.stderr)
        XCTAssertTrue(deliver.stdout.contains("of 1 event;"), deliver.stdout)
        XCTAssertTrue(deliver.stdout.contains("1 HTTP attempt, 0 retries"), deliver.stdout)
    }
}

/// A `dspec mock` process, stopped with SIGTERM.
final class MockProcess {
    let process = Process()
    let baseURL: String

    init(_ args: [String]) throws {
        guard let exe = CLIRunner.executable else { throw XCTSkip("dspec executable not found next to the test bundle") }
        process.executableURL = exe
        process.arguments = args + ["--quiet"]
        process.currentDirectoryURL = CLIRunner.repositoryRoot
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var first = Data()
        while !first.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            first.append(chunk)
        }
        baseURL = String(decoding: first, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
