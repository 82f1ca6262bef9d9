import DSCompiler
import DSConformance
import DSCore
import DSJSON
import DSRender
import Foundation

/// Finds and reads conformance suites for `dspec test SUITE|SPEC|DIR`: compiles each spec,
/// reads its companions (settings, secrets, events) and golden fixtures, reads the suite's
/// files and prepends the standard battery. All of the harness's file I/O happens here.
///
/// - A `.suite.json` file: that suite.
/// - A spec: its `NAME.suite.json` beside it if there is one, else the standard battery.
/// - A directory: every suite in it (recursively), plus the standard battery for every spec
///   no suite names.
public enum ConformanceLoader {
    /// A suite or spec that could not be loaded (exit code 2 territory, or 1 for a spec with
    /// errors; the CLI decides).
    public struct Problem: Error, Sendable, CustomStringConvertible {
        /// The file.
        public var path: String
        /// What is wrong (may span lines: compiler diagnostics).
        public var message: String
        /// True when the spec has compile errors (a finding), false for unreadable input.
        public var isSpecError: Bool

        public var description: String { message.hasPrefix(path + ":") ? message : "\(path): \(message)" }
    }

    /// The suites for `path`. `sources` replaces the bytes of named spec files (tests edit
    /// specs in memory this way); keys are paths as the loader resolves them (standardized).
    public static func load(_ path: String, sources: [String: [UInt8]] = [:]) -> (suites: [ConformanceSuite], problems: [Problem]) {
        let overrides = Dictionary(sources.map { (standard($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
        if path == "-" {
            // A spec on standard input: the standard battery (no companions to find).
            switch loadStandard(path, overrides) {
            case .success(let s): return ([s], [])
            case .failure(let p): return ([], [p])
            }
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            return ([], [Problem(path: path, message: "no such file or directory", isSpecError: false)])
        }
        var suites: [ConformanceSuite] = []
        var problems: [Problem] = []
        func add(_ result: Result<ConformanceSuite, Problem>) {
            switch result {
            case .success(let s): suites.append(s)
            case .failure(let p): problems.append(p)
            }
        }
        if !isDir.boolValue {
            if path.hasSuffix(".suite.json") || kind(of: path, overrides) == .suite {
                add(loadSuite(path, overrides))
            } else {
                let companion = SpecFileDiscovery.companion(of: path, suffix: ".suite.json")
                add(FileManager.default.fileExists(atPath: companion) ? loadSuite(companion, overrides) : loadStandard(path, overrides))
            }
            return (suites, problems)
        }
        var suiteFiles: [String] = []
        if let e = FileManager.default.enumerator(atPath: path) {
            while let rel = e.nextObject() as? String {
                let name = PathText.lastComponent(rel)
                if name.hasPrefix(".") { e.skipDescendants(); continue }
                if name.hasSuffix(".suite.json") { suiteFiles.append(FilePaths.join(path, rel)) }
            }
        }
        var covered: Set<String> = []
        for file in suiteFiles.sorted() {
            let result = loadSuite(file, overrides)
            if case .success(let s) = result, let spec = s.spec.sourcePath { covered.insert(standard(spec)) }
            if case .failure(let p) = result, p.isSpecError, let spec = specPath(ofSuite: file) { covered.insert(standard(spec)) }
            add(result)
        }
        let (specs, missing) = SpecFileDiscovery.expand([path])
        problems += missing.map { Problem(path: $0.path, message: $0.message, isSpecError: false) }
        for spec in specs where !covered.contains(standard(spec)) { add(loadStandard(spec, overrides)) }
        return (suites, problems)
    }

    private static func standard(_ path: String) -> String { FilePaths.absolute(path) }

    /// What a named file is (nil if unreadable: loading it reports why).
    private static func kind(of path: String, _ overrides: [String: [UInt8]]) -> InputKind? {
        if let bytes = overrides[standard(path)] { return InputDocument.kind(of: bytes, path: path) }
        return (try? SourceLoader.load(path)).map { InputDocument.kind(of: $0.bytes, path: path) }
    }

    /// Why `dspec test` refuses a file that is not a spec or a suite, and what to pass.
    static func refusal(_ kind: InputKind) -> String {
        "this is \(kind.phrase), not a suite or a spec. dspec test takes a SPEC (NAME.json; a NAME.suite.json beside it is used too), "
            + "a NAME.suite.json or a DIR\(kind == .plan ? ": pass the spec this plan was compiled from" : "")"
    }

    /// The spec a suite names, without reading the suite's other parts.
    private static func specPath(ofSuite file: String) -> String? {
        guard let data = FileManager.default.contents(atPath: file), let doc = try? JSONParser().parseValue([UInt8](data)) else { return nil }
        let dir = FilePaths.directory(ofTyped: file)
        let base = String(FilePaths.name(file).dropLast(".suite.json".count))
        return FilePaths.join(dir, doc["spec"]?.stringValue ?? base + ".json")
    }

    /// A spec alone: the standard battery.
    private static func loadStandard(_ specPath: String, _ overrides: [String: [UInt8]]) -> Result<ConformanceSuite, Problem> {
        loadSpec(specPath, settings: nil, secrets: nil, events: nil, fixtures: nil, overrides).map {
            ConformanceSuite(name: $0.name, spec: $0, cases: StandardBattery.cases(for: $0))
        }
    }

    private static func loadSuite(_ file: String, _ overrides: [String: [UInt8]]) -> Result<ConformanceSuite, Problem> {
        let doc: SuiteDocument
        do {
            doc = try SuiteDocument(json: try CompanionFile.parse(file).value)
        } catch let error as SuiteError {
            return .failure(Problem(path: file, message: error.description, isSpecError: false))
        } catch let error as CompanionFile.Failure {
            return .failure(Problem(path: file, message: error.message, isSpecError: false))
        } catch {
            return .failure(Problem(path: file, message: "\(error)", isSpecError: false))
        }
        let dir = FilePaths.directory(ofTyped: file)
        func resolve(_ p: String?) -> String? { p.map { FilePaths.join(dir, $0) } }
        let base = String(FilePaths.name(file).dropLast(".suite.json".count))
        let specPath = resolve(doc.spec) ?? FilePaths.join(dir, base + ".json")
        let spec: SpecUnderTest
        switch loadSpec(specPath, settings: resolve(doc.settings), secrets: resolve(doc.secrets), events: resolve(doc.events), fixtures: resolve(doc.fixtures), overrides) {
        case .success(let s): spec = s
        case .failure(let p): return .failure(p)
        }
        var cases = doc.standard ? StandardBattery.cases(for: spec) : []
        for var c in doc.cases {
            if case .file(let rel) = c.events {
                switch readEvents(resolve(rel)!) {
                case .success(let records): c.events = .inline(records.map(\.event))
                case .failure(let p): return .failure(p)
                }
            }
            // A suite case named like a battery case replaces it (to tune its expectations).
            if let i = cases.firstIndex(where: { $0.name == c.name }) { cases[i] = c } else { cases.append(c) }
        }
        return .success(ConformanceSuite(name: doc.name ?? spec.name, spec: spec, cases: cases))
    }

    /// Compiles a spec and reads its companions; explicit paths win over the convention.
    static func loadSpec(_ path: String, settings: String?, secrets: String?, events: String?, fixtures: String?,
                         _ overrides: [String: [UInt8]]) -> Result<SpecUnderTest, Problem> {
        let source: SourceFile
        if let bytes = overrides[standard(path)] {
            source = SourceFile(path: path, bytes: bytes)
        } else {
            do { source = try SourceLoader.load(path) } catch { return .failure(Problem(path: path, message: error.message, isSpecError: false)) }
        }
        let kind = InputDocument.kind(of: source.bytes, path: path)
        if kind == .plan || kind == .suite { return .failure(Problem(path: path, message: refusal(kind), isSpecError: false)) }
        let diagnostics = DiagnosticCollector(source: source)
        let compiled = SpecCompiler().compile(source, diagnostics: diagnostics, contractLoader: FileContractLoader(specPath: path))
        guard let plan = compiled.plan else {
            let reporter = TextReporter()
            let text = diagnostics.sorted.filter { $0.suppression == nil && $0.severity == .error }.prefix(5).map { reporter.format($0, source: source) }
            return .failure(Problem(path: path, message: "the spec has errors\n" + text.joined(separator: "\n"), isSpecError: true))
        }
        func existing(_ explicit: String?, _ suffix: String) -> String? {
            if let explicit { return explicit }
            let p = SpecFileDiscovery.companion(of: path, suffix: suffix)
            return FileManager.default.fileExists(atPath: p) ? p : nil
        }
        var objects: [JSONObject] = []
        var parsed: [CompanionFile.Parsed?] = []
        for (file, what) in [(existing(settings, ".settings.json"), "settings file"), (existing(secrets, ".secrets.json"), "secrets file")] {
            guard let file else { objects.append(JSONObject()); parsed.append(nil); continue }
            do {
                let read = try CompanionFile.object(file, what: what)
                objects.append(read.object)
                parsed.append(read.parsed)
            } catch {
                return .failure(Problem(path: file, message: error.message, isSpecError: false))
            }
        }
        let unknown = CompanionFile.undeclaredKeys(settings: parsed[0], secrets: parsed[1], plans: [plan])
        if !unknown.isEmpty {
            return .failure(Problem(path: path, message: "its companion files name what the spec does not declare\n" + unknown.joined(separator: "\n"), isSpecError: false))
        }
        var records: [EventRecord] = [EventRecord(line: 1, event: sampleEvent(plan.events))]
        if let file = existing(events, ".events.ndjson") {
            switch readEvents(file) {
            case .success(let r): records = r
            case .failure(let p): return .failure(p)
            }
        }
        if let tracking = compiled.contracts.trackingPlan {
            // The sample events against the tracking plan: a mismatch fails the spec before any
            // case runs (the cases would dead-letter the event). The vendor contract is checked
            // per case on what the vendor receives (`requestCheck` below).
            let eventsLabel = existing(events, ".events.ndjson") ?? "sample event"
            var secretValues: [String: String] = [:]
            for (k, v) in objects[1] { if let s = v.stringValue { secretValues[k] = s } }
            let findings = ContractCheck.events(records, plan: tracking, eventsPath: eventsLabel, redactor: SecretRedactor(values: secretValues))
            if !findings.isEmpty {
                return .failure(Problem(path: path, message: "the spec breaks its contracts\n" + findings.map(\.message).joined(separator: "\n"), isSpecError: true))
            }
        }
        let base = String(FilePaths.name(path).dropLast(path.hasSuffix(".json") ? 5 : 0))
        let fixtureSet: GoldenFixtures?
        switch readFixtures(fixtures ?? findFixtures(base, near: path), explicit: fixtures != nil) {
        case .success(let f): fixtureSet = f
        case .failure(let p): return .failure(p)
        }
        var spec = SpecUnderTest(name: plan.name, plan: plan, settings: objects[0], secrets: objects[1], events: records, fixtures: fixtureSet,
                                 sourcePath: path)
        if let tracking = compiled.contracts.trackingPlan {
            // Cases run with deliver's default gate: an event the tracking plan rejects is dead-lettered.
            let gate = TrackingPlanGate(plan: tracking, mode: .deadLetter)
            spec.eventCheck = { gate.check($0) }
        }
        if let contract = compiled.contracts.request {
            spec.requestCheck = ContractCheck.conformance(contract)
        }
        return .success(spec)
    }

    private static func readEvents(_ file: String) -> Result<[EventRecord], Problem> {
        guard let data = FileManager.default.contents(atPath: file) else { return .failure(Problem(path: file, message: "cannot read the events file", isSpecError: false)) }
        do { return .success(try EventStream.parse([UInt8](data))) } catch { return .failure(Problem(path: file, message: error.located(in: file), isSpecError: false)) }
    }

    /// `fixtures/NAME` in the working directory, else in the nearest ancestor of the spec's
    /// directory that has one (`specs/examples/x.json` finds `fixtures/x` at the repo root).
    private static func findFixtures(_ name: String, near spec: String) -> String? {
        var candidates = ["fixtures/" + name]
        // Walk up from the spec's absolute directory: the shape the user typed ("./x.json",
        // "../x.json", ".") must not matter.
        var dir = FilePaths.parent(spec)
        for _ in 0..<8 {
            candidates.append(FilePaths.join(dir, "fixtures/" + name))
            let up = FilePaths.parent(dir)
            if up == dir { break }
            dir = up
        }
        var isDir: ObjCBool = false
        return candidates.first { FileManager.default.fileExists(atPath: $0, isDirectory: &isDir) && isDir.boolValue }
    }

    private static func readFixtures(_ dir: String?, explicit: Bool) -> Result<GoldenFixtures?, Problem> {
        guard let dir else { return .success(nil) }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            return explicit ? .failure(Problem(path: dir, message: "cannot read the fixture directory", isSpecError: false)) : .success(nil)
        }
        var requests: [GoldenFixtures.Request] = []
        var outcomes: JSONValue?
        for name in names.sorted() where name.hasSuffix(".json") {
            let file = FilePaths.join(dir, name)
            let value: JSONValue
            do { value = try CompanionFile.parse(file).value } catch { return .failure(Problem(path: file, message: "golden fixture: \(error.message)", isSpecError: false)) }
            if name == "outcomes.json" { outcomes = value } else { requests.append(GoldenFixtures.Request(name: name, value: value)) }
        }
        return .success(GoldenFixtures(directory: dir, requests: requests, outcomes: outcomes))
    }

    /// A sample event the plan selects, for a spec without an events file: the compiler's
    /// canonical sample with the first selected type and name and every required consent.
    static func sampleEvent(_ selection: PlanEvents) -> JSONValue {
        guard case .object(var o) = CanonicalEvent.sample else { return CanonicalEvent.sample }
        let type = selection.types.first ?? "track"
        o["type"] = .string(type)
        if type == "track", let name = selection.names?.first { o["event"] = .string(name) }
        if case .object(var context)? = o["context"] {
            context["consent"] = .object(JSONObject([("categories", .array(selection.consent.map { .string($0) }))]))
            o["context"] = .object(context)
        }
        return .object(o)
    }
}
