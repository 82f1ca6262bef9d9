/// One violation of a vendor's request contract by one request, as the contract checker
/// (DSSchema's `RequestContract`) finds it and the conformance harness reports it. It lives
/// here, below both, so that the harness needs no schema code to carry it.
public struct ContractViolation: Sendable, Equatable, CustomStringConvertible {
    /// `body`, `body line N` (NDJSON), `header NAME`, `query NAME`, or `header` / `query` for a missing one.
    public var part: String
    /// The instance pointer inside the body or the decoded parameter value ("" for a missing one).
    public var instanceLocation: String
    /// The keyword location in the schema, as a pointer along the evaluation path ("" when none).
    public var keywordLocation: String
    /// What is wrong.
    public var message: String

    public init(part: String, instanceLocation: String, keywordLocation: String, message: String) {
        self.part = part
        self.instanceLocation = instanceLocation
        self.keywordLocation = keywordLocation
        self.message = message
    }

    public var description: String {
        keywordLocation.isEmpty && instanceLocation.isEmpty ? "\(part): \(message)"
            : "\(part) \(instanceLocation.isEmpty ? "/" : instanceLocation): \(message) (schema \(keywordLocation.isEmpty ? "#" : "#" + keywordLocation))"
    }
}
