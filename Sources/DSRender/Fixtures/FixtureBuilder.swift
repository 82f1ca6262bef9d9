import DSJSON
import DSPlan

/// One file of a spec's fixture directory.
public struct FixtureFile: Sendable, Equatable {
    /// File name inside `<out>/<spec-name>/`.
    public var name: String
    /// Exact contents.
    public var bytes: [UInt8]

    /// Creates a file.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

/// Everything `dspec render` writes for one spec, and what it rendered.
public struct FixtureSet: Sendable {
    /// The files, sorted by name.
    public var files: [FixtureFile]
    /// The run the files were made from (requests before redaction).
    public var run: RenderRun
}

/// How fixtures are produced.
public struct FixtureOptions: Sendable {
    /// `.json` (default) or `.http` request files.
    public var format: FixtureFormat
    /// Replace secrets and derived credentials with `<redacted:NAME>`.
    public var redact: Bool
    /// The access token OAuth plans are rendered with (fixtures never fetch one).
    public var accessToken: String
    /// The environment requests are rendered in.
    public var environment: FixedRenderEnvironment

    /// The access token fixtures of OAuth plans use unless told otherwise.
    public static let fixtureAccessToken = "fixture-access-token"

    /// Creates options.
    public init(format: FixtureFormat = .json, redact: Bool = false, accessToken: String = FixtureOptions.fixtureAccessToken,
                environment: FixedRenderEnvironment = FixedRenderEnvironment()) {
        self.format = format
        self.redact = redact
        self.accessToken = accessToken
        self.environment = environment
    }
}

/// Renders a spec's events into fixture files: the library side of `dspec render`, with no
/// file access, so tests and the CLI produce the same bytes.
public enum FixtureBuilder {
    /// Renders `events` with `plan` and returns the fixture files: one per request
    /// (`001-track-order-completed.json`, ...) and `outcomes.json` when some events were
    /// filtered or failed. Throws when the renderer cannot be built (missing required
    /// setting or referenced secret).
    public static func build(plan: DeliveryPlan, events: [EventRecord], configuration: RenderConfiguration,
                             options: FixtureOptions = FixtureOptions()) throws(RenderError) -> FixtureSet {
        let renderer = try RequestRenderer(plan: plan, configuration: configuration)
        let values = events.map(\.event)
        let run = renderer.renderAll(values, environment: options.environment, accessToken: plan.auth.isOAuth ? options.accessToken : nil)
        var credentials = renderer.credentials
        if plan.auth.isOAuth { credentials.append(RedactableCredential(name: "access_token", value: options.accessToken)) }
        let redactor = options.redact ? FixtureRedactor(credentials: credentials) : nil
        var firstEventByID: [String: JSONValue] = [:]
        for event in values {
            if let id = event["event_id"]?.stringValue, firstEventByID[id] == nil { firstEventByID[id] = event }
        }
        var files: [FixtureFile] = []
        for (index, original) in run.requests.enumerated() {
            let request = redactor?.redact(original) ?? original
            let first = original.eventIDs.first.flatMap { firstEventByID[$0] }
            let name = FixtureEncoder.baseName(index: index, firstEvent: first) + "." + options.format.fileExtension
            let bytes = options.format == .json ? FixtureEncoder.json(request) : FixtureEncoder.http(request)
            files.append(FixtureFile(name: name, bytes: bytes))
        }
        if !run.outcomes.isEmpty {
            var outcomes = run.outcomes
            if let redactor { outcomes = outcomes.map { var o = $0; o.reason = redactor.redact(o.reason); return o } }
            files.append(FixtureFile(name: "outcomes.json", bytes: FixtureEncoder.outcomes(outcomes, lines: events.map(\.line))))
        }
        files.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return FixtureSet(files: files, run: run)
    }
}
