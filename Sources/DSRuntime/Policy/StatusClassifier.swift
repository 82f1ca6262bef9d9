import DSJSON
import DSPlan

/// What a response means for the events of the request (spec section 16.1).
public enum ResponseOutcome: String, Sendable, Equatable {
    /// Delivered.
    case success
    /// Try again after a backoff, until the policy gives up.
    case retry
    /// Given up on: dead-lettered with the status and the error message.
    case drop
    /// OAuth: fetch a new access token and retry once.
    case refreshAuth = "refresh_auth"
}

/// Applies a plan's status rules to a response: rules in order (the plan already holds the
/// spec's rules followed by the defaults), the first whose status set matches and whose
/// `body_contains`, if any, occurs in the body (byte-wise, case-sensitive) wins; no match
/// means drop.
public struct StatusClassifier: Sendable {
    private struct Rule: Sendable {
        var status: [ClosedRange<Int>]
        var needle: [UInt8]?
        var match: PlanBodyMatch?
        var outcome: ResponseOutcome
    }

    private let rules: [Rule]

    /// Creates the classifier for a plan's ordered rules. An outcome word the runtime does
    /// not know (a hand-edited plan) is treated as `drop`: never deliver on a guess.
    public init(rules: [PlanStatusRule]) {
        self.rules = rules.map { Rule(status: $0.status, needle: $0.bodyContains.map { Array($0.utf8) }, match: $0.bodyMatch, outcome: ResponseOutcome(rawValue: $0.outcome) ?? .drop) }
    }

    /// The outcome for `status` with `body`, and the index of the rule that matched (nil
    /// when none did and the response is dropped by the catch-all).
    public func classify(status: Int, body: [UInt8]) -> (outcome: ResponseOutcome, rule: Int?) {
        // The body is parsed at most once, and only when a rule with a JSON condition is tried.
        var parsed: JSONValue??
        for (i, rule) in rules.enumerated() where rule.status.contains(where: { $0.contains(status) }) {
            if let needle = rule.needle, !Self.contains(body, needle) { continue }
            if let match = rule.match {
                if parsed == nil { parsed = .some(try? JSONParser().parseValue(body)) }
                guard let document = parsed ?? nil, let found = JSONPointer.resolve(match.pointer, in: document),
                      Self.scalarEquals(found, match.equals) else { continue }
            }
            return (rule.outcome, i)
        }
        return (.drop, nil)
    }

    /// JSON equality of scalars, numbers by value (`40001` equals `4.0001e4`); objects and
    /// arrays never match.
    static func scalarEquals(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x.text == y.text || x.doubleValue == y.doubleValue
        case (.string(let x), .string(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// Byte-wise substring search.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}
