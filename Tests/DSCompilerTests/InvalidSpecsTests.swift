import DSCompiler
import DSCore
import DSJSON
import Foundation
import XCTest

/// Every broken spec under specs/invalid reports its expected rule at the expected line and
/// column, and nothing unexpected. Expectations come from markers in the case text
/// (scripts/make-invalid-specs.py), not from the linter.
final class InvalidSpecsTests: XCTestCase {
    struct Expectation {
        var code: String
        var line: Int
        var column: Int
        var messageContains: String?
    }

    func testEveryInvalidSpecReportsItsExpectedDiagnostic() throws {
        let specs = RepositoryPaths.specs(in: RepositoryPaths.invalid)
        XCTAssertGreaterThanOrEqual(specs.count, 30, "at least 30 invalid specs")
        for url in specs {
            let expectedURL = url.deletingPathExtension().appendingPathExtension("expected.json")
            let expectedDoc = try JSONParser().parseValue([UInt8](Data(contentsOf: expectedURL)))
            let expectations = (expectedDoc["expect"]?.arrayValue ?? []).map { e in
                Expectation(code: e["code"]!.stringValue!, line: e["line"]!.numberValue!.intValue!, column: e["column"]!.numberValue!.intValue!,
                            messageContains: e["message_contains"]?.stringValue)
            }
            let also = Set((expectedDoc["also"]?.arrayValue ?? []).compactMap(\.stringValue))
            let strict = expectedDoc["strict"]?.boolValue ?? false
            let source = SourceFile(path: url.lastPathComponent, bytes: [UInt8](try Data(contentsOf: url)))
            let diagnostics = DiagnosticCollector(source: source)
            let result = SpecCompiler().compile(source, diagnostics: diagnostics, contractLoader: DirectoryContractLoader(directory: url.deletingLastPathComponent()))
            let found = diagnostics.sorted
            let rendered = found.map { "\($0.code) \($0.location?.description ?? "-") \($0.message)" }.joined(separator: "\n")
            for e in expectations {
                let match = found.first { $0.code == e.code && $0.location?.line == e.line && $0.location?.column == e.column }
                XCTAssertNotNil(match, "\(url.lastPathComponent): expected \(e.code) at \(e.line):\(e.column), got:\n\(rendered)")
                if let match, let text = e.messageContains {
                    XCTAssertTrue(match.message.contains(text) || (match.suggestion ?? "").contains(text),
                                  "\(url.lastPathComponent): message should mention \(text): \(match.message)")
                }
            }
            let allowed = Set(expectations.map(\.code)).union(also)
            for d in found where !allowed.contains(d.code) {
                XCTFail("\(url.lastPathComponent): unexpected \(d.code) at \(d.location?.description ?? "-"): \(d.message)")
            }
            // Lint's exit contract: errors (or warnings under --strict) fail the file; a hint
            // case reports only notes, which never fail it.
            let fails = diagnostics.hasErrors || (strict && diagnostics.count(.warning) > 0)
            if expectedDoc["hint"]?.boolValue == true {
                XCTAssertFalse(fails || diagnostics.count(.warning) > 0, "\(url.lastPathComponent): a hint case reports notes only")
                XCTAssertNotNil(result.plan, "\(url.lastPathComponent): a hint case still compiles")
                continue
            }
            XCTAssertTrue(fails, "\(url.lastPathComponent) must fail lint\(strict ? " with --strict" : "")")
            if diagnostics.hasErrors { XCTAssertNil(result.plan, "\(url.lastPathComponent): no plan for a spec with errors") }
        }
    }
}

/// Reads contract files relative to a directory (the compiler tests do not link the
/// DeliverySpec driver, whose FileContractLoader does this for the CLI).
struct DirectoryContractLoader: ContractLoader {
    let directory: URL
    func load(_ path: String) -> ContractFile {
        let url = directory.appendingPathComponent(path)
        guard let data = try? Data(contentsOf: url) else { return .failed("\(url.path): no such file") }
        guard let value = try? JSONParser().parseValue([UInt8](data)) else { return .failed("\(url.path): not valid JSON") }
        return .loaded(value, baseURI: url.absoluteString)
    }
    func schemaDocument(for uri: String) -> JSONValue? { nil }
}
