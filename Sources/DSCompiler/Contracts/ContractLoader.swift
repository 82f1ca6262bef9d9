import DSCore
import DSJSON
import DSSchema

/// What the driver found at a contract path.
public enum ContractFile: Sendable {
    /// The parsed JSON document and the base URI its relative `$ref`s resolve against.
    case loaded(JSONValue, baseURI: String)
    /// Why the file could not be used (missing, unreadable, not JSON: with file:line:col).
    case failed(String)
}

/// Loads the files a spec's contracts name (`events.schema`, `contract.schema`,
/// `contract.openapi`). The compiler never reads files: the driver (DeliverySpec's
/// `FileContractLoader`) resolves paths relative to the spec and does the I/O. The loader is
/// also the ``SchemaResolver`` for references into other files.
public protocol ContractLoader: SchemaResolver, Sendable {
    /// Loads the JSON document at `path` as written in the spec.
    func load(_ path: String) -> ContractFile
    /// Loads the file at `path` and compiles it (see ``ContractCompilation``); the default
    /// loads and compiles every time.
    func loadCompiled<Result: Sendable>(_ path: String, _ compilation: ContractCompilation<Result>) -> CompiledContractFile<Result>
}

/// The compiled contracts of a spec.
public struct SpecContracts: Sendable {
    /// The tracking plan (`events.schema`).
    public var trackingPlan: TrackingPlan?
    /// The vendor's request contract (`contract`).
    public var request: RequestContract?
    /// True when the spec names contracts that could not be loaded (DS1001 reported).
    public var failed = false

    /// No contracts.
    public init() {}

    /// True when there is anything to check.
    public var isEmpty: Bool { trackingPlan == nil && request == nil }
}

/// One compiled event schema of a tracking plan.
public struct EventSchema: Sendable {
    /// The path as written in the spec.
    public var path: String
    /// The schema document.
    public var value: JSONValue
    /// The compiled schema.
    public var schema: JSONSchema

    /// Creates an event schema.
    public init(path: String, value: JSONValue, schema: JSONSchema) {
        self.path = path
        self.value = value
        self.schema = schema
    }
}

/// The tracking plan: one schema for every event, or one per event name.
public struct TrackingPlan: Sendable {
    /// The schema for every event (`"schema": "FILE"`).
    public var all: EventSchema?
    /// Per event name, in declaration order (`"*"` is kept under ``fallback``).
    public var byEvent: [(name: String, schema: EventSchema)] = []
    /// The schema for events whose name is not listed (`"*"`).
    public var fallback: EventSchema?

    /// An empty plan (it covers no event).
    public init() {}

    /// The schema an event must match: by its `event` name, else the fallback; nil when the
    /// plan says nothing about this event.
    public func schema(for event: JSONValue) -> EventSchema? {
        if let all { return all }
        if let name = event["event"]?.stringValue, let s = byEvent.first(where: { $0.name == name }) { return s.schema }
        return fallback
    }

    /// Checks one event; nil when it matches (or the plan does not cover it), else the errors.
    public func violations(of event: JSONValue) -> (schema: EventSchema, errors: [SchemaValidationError])? {
        guard let s = schema(for: event), !s.schema.isValid(event) else { return nil }
        return (s, s.schema.validate(event))
    }
}

/// Diagnostics of `dspec schema validate` (instances against a schema).
public enum ContractRules {
    /// An instance does not match its schema.
    public static let instanceMismatch = RuleDescriptor(
        code: "DS1006", name: "instance-matches-schema", severity: .error,
        summary: "dspec schema validate: each instance (a JSON file or each line of an NDJSON file) must match the schema.",
        hint: "The message names the failing keyword; the position is the instance value that fails it.")
}
