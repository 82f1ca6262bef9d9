import DeliverySpec
import Foundation
import XCTest

/// Paths and helpers shared by the conformance tests.
enum TestSupport {
    /// The package root, found from this file so tests do not depend on the working directory.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `specs/examples/NAME`.
    static func example(_ name: String) -> String { root + "/specs/examples/" + name }

    /// `specs/catalog/NAME`.
    static func catalog(_ name: String) -> String { root + "/specs/catalog/" + name }

    /// The bytes of an example spec with `old` replaced by `new` (exactly once).
    static func edited(_ spec: String, replacing old: String, with new: String) throws -> [UInt8] {
        let text = try String(contentsOfFile: example(spec), encoding: .utf8)
        guard text.components(separatedBy: old).count == 2 else {
            throw NSError(domain: "TestSupport", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(old) must occur exactly once in \(spec)"])
        }
        return Array(text.replacingOccurrences(of: old, with: new).utf8)
    }

    /// Loads `path` (with spec overrides) and runs the cases whose id contains `filter`.
    static func run(_ path: String, sources: [String: [UInt8]] = [:], filter: String? = nil) async throws -> [CaseResult] {
        let (suites, problems) = ConformanceLoader.load(path, sources: sources)
        XCTAssertEqual(problems.map(\.description), [])
        let runner = try ConformanceRunner()
        defer { runner.stop() }
        let entries = CaseSelection.select(CaseSelection.all(suites), filter: filter)
        XCTAssertFalse(entries.isEmpty, "no case matches \(filter ?? "")")
        return await runner.run(entries, of: suites)
    }
}
