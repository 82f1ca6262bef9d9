/// One request in the journal: what arrived, when, on which connection, and what the server
/// answered and checked.
public struct MockJournalEntry: Sendable {
    /// Position in the journal since the last reset (0-based).
    public var sequence: Int
    /// The connection it arrived on (ids count up from 1 for the server's lifetime).
    public var connectionID: Int
    /// Its position among the requests of that connection (0-based), which shows keep-alive
    /// reuse.
    public var indexOnConnection: Int
    /// Monotonic time (``MonotonicClock/now()``, ns) when its first byte was read.
    public var firstByteAt: UInt64
    /// Monotonic time when it was complete: what retry spacing should be measured on.
    public var receivedAt: UInt64
    /// The request, byte-exact.
    public var request: MockRequest
    /// The route that answered (nil: the scenario's default response or the token endpoint).
    public var route: String?
    /// The position in the route's response sequence that answered.
    public var responseIndex: Int?
    /// The status sent; nil when a fault replaced the response.
    public var status: Int?
    /// The fault, if one was scripted.
    public var fault: MockFault?
    /// Delay applied before answering, in milliseconds.
    public var delayMs: Int
    /// True for a request to the OAuth token endpoint.
    public var isTokenRequest: Bool
    /// Independent checks run on the request.
    public var checks: [MockCheckResult]
    /// The status line sent (`HTTP/1.1 429 Too Many Requests`); nil when a fault replaced the
    /// response.
    public var responseStatusLine: String? = nil
    /// The response's header fields as scripted, clock placeholders expanded (not the body,
    /// nor the `Content-Length`/`Date`/`Connection` the server adds): a `Retry-After` the
    /// client was given. Values are as sent; reports pass them through their redactor.
    public var responseHeaders: [MockHeader] = []

    /// The first response header named `name` (ASCII case-insensitive).
    public func responseHeader(_ name: String) -> String? {
        responseHeaders.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The checks that failed.
    public var failedChecks: [MockCheckResult] { checks.filter { !$0.passed } }

    /// What was sent back in words: `200`, `429`, `fault reset`.
    public var outcome: String { fault.map { "fault \($0.name)" } ?? status.map(String.init) ?? "-" }
}

/// A request the server refused at the protocol level (400, 408, 413, 414, 431, ...), kept
/// apart from the journal because there is no complete request to record.
public struct MockProtocolError: Sendable, Equatable {
    /// The connection.
    public var connectionID: Int
    /// The status sent before closing.
    public var status: Int
    /// Why.
    public var reason: String
    /// Monotonic time.
    public var at: UInt64
}
