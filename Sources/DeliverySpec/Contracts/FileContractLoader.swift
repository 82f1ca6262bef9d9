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

    /// A loader for the spec at `specPath` (standard input: the current directory).
    public init(specPath: String) {
        directory = specPath == "-" || specPath == "<stdin>" ? "." : (specPath as NSString).deletingLastPathComponent
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

    public func schemaDocument(for uri: String) -> JSONValue? {
        guard uri.hasPrefix("file://") else { return nil }
        let path = String(uri.dropFirst("file://".count))
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return try? CompanionFile.parse(path).value
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
