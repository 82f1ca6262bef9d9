import DSFuzz
import Foundation
import XCTest

/// Replays every committed fuzz input through the same functions the libFuzzer harness calls
/// (fuzz/README.md): the seed corpora in fuzz/corpus/TARGET and the reproducers of past
/// findings in fuzz/regressions/TARGET. An input that crashes fails the whole test process; one
/// that violates a property fails its target's test with the file name.
final class CorpusReplayTests: XCTestCase {
    static let fuzzRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fuzz")

    /// Reproducers of findings not fixed yet, keyed by `TARGET/FILE`, with the reason. The
    /// replay skips them (a crash cannot be caught in-process) and `testKnownFailures` reports
    /// each as a skip; remove the entry with the fix.
    static let knownFailures: [String: String] = [:]

    func inputs(_ target: String, in folder: String) throws -> [URL] {
        let dir = Self.fuzzRoot.appendingPathComponent(folder).appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func replay(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let target = try XCTUnwrap(FuzzTarget.named(name), "no fuzz target \(name)")
        let seeds = try inputs(name, in: "corpus")
        XCTAssertFalse(seeds.isEmpty, "fuzz/corpus/\(name) has no seed inputs", file: file, line: line)
        for url in try seeds + inputs(name, in: "regressions") {
            let key = "\(name)/\(url.lastPathComponent)"
            if Self.knownFailures[key] != nil { continue }
            let violations = target.run([UInt8](try Data(contentsOf: url)))
            XCTAssertEqual(violations, [], "\(url.path)", file: file, line: line)
        }
    }

    func testEveryTargetHasATest() {
        XCTAssertEqual(FuzzTarget.all.map(\.name), ["json", "spec", "template", "mapping", "encoders", "plan", "mock-request", "response", "resp", "retry-after", "rate-limit", "openapi"])
    }

    func testJSON() throws { try replay("json") }
    func testSpec() throws { try replay("spec") }
    func testTemplate() throws { try replay("template") }
    func testMapping() throws { try replay("mapping") }
    func testEncoders() throws { try replay("encoders") }
    func testPlan() throws { try replay("plan") }
    func testMockRequest() throws { try replay("mock-request") }
    func testResponse() throws { try replay("response") }
    func testRESP() throws { try replay("resp") }
    func testRetryAfter() throws { try replay("retry-after") }
    func testRateLimit() throws { try replay("rate-limit") }
    func testOpenAPI() throws { try replay("openapi") }

    func testKnownFailures() throws {
        guard !Self.knownFailures.isEmpty else { return }
        let list = Self.knownFailures.sorted { $0.key < $1.key }.map { "fuzz/regressions/\($0.key): \($0.value)" }
        throw XCTSkip("known fuzz findings not fixed yet: " + list.joined(separator: "; "))
    }
}
