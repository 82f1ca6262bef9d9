import DeliverySpec
import Foundation
import XCTest

/// `specs/auth`: one example spec per per-request signing auth kind (`aws_sigv4`, `oauth1`,
/// `azure_sas`). Each lints clean, renders its committed fixtures byte for byte, and passes
/// its suite and the standard battery against the mock, whose own signature checks run on
/// every request; the `vendor_secrets` cases show a wrong key refused with 401.
final class AuthSpecsTests: XCTestCase {
    static let dir = TestSupport.root + "/specs/auth"
    static let names = ["aws-api-gateway-iam", "azure-event-hubs-sas", "x-conversions-oauth1"]

    func testEverySuitePassesAndSignaturesAreVerified() async throws {
        let results = try await TestSupport.run(Self.dir)
        let failed = results.filter { !$0.passed }
        XCTAssertEqual(failed.count, 0, ConformanceReport.text(failed))
        let (suites, _) = ConformanceLoader.load(Self.dir)
        XCTAssertEqual(suites.map(\.name).sorted(), Self.names)
        for name in Self.names {
            XCTAssertTrue(results.contains { $0.id.hasPrefix(name + "/") && $0.id.hasSuffix("refused") && $0.passed }, "\(name): no wrong-key case passed")
            XCTAssertTrue(results.contains { $0.id == name + "/happy-path" && $0.passed }, "\(name): happy path")
        }
    }

    func testFixturesAreCurrentAndSpecsLintClean() throws {
        for name in Self.names {
            let path = Self.dir + "/" + name + ".json"
            let source = SourceFile(path: path, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            let diagnostics = DiagnosticCollector(source: source)
            let plan = try XCTUnwrap(SpecCompiler().compile(source, diagnostics: diagnostics).plan, name)
            XCTAssertEqual(diagnostics.sorted.map { "\($0.code): \($0.message)" }, [], "\(name) lints clean")
            func json(_ suffix: String) throws -> JSONValue { try JSONParser().parseValue([UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.dir + "/" + name + suffix)))) }
            let events = try EventStream.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.dir + "/" + name + ".events.ndjson"))))
            let set = try FixtureBuilder.build(plan: plan, events: events,
                                               configuration: try RenderConfiguration(settings: try json(".settings.json"), secrets: try json(".secrets.json")))
            let fixtureDir = Self.dir + "/fixtures/" + name
            var onDisk: [String: [UInt8]] = [:]
            for file in try FileManager.default.contentsOfDirectory(atPath: fixtureDir) where !file.hasPrefix(".") {
                onDisk[file] = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixtureDir + "/" + file)))
            }
            let drifts = FixtureComparison.compare(rendered: set.files, onDisk: onDisk)
            XCTAssertTrue(drifts.isEmpty, FixtureComparison.report(drifts, directory: "specs/auth/fixtures/" + name)
                          + "\nrun `swift run dspec render specs/auth -o specs/auth/fixtures` and review")
        }
    }
}
