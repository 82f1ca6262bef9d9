import DeliverySpec
import DSCore
import Foundation
import XCTest

/// `dspec lint DIR` compiles a contract file once for all the specs naming it
/// (`CompiledContractCache`), but never serves a compilation of other bytes: a changed file,
/// or a changed file its `$ref`s reach, is compiled again.
final class LintContractCacheTests: ScratchDirectoryTestCase {
    func spec(_ name: String) throws -> String {
        try write(name, """
        {
          "dspec": 1,
          "name": "acme-events",
          "secrets": {"api_key": {}},
          "events": {"types": ["track"], "names": ["Order Completed"], "schema": "plan.schema.json"},
          "endpoint": {"method": "POST", "url": "https://api.acme.example/v1/events", "timeout_ms": 5000},
          "auth": {"type": "bearer", "token": "{{@secrets.api_key}}"},
          "payload": {"format": "json", "template": "{\\"event\\": \\"{{event}}\\", \\"total\\": {{properties.totl}}}"}
        }
        """)
    }

    func plan(_ property: String) -> String {
        #"{"type": "object", "properties": {"event": {"type": "string"}, "properties": {"type": "object", "properties": {"\#(property)": {"type": "number"}}, "additionalProperties": false}}}"#
    }

    func summary(_ d: Diagnostic) -> String { "\(d.code) \(d.severity) \(d.message) \(String(describing: d.location)) \(d.pointer ?? "")" }

    func codes(_ path: String, _ cache: CompiledContractCache) throws -> [String] {
        LintRunner().lint(try SourceLoader.load(path), cache: cache).diagnostics.filter { $0.severity != .note }.map { "\($0.code) \($0.message)" }
    }

    func testSpecsNamingOneFileShareItsCompilationUntilItsBytesChange() throws {
        try write("plan.schema.json", plan("total"))
        let a = try spec("a.json"), b = try spec("b.json")
        let cache = CompiledContractCache()
        let first = try codes(a, cache)
        XCTAssertTrue(first.contains { $0.hasPrefix("DS1002") && $0.contains("properties.totl") }, "\(first)")
        XCTAssertEqual(cache.count, 1)
        XCTAssertEqual(try codes(b, cache), first)
        XCTAssertEqual(cache.count, 1, "the second spec compiles nothing new")
        // The same path with other bytes: compiled again, the finding goes away.
        try write("plan.schema.json", plan("totl"))
        XCTAssertEqual(try codes(b, cache).filter { $0.hasPrefix("DS1002") }, [])
        XCTAssertEqual(try codes(b, cache), try codes(b, CompiledContractCache()))
    }

    func testAChangedReferencedFileIsCompiledAgain() throws {
        try write("plan.schema.json", #"{"$ref": "other.schema.json"}"#)
        try write("other.schema.json", plan("totl"))
        let a = try spec("a.json")
        let cache = CompiledContractCache()
        XCTAssertEqual(try codes(a, cache).filter { $0.hasPrefix("DS1001") }, [])
        try write("other.schema.json", #"{"type": 5}"#)
        let after = try codes(a, cache)
        XCTAssertEqual(after, try codes(a, CompiledContractCache()))
        XCTAssertTrue(after.contains { $0.hasPrefix("DS1001") && $0.contains("not a valid JSON Schema") }, "\(after)")
    }

    func testADirectoryRunGivesTheResultsOfSpecsLintedOneByOne() throws {
        try write("plan.schema.json", plan("total"))
        for i in 0..<6 { _ = try spec("s\(i).json") }
        try write("notes.json", #"{"not": "a spec"}"#)
        try write("broken.json", #"{"dspec": 1,"#)
        let (results, usage) = LintRunner().lint(paths: [dir.path])
        XCTAssertEqual(usage, [])
        XCTAssertEqual(results.map { ($0.path as NSString).lastPathComponent }, ["broken.json"] + (0..<6).map { "s\($0).json" })
        for r in results {
            let alone = LintRunner().lint(try SourceLoader.load(r.path))
            XCTAssertEqual(r.diagnostics.map(summary), alone.diagnostics.map(summary), r.path)
        }
    }
}
