import DeliverySpec
import Foundation
import XCTest

/// The specs that carry a vendor contract: docs/contracts.md's table lists exactly them, and
/// each contract file names its source (and, for a stored vendor document, its licence).
final class ContractCatalogTests: XCTestCase {
    let root = CLIRunner.repositoryRoot

    /// `specs/DIR/NAME.json` of every spec (not `specs/invalid`, not companions) with a `contract`.
    func specsWithContracts() throws -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        let specs = root.appendingPathComponent("specs")
        for dir in try FileManager.default.contentsOfDirectory(atPath: specs.path) where !["invalid", "schema"].contains(dir) {
            let url = specs.appendingPathComponent(dir)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { continue }
            for name in names where name.hasSuffix(".json") && name.split(separator: ".").count == 2 {
                let data = try Data(contentsOf: url.appendingPathComponent(name))
                guard let spec = try? JSONParser().parseValue([UInt8](data)), let contract = spec["contract"] else { continue }
                out["specs/\(dir)/\(name)"] = contract
            }
        }
        return out
    }

    func testTheContractTableListsEverySpecWithAContract() throws {
        let docs = try String(contentsOf: root.appendingPathComponent("docs/contracts.md"), encoding: .utf8)
        let begin = try XCTUnwrap(docs.range(of: "<!-- contract-table:begin -->")), end = try XCTUnwrap(docs.range(of: "<!-- contract-table:end -->"))
        let rows = docs[begin.upperBound..<end.lowerBound].split(separator: "\n").filter { $0.hasPrefix("| `specs/") }
        let listed = Set(rows.compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) })
        let specs = try specsWithContracts()
        XCTAssertEqual(listed, Set(specs.keys), "docs/contracts.md's contract table and the specs with a contract differ")
    }

    func testEveryContractFileNamesItsSourceAndStoredDocumentsTheirLicence() throws {
        for (spec, contract) in try specsWithContracts() {
            let file = try XCTUnwrap(contract["openapi"]?.stringValue ?? contract["schema"]?.stringValue, spec)
            let url = root.appendingPathComponent(spec).deletingLastPathComponent().appendingPathComponent(file)
            let text = try String(contentsOf: url, encoding: .utf8)
            XCTAssertTrue(text.contains("https://"), "\(file) names no source URL")
            let doc = try JSONParser().parseValue(Array(text.utf8))
            if let source = doc["x-dspec-source"]?.objectValue {
                // A verbatim cut of a vendor document: repository, commit and licence text travel with it.
                XCTAssertEqual(source["commit"]?.stringValue?.count, 40, file)
                XCTAssertTrue(doc["x-dspec-licence"]?.stringValue?.contains("Permission is hereby granted") ?? false, "\(file) carries no licence text")
            }
        }
    }
}
