import DSCore
import DSJSON
import DSMock

/// What a case's run looked like on the wire, for reports that show it (the HTML report):
/// every attempt the vendor received with its time and answer, and the golden fixtures the
/// case compared them with. Every string is already redacted (secrets as `<redacted:NAME>`).
public struct CaseTrace: Sendable, Equatable {
    /// One header.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// One request as sent or as expected.
    public struct Request: Sendable, Equatable {
        /// A label: the fixture's file name, or `#N` for the N-th attempt.
        public var label: String
        public var method: String
        /// Path and query.
        public var target: String
        public var headers: [Header]
        public var body: String
        public init(label: String, method: String, target: String, headers: [Header], body: String) {
            self.label = label
            self.method = method
            self.target = target
            self.headers = headers
            self.body = body
        }
    }

    /// One attempt the vendor received.
    public struct Attempt: Sendable, Equatable {
        /// Milliseconds since the run began (arrival of the request's last byte).
        public var atMs: Double
        /// The partition the runtime batches by: method and rendered URL (docs/runtime.md).
        public var partition: String
        /// What the mock answered: a status, or a fault's name.
        public var outcome: String
        /// The status, when there was one.
        public var status: Int?
        /// How long the mock held the answer back.
        public var delayMs: Int
        public var request: Request
        /// The response's status line and scripted header fields (values redacted).
        public var responseStatusLine: String?
        public var responseHeaders: [Header] = []
        /// The `Retry-After` the vendor answered with, if any.
        public var retryAfter: String? { responseHeaders.first { $0.name.lowercased() == "retry-after" }?.value }
        public init(atMs: Double, partition: String, outcome: String, status: Int?, delayMs: Int, request: Request) {
            self.atMs = atMs
            self.partition = partition
            self.outcome = outcome
            self.status = status
            self.delayMs = delayMs
            self.request = request
        }
    }

    /// Vendor attempts in arrival order.
    public var attempts: [Attempt]
    /// Token-endpoint requests.
    public var tokenRequests: Int
    /// The golden fixtures compared with, when the case compares fixtures.
    public var expected: [Request]?
    /// Where the fixtures came from.
    public var expectedDirectory: String?
    /// Headers (lowercased) compared with the fixtures by name only (signatures, idempotency
    /// keys, OAuth bearer tokens), and headers the transport adds (never in a fixture).
    public var volatileHeaders: Set<String> = []
    public var transportHeaders: Set<String> = []

    public init(attempts: [Attempt], tokenRequests: Int = 0, expected: [Request]? = nil, expectedDirectory: String? = nil) {
        self.attempts = attempts
        self.tokenRequests = tokenRequests
        self.expected = expected
        self.expectedDirectory = expectedDirectory
    }

    /// The trace of an observation, every string through `redactor`.
    static func of(_ observation: CaseObservation, fixtures: GoldenFixtures?, redactor: SecretRedactor) -> CaseTrace {
        let start = observation.startedAt ?? observation.vendor.map(\.receivedAt).min() ?? 0
        let attempts = observation.vendor.enumerated().map { (i, entry) -> Attempt in
            let r = entry.request
            let request = Request(label: "#\(i + 1)", method: r.method, target: redactor.redact(r.target),
                                  headers: r.headers.map { Header(name: $0.name, value: redactor.redact($0.value)) },
                                  body: redactor.redact(r.bodyText))
            let at = entry.receivedAt >= start ? Double(entry.receivedAt - start) / 1e6 : 0
            var attempt = Attempt(atMs: at, partition: r.method + " " + redactor.redact(r.path), outcome: entry.outcome, status: entry.status,
                                  delayMs: entry.delayMs, request: request)
            attempt.responseStatusLine = entry.responseStatusLine
            attempt.responseHeaders = entry.responseHeaders.map { Header(name: $0.name, value: redactor.redact($0.value)) }
            return attempt
        }
        var expected: [Request]?
        if let fixtures {
            expected = fixtures.requests.map { f in
                let v = f.value
                let headers: [Header] = (v["headers"]?.arrayValue ?? []).compactMap { h in
                    guard let pair = h.arrayValue, pair.count == 2, let n = pair[0].stringValue, let value = pair[1].stringValue else { return nil }
                    return Header(name: n, value: redactor.redact(value))
                }
                let body: String
                switch v["body"] {
                case .string(let s)?: body = s
                case let b?: body = JSONWriter.string(b)
                case nil: body = ""
                }
                let url = v["url"]?.stringValue ?? ""
                return Request(label: f.name, method: v["method"]?.stringValue ?? "", target: redactor.redact(LoopbackRedirectTransport.target(of: url)),
                               headers: headers, body: redactor.redact(body))
            }
        }
        var trace = CaseTrace(attempts: attempts, tokenRequests: observation.token.count, expected: expected, expectedDirectory: fixtures?.directory)
        if let fixtures { trace.volatileHeaders = FixtureMatch(fixtures: fixtures, observation: observation).volatileHeaders }
        trace.transportHeaders = FixtureMatch.transportHeaders
        return trace
    }
}
