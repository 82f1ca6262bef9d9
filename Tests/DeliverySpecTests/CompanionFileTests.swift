import DeliverySpec
import Foundation
import XCTest

/// Settings and secrets files are checked against the spec's declarations, and a syntax
/// error in any companion file is reported as file:line:col.
final class CompanionFileTests: ScratchDirectoryTestCase {
    private let examples = CLIRunner.repositoryRoot.appendingPathComponent("specs/examples")

    override func setUpWithError() throws {
        try super.setUpWithError()
        for name in ["github-style-webhook", "custom-webhook"] {
            for suffix in [".json", ".events.ndjson", ".settings.json", ".secrets.json", ".suite.json"] {
                try FileManager.default.copyItem(at: examples.appendingPathComponent(name + suffix), to: dir.appendingPathComponent(name + suffix))
            }
        }
    }

    /// Every command that reads a spec's companions, run on `name`.
    private func runs(_ name: String) -> [[String]] {
        [
            ["render", "\(name).json", "-o", "out"],
            ["deliver", "\(name).json", "--events", "\(name).events.ndjson", "--settings", "\(name).settings.json", "--secrets", "\(name).secrets.json", "--dry-run"],
            ["test", "\(name).json", "--list"],
            ["diff", "\(name).json", "\(name).json"],
        ]
    }

    func testAnUnknownSettingIsAnErrorWithDidYouMean() throws {
        try write("github-style-webhook.settings.json", "{\n  \"receiver_hots\": \"hooks.example.com\"\n}\n")
        for args in runs("github-style-webhook") {
            let r = try CLIRunner.run(args, in: dir)
            XCTAssertEqual(r.status, 2, "dspec \(args.joined(separator: " ")): \(r.stdout)\n\(r.stderr)")
            XCTAssertTrue(r.stderr.contains("github-style-webhook.settings.json:2:3: error: unknown setting \"receiver_hots\"; did you mean \"receiver_host\"?"),
                          "dspec \(args.joined(separator: " ")): \(r.stderr)")
        }
    }

    func testAnUnknownSecretIsAnErrorWithDidYouMeanAndNoValue() throws {
        try write("custom-webhook.secrets.json", "{\"hmac_secert\": \"s3cr3t-value\"}")
        for args in runs("custom-webhook") {
            let r = try CLIRunner.run(args, in: dir)
            XCTAssertEqual(r.status, 2, "dspec \(args.joined(separator: " ")): \(r.stdout)\n\(r.stderr)")
            XCTAssertTrue(r.stderr.contains("custom-webhook.secrets.json:1:2: error: unknown secret \"hmac_secert\"; did you mean \"hmac_secret\"?"),
                          "dspec \(args.joined(separator: " ")): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("s3cr3t-value"))
        }
    }

    func testAMissingSecretNamesTheNearestGivenKey() throws {
        let source = try SourceLoader.load(examples.appendingPathComponent("custom-webhook.json").path)
        let plan = try XCTUnwrap(SpecCompiler().compile(source, diagnostics: DiagnosticCollector(source: source)).plan)
        let configuration = RenderConfiguration(settings: JSONObject(), secrets: JSONObject([("hmac_secert", .string("s3cr3t-value"))]))
        XCTAssertThrowsError(try RequestRenderer(plan: plan, configuration: configuration)) { error in
            let message = (error as? RenderError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("secret \"hmac_secret\" has no value"), message)
            XCTAssertTrue(message.contains("it has \"hmac_secert\": did you mean \"hmac_secret\"?"), message)
            XCTAssertFalse(message.contains("s3cr3t-value"))
        }
    }

    func testAMissingOAuthSecretNamesTheNearestGivenKey() throws {
        let source = try SourceLoader.load(examples.appendingPathComponent("hubspot-crm.json").path)
        let plan = try XCTUnwrap(SpecCompiler().compile(source, diagnostics: DiagnosticCollector(source: source)).plan)
        let templates = CredentialTemplates(plan: plan, settings: JSONObject(), secrets: JSONObject([("client_secert", .string("s3cr3t-value"))]))
        XCTAssertThrowsError(try templates.resolve("{{@secrets.client_secret}}", field: "client_secret")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("secret \"client_secret\" has no value"), message)
            XCTAssertTrue(message.contains("it has \"client_secert\": did you mean \"client_secret\"?"), message)
            XCTAssertFalse(message.contains("s3cr3t-value"))
        }
    }

    func testSyntaxErrorsInCompanionFilesHaveFileLineColumn() throws {
        try write("github-style-webhook.settings.json", "{\n  \"receiver_host\": \"x\",\n}\n")
        try write("ok.json", #"{"routes": [{"responses": [{"status": 200}]}]}"#)
        for args in runs("github-style-webhook") + [["mock", "--scenario", "ok.json", "--plan", "github-style-webhook.json"]] {
            let r = try CLIRunner.run(args, in: dir)
            XCTAssertEqual(r.status, 2, "dspec \(args.joined(separator: " ")): \(r.stdout)\n\(r.stderr)")
            XCTAssertTrue(r.stderr.contains("github-style-webhook.settings.json:3:1: error:"), "dspec \(args.joined(separator: " ")): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("cannot read a JSON object"), r.stderr)
        }
        try write("custom-webhook.suite.json", "{\"cases\": [\n  {\"name\": \"a\" \"expect\": {}}]}")
        let suite = try CLIRunner.run(["test", "custom-webhook.suite.json"], in: dir)
        XCTAssertEqual(suite.status, 2)
        XCTAssertTrue(suite.stderr.contains("custom-webhook.suite.json:2:16: error:"), suite.stderr)
        try write("scenario.json", "{\"routes\": [\n\n  {\"path\" \"/x\"}]}")
        let mock = try CLIRunner.run(["mock", "--scenario", "scenario.json"], in: dir)
        XCTAssertEqual(mock.status, 2)
        XCTAssertTrue(mock.stderr.contains("scenario.json:3:11: error:"), mock.stderr)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("custom-webhook.suite.json"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("fixtures/custom-webhook"), withIntermediateDirectories: true)
        try write("fixtures/custom-webhook/001-x.json", "{\"method\": POST}")
        let fixture = try CLIRunner.run(["test", "custom-webhook.json", "--list"], in: dir)
        XCTAssertEqual(fixture.status, 2)
        XCTAssertTrue(fixture.stderr.contains("fixtures/custom-webhook/001-x.json:1:12: error:"), fixture.stderr)
    }

    func testEventsFileErrorsHaveFileLineColumn() throws {
        try write("github-style-webhook.events.ndjson", "{\"type\": \"track\"}\n\n  {\"a\": tru}\n")
        for args in [["render", "github-style-webhook.json", "-o", "out"], ["test", "github-style-webhook.json", "--list"],
                     ["diff", "github-style-webhook.json", "github-style-webhook.json"]] {
            let r = try CLIRunner.run(args, in: dir)
            XCTAssertEqual(r.status, 2, "dspec \(args.joined(separator: " ")): \(r.stdout)\n\(r.stderr)")
            XCTAssertTrue(r.stderr.contains("github-style-webhook.events.ndjson:3:9: error: not valid JSON"), "dspec \(args.joined(separator: " ")): \(r.stderr)")
        }
    }
}
