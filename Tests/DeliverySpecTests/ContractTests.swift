import DeliverySpec
import Foundation
import XCTest

/// Tracking plans (events in) and vendor contracts (requests out) through the drivers and the
/// CLI: lint positions, render and test failures, deliver's gate, `dspec schema validate`.
final class ContractTests: ScratchDirectoryTestCase {
    let root = CLIRunner.repositoryRoot
    var mixpanel: String { root.appendingPathComponent("specs/examples/mixpanel-import.json").path }

    /// The mixpanel example with one mapping line replaced.
    func mixpanelBytes(replacing old: String, with new: String) throws -> [UInt8] {
        let text = try String(contentsOfFile: mixpanel, encoding: .utf8)
        XCTAssertTrue(text.contains(old), "the example spec no longer contains \(old)")
        return Array(text.replacingOccurrences(of: old, with: new).utf8)
    }

    func testTrackingPlanMisspeltPropertyIsReportedAtItsPositionInTheTemplate() throws {
        let path = root.appendingPathComponent("specs/invalid/tracking-plan-misspelt-property.json").path
        let (results, problems) = LintRunner().lint(paths: [path])
        XCTAssertEqual(problems, [])
        let d = try XCTUnwrap(results.first?.diagnostics.first { $0.code == "DS1002" }, "no DS1002 finding")
        // Inside the JSON-escaped template string: {{properties.totl}} on line 15.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let line = text.components(separatedBy: "\n")[14]
        let column = try XCTUnwrap(line.range(of: "properties.totl")).lowerBound.utf16Offset(in: line) + 1
        XCTAssertEqual(d.location?.line, 15)
        XCTAssertEqual(d.location?.column, column)
        XCTAssertEqual(d.severity, .error, "the plan forbids other properties, so the misspelling can never read anything")
        XCTAssertTrue(d.message.contains("\"properties.totl\" is not in the tracking plan for Order Completed"), d.message)
        XCTAssertTrue(d.message.contains("did you mean \"total\"?"), d.message)
    }

    func testExampleWithContractsIsCleanAndItsTestsPass() throws {
        let (results, _) = LintRunner().lint(paths: [mixpanel])
        XCTAssertEqual(results.first?.diagnostics.filter { $0.severity != .note }.map(\.message) ?? ["no result"], [])
        let (suites, problems) = ConformanceLoader.load(mixpanel)
        XCTAssertEqual(problems.map(\.message), [])
        XCTAssertEqual(suites.count, 1)
    }

    func testOpenAPIContractFailsTestWhenTheMappingDropsARequiredField() throws {
        let bytes = try mixpanelBytes(replacing: #""$insert_id": {"@path": "event_id"},"#, with: "")
        let (suites, problems) = ConformanceLoader.load(mixpanel, sources: [mixpanel: bytes])
        XCTAssertEqual(suites.count, 0)
        let p = try XCTUnwrap(problems.first)
        XCTAssertTrue(p.isSpecError)
        XCTAssertTrue(p.message.contains(#"DS1003"#), p.message)
        XCTAssertTrue(p.message.contains(#"the mapping never writes "$insert_id", which the vendor contract (contracts/mixpanel-import.openapi.json POST /import (import-events)) requires"#), p.message)
    }

    /// Object modifiers (`@when`, `@drop_empty`) beside output fields leave the object an output
    /// object to the contract walk: its required fields are still checked, the modifiers are not fields.
    func testObjectModifiersKeepTheContractCheckOfTheirObject() throws {
        let modified = try mixpanelBytes(replacing: #""properties": {"#, with: #""properties": {"@drop_empty": false, "#)
        let (clean, cleanProblems) = ConformanceLoader.load(mixpanel, sources: [mixpanel: modified])
        XCTAssertEqual(cleanProblems.map(\.message), [])
        XCTAssertEqual(clean.count, 1)
        let text = String(decoding: modified, as: UTF8.self).replacingOccurrences(of: #""$insert_id": {"@path": "event_id"},"#, with: "")
        let (suites, problems) = ConformanceLoader.load(mixpanel, sources: [mixpanel: Array(text.utf8)])
        XCTAssertEqual(suites.count, 0)
        XCTAssertTrue(problems.first?.message.contains(#"the mapping never writes "$insert_id""#) ?? false, problems.map(\.message).joined(separator: "; "))
    }

    func testOpenAPIContractFailsTestCasesWhenARenderedRequestLacksARequiredField() throws {
        // Statically the field is written; the sample events have no traits, so no request carries it.
        let bytes = try mixpanelBytes(replacing: #""$insert_id": {"@path": "event_id"},"#, with: #""$insert_id": {"@path": "traits.insert_id"},"#)
        let (suites, problems) = ConformanceLoader.load(mixpanel, sources: [mixpanel: bytes])
        XCTAssertEqual(problems.map(\.message), [], "the suite runs; the cases that send such a request fail (ContractCaseTests)")
        XCTAssertEqual(suites.count, 1)
        // render still checks every rendered request and fails.
        let examples = root.appendingPathComponent("specs/examples")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("contracts"), withIntermediateDirectories: true)
        for name in ["mixpanel-import.tracking-plan.schema.json", "contracts/mixpanel-import.openapi.json"] {
            try FileManager.default.copyItem(at: examples.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let spec = try write("mixpanel-import.json", String(decoding: bytes, as: UTF8.self))
        let job = FixtureJob(specPath: spec, eventsPath: examples.appendingPathComponent("mixpanel-import.events.ndjson").path,
                             settingsPath: examples.appendingPathComponent("mixpanel-import.settings.json").path,
                             secretsPath: examples.appendingPathComponent("mixpanel-import.secrets.json").path,
                             fixtureDirectory: dir.appendingPathComponent("fixtures").path)
        guard case .contractViolations(let findings, _) = FixtureRunner(check: false).run(job) else { return XCTFail("expected contract violations") }
        let message = findings.map(\.message).joined(separator: "\n")
        XCTAssertTrue(message.contains(#"violates the vendor contract contracts/mixpanel-import.openapi.json POST /import (import-events): body /0/properties: is missing the required property "$insert_id""#), message)
        XCTAssertFalse(message.contains("test-"), "no secret value in the message")
    }

    func testRenderReportsSampleEventsThatBreakTheTrackingPlan() throws {
        let events = try String(contentsOfFile: root.appendingPathComponent("specs/examples/mixpanel-import.events.ndjson").path, encoding: .utf8)
        let broken = events.replacingOccurrences(of: #""total":131.95"#, with: #""total":-1"#)
        XCTAssertNotEqual(broken, events)
        let eventsPath = try write("events.ndjson", broken)
        let job = FixtureJob(specPath: mixpanel, eventsPath: eventsPath,
                             settingsPath: root.appendingPathComponent("specs/examples/mixpanel-import.settings.json").path,
                             secretsPath: root.appendingPathComponent("specs/examples/mixpanel-import.secrets.json").path,
                             fixtureDirectory: dir.appendingPathComponent("fixtures").path)
        guard case .contractViolations(let findings, _) = FixtureRunner(check: true).run(job) else { return XCTFail("expected contract violations") }
        XCTAssertEqual(findings.count, 1, findings.map(\.message).joined(separator: "\n"))
        XCTAssertTrue(findings[0].message.contains("events.ndjson:3: Order Completed"), findings[0].message)
        XCTAssertTrue(findings[0].message.contains("/properties/total: must be at least 0; got -1"), findings[0].message)
    }

    func testRenderCheckOfTheExamplesStillPasses() throws {
        let r = try CLIRunner.run(["render", "specs/examples/mixpanel-import.json", "--check"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    }

    func testDeliverDeadLettersOrCountsEventsThatBreakTheTrackingPlan() throws {
        let events = try String(contentsOfFile: root.appendingPathComponent("specs/examples/mixpanel-import.events.ndjson").path, encoding: .utf8)
        let eventsPath = try write("events.ndjson", events.replacingOccurrences(of: #""currency":"GBP","coupon""#, with: #""currency":"gbp","coupon""#))
        let settings = "specs/examples/mixpanel-import.settings.json", secrets = "specs/examples/mixpanel-import.secrets.json"
        let deadLetters = dir.appendingPathComponent("dead.ndjson").path
        let r = try CLIRunner.run(["deliver", "specs/examples/mixpanel-import.json", "--events", eventsPath, "--settings", settings, "--secrets", secrets,
                                   "--dry-run", "--dead-letter", deadLetters])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("dead-lettered 1"), r.stdout)
        XCTAssertTrue(r.stdout.contains("tracking plan: 1 event did not match (dead-lettered)"), r.stdout)
        let letter = try String(contentsOfFile: deadLetters, encoding: .utf8)
        XCTAssertTrue(letter.contains(#"tracking plan mixpanel-import.tracking-plan.schema.json: /properties/currency: must match the pattern"#), letter)

        let counted = try CLIRunner.run(["deliver", "specs/examples/mixpanel-import.json", "--events", eventsPath, "--settings", settings, "--secrets", secrets,
                                         "--dry-run", "--schema-violations", "count", "--format", "json"])
        XCTAssertEqual(counted.status, 0, counted.stdout + counted.stderr)
        XCTAssertTrue(counted.stdout.contains(#""dead_lettered":0"#), counted.stdout)
        XCTAssertTrue(counted.stdout.contains(#""schema_violations":1,"schema_violations_mode":"count""#), counted.stdout)

        let usage = try CLIRunner.run(["deliver", "specs/examples/mixpanel-import.json", "--events", eventsPath, "--schema-violations", "drop"])
        XCTAssertEqual(usage.status, 2)

        // A compiled plan carries no tracking plan; --tracking-plan names one.
        let plan = dir.appendingPathComponent("mixpanel.plan.json").path
        XCTAssertEqual(try CLIRunner.run(["compile", "specs/examples/mixpanel-import.json", "-o", plan]).status, 0)
        let fromPlan = try CLIRunner.run(["deliver", plan, "--events", eventsPath, "--settings", settings, "--secrets", secrets, "--dry-run",
                                          "--tracking-plan", "specs/examples/mixpanel-import.tracking-plan.schema.json"])
        XCTAssertEqual(fromPlan.status, 1, fromPlan.stdout + fromPlan.stderr)
        XCTAssertTrue(fromPlan.stdout.contains("tracking plan: 1 event did not match (dead-lettered)"), fromPlan.stdout)
        let noPlan = try CLIRunner.run(["deliver", plan, "--events", eventsPath, "--settings", settings, "--secrets", secrets, "--dry-run"])
        XCTAssertEqual(noPlan.status, 0, "without a tracking plan nothing is checked: " + noPlan.stdout + noPlan.stderr)
    }

    func testAContractFileThatIsNotARegularFileIsRefusedNotRead() throws {
        // /dev/zero would never end; a FIFO would block.
        let spec = try write("zero.json", """
        {"dspec": 1, "name": "zero", "events": {"schema": "/dev/zero"},
         "endpoint": {"url": "https://api.acme.example/v1/events"}, "payload": {"format": "json", "mapping": {"id": {"@path": "event_id"}}}}
        """)
        let (results, _) = LintRunner().lint(paths: [spec])
        let d = try XCTUnwrap(results.first?.diagnostics.first { $0.code == "DS1001" })
        XCTAssertEqual(d.message, #"cannot use "/dev/zero": /dev/zero: not a regular file"#)
        XCTAssertEqual(d.location?.line, 1)
    }

    func testSchemaValidateReportsInstancePositionsAndExitCodes() throws {
        let schema = try write("s.schema.json", #"{"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "n": {"type": "integer", "minimum": 1}}}"#)
        let good = try write("good.json", #"{"id": "a", "n": 2}"#)
        let bad = try write("bad.ndjson", "{\"id\": \"a\"}\n\n{\"id\": \"b\", \"n\": 0}\n{\"n\": 1}\n{\"id\": 1,\n")
        XCTAssertEqual(try CLIRunner.run(["schema", "validate", schema, good]).status, 0)
        let r = try CLIRunner.run(["schema", "validate", schema, good, bad, "--format", "json"])
        XCTAssertEqual(r.status, 1, r.stderr)
        let doc = try JSONParser().parseValue(Array(r.stdout.utf8))
        let findings = doc["diagnostics"]?.arrayValue ?? []
        let positions = findings.compactMap { f -> String? in
            guard let l = f["line"]?.numberValue?.intValue, let c = f["column"]?.numberValue?.intValue else { return nil }
            return "\(l):\(c) \(f["message"]?.stringValue ?? "")"
        }
        XCTAssertEqual(positions, ["3:18 /n: must be at least 1; got 0", #"4:1 /: is missing the required property "id""#,
                                   "5:10 expected a string key but found end of file"], r.stdout)
        XCTAssertEqual(try CLIRunner.run(["schema", "validate", schema, dir.appendingPathComponent("missing.json").path]).status, 2)
        let broken = try write("broken.schema.json", #"{"type": 12}"#)
        XCTAssertEqual(try CLIRunner.run(["schema", "validate", broken, good]).status, 2)
        XCTAssertEqual(try CLIRunner.run(["schema", "check", schema, good]).status, 2)
    }
}
