import DeliverySpec
import DSLanguageServer
import Foundation
import XCTest

/// The session driven message by message with an in-memory file system and a virtual clock.
final class LanguageServerSessionTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let dir = "/ws/specs/examples"
    static let specURI = "file:///ws/specs/examples/typo.json"

    func sample(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Self.root.appendingPathComponent("Tests/lsp/sample/\(name)")))
    }

    func makeSession(files extra: [String: [UInt8]] = [:]) throws -> LanguageServerSession {
        var files: [String: [UInt8]] = [
            "/ws/specs/schema/delivery-spec.schema.json": Array(try Data(contentsOf: Self.root.appendingPathComponent("specs/schema/delivery-spec.schema.json"))),
            "\(Self.dir)/typo.events.ndjson": try sample("typo.events.ndjson"),
            "\(Self.dir)/typo.settings.json": try sample("typo.settings.json"),
        ]
        for (k, v) in extra { files[k] = v }
        let snapshot = files
        let env = LanguageServerEnvironment(
            diagnose: { path, bytes, lookup in EditorDiagnostics.diagnose(path: path, bytes: bytes, lookup: lookup) },
            readFile: { snapshot[$0] })
        return LanguageServerSession(environment: env, debounce: 0.5)
    }

    func send(_ s: LanguageServerSession, _ message: JSONValue, now: Double = 0) -> [JSONValue] {
        s.receive(JSONWriter.bytes(message), now: now)
    }

    func initialize(_ s: LanguageServerSession) {
        _ = send(s, ["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": ["capabilities": [:]]])
        _ = send(s, ["jsonrpc": "2.0", "method": "initialized", "params": [:]])
    }

    func open(_ s: LanguageServerSession, uri: String = specURI, text: String) -> [JSONValue] {
        send(s, ["jsonrpc": "2.0", "method": "textDocument/didOpen",
                 "params": ["textDocument": ["uri": .string(uri), "languageId": "json", "version": 1, "text": .string(text)]]])
    }

    func request(_ s: LanguageServerSession, _ method: String, uri: String = specURI, line: Int, character: Int) -> JSONValue? {
        send(s, ["jsonrpc": "2.0", "id": 7, "method": .string(method),
                 "params": ["textDocument": ["uri": .string(uri)], "position": ["line": .int(line), "character": .int(character)]]]).first?["result"]
    }

    func specText() throws -> String { String(decoding: try sample("typo.json"), as: UTF8.self) }

    /// Line and character of the first occurrence of `needle` (ASCII text).
    func at(_ text: String, _ needle: String, plus: Int = 0) -> (Int, Int) {
        let before = text.components(separatedBy: needle)[0]
        let lines = before.components(separatedBy: "\n")
        return (lines.count - 1, lines.last!.utf16.count + plus)
    }

    // MARK: protocol robustness

    func testRequestsBeforeInitializeMalformedJSONAndUnknownMethods() throws {
        let s = try makeSession()
        let early = send(s, ["jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": [:]])
        XCTAssertEqual(early.first?["error"]?["code"], .int(-32002))
        XCTAssertEqual(s.receive(Array("{not json".utf8), now: 0).first?["error"]?["code"], .int(-32700))
        XCTAssertEqual(s.receive(Array("[1,2]".utf8), now: 0).first?["error"]?["code"], .int(-32600))
        XCTAssertEqual(s.receive(Array("42".utf8), now: 0).first?["error"]?["code"], .int(-32600))
        XCTAssertEqual(send(s, ["jsonrpc": "2.0", "id": ["x": 1], "method": "initialize"]).first?["error"]?["code"], .int(-32600))
        initialize(s)
        let unknown = send(s, ["jsonrpc": "2.0", "id": "u1", "method": "workspace/frobnicate", "params": [:]])
        XCTAssertEqual(unknown.first?["error"]?["code"], .int(-32601))
        XCTAssertEqual(unknown.first?["id"], "u1")
        XCTAssertEqual(send(s, ["jsonrpc": "2.0", "method": "$/somethingNew", "params": [:]]), [])
        // Requests about documents that are not open, or with params of the wrong shape, answer null.
        XCTAssertEqual(send(s, ["jsonrpc": "2.0", "id": 9, "method": "textDocument/hover", "params": 5]).first?["result"], .null)
        XCTAssertEqual(send(s, ["jsonrpc": "2.0", "id": 10, "method": "textDocument/didOpen", "params": [:]]).first?["error"]?["code"], .int(-32601))
        XCTAssertEqual(send(s, ["jsonrpc": "2.0", "id": 11, "method": "shutdown"]).first?["result"], .null)
        XCTAssertEqual(send(s, ["jsonrpc": "2.0", "id": 12, "method": "textDocument/hover"]).first?["error"]?["code"], .int(-32600))
        XCTAssertNil(s.exitCode)
        _ = send(s, ["jsonrpc": "2.0", "method": "exit"])
        XCTAssertEqual(s.exitCode, 0)
    }

    func testExitWithoutShutdownIsOne() throws {
        let s = try makeSession()
        initialize(s)
        _ = send(s, ["jsonrpc": "2.0", "method": "exit"])
        XCTAssertEqual(s.exitCode, 1)
    }

    // MARK: diagnostics

    func testDiagnosticsOnOpenMatchLintAndChangesAreDebounced() throws {
        let s = try makeSession()
        initialize(s)
        let text = try specText()
        let published = open(s, text: text)
        XCTAssertEqual(published.count, 1)
        let diagnostics = published[0]["params"]?["diagnostics"]?.arrayValue ?? []
        let lint = LintRunner().lint(SourceFile(path: "\(Self.dir)/typo.json", text: text)).diagnostics
        XCTAssertEqual(diagnostics.count, lint.count)
        XCTAssertEqual(diagnostics.first?["code"], "DS0101")
        let (line, character) = at(text, "\"timout_ms\"")
        XCTAssertEqual(diagnostics.first?["range"], ["start": ["line": .int(line), "character": .int(character)],
                                                    "end": ["line": .int(line), "character": .int(character + 11)]])
        XCTAssertEqual(diagnostics.first?["message"]?.stringValue, lint[0].message + "\n" + (lint[0].hint ?? ""))
        XCTAssertEqual(diagnostics.first?["data"]?["suggestion"], "timeout_ms")

        // A change: nothing until the debounce passes; the fixed text then has no findings.
        let fixed = text.replacingOccurrences(of: "timout_ms", with: "timeout_ms")
        let change: JSONValue = ["jsonrpc": "2.0", "method": "textDocument/didChange",
                                 "params": ["textDocument": ["uri": .string(Self.specURI), "version": 2], "contentChanges": [["text": .string(fixed)]]]]
        XCTAssertEqual(send(s, change, now: 10), [])
        XCTAssertEqual(s.nextDeadline, 10.5)
        XCTAssertEqual(s.due(now: 10.49), [])
        // A second change inside the window pushes the deadline.
        XCTAssertEqual(send(s, change, now: 10.3), [])
        XCTAssertEqual(s.due(now: 10.6), [])
        let later = s.due(now: 10.8)
        XCTAssertEqual(later.count, 1)
        XCTAssertEqual(later[0]["params"]?["diagnostics"], .array([]))
        XCTAssertEqual(later[0]["params"]?["version"], 2)
        XCTAssertNil(s.nextDeadline)
    }

    func testRangesAreUTF16AfterNonASCII() throws {
        let s = try makeSession()
        initialize(s)
        let text = "{\"dspec\": 1, \"name\": \"\u{1F600}\u{00E9}\", \"nmae\": 2}"
        let d = open(s, text: text)[0]["params"]?["diagnostics"]?.arrayValue ?? []
        let typo = d.first { $0["message"]?.stringValue?.contains("nmae") == true }
        // Characters before "nmae": {"dspec": 1, "name": " (22) + emoji (2 units) + é (1) + ", " (3) = 28.
        XCTAssertEqual(typo?["range"]?["start"], ["line": 0, "character": 28])
    }

    func testCompanionSettingsFileUnknownKey() throws {
        let s = try makeSession(files: ["\(Self.dir)/typo.json": try sample("typo.json")])
        initialize(s)
        let d = open(s, uri: "file:///ws/specs/examples/typo.settings.json", text: "{\"regoin\": \"us\"}")[0]["params"]?["diagnostics"]?.arrayValue ?? []
        XCTAssertEqual(d.count, 1)
        XCTAssertEqual(d.first?["code"], "DS0101")
        XCTAssertEqual(d.first?["data"]?["suggestion"], "region")
        XCTAssertEqual(d.first?["range"]?["start"], ["line": 0, "character": 1])
        // A secrets file's values never appear in a message.
        let secrets = open(s, uri: "file:///ws/specs/examples/typo.secrets.json", text: "{\"api_kye\": \"sk_live_SECRETVALUE\"}")
        let text = JSONWriter.string(secrets[0])
        XCTAssertTrue(text.contains("api_key"), text)
        XCTAssertFalse(text.contains("SECRETVALUE"), text)
    }

    func testSuiteFileProblemAtItsKey() throws {
        let s = try makeSession()
        initialize(s)
        let text = "{\"cases\": [\n  {\"name\": \"a\", \"expekt\": {}}\n]}"
        let d = open(s, uri: "file:///ws/specs/examples/typo.suite.json", text: text)[0]["params"]?["diagnostics"]?.arrayValue ?? []
        XCTAssertEqual(d.count, 1, "\(d)")
        XCTAssertEqual(d.first?["code"], "DS0101")
        XCTAssertEqual(d.first?["data"]?["suggestion"], "expect")
        XCTAssertEqual(d.first?["range"]?["start"], ["line": 1, "character": 16])
        XCTAssertEqual(d.first?["range"]?["end"], ["line": 1, "character": 24])
    }

    /// A mock scenario (by its `.scenario.json` name, or by its `"routes"` when named
    /// otherwise): the problem `dspec mock --scenario` reports, at its key or value.
    func testScenarioFileProblemsAtTheirPointers() throws {
        let s = try makeSession()
        initialize(s)
        let typo = "{\"routes\": [\n  {\"path\": \"/v1\", \"responses\": [{\"status\": 429, \"dlay_ms\": 5}]}\n]}"
        let d = open(s, uri: "file:///ws/mock/retry.scenario.json", text: typo)[0]["params"]?["diagnostics"]?.arrayValue ?? []
        XCTAssertEqual(d.count, 1, "\(d)")
        XCTAssertEqual(d.first?["code"], "DS0101")
        XCTAssertEqual(d.first?["data"]?["suggestion"], "delay_ms")
        XCTAssertEqual(d.first?["data"]?["pointer"], "/routes/0/responses/0/dlay_ms")
        XCTAssertTrue(d.first?["message"]?.stringValue?.hasPrefix("unknown key (allowed: ") ?? false, "\(d)")
        XCTAssertEqual(d.first?["range"]?["start"], ["line": 1, "character": 48])
        XCTAssertEqual(d.first?["range"]?["end"], ["line": 1, "character": 57])
        // A bad value, in a file classified by its content: at the value, with the mock's message.
        let bad = "{\"name\": \"x\",\n \"default\": {\"status\": 700}, \"routes\": []}"
        let v = open(s, uri: "file:///ws/mock/other.json", text: bad)[0]["params"]?["diagnostics"]?.arrayValue ?? []
        XCTAssertEqual(v.count, 1, "\(v)")
        XCTAssertEqual(v.first?["code"], "scenario")
        XCTAssertEqual(v.first?["data"]?["pointer"], "/default/status")
        XCTAssertEqual(v.first?["range"]?["start"], ["line": 1, "character": 13])
        // Not JSON: the parser's diagnostic, as for any file.
        let broken = open(s, uri: "file:///ws/mock/broken.scenario.json", text: "{\"routes\": [}")[0]["params"]?["diagnostics"]?.arrayValue ?? []
        XCTAssertEqual(broken.count, 1, "\(broken)")
        XCTAssertTrue(broken.first?["code"]?.stringValue?.hasPrefix("DS000") ?? false, "\(broken)")
        // A valid scenario has none.
        let ok = "{\"routes\": [{\"path\": \"/v1\", \"responses\": [{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}}, {\"status\": 200}]}]}"
        XCTAssertEqual(open(s, uri: "file:///ws/mock/ok.scenario.json", text: ok)[0]["params"]?["diagnostics"], [])
    }

    /// Sample events: lines render/deliver refuse, and events the tracking plan rejects (DS1006).
    func testEventsFileLinesAndTrackingPlan() throws {
        let plan = Array(#"{"type": "object", "properties": {"properties": {"type": "object", "properties": {"sku": {"type": "string"}}}}}"#.utf8)
        let spec = Array(#"{"dspec": 1, "name": "t", "events": {"schema": "plan.schema.json"}}"#.utf8)
        let s = try makeSession(files: ["\(Self.dir)/plan.schema.json": plan, "\(Self.dir)/typo.json": spec])
        initialize(s)
        let events = [
            #"{"event": "Order Completed", "properties": {"sku": 5}}"#,
            #"{"event": "x", "#,
            #"[1, 2]"#,
            "",
            #"{"event": "ok", "properties": {"sku": "A-1"}}"#,
        ].joined(separator: "\n")
        let d = open(s, uri: "file:///ws/specs/examples/typo.events.ndjson", text: events)[0]["params"]?["diagnostics"]?.arrayValue ?? []
        XCTAssertEqual(d.count, 3, "\(d)")
        guard d.count == 3 else { return }
        XCTAssertEqual(d[0]["code"], "DS1006")
        XCTAssertEqual(d[0]["data"]?["pointer"], "/properties/sku")
        XCTAssertEqual(d[0]["range"]?["start"], ["line": 0, "character": 51])
        XCTAssertTrue(d[0]["message"]?.stringValue?.contains("Order Completed does not match the tracking plan plan.schema.json: /properties/sku") ?? false, "\(d[0])")
        XCTAssertTrue(d[1]["code"]?.stringValue?.hasPrefix("DS000") ?? false, "\(d[1])")
        XCTAssertEqual(d[1]["range"]?["start"]?["line"], 1)
        XCTAssertEqual(d[2]["code"], "DS0102")
        XCTAssertEqual(d[2]["range"]?["start"], ["line": 2, "character": 0])
        XCTAssertTrue(d[2]["message"]?.stringValue?.contains("an event must be a JSON object, not") ?? false, "\(d[2])")
        // Without a tracking plan only the malformed lines are reported.
        let t = try makeSession(files: ["\(Self.dir)/typo.json": Array(#"{"dspec": 1, "name": "t"}"#.utf8)])
        initialize(t)
        let plain = open(t, uri: "file:///ws/specs/examples/typo.events.ndjson", text: events)[0]["params"]?["diagnostics"]?.arrayValue ?? []
        XCTAssertEqual(plain.count, 2, "\(plain)")
    }

    // MARK: features

    func testCodeActionsApplySuggestionAndAddSuppression() throws {
        let s = try makeSession()
        initialize(s)
        let text = try specText()
        _ = open(s, text: text)
        let (line, character) = at(text, "\"timout_ms\"", plus: 2)
        let result = send(s, ["jsonrpc": "2.0", "id": 5, "method": "textDocument/codeAction",
                              "params": ["textDocument": ["uri": .string(Self.specURI)],
                                         "range": ["start": ["line": .int(line), "character": .int(character)], "end": ["line": .int(line), "character": .int(character)]],
                                         "context": ["diagnostics": []]]]).first?["result"]?.arrayValue ?? []
        XCTAssertEqual(result.count, 2)
        let replace = result[0]["edit"]?["changes"]?[Self.specURI]?.arrayValue?.first
        XCTAssertEqual(replace?["newText"], "\"timeout_ms\"")
        XCTAssertEqual(result[0]["isPreferred"], true)
        let suppress = result[1]["edit"]?["changes"]?[Self.specURI]?.arrayValue?.first
        XCTAssertEqual(suppress?["range"]?["start"], ["line": 0, "character": 1])
        // Applying the suppression gives a spec in which the finding is reported as suppressed.
        let newText = suppress?["newText"]?.stringValue ?? ""
        XCTAssertTrue(newText.contains("\"reason\":\"TODO: why this finding is accepted\""), newText)
        var bytes = Array(text.utf8)
        bytes.insert(contentsOf: Array(newText.utf8), at: 1)
        let after = LintRunner().lint(SourceFile(path: "\(Self.dir)/typo.json", bytes: bytes)).diagnostics
        XCTAssertEqual(after.filter { $0.suppression == nil }.count, 0, "\(after)")
        XCTAssertEqual(after.first?.suppression, "TODO: why this finding is accepted")
    }

    func testCompletion() throws {
        let s = try makeSession()
        initialize(s)
        var text = try specText()
        text = text.replacingOccurrences(of: "\"timout_ms\": 5000", with: "\"ti")
        text = text.replacingOccurrences(of: "\"dspec\": 1,", with: "\"dspec\": 1,\n  \"lint\": {\"suppress\": [{\"rule\": \"DS03\"}]},")
        // Opened while valid, then half typed: declarations come from the last text that parsed.
        _ = open(s, text: try specText())
        _ = send(s, ["jsonrpc": "2.0", "method": "textDocument/didChange",
                     "params": ["textDocument": ["uri": .string(Self.specURI), "version": 2], "contentChanges": [["text": .string(text)]]]])
        let (kl, kc) = at(text, "\"ti", plus: 3)
        let keys = request(s, "textDocument/completion", line: kl, character: kc)?.arrayValue?.compactMap { $0["label"]?.stringValue } ?? []
        XCTAssertTrue(keys.contains("timeout_ms"), "\(keys)")
        XCTAssertTrue(keys.contains("query"), "\(keys)")
        XCTAssertFalse(keys.contains("dspec"), "\(keys)")

        let (rl, rc) = at(text, "DS03", plus: 4)
        let rules = request(s, "textDocument/completion", line: rl, character: rc)?.arrayValue?.compactMap { $0["label"]?.stringValue } ?? []
        XCTAssertTrue(rules.contains("DS0311"), "\(rules)")

        let (tl, tc) = at(text, "{{@settings.region", plus: 5)  // after "{{@se"
        let vars = request(s, "textDocument/completion", line: tl, character: tc)?.arrayValue ?? []
        let labels = vars.compactMap { $0["label"]?.stringValue }
        for expected in ["@settings.region", "@secrets.api_key", "properties.total", "event", "user_id"] {
            XCTAssertTrue(labels.contains(expected), "\(expected) missing in \(labels)")
        }
        let edit = vars.first { $0["label"] == "@settings.region" }?["textEdit"]
        XCTAssertEqual(edit?["range"]?["start"], ["line": .int(tl), "character": .int(tc - 3)])
    }

    func testTemplateCompletionOffersTrackingPlanFields() throws {
        let plan = Array(#"{"type": "object", "properties": {"properties": {"type": "object", "properties": {"sku": {"type": "string", "description": "Stock unit."}}}}}"#.utf8)
        let s = try makeSession(files: ["\(Self.dir)/plan.schema.json": plan])
        initialize(s)
        let text = #"{"dspec": 1, "name": "t", "events": {"schema": "plan.schema.json"}, "headers": {"X": "{{prop"}}"#
        _ = open(s, text: text)
        let items = request(s, "textDocument/completion", line: 0, character: text.utf16.count - 3)?.arrayValue ?? []
        let sku = items.first { $0["label"] == "properties.sku" }
        XCTAssertEqual(sku?["detail"], "event field (tracking plan)", "\(items.compactMap { $0["label"]?.stringValue })")
        XCTAssertEqual(sku?["documentation"]?["value"], "Stock unit.")
    }

    func testHoverAndDefinition() throws {
        let s = try makeSession()
        initialize(s)
        let text = try specText()
        _ = open(s, text: text)
        // A field's documentation from the schema.
        let (fl, fc) = at(text, "\"method\"", plus: 2)
        let field = request(s, "textDocument/hover", line: fl, character: fc)?["contents"]?["value"]?.stringValue ?? ""
        XCTAssertTrue(field.contains("/endpoint/method"), field)
        // A template: what it renders for the first sample event, the secret redacted.
        let (hl, hc) = at(text, "{{event}} by", plus: 3)
        let rendered = request(s, "textDocument/hover", line: hl, character: hc)?["contents"]?["value"]?.stringValue ?? ""
        XCTAssertTrue(rendered.contains("Order Completed by user-1042 key [secret api_key]"), rendered)
        // Settings come from the settings file over the default.
        let (ul, uc) = at(text, "https://{{", plus: 3)
        let url = request(s, "textDocument/hover", line: ul, character: uc)?["contents"]?["value"]?.stringValue ?? ""
        XCTAssertTrue(url.contains("https://eu.api.example.com/track"), url)  // typo.settings.json sets "regoin", not "region"
        // Definition of {{@secrets.api_key}} and {{@settings.region}}.
        let (dl, dc) = at(text, "@secrets.api_key", plus: 10)
        let def = request(s, "textDocument/definition", line: dl, character: dc)
        let (kl, kc) = at(text, "\"api_key\"")
        XCTAssertEqual(def?["uri"], .string(Self.specURI))
        XCTAssertEqual(def?["range"]?["start"], ["line": .int(kl), "character": .int(kc)])
        let (sl, sc) = at(text, "@settings.region")
        let sdef = request(s, "textDocument/definition", line: sl, character: sc + 2)
        let (rl, rc) = at(text, "\"region\"")
        XCTAssertEqual(sdef?["range"]?["start"], ["line": .int(rl), "character": .int(rc)])
        XCTAssertEqual(request(s, "textDocument/definition", line: 0, character: 0), .null)
    }

    /// Hover on a setting or secret reference shows its declaration; never a secret's value.
    func testHoverOnSettingAndSecretReferenceShowsTheDeclaration() throws {
        let s = try makeSession(files: ["\(Self.dir)/typo.secrets.json": try sample("typo.secrets.json")])
        initialize(s)
        let text = try specText()
        _ = open(s, text: text)
        let (sl, sc) = at(text, "@settings.region", plus: 12)
        let setting = request(s, "textDocument/hover", line: sl, character: sc)?["contents"]?["value"]?.stringValue ?? ""
        XCTAssertTrue(setting.hasPrefix("**@settings.region**: setting declared in `/settings`"), setting)
        XCTAssertTrue(setting.contains("type: `string`"), setting)
        XCTAssertTrue(setting.contains("default: `\"eu\"`"), setting)
        XCTAssertTrue(setting.contains("Data region of the account."), setting)
        let (kl, kc) = at(text, "@secrets.api_key", plus: 12)
        let secret = request(s, "textDocument/hover", line: kl, character: kc)?["contents"]?["value"]?.stringValue ?? ""
        XCTAssertTrue(secret.hasPrefix("**@secrets.api_key**: secret declared in `/secrets`"), secret)
        XCTAssertTrue(secret.contains("Server-side API key."), secret)
        XCTAssertFalse(secret.contains("sk_test_not_a_real_key"), secret)
    }

    func testHoverOnRuleCode() throws {
        let s = try makeSession()
        initialize(s)
        let text = "{\"dspec\": 1, \"lint\": {\"suppress\": [{\"rule\": \"DS0311\", \"reason\": \"x\"}]}}"
        _ = open(s, text: text)
        let value = request(s, "textDocument/hover", line: 0, character: 50)?["contents"]?["value"]?.stringValue ?? ""
        XCTAssertTrue(value.contains("DS0311"), value)
        XCTAssertTrue(value.contains(RuleCatalog.descriptor("DS0311")?.summary ?? "?"), value)
    }
}

/// Half-typed and mangled documents: every request at every kind of position answers
/// without trapping (a seeded walk, the same every run).
final class LanguageServerRobustnessTests: XCTestCase {
    func testMangledDocumentsAndPositionsNeverTrap() throws {
        let root = LanguageServerSessionTests.root
        let sample = Array(try Data(contentsOf: root.appendingPathComponent("Tests/lsp/sample/typo.json")))
        let schema = Array(try Data(contentsOf: root.appendingPathComponent("specs/schema/delivery-spec.schema.json")))
        let env = LanguageServerEnvironment(
            diagnose: { path, bytes, lookup in EditorDiagnostics.diagnose(path: path, bytes: bytes, lookup: lookup) },
            readFile: { $0 == "/ws/specs/schema/delivery-spec.schema.json" ? schema : nil })
        let s = LanguageServerSession(environment: env, debounce: 0)
        _ = s.receive(Array(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#.utf8), now: 0)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(1, n)))
        }
        let pieces: [[UInt8]] = ["{", "}", "[", "]", "\"", ":", ",", "{{", "}}", "@secrets.", "\\", "\u{1F600}", "\n", "DS0", "\u{00E9}"].map { Array($0.utf8) }
        let uri = "file:///ws/specs/examples/typo.json"
        for round in 0..<300 {
            var bytes = sample
            for _ in 0..<(1 + next(6)) {
                let at = next(bytes.count + 1)
                if next(2) == 0 { bytes.insert(contentsOf: pieces[next(pieces.count)], at: at) } else if at < bytes.count {
                    bytes.removeSubrange(at..<min(bytes.count, at + 1 + next(20)))
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let method = round == 0 ? "textDocument/didOpen" : "textDocument/didChange"
            let params: JSONValue = round == 0
                ? ["textDocument": ["uri": .string(uri), "version": 1, "text": .string(text)]]
                : ["textDocument": ["uri": .string(uri), "version": .int(round)], "contentChanges": [["text": .string(text)]]]
            _ = s.receive(JSONWriter.bytes(["jsonrpc": "2.0", "method": .string(method), "params": params]), now: Double(round))
            _ = s.due(now: Double(round) + 1)
            for m in ["textDocument/completion", "textDocument/hover", "textDocument/definition", "textDocument/codeAction"] {
                let line = next(30), character = next(120)
                let pos: JSONValue = ["line": .int(line), "character": .int(character)]
                let p: JSONValue = ["textDocument": ["uri": .string(uri)], "position": pos, "range": ["start": pos, "end": ["line": .int(line + next(3)), "character": .int(next(200))]],
                                    "context": ["diagnostics": []]]
                let reply = s.receive(JSONWriter.bytes(["jsonrpc": "2.0", "id": .int(round), "method": .string(m), "params": p]), now: Double(round))
                XCTAssertEqual(reply.count, 1)
                XCTAssertNil(reply.first?["error"])
            }
        }
    }
}
