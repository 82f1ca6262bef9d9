import DSJSON

/// Scripted vendor behaviour: routes, each answering with a sequence of responses.
///
/// A scenario is a value; the server keeps the mutable part (each route's position in its
/// sequence, the random generator) separately and replaces it atomically in
/// ``MockServer/reset(to:verifier:)``, so one case's state can never leak into the next.
/// The JSON form is documented in `docs/mock-server.md`.
public struct MockScenario: Sendable {
    /// Name shown in logs.
    public var name: String
    /// Seed of the generator behind random delays; the same seed gives the same delays.
    public var seed: UInt64
    /// Routes, tried in order; the first whose method and path match answers.
    public var routes: [MockRoute]
    /// The answer when no route matches (default: 404 with a JSON error).
    public var fallback: MockResponse
    /// Token endpoint settings that override or complete what the plan implies.
    public var oauth: MockOAuthOverrides?
    /// The answer to a protected request whose access token is stale or missing, instead of
    /// 401 `invalid_token`: how vendors that report an expired token inside a 2xx body
    /// (Marketo's code 602, WeChat's errcode 40001) behave.
    public var invalidTokenResponse: MockResponse?

    /// Creates a scenario.
    public init(name: String = "scenario", seed: UInt64 = 1, routes: [MockRoute] = [],
                fallback: MockResponse = MockResponse(status: 404, json: ["error": "no matching route"]), oauth: MockOAuthOverrides? = nil) {
        self.name = name
        self.seed = seed
        self.routes = routes
        self.fallback = fallback
        self.oauth = oauth
    }

    /// A scenario answering every request with `status` and an empty JSON object, as a
    /// throughput benchmark or a smoke test needs.
    public static func always(_ status: Int = 200) -> MockScenario {
        MockScenario(name: "always-\(status)", fallback: MockResponse(status: status, json: .object(JSONObject())))
    }

    /// The first route matching `method`, `path` and (for routes with `body_contains`) the
    /// request body, with its index.
    func route(method: String, path: String, body: [UInt8] = []) -> (index: Int, route: MockRoute)? {
        Self.route(in: routes, method: method, path: path, body: body)
    }

    /// The first of `routes` matching, with its index (the server keeps the routes apart from
    /// the rest of the scenario so a request does not copy the whole struct).
    static func route(in routes: [MockRoute], method: String, path: String, body: [UInt8]) -> (index: Int, route: MockRoute)? {
        for i in routes.indices where routes[i].matches(method: method, path: path, body: body) { return (i, routes[i]) }
        return nil
    }
}

/// One route: which requests it answers and how.
public struct MockRoute: Sendable {
    /// How the request path is compared.
    public enum PathMatch: Sendable, Equatable {
        /// The path (without query) equals this.
        case exact(String)
        /// The path starts with this.
        case prefix(String)
        /// Every path.
        case any
    }

    /// Name shown in logs and the journal.
    public var name: String
    /// The method, compared case-sensitively as HTTP methods are; nil matches any.
    public var method: String?
    /// The path match.
    public var path: PathMatch
    /// The responses in order; after the last, the last repeats unless `cycle` is set.
    public var responses: [MockResponse]
    /// Start over after the last response instead of repeating it.
    public var cycle: Bool
    /// Run the plan's auth and signing checks on requests to this route.
    public var checks: Bool
    /// Reject requests without a live access token (401) when a token endpoint is active.
    /// nil means yes whenever the verifier or scenario configures OAuth.
    public var requiresToken: Bool?
    /// Only requests whose body contains these bytes match (a whole-batch rejection caused by
    /// one marked event); nil matches every body.
    public var bodyContains: [UInt8]?

    /// Creates a route.
    public init(name: String, method: String? = nil, path: PathMatch, responses: [MockResponse], cycle: Bool = false,
                checks: Bool = true, requiresToken: Bool? = nil, bodyContains: String? = nil) {
        self.bodyContains = bodyContains.map { Array($0.utf8) }
        self.name = name
        self.method = method
        self.path = path
        self.responses = responses
        self.cycle = cycle
        self.checks = checks
        self.requiresToken = requiresToken
    }

    func matches(method m: String, path p: String, body: [UInt8] = []) -> Bool {
        if let method, method != m { return false }
        if let needle = bodyContains, !needle.isEmpty, !body.indices.contains(where: { body[$0...].starts(with: needle) }) { return false }
        switch path {
        case .any: return true
        case .exact(let e): return p == e
        case .prefix(let s): return p.hasPrefix(s)
        }
    }

    /// The response at sequence position `position` (0-based count of earlier requests).
    func response(at position: Int) -> MockResponse? {
        guard !responses.isEmpty else { return nil }
        if cycle { return responses[position % responses.count] }
        return responses[min(position, responses.count - 1)]
    }
}

/// Something other than a normal response, for exercising a client's failure handling.
public enum MockFault: Sendable, Equatable {
    /// Abort the connection with a TCP RST (`SO_LINGER` 0, then close).
    case reset
    /// Close the connection without sending a byte.
    case empty
    /// Send these bytes (not a valid HTTP response), then close.
    case malformed([UInt8])
    /// Send nothing and hold the connection open this long (past the client's timeout), then
    /// close it.
    case stall(ms: Int)

    /// The word used in scenario files and logs.
    public var name: String {
        switch self {
        case .reset: return "reset"
        case .empty: return "empty"
        case .malformed: return "malformed"
        case .stall: return "stall"
        }
    }
}

/// One scripted response.
public struct MockResponse: Sendable {
    /// Status code.
    public var status: Int { didSet { reencode() } }
    /// Header fields, in order.
    public var headers: [MockHeader] { didSet { reencode() } }
    /// Body bytes.
    public var body: [UInt8] { didSet { reencode() } }
    /// Fixed delay before answering.
    public var delayMs: Int
    /// An extra random delay drawn uniformly from this range (seeded by the scenario).
    public var randomDelayMs: ClosedRange<Int>?
    /// A fault replaces the response entirely.
    public var fault: MockFault?
    /// Per-event failures computed from the batch in the request.
    public var partialFailure: MockPartialFailure?
    /// The body as JSON when it was given as JSON (partial failures insert into it).
    public var bodyJSON: JSONValue?
    /// Serialized once, and again whenever `status`, `headers` or `body` is set (the wire
    /// form must never lag the fields a caller changed); the hot path copies these bytes.
    private(set) var encoded: EncodedResponse

    private mutating func reencode() {
        encoded = EncodedResponse(status: status, headers: headers, body: body)
        hasClockPlaceholders = Self.clockPlaceholders(in: headers)
    }
    /// True when a header value holds `{{unix_s+N}}` / `{{unix_ms+N}}`: the time a vendor's
    /// rate-limit reset falls on, computed when the response is sent. Found once, and again
    /// whenever `headers` is set, like `encoded` (not per request).
    private(set) var hasClockPlaceholders: Bool

    static func clockPlaceholders(in headers: [MockHeader]) -> Bool { headers.contains { containsClockPlaceholder($0.value) } }

    /// Byte search for `{{unix_`: this runs for every request answered, and `String.contains`
    /// with a string argument resolves to Foundation's locale-aware search when Foundation is
    /// linked in.
    static func containsClockPlaceholder(_ value: String) -> Bool {
        var from = 0
        while let i = utf8Offset(of: UInt8(ascii: "{"), in: value, from: from) {
            if value.utf8.dropFirst(i).starts(with: "{{unix_".utf8) { return true }
            from = i + 1
        }
        return false
    }

    /// `value` with each `{{unix_s+N}}` / `{{unix_ms+N}}` (also `-N`, or no offset) replaced
    /// by the Unix time `nowMs` in seconds / milliseconds plus N; other text is kept.
    static func expandClock(_ value: String, nowMs: Int64) -> String {
        var out = ""
        var rest = Substring(value)
        while let open = rest.range(of: "{{unix_") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { out += rest[open.lowerBound...]; return out }
            let spec = rest[open.upperBound..<close.lowerBound]
            let unitIsMs = spec.hasPrefix("ms")
            let afterUnit = spec.dropFirst(unitIsMs ? 2 : (spec.hasPrefix("s") ? 1 : 0))
            let offset = afterUnit.isEmpty ? 0 : Int64(afterUnit.hasPrefix("+") ? afterUnit.dropFirst() : afterUnit)
            if !(spec.hasPrefix("ms") || spec.hasPrefix("s")) || offset == nil {
                out += rest[open.lowerBound..<close.upperBound]
            } else {
                let base = unitIsMs ? nowMs : nowMs / 1000
                out += String(base &+ offset!)
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// Creates a response with a raw body.
    public init(status: Int, headers: [MockHeader] = [], body: [UInt8] = [], delayMs: Int = 0, randomDelayMs: ClosedRange<Int>? = nil,
                fault: MockFault? = nil, partialFailure: MockPartialFailure? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delayMs = delayMs
        self.randomDelayMs = randomDelayMs
        self.fault = fault
        self.partialFailure = partialFailure
        self.bodyJSON = nil
        encoded = EncodedResponse(status: status, headers: headers, body: body)
        hasClockPlaceholders = Self.clockPlaceholders(in: headers)
    }

    /// Creates a response with a JSON body (`Content-Type: application/json` unless given).
    public init(status: Int, headers: [MockHeader] = [], json: JSONValue, delayMs: Int = 0, randomDelayMs: ClosedRange<Int>? = nil,
                partialFailure: MockPartialFailure? = nil) {
        var headers = headers
        if !headers.contains(where: { asciiCaseInsensitiveEquals($0.name, "Content-Type") }) {
            headers.append(MockHeader(name: "Content-Type", value: "application/json"))
        }
        self.init(status: status, headers: headers, body: JSONWriter.bytes(json), delayMs: delayMs, randomDelayMs: randomDelayMs,
                  partialFailure: partialFailure)
        bodyJSON = json
    }

    /// A fault.
    public static func fault(_ fault: MockFault, delayMs: Int = 0) -> MockResponse {
        MockResponse(status: 0, delayMs: delayMs, fault: fault)
    }
}
