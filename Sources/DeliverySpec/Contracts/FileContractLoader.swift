import DSCompiler
import DSConformance
import DSCore
import DSJSON
import DSSchema
import Foundation

/// The driver's ``ContractLoader``: reads tracking-plan, schema and OpenAPI files relative to
/// the spec's directory, reports a syntax error at its file:line:col, and serves `file://`
/// references between schema files (never the network).
public struct FileContractLoader: ContractLoader {
    /// The directory paths in the spec are relative to.
    public let directory: String

    /// Compiled contracts shared with other loaders (nil: every spec compiles its own).
    public let cache: CompiledContractCache?

    /// A loader for the spec at `specPath` (standard input: the current directory); `cache`
    /// shares compiled contracts between the specs of one run (`dspec lint DIR`).
    public init(specPath: String, cache: CompiledContractCache? = nil) {
        directory = specPath == "-" || specPath == "<stdin>" ? "." : FilePaths.deletingLastComponent(specPath)
        self.cache = cache
    }

    /// The path of a file named in the spec, as the loader reads it.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : FilePaths.join(directory.isEmpty ? "." : directory, path)
    }

    public func load(_ path: String) -> ContractFile {
        let full = resolve(path)
        // Only regular files: a device or FIFO named as a schema would block or never end.
        var st = stat()
        if stat(full, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            return .failed("\(full): not a regular file")
        }
        do {
            let parsed = try CompanionFile.parse(full)
            return .loaded(parsed.value, baseURI: Self.fileURI(full))
        } catch {
            return .failed(error.message.hasPrefix(full) ? error.message : "\(full): \(error.message)")
        }
    }

    public func loadCompiled<Result: Sendable>(_ path: String, _ compilation: ContractCompilation<Result>) -> CompiledContractFile<Result> {
        guard let cache else { return uncachedLoadCompiled(path, compilation) }
        let full = resolve(path)
        var st = stat()
        if stat(full, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            return .failed("\(full): not a regular file")
        }
        // The file's bytes are read every time: a cached result is used only for the same
        // bytes (and the same bytes of every file its `$ref`s reached), never stale.
        guard let source = try? SourceLoader.load(full) else { return uncachedLoadCompiled(path, compilation) }
        // Standardizing a path is a Foundation call costing more than a small schema's
        // compilation; a run asks the same few paths a thousand times.
        let baseURI = cache.uri(of: full, Self.fileURI)
        let key = compilation.kind + "\u{0}" + baseURI
        if let hit = cache.lookup(key, bytes: source.bytes, current: Self.currentBytes), let result = hit as? Result {
            return .compiled(result)
        }
        let parsed: CompanionFile.Parsed
        do { parsed = try CompanionFile.parse(source) } catch {
            return .failed(error.message.hasPrefix(full) ? error.message : "\(full): \(error.message)")
        }
        let recorder = RecordingResolver(self)
        let result = compilation.compile(parsed.value, baseURI, recorder)
        cache.store(key, bytes: source.bytes, dependencies: recorder.reads, result: result)
        return .compiled(result)
    }

    private func uncachedLoadCompiled<Result: Sendable>(_ path: String, _ compilation: ContractCompilation<Result>) -> CompiledContractFile<Result> {
        switch load(path) {
        case .loaded(let value, let base): return .compiled(compilation.compile(value, base, self))
        case .failed(let message): return .failed(message)
        }
    }

    public func schemaDocument(for uri: String) -> JSONValue? {
        guard let path = Self.regularFile(uri) else { return nil }
        return try? CompanionFile.parse(path).value
    }

    /// The path of a `file://` URI naming a regular file.
    static func regularFile(_ uri: String) -> String? {
        guard uri.hasPrefix("file://") else { return nil }
        let path = String(uri.dropFirst("file://".count))
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return path
    }

    /// The bytes ``schemaDocument(for:)`` would parse for `uri` now (nil: it would find none).
    static func currentBytes(_ uri: String) -> [UInt8]? {
        guard let path = regularFile(uri) else { return nil }
        return try? SourceLoader.load(path).bytes
    }

    static func fileURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FilePaths.join(FileManager.default.currentDirectoryPath, path)
        return "file://" + (absolute as NSString).standardizingPath
    }
}

/// Checks sample events against the tracking plan and rendered requests against the vendor's
/// request contract (`dspec render`, `dspec test`). Messages name the event or request, the
/// instance pointer and the schema's reason; secret values are redacted.
public enum ContractCheck {
    /// One failure, ready to print.
    public struct Finding: Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Every sample event the tracking plan rejects.
    public static func events(_ records: [EventRecord], plan: TrackingPlan, eventsPath: String, redactor: SecretRedactor = SecretRedactor()) -> [Finding] {
        var out: [Finding] = []
        for record in records {
            guard let (schema, errors) = plan.violations(of: record.event) else { continue }
            let name = record.event["event"]?.stringValue ?? record.event["type"]?.stringValue ?? "event"
            for e in errors.prefix(8) {
                out.append(Finding(message: redactor.redact("\(eventsPath):\(record.line): \(name) (\(record.event["event_id"]?.stringValue ?? "no event_id")) does not match the tracking plan \(schema.path): \(e.instanceLocation.isEmpty ? "/" : e.instanceLocation): \(e.message) (schema #\(e.keywordLocation))")))
            }
        }
        return out
    }

    /// Every rendered request the contract rejects.
    public static func requests(_ requests: [RenderedRequest], contract: RequestContract, redactor: SecretRedactor = SecretRedactor()) -> [Finding] {
        var out: [Finding] = []
        for (i, r) in requests.enumerated() {
            let problems = check(r, contract)
            let ids = r.eventIDs.prefix(3).joined(separator: ", ") + (r.eventIDs.count > 3 ? ", ..." : "")
            for v in problems.prefix(8) {
                out.append(Finding(message: redactor.redact("request \(i + 1) (\(r.method) for event\(r.eventIDs.count == 1 ? "" : "s") \(ids)) violates the vendor contract \(contract.origin): \(v.description)")))
            }
        }
        return out
    }

    /// The contract violations of one request.
    public static func check(_ r: RenderedRequest, _ contract: RequestContract) -> [RequestContract.Violation] {
        contract.check(headers: r.headers.map { ($0.name, $0.value) }, target: r.url, body: r.body)
    }

    /// The contract as `dspec test` applies it to every request the mock vendor receives.
    public static func conformance(_ contract: RequestContract) -> RequestContractCheck {
        RequestContractCheck(origin: contract.origin) { request in
            contract.check(headers: request.headers.map { ($0.name, $0.value) }, target: request.target, body: request.body)
        }
    }
}

extension ContractCheck {
    /// Checks the events against the tracking plan, renders them with the fixed environment
    /// and checks every request against the request contract.
    public static func run(plan: DeliveryPlan, contracts: SpecContracts, events: [EventRecord], eventsPath: String,
                           configuration: RenderConfiguration) -> [Finding] {
        var secrets: [String: String] = [:]
        for (k, v) in configuration.secrets { if let s = v.stringValue { secrets[k] = s } }
        let redactor = SecretRedactor(values: secrets)
        var out: [Finding] = []
        if let tracking = contracts.trackingPlan { out += Self.events(events, plan: tracking, eventsPath: eventsPath, redactor: redactor) }
        if let contract = contracts.request {
            do {
                let set = try FixtureBuilder.build(plan: plan, events: events, configuration: configuration, options: FixtureOptions())
                out += requests(set.run.requests, contract: contract, redactor: redactor)
            } catch {
                out.append(Finding(message: redactor.redact("cannot render the events to check the vendor contract: \(error.message)")))
            }
        }
        return out
    }
}

/// Compiled contract files shared by the specs of one run, keyed by what was compiled, the
/// file's URI and its exact bytes, plus the bytes of every file its `$ref`s reached: a file
/// changed on disk (or a referenced one) is compiled again, never served stale.
public final class CompiledContractCache: Sendable {
    struct Entry {
        var bytes: [UInt8]
        var dependencies: [(uri: String, bytes: [UInt8]?)]
        var result: any Sendable
    }
    private let entries = Locked<[String: Entry]>([:])
    private let uris = Locked<[String: String]>([:])

    /// An empty cache.
    public init() {}

    /// The number of compiled files held.
    public var count: Int { entries.withLock { $0.count } }

    /// `uri(path)`, computed once per path in a run.
    func uri(of path: String, _ uri: (String) -> String) -> String {
        if let known = uris.withLock({ $0[path] }) { return known }
        let computed = uri(path)
        uris.withLock { $0[path] = computed }
        return computed
    }

    func lookup(_ key: String, bytes: [UInt8], current: (String) -> [UInt8]?) -> (any Sendable)? {
        guard let entry = entries.withLock({ $0[key] }), Self.sameBytes(entry.bytes, bytes) else { return nil }
        for d in entry.dependencies {
            let now = current(d.uri)
            if now == nil && d.bytes == nil { continue }
            guard let now, let then = d.bytes, Self.sameBytes(now, then) else { return nil }
        }
        return entry.result
    }

    /// `a == b` for byte arrays with one `memcmp` (the generic `==` compares element by element:
    /// a spec's contract file, a few kilobytes, was compared byte by byte for every spec).
    static func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }

    func store(_ key: String, bytes: [UInt8], dependencies: [(uri: String, bytes: [UInt8]?)], result: any Sendable) {
        entries.withLock { $0[key] = Entry(bytes: bytes, dependencies: dependencies, result: result) }
    }
}

/// The loader as a ``SchemaResolver`` that remembers the bytes of every document it served.
private final class RecordingResolver: SchemaResolver {
    let loader: FileContractLoader
    var reads: [(uri: String, bytes: [UInt8]?)] = []

    init(_ loader: FileContractLoader) { self.loader = loader }

    func schemaDocument(for uri: String) -> JSONValue? {
        guard let path = FileContractLoader.regularFile(uri), let source = try? SourceLoader.load(path) else {
            reads.append((uri, nil))
            return nil
        }
        reads.append((uri, source.bytes))
        return try? CompanionFile.parse(source).value
    }
}
