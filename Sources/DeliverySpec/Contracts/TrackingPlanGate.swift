import DSCompiler
import DSCore
import DSJSON
import DSSchema

/// The tracking-plan check `dspec deliver` injects into the engine
/// (`DeliveryOptions.eventCheck`): an event the plan rejects is dead-lettered with the
/// validator's first error as the reason, or (mode `count`) only counted and delivered.
public final class TrackingPlanGate: Sendable {
    /// What happens to an event that does not match.
    public enum Mode: String, Sendable, CaseIterable {
        /// Dead-letter it (the default).
        case deadLetter = "dead-letter"
        /// Count it and deliver it anyway.
        case count
    }

    /// The plan.
    public let plan: TrackingPlan
    /// The mode.
    public let mode: Mode
    private let counter = Locked(0)

    /// Creates a gate.
    public init(plan: TrackingPlan, mode: Mode) {
        self.plan = plan
        self.mode = mode
    }

    /// Reads and compiles a tracking-plan file given on the command line (one schema for every
    /// event); `$ref`s to other files resolve relative to it.
    public static func load(_ path: String) throws(SchemaValidationRunner.Failure) -> TrackingPlan {
        let runner = try SchemaValidationRunner(schemaPath: path)
        var plan = TrackingPlan()
        plan.all = EventSchema(path: path, value: runner.value, schema: runner.schema)
        return plan
    }

    /// Events that did not match so far (both modes).
    public var violations: Int { counter.withLock { $0 } }

    /// The engine's hook: nil to go on, else the dead-letter reason.
    public func check(_ event: JSONValue) -> String? {
        guard let (schema, errors) = plan.violations(of: event) else { return nil }
        counter.withLock { $0 += 1 }
        guard mode == .deadLetter else { return nil }
        let first = errors.first.map { "\($0.instanceLocation.isEmpty ? "/" : $0.instanceLocation): \($0.message)" } ?? "does not match"
        let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
        return "tracking plan \(schema.path): \(first)\(more)"
    }
}
