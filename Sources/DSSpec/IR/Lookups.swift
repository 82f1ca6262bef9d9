import DSCore
import DSJSON

/// What a lookup table gives for a value that is not one of its keys.
public enum LookupUnmatched: String, Sendable, CaseIterable {
    /// The value is missing (omitted by a mapping, nothing in a template).
    case omit
    /// The table's `default`.
    case `default`
    /// The value itself, unchanged.
    case passthrough
}

/// One declared lookup table (`"lookups": {"event_names": {"map": {...}, "default": ...}}`).
public struct LookupTableDeclaration: Sendable {
    /// Table name as used by `@lookup` and `{{lookup_table "NAME" ...}}`.
    public var name: Located<String>
    /// The translations: key (the text of the looked-up value) -> value sent.
    public var map: Located<JSONObject>?
    /// The value for unmatched keys (`unmatched: default`).
    public var defaultValue: Located<JSONValue>?
    /// The unmatched policy as written (absent: `default` when `default` is given, else `omit`).
    public var unmatched: Located<LookupUnmatched>?
    /// Free text.
    public var description: Located<String>?

    /// The policy in force.
    public var effectiveUnmatched: LookupUnmatched {
        unmatched?.value ?? (defaultValue == nil ? .omit : .default)
    }
}

/// Strict per-partition ordering of requests (`"ordering"`).
public enum OrderingMode: String, Sendable, CaseIterable {
    /// Requests of a partition start in input order and may finish out of order (default).
    case none
    /// A partition's requests go strictly one after another, retries included.
    case strict
}
