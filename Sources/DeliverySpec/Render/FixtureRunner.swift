import DSCompiler
import DSCore
import DSJSON
import DSRender
import DSRuntime
import DSRuntimePOSIX
import Foundation

/// One spec to render into fixtures, with its companions resolved.
public struct FixtureJob: Sendable {
    /// The spec file.
    public var specPath: String
    /// The NDJSON events file.
    public var eventsPath: String
    /// Settings JSON, if any.
    public var settingsPath: String?
    /// Secrets JSON, if any.
    public var secretsPath: String?
    /// The directory the spec's fixtures live in (`<out>/<spec-name>`).
    public var fixtureDirectory: String

    /// Creates a job.
    public init(specPath: String, eventsPath: String, settingsPath: String?, secretsPath: String?, fixtureDirectory: String) {
        self.specPath = specPath
        self.eventsPath = eventsPath
        self.settingsPath = settingsPath
        self.secretsPath = secretsPath
        self.fixtureDirectory = fixtureDirectory
    }
}

/// What happened to one job.
public enum FixtureJobResult: Sendable {
    /// The spec has errors; the lint result explains them.
    case compileErrors(LintFileResult)
    /// The spec could not be rendered (missing secret, required setting, ...).
    case renderFailed(String)
    /// An input could not be read or an output not written.
    case ioError(String)
    /// Fixtures were written (`removed`: stale files deleted).
    case written(FixtureSet, removed: [String])
    /// `--check`: the files on disk are identical.
    case upToDate(FixtureSet)
    /// `--check`: the files on disk differ.
    case drift(FixtureSet, [FixtureDrift])
    /// The sample events break the tracking plan or the rendered requests the vendor's
    /// request contract (`findings`, each with the instance pointer and the reason); `result`
    /// is what happened to the fixtures (written or compared as usual).
    indirect case contractViolations([ContractCheck.Finding], result: FixtureJobResult)
}

/// The `dspec render` driver: finds specs and their companions by the layout convention,
/// compiles, renders with ``FixtureBuilder`` and writes or checks `<out>/<spec-name>/`.
public struct FixtureRunner: Sendable {
    /// Rendering options (format, redaction).
    public var options: FixtureOptions
    /// Compare with disk instead of writing.
    public var check: Bool
    /// The compiler used.
    public var compiler = SpecCompiler()

    /// Creates a runner.
    public init(options: FixtureOptions = FixtureOptions(), check: Bool = false) {
        self.options = options
        self.check = check
    }

    /// A problem that makes the command unusable as invoked (exit code 2).
    public struct UsageProblem: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public var message: String
        public var description: String { message }
    }

    /// The jobs for a spec file or a directory. For a directory every spec with an events
    /// companion is a job and specs without one are listed in `skipped`; explicit companion
    /// paths are only accepted with a single spec.
    public static func jobs(for path: String, events: String? = nil, settings: String? = nil, secrets: String? = nil,
                            output: String = "fixtures") throws(UsageProblem) -> (jobs: [FixtureJob], skipped: [String]) {
        var isDirectory: ObjCBool = false
        guard path == "-" || FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw UsageProblem(message: "\(path): no such file or directory") }
        let fm = FileManager.default
        func existing(_ p: String) -> String? { fm.fileExists(atPath: p) ? p : nil }
        func fixtureDirectory(_ spec: String) -> String {
            if spec == "-" {
                // A spec on standard input has no file name: its fixtures are named after the spec.
                let name = (try? SourceLoader.load("-")).flatMap { try? JSONParser().parseValue($0.bytes)["name"]?.stringValue } ?? "stdin"
                return (output as NSString).appendingPathComponent(name.isEmpty || name.contains("/") || name.hasPrefix(".") ? "stdin" : name)
            }
            var name = PathText.lastComponent(spec)
            if name.hasSuffix(".json") { name = String(name.dropLast(5)) }
            return (output as NSString).appendingPathComponent(name)
        }
        if isDirectory.boolValue {
            if events != nil || settings != nil || secrets != nil {
                throw UsageProblem(message: "--events, --settings and --secrets apply to a single SPEC; a directory uses NAME.events.ndjson, NAME.settings.json and NAME.secrets.json")
            }
            let (files, problems) = SpecFileDiscovery.expand([path])
            if let p = problems.first { throw UsageProblem(message: "\(p.path): \(p.message)") }
            var jobs: [FixtureJob] = []
            var skipped: [String] = []
            for spec in files {
                guard let eventsPath = existing(SpecFileDiscovery.companion(of: spec, suffix: ".events.ndjson")) else { skipped.append(spec); continue }
                jobs.append(FixtureJob(specPath: spec, eventsPath: eventsPath,
                                       settingsPath: existing(SpecFileDiscovery.companion(of: spec, suffix: ".settings.json")),
                                       secretsPath: existing(SpecFileDiscovery.companion(of: spec, suffix: ".secrets.json")),
                                       fixtureDirectory: fixtureDirectory(spec)))
            }
            return (jobs, skipped)
        }
        if path == "-" && events == nil { throw UsageProblem(message: "a spec on standard input has no NAME.events.ndjson companion: pass --events EVENTS.ndjson") }
        if path == "-" && events == "-" { throw UsageProblem(message: "standard input (-) can be read only once: pass the spec or the events as a file") }
        let eventsPath = events ?? SpecFileDiscovery.companion(of: path, suffix: ".events.ndjson")
        guard eventsPath == "-" || fm.fileExists(atPath: eventsPath) else {
            throw UsageProblem(message: "\(eventsPath): no such events file (pass --events EVENTS.ndjson)")
        }
        return ([FixtureJob(specPath: path, eventsPath: eventsPath,
                            settingsPath: settings ?? existing(SpecFileDiscovery.companion(of: path, suffix: ".settings.json")),
                            secretsPath: secrets ?? existing(SpecFileDiscovery.companion(of: path, suffix: ".secrets.json")),
                            fixtureDirectory: fixtureDirectory(path))], [])
    }

    /// Compiles, renders and writes or checks one job.
    public func run(_ job: FixtureJob) -> FixtureJobResult {
        let source: SourceFile
        do {
            source = try SourceLoader.load(job.specPath)
        } catch {
            return .ioError(error.description)
        }
        let kind = InputDocument.kind(of: source.bytes, path: source.path)
        if kind == .plan || kind == .suite {
            return .renderFailed("this is \(kind.phrase), not a spec; dspec render takes the spec\(kind == .plan ? " the plan was compiled from" : " the suite names")")
        }
        let diagnostics = DiagnosticCollector(source: source)
        let compiled = compiler.compile(source, diagnostics: diagnostics, contractLoader: FileContractLoader(specPath: job.specPath))
        guard let plan = compiled.plan else {
            return .compileErrors(LintFileResult(path: source.path, diagnostics: diagnostics.sorted, source: source))
        }
        let events: [EventRecord]
        let configuration: RenderConfiguration
        do {
            events = try EventStream.parse(try read(job.eventsPath))
        } catch let error as EventStreamError {
            return .ioError(error.located(in: job.eventsPath))
        } catch {
            return .ioError("\(error)")
        }
        do {
            let settings = try job.settingsPath.map { p throws(CompanionFile.Failure) in try CompanionFile.object(p, what: "settings file") }
            let secrets = try job.secretsPath.map { p throws(CompanionFile.Failure) in try CompanionFile.object(p, what: "secrets file") }
            let unknown = CompanionFile.undeclaredKeys(settings: settings?.parsed, secrets: secrets?.parsed, plans: [plan])
            if !unknown.isEmpty { return .ioError(unknown.joined(separator: "\n")) }
            configuration = RenderConfiguration(settings: settings?.object ?? JSONObject(), secrets: secrets?.object ?? JSONObject())
        } catch {
            return .ioError(error.message)
        }
        let set: FixtureSet
        do {
            set = try FixtureBuilder.build(plan: plan, events: events, configuration: configuration, options: options)
        } catch {
            return .renderFailed(error.message)
        }
        let findings = compiled.contracts.isEmpty ? []
            : ContractCheck.run(plan: plan, contracts: compiled.contracts, events: events, eventsPath: job.eventsPath, configuration: configuration)
        let result = fixtures(set, job)
        if findings.isEmpty { return result }
        if case .ioError = result { return result }
        return .contractViolations(findings, result: result)
    }

    private func fixtures(_ set: FixtureSet, _ job: FixtureJob) -> FixtureJobResult {
        let onDisk: [String: [UInt8]]
        do {
            onDisk = try Self.readDirectory(job.fixtureDirectory)
        } catch {
            return .ioError("\(error)")
        }
        if check {
            let drifts = FixtureComparison.compare(rendered: set.files, onDisk: onDisk)
            return drifts.isEmpty ? .upToDate(set) : .drift(set, drifts)
        }
        do {
            let removed = try Self.write(set.files, to: job.fixtureDirectory, replacing: onDisk)
            return .written(set, removed: removed)
        } catch {
            return .ioError("\(error)")
        }
    }

    /// A read or write failure with a user-facing message.
    struct IOFailure: Error, CustomStringConvertible {
        let description: String
    }

    private func read(_ path: String) throws -> [UInt8] {
        do {
            return try SourceLoader.load(path).bytes
        } catch {
            throw IOFailure(description: error.description)
        }
    }

    /// The regular, non-hidden files directly in `directory` (empty if it does not exist).
    static func readDirectory(_ directory: String) throws -> [String: [UInt8]] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory) else { return [:] }
        guard isDirectory.boolValue else { throw IOFailure(description: "\(directory): exists and is not a directory") }
        var files: [String: [UInt8]] = [:]
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: directory)
        } catch {
            throw IOFailure(description: "\(directory): cannot list the directory")
        }
        for name in names where !name.hasPrefix(".") {
            let path = (directory as NSString).appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            // Only regular files are fixtures: reading a FIFO would block, and a device is
            // never a stale fixture to delete (it is written in place, see OutputFile).
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            guard let data = fm.contents(atPath: path) else { throw IOFailure(description: "\(path): unreadable") }
            files[name] = [UInt8](data)
        }
        return files
    }

    /// Writes `files` into `directory` (created if needed) and deletes the files there that
    /// are no longer produced, so a later `--check` passes. Returns the deleted names.
    static func write(_ files: [FixtureFile], to directory: String, replacing existing: [String: [UInt8]]) throws -> [String] {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw IOFailure(description: "\(directory): cannot create the directory")
        }
        for file in files where existing[file.name] != file.bytes {
            let path = (directory as NSString).appendingPathComponent(file.name)
            do {
                try OutputFile.write(file.bytes, to: path)
            } catch {
                throw IOFailure(description: error.message)
            }
        }
        let produced = Set(files.map(\.name))
        var removed: [String] = []
        for name in existing.keys.sorted() where !produced.contains(name) {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                try fm.removeItem(atPath: path)
            } catch {
                throw IOFailure(description: "\(path): cannot remove the stale fixture")
            }
            removed.append(name)
        }
        return removed
    }
}
