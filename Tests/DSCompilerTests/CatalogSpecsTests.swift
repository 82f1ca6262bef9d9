import DSCompiler
import DSCore
import DSJSON
import DSPlan
import Foundation
import XCTest

/// The vendor catalog (`specs/catalog` and `specs/examples`, docs/catalog.md): every spec lints
/// clean, compiles deterministically, keeps secrets out of its plan, has every companion file
/// and cites the public document it was written from.
final class CatalogSpecsTests: XCTestCase {
    private func compile(_ url: URL) throws -> (CompilationResult, DiagnosticCollector) {
        let source = SourceFile(path: url.path, bytes: [UInt8](try Data(contentsOf: url)))
        let diagnostics = DiagnosticCollector(source: source)
        return (SpecCompiler().compile(source, diagnostics: diagnostics), diagnostics)
    }

    private var catalogSpecs: [URL] { RepositoryPaths.specs(in: RepositoryPaths.catalog) }

    func testTheCatalogHasAtLeastThirtyVendorSpecs() {
        let all = catalogSpecs + RepositoryPaths.specs(in: RepositoryPaths.examples)
        XCTAssertGreaterThanOrEqual(all.count, 30, "docs/catalog.md promises 30 specs across specs/catalog and specs/examples")
    }

    /// Fixtures are keyed by spec name alone (`fixtures/NAME/`), so a name may occur in only one folder.
    func testNamesAreUniqueAcrossBothFolders() {
        let catalog = Set(catalogSpecs.map { $0.deletingPathExtension().lastPathComponent })
        let examples = Set(RepositoryPaths.specs(in: RepositoryPaths.examples).map { $0.deletingPathExtension().lastPathComponent })
        XCTAssertEqual(catalog.intersection(examples), [])
    }

    func testEverySpecLintsCleanAndNamesItsFile() throws {
        XCTAssertFalse(catalogSpecs.isEmpty)
        for url in catalogSpecs {
            let (result, diagnostics) = try compile(url)
            let active = diagnostics.sorted.filter { $0.suppression == nil }
            XCTAssertTrue(active.isEmpty, "\(url.lastPathComponent):\n" + active.map { "\($0.code) \($0.location?.description ?? "") \($0.message)" }.joined(separator: "\n"))
            let plan = try XCTUnwrap(result.plan, url.lastPathComponent)
            XCTAssertEqual(plan.name + ".json", url.lastPathComponent)
        }
    }

    func testEverySpecHasItsCompanionsAndFixtures() {
        for url in catalogSpecs {
            let name = url.deletingPathExtension().lastPathComponent
            for suffix in [".events.ndjson", ".settings.json", ".secrets.json", ".suite.json"] {
                let companion = RepositoryPaths.catalog.appendingPathComponent(name + suffix)
                XCTAssertTrue(FileManager.default.fileExists(atPath: companion.path), "\(name) lacks \(name)\(suffix)")
            }
            let fixtures = RepositoryPaths.root.appendingPathComponent("fixtures/" + name)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
            XCTAssertTrue(files.contains { $0.hasPrefix("001-") }, "\(name) has no golden fixture under fixtures/\(name)/")
        }
    }

    /// Each spec is written from a public document: its description names the page.
    func testEveryDescriptionCitesTheVendorsDocumentation() throws {
        for url in catalogSpecs {
            guard case .object(let members) = try JSONParser().parseValue([UInt8](try Data(contentsOf: url))),
                  let description = members.first(where: { $0.key == "description" })?.value.stringValue else {
                XCTFail("\(url.lastPathComponent) has no description"); continue
            }
            XCTAssertTrue(description.contains("Written from"), "\(url.lastPathComponent): the description says which document it follows")
            XCTAssertNotNil(description.range(of: #"[a-z0-9-]+(\.[a-z0-9-]+)+/[^ ]+"#, options: .regularExpression),
                            "\(url.lastPathComponent): the description cites a page (host/path)")
        }
    }

    func testCompileIsByteIdenticalAndRoundTrips() throws {
        for url in catalogSpecs {
            let plan = try XCTUnwrap(try compile(url).0.plan, url.lastPathComponent)
            XCTAssertEqual(try XCTUnwrap(try compile(url).0.plan).canonicalJSON, plan.canonicalJSON, url.lastPathComponent)
            let reread = try DeliveryPlan(json: try JSONParser().parseValue(plan.canonicalJSON))
            XCTAssertEqual(reread, plan, url.lastPathComponent)
        }
    }

    /// No test secret value appears in a plan (string secrets, and each line of a key file).
    func testNoSecretValueAppearsInAPlan() throws {
        var checked = 0
        for url in catalogSpecs {
            let secretsURL = url.deletingPathExtension().appendingPathExtension("secrets.json")
            guard let data = try? Data(contentsOf: secretsURL),
                  case .object(let secrets) = try JSONParser().parseValue([UInt8](data)) else { continue }
            let text = String(decoding: try XCTUnwrap(try compile(url).0.plan).canonicalJSON, as: UTF8.self)
            for (name, value) in secrets {
                guard case .string(let s) = value, s.count >= 6 else { continue }
                XCTAssertFalse(text.contains(s), "\(url.lastPathComponent): secret \(name) appears in the plan")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 10)
    }
}

/// Fields that carry JSON inside a string (Snowplow's ue_pr, Pub/Sub's base64 data, ...) are
/// built by templates; Foundation's JSON parser, independent of dspec's, must read them back as
/// the documents the vendors expect.
final class CatalogEmbeddedJSONTests: XCTestCase {
    /// The first fixture's body; a body sent with a vendor content type is stored as its text.
    private func fixtureBodyValue(_ name: String) throws -> Any {
        let dir = RepositoryPaths.root.appendingPathComponent("fixtures/" + name)
        let file = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().first { $0.hasPrefix("001-") })
        let fixture = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(file))) as? [String: Any])
        let body = try XCTUnwrap(fixture["body"])
        if let text = body as? String { return try JSONSerialization.jsonObject(with: Data(text.utf8)) }
        return body
    }

    private func fixtureBody(_ name: String) throws -> [String: Any] {
        try XCTUnwrap(try fixtureBodyValue(name) as? [String: Any])
    }

    private func events(_ name: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: RepositoryPaths.catalog.appendingPathComponent(name + ".events.ndjson"), encoding: .utf8)
        return try text.split(separator: "\n").map { try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    func testSnowplowUnstructEventIsASelfDescribingJSONString() throws {
        let data = try XCTUnwrap(try fixtureBody("snowplow-tracker")["data"] as? [[String: Any]])
        let unstruct = data.compactMap { $0["ue_pr"] as? String }
        XCTAssertEqual(unstruct.count, 2, "one ue_pr per track event")
        for text in unstruct {
            let outer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            XCTAssertEqual(outer["schema"] as? String, "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0")
            let inner = try XCTUnwrap(outer["data"] as? [String: Any])
            XCTAssertEqual(inner["schema"] as? String, "iglu:com.example/dspec_event/jsonschema/1-0-0")
            XCTAssertNotNil((inner["data"] as? [String: Any])?["properties"] as? [String: Any])
        }
        for element in data { for (key, value) in element { XCTAssertTrue(value is String, "tracker protocol field \(key) must be a string") } }
    }

    func testPubSubDataIsTheBase64EncodedEvent() throws {
        let messages = try XCTUnwrap(try fixtureBody("google-pubsub-publish")["messages"] as? [[String: Any]])
        let input = try events("google-pubsub-publish")
        XCTAssertEqual(messages.count, input.count)
        for (message, event) in zip(messages, input) {
            let bytes = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(message["data"] as? String)))
            let decoded = try XCTUnwrap(try JSONSerialization.jsonObject(with: bytes) as? NSDictionary)
            XCTAssertEqual(decoded, event as NSDictionary)
        }
    }

    func testEventBridgeDetailIsAJSONObjectString() throws {
        let entries = try XCTUnwrap(try fixtureBody("aws-eventbridge-put-events")["Entries"] as? [[String: Any]])
        let tracks = try events("aws-eventbridge-put-events").filter { $0["type"] as? String == "track" }
        XCTAssertEqual(entries.count, tracks.count)
        for (entry, event) in zip(entries, tracks) {
            let detail = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(entry["Detail"] as? String).utf8)) as? NSDictionary)
            XCTAssertEqual(detail["event_id"] as? String, event["event_id"] as? String)
            XCTAssertEqual(detail["properties"] as? NSDictionary, event["properties"] as? NSDictionary)
        }
    }

    func testEventHubsBodyIsTheEventAsAString() throws {
        let messages = try XCTUnwrap(try fixtureBodyValue("azure-event-hubs-batch") as? [[String: Any]])
        let input = try events("azure-event-hubs-batch")
        XCTAssertEqual(messages.count, input.count)
        for (message, event) in zip(messages, input) {
            let body = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(message["Body"] as? String).utf8)) as? NSDictionary)
            XCTAssertEqual(body, event as NSDictionary)
        }
    }
}
