import DSCore
import DSMock

/// The vendor's request contract as the harness applies it: every request a case sends is
/// checked, and each violation fails that case (expectation `contract`) with the instance
/// pointer, the schema keyword and the reason, while the other cases still run. The driver
/// builds the check from the spec's `contract` (this target knows no schemas).
public struct RequestContractCheck: Sendable {
    /// One violation of the contract by one request (the same type the contract checker returns).
    public typealias Violation = ContractViolation

    /// Where the contract comes from (`contracts/x.openapi.json POST /import (import-events)`).
    public var origin: String
    /// Checks one request as the vendor received it.
    public var check: @Sendable (MockRequest) -> [Violation]
    /// At most this many failures per case (the rest are counted in the last one).
    public var limit = 8

    public init(origin: String, check: @escaping @Sendable (MockRequest) -> [Violation]) {
        self.origin = origin
        self.check = check
    }

    /// One failure per distinct violation of the case's requests (a retried request is
    /// checked once), ordered by the violation itself (part, instance pointer, keyword,
    /// message), not by arrival: with several requests in flight they arrive in any order,
    /// and the report must not depend on it. Each names the first request that showed it.
    public func failures(_ requests: [MockRequest]) -> [ExpectationFailure] {
        var first: [String: (violation: Violation, request: Int)] = [:]
        for (i, r) in requests.enumerated() {
            for v in check(r) {
                let key = "\(v.part)\u{0}\(v.instanceLocation)\u{0}\(v.keywordLocation)\u{0}\(v.message)"
                if first[key] == nil { first[key] = (v, i) }
            }
        }
        let ordered = first.sorted { $0.key < $1.key }
        let more = max(0, ordered.count - limit)
        var out: [ExpectationFailure] = []
        for (_, entry) in ordered.prefix(limit) {
            let (v, i) = entry
            let r = requests[i]
            // A schema error at the root points at "/"; a missing header or query has no pointer.
            let pointer = v.instanceLocation.isEmpty && !v.keywordLocation.isEmpty ? "/" : v.instanceLocation
            let at = pointer.isEmpty ? "" : " " + pointer
            out.append(ExpectationFailure("contract", "request \(i + 1) (\(r.method) \(r.path)) violates the vendor contract \(origin): \(v.part)\(at): \(v.message)",
                                          details: ["instance: \(v.part)\(at)",
                                                    "schema keyword: \(v.keywordLocation.isEmpty ? "(none)" : "#" + v.keywordLocation)",
                                                    "reason: \(v.message)"]))
        }
        if more > 0, var last = out.popLast() {
            last.details.append("... and \(more) more violation\(more == 1 ? "" : "s")")
            out.append(last)
        }
        return out
    }
}
