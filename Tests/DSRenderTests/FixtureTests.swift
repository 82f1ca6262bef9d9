import DSCompiler
import DSCore
import DSJSON
import DSPlan
@testable import DSRender
import Foundation
import XCTest

/// Golden fixtures: the committed `fixtures/` must match what the renderer produces for
/// `specs/examples` and `specs/catalog` (the library equivalent of `dspec render DIR --check` on both).
final class FixtureTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// An example spec and its companions, found by the layout convention.
    struct Example {
        var name: String
        var plan: DeliveryPlan
        var events: [EventRecord]
        var configuration: RenderConfiguration
        var secretValues: [String]
    }

    /// The folders whose specs own `fixtures/NAME/`: the examples and the vendor catalog.
    static let specFolders = ["specs/examples", "specs/catalog"]

    static func loadExamples() throws -> [Example] {
        try specFolders.flatMap { try loadExamples($0) }
    }

    static func loadExamples(_ folder: String) throws -> [Example] {
        let dir = root.appendingPathComponent(folder)
        guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { name in
            name.hasSuffix(".json") && !name.hasPrefix(".") && name.split(separator: ".").count == 2
        }.sorted()
        var examples: [Example] = []
        for file in names {
            let name = String(file.dropLast(5))
            let eventsURL = dir.appendingPathComponent(name + ".events.ndjson")
            guard FileManager.default.fileExists(atPath: eventsURL.path) else { continue }
            let source = SourceFile(path: file, bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent(file))))
            let diagnostics = DiagnosticCollector(source: source)
            guard let plan = SpecCompiler().compile(source, diagnostics: diagnostics).plan else {
                XCTFail("\(file) does not compile: \(diagnostics.sorted.filter { $0.severity == .error }.map(\.message))")
                continue
            }
            func json(_ suffix: String) throws -> JSONValue? {
                let url = dir.appendingPathComponent(name + suffix)
                guard FileManager.default.fileExists(atPath: url.path) else { return nil }
                return try JSONParser().parseValue([UInt8](try Data(contentsOf: url)))
            }
            let secrets = try json(".secrets.json")
            let values = secrets?.objectValue.map { $0.compactMap { $0.value.stringValue } } ?? []
            examples.append(Example(name: name, plan: plan, events: try EventStream.parse([UInt8](try Data(contentsOf: eventsURL))),
                                    configuration: try RenderConfiguration(settings: try json(".settings.json"), secrets: secrets), secretValues: values))
        }
        return examples
    }

    static func filesOnDisk(_ dir: URL) throws -> [String: [UInt8]] {
        guard FileManager.default.fileExists(atPath: dir.path) else { return [:] }
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where !name.hasPrefix(".") {
            files[name] = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
        }
        return files
    }

    func testCommittedFixturesMatchTheExamples() throws {
        let examples = try Self.loadExamples()
        XCTAssertFalse(examples.isEmpty, "no example specs with events found")
        var report = ""
        for example in examples {
            let set = try FixtureBuilder.build(plan: example.plan, events: example.events, configuration: example.configuration)
            XCTAssertFalse(set.run.requests.isEmpty, "\(example.name) renders no request")
            let dir = Self.root.appendingPathComponent("fixtures/\(example.name)")
            let drifts = FixtureComparison.compare(rendered: set.files, onDisk: try Self.filesOnDisk(dir))
            report += FixtureComparison.report(drifts, directory: "fixtures/\(example.name)")
        }
        let fixtureDirs = (try? FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("fixtures").path)) ?? []
        for dir in fixtureDirs where !dir.hasPrefix(".") && !examples.contains(where: { $0.name == dir }) {
            report += "extra: fixtures/\(dir)/ (no spec in \(Self.specFolders.joined(separator: " or ")) renders it)\n"
        }
        XCTAssertTrue(report.isEmpty, "fixtures drifted; run `swift run dspec render specs/examples` (or specs/catalog) and review:\n\(report)")
    }

    func testRenderingTwiceGivesIdenticalBytes() throws {
        for example in try Self.loadExamples() {
            for format in FixtureFormat.allCases {
                let options = FixtureOptions(format: format)
                let a = try FixtureBuilder.build(plan: example.plan, events: example.events, configuration: example.configuration, options: options)
                let b = try FixtureBuilder.build(plan: example.plan, events: example.events, configuration: example.configuration, options: options)
                XCTAssertEqual(a.files, b.files, "\(example.name) \(format)")
            }
        }
    }

    func testCheckDetectsAOneByteEditInATempCopy() throws {
        guard let example = try Self.loadExamples().first else { throw XCTSkip("no examples") }
        let set = try FixtureBuilder.build(plan: example.plan, events: example.events, configuration: example.configuration)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-fixture-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        for file in set.files { try Data(file.bytes).write(to: tmp.appendingPathComponent(file.name)) }
        XCTAssertEqual(FixtureComparison.compare(rendered: set.files, onDisk: try Self.filesOnDisk(tmp)), [])

        // Flip one byte inside the first file's URL line.
        let target = tmp.appendingPathComponent(set.files[0].name)
        var bytes = [UInt8](try Data(contentsOf: target))
        let index = try XCTUnwrap(bytes.firstIndex(of: UInt8(ascii: "h")))
        bytes[index] = UInt8(ascii: "H")
        try Data(bytes).write(to: target)
        let drifts = FixtureComparison.compare(rendered: set.files, onDisk: try Self.filesOnDisk(tmp))
        XCTAssertEqual(drifts.map(\.name), [set.files[0].name])
        guard case .changed(_, let diff) = drifts.first else { return XCTFail("expected a changed file") }
        XCTAssertTrue(diff.contains("\n-") && diff.contains("\n+") && diff.contains("@@ -"), diff)

        // Extra and missing files are drift too.
        try Data("{}".utf8).write(to: tmp.appendingPathComponent("999-stale.json"))
        try FileManager.default.removeItem(at: target)
        let more = FixtureComparison.compare(rendered: set.files, onDisk: try Self.filesOnDisk(tmp))
        XCTAssertTrue(more.contains(.missing(name: set.files[0].name)))
        XCTAssertTrue(more.contains(.extra(name: "999-stale.json")))
    }

    func testRedactedFixturesContainNoSecretValue() throws {
        var checked = 0
        for example in try Self.loadExamples() where !example.secretValues.isEmpty {
            for format in FixtureFormat.allCases {
                let set = try FixtureBuilder.build(plan: example.plan, events: example.events, configuration: example.configuration,
                                                   options: FixtureOptions(format: format, redact: true))
                let renderer = try RequestRenderer(plan: example.plan, configuration: example.configuration)
                var forbidden = example.secretValues + renderer.credentials.map(\.value)
                if example.plan.auth.isOAuth { forbidden.append(FixtureOptions.fixtureAccessToken) }
                for file in set.files {
                    let text = String(decoding: file.bytes, as: UTF8.self)
                    for value in forbidden where !value.isEmpty {
                        XCTAssertFalse(text.contains(value), "\(example.name)/\(file.name) contains a secret value")
                        XCTAssertFalse(text.contains(PercentEncoding.queryComponent(value)), "\(example.name)/\(file.name) contains an encoded secret")
                    }
                }
                // Specs whose secret only keys a signature have nothing to redact; the others must show the marker.
                let plain = try FixtureBuilder.build(plan: example.plan, events: example.events, configuration: example.configuration, options: FixtureOptions(format: format))
                let exposed = plain.files.contains { file in forbidden.contains { !$0.isEmpty && String(decoding: file.bytes, as: UTF8.self).contains($0) } }
                XCTAssertEqual(set.files.contains { String(decoding: $0.bytes, as: UTF8.self).contains("<redacted:") }, exposed, "\(example.name)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    func testRedactionCoversEscapedForms() {
        let redactor = FixtureRedactor(credentials: [RedactableCredential(name: "k", value: "a\"b c/d")])
        XCTAssertEqual(redactor.redact(#"{"x":"a\"b c/d"}"#), #"{"x":"<redacted:k>"}"#)
        XCTAssertEqual(redactor.redact("https://h/?key=a%22b%20c%2Fd"), "https://h/?key=<redacted:k>")
        XCTAssertEqual(redactor.redact("key=a%22b+c%2Fd"), "key=<redacted:k>")
    }

    func testFileNamesAndOutcomes() throws {
        XCTAssertEqual(FixtureEncoder.baseName(index: 0, firstEvent: TestPlans.trackEvent), "001-track-order-completed")
        XCTAssertEqual(FixtureEncoder.baseName(index: 41, firstEvent: TestPlans.event(#"{"type":"page","name":"Home / Landing"}"#)), "042-page-home-landing")
        XCTAssertEqual(FixtureEncoder.baseName(index: 2, firstEvent: TestPlans.event(#"{"type":"identify"}"#)), "003-identify")
        let plan = TestPlans.plan(events: PlanEvents(types: ["track"], names: nil, consent: []))
        let events = [EventRecord(line: 1, event: TestPlans.trackEvent), EventRecord(line: 3, event: TestPlans.event(#"{"type":"page","event_id":"p"}"#))]
        let set = try FixtureBuilder.build(plan: plan, events: events, configuration: RenderConfiguration())
        XCTAssertEqual(set.files.map(\.name), ["001-track-order-completed.json", "outcomes.json"])
        let outcomes = String(decoding: set.files[1].bytes, as: UTF8.self)
        XCTAssertEqual(outcomes, """
        {
          "failed": [],
          "filtered": [
            {
              "event_id": "p",
              "line": 3,
              "reason": "type \\"page\\" is not selected (events.types: track)"
            }
          ]
        }

        """)
        let fixture = try JSONParser().parseValue(set.files[0].bytes)
        XCTAssertEqual(fixture["headers"], [["Content-Type", "application/json"], ["User-Agent", "dspec/1.0"]])
        XCTAssertEqual(fixture["body_bytes"], .int(set.run.requests[0].body.count))
        XCTAssertEqual(fixture["environment"]?["timestamp"], .int(1_767_225_600))
    }

    func testHTTPFormat() throws {
        let plan = TestPlans.plan(body: .template(#"{"a": 1}"#))
        let set = try FixtureBuilder.build(plan: plan, events: [EventRecord(line: 1, event: TestPlans.trackEvent)], configuration: RenderConfiguration(),
                                           options: FixtureOptions(format: .http))
        let text = String(decoding: set.files[0].bytes, as: UTF8.self)
        XCTAssertEqual(set.files[0].name, "001-track-order-completed.http")
        XCTAssertTrue(text.hasSuffix("POST https://api.example.com/v1/events\nContent-Type: application/json\nUser-Agent: dspec/1.0\n\n{\"a\": 1}\n"), text)
    }

    func testLineDiffShowsChangedLinesWithContext() {
        let old = Array("a\nb\nc\nd\ne\nf\ng\nh\n".utf8), new = Array("a\nb\nc\nd\nE\nf\ng\nh\n".utf8)
        XCTAssertEqual(LineDiff.unified(old: old, new: new, oldLabel: "x (on disk)", newLabel: "x (rendered)"), """
        --- x (on disk)
        +++ x (rendered)
        @@ -2,7 +2,7 @@
         b
         c
         d
        -e
        +E
         f
         g
         h

        """)
    }
}

final class SecretRedactorTests: XCTestCase {
    func testEveryEncodedFormIsReplaced() {
        let r = SecretRedactor([SecretRedactor.Secret(name: "pw", value: "s3cr3t-value/+x")])
        XCTAssertEqual(r.redact("a s3cr3t-value/+x b"), "a <redacted:pw> b")
        XCTAssertEqual(r.redact("?k=s3cr3t-value%2F%2Bx&"), "?k=<redacted:pw>&")
        XCTAssertEqual(r.redact("?k=s3cr3t-value%2f%2bx&"), "?k=<redacted:pw>&")
        // Basic auth of user:secret, with the user unknown: the secret's own characters go.
        let basic = Data("someone:s3cr3t-value/+x".utf8).base64EncodedString()
        let redacted = r.redact("Authorization: Basic " + basic)
        XCTAssertTrue(redacted.contains("<redacted:pw>"), redacted)
        // What stays: the user's part and at most one mixed base64 group at each end.
        XCTAssertEqual(redacted, "Authorization: Basic c29tZW9uZTpz<redacted:pw>K3g=")
        XCTAssertEqual(SecretRedactor().redact("unchanged"), "unchanged")
    }

    func testLongerSecretsWinAndEmptyOnesAreIgnored() {
        let r = SecretRedactor([SecretRedactor.Secret(name: "short", value: "abcd"), SecretRedactor.Secret(name: "long", value: "abcdefgh"),
                                SecretRedactor.Secret(name: "empty", value: "")])
        XCTAssertEqual(r.redact("abcdefgh abcd"), "<redacted:long> <redacted:short>")
    }
}
