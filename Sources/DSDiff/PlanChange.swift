import DSJSON

/// How much a change matters to the vendor and to CI gates.
public enum ChangeClass: String, Sendable, Comparable, CaseIterable {
    /// Nothing on the wire or in behaviour changes in a way the vendor notices.
    case safe
    /// Behaviour the vendor may notice (more traffic, more retries, different timing).
    case risky
    /// The vendor receives something different (endpoint, auth, payload shape, signature).
    case breaking

    private var rank: Int {
        switch self {
        case .safe: return 0
        case .risky: return 1
        case .breaking: return 2
        }
    }

    public static func < (lhs: ChangeClass, rhs: ChangeClass) -> Bool { lhs.rank < rhs.rank }
}

/// What happened at a pointer.
public enum ChangeKind: String, Sendable {
    case added, removed, changed
}

/// One raw difference between two normalized plans (before classification).
public struct PlanDelta: Sendable, Equatable {
    /// Pointer in the normalized plan (`/headers/x-api-version/value`, `/payload/mapping/user/id`).
    public var pointer: String
    public var kind: ChangeKind
    public var old: JSONValue?
    public var new: JSONValue?
}

/// A classified change: a delta (or a wire difference) with the rule that judged it.
public struct ClassifiedChange: Sendable, Equatable {
    /// Stable rule id, e.g. `endpoint.url-changed`.
    public var rule: String
    public var changeClass: ChangeClass
    /// `plan` for plan differences, `wire` for rendered-request differences.
    public var layer: String
    /// Pointer in the normalized plan (plan layer) or `/requests/N/...` (wire layer).
    public var pointer: String
    /// Human summary.
    public var message: String
    public var old: JSONValue?
    public var new: JSONValue?
    /// Pointer in the old / new spec file where the change is written, when known.
    public var oldSourcePointer: String?
    public var newSourcePointer: String?

    /// Stable identity for CI tools: rule id + pointer, not the message.
    public var fingerprint: String { rule + ":" + pointer }
}
