/// One unmet expectation: which one, a one-line message, and the detail (expected versus
/// actual, or a diff) shown under it.
public struct ExpectationFailure: Sendable, Equatable, Error {
    /// The expectation's name as written in suites (`fixtures`, `batch_limits`, `ledger`, ...).
    public var expectation: String
    /// What went wrong, in one line.
    public var message: String
    /// Expected / actual lines or a diff, shown indented under the message.
    public var details: [String]

    /// Creates a failure.
    public init(_ expectation: String, _ message: String, details: [String] = []) {
        self.expectation = expectation
        self.message = message
        self.details = details
    }

    /// `expectation: message` followed by the indented details.
    public var text: String {
        ([expectation + ": " + message] + details.map { "    " + $0 }).joined(separator: "\n")
    }
}

/// The outcome of one case.
public struct CaseResult: Sendable, Equatable {
    /// The suite's name.
    public var suite: String
    /// The case's name.
    public var name: String
    /// The case's description.
    public var description: String?
    /// Unmet expectations; empty when the case passed.
    public var failures: [ExpectationFailure] = []
    /// Wall time of the case.
    public var durationMs = 0
    /// Requests the vendor received (token requests excluded).
    public var requests = 0
    /// The wire trace (attempts, times, fixtures), when the runner records traces.
    public var trace: CaseTrace?

    /// Creates a result.
    public init(suite: String, name: String, description: String? = nil) {
        self.suite = suite
        self.name = name
        self.description = description
    }

    /// `suite/case`: the id used by `--filter`, `--shard` and reports.
    public var id: String { suite + "/" + name }
    /// True when every expectation held.
    public var passed: Bool { failures.isEmpty }
}
