import DSJSON
import DSMock
import DSPlan
import DSRender

/// Everything the harness needs about one spec: its compiled plan, the test settings and
/// secrets, the default events and, when they exist, its golden fixtures. Built by the
/// `DeliverySpec` driver (which owns file I/O and compilation); this target only runs it.
public struct SpecUnderTest: Sendable {
    /// The spec's name (`plan.name`), also the default suite name.
    public var name: String
    /// The compiled plan, exactly as the spec says (the harness derives per-case copies).
    public var plan: DeliveryPlan
    /// Setting values (`NAME.settings.json`).
    public var settings: JSONObject
    /// Secret values (`NAME.secrets.json`); the mock gets its own copy to verify with.
    public var secrets: JSONObject
    /// Default events (`NAME.events.ndjson`, or a sample event when there is none).
    public var events: [EventRecord]
    /// Golden fixtures rendered by `dspec render`, if the spec has any.
    public var fixtures: GoldenFixtures?
    /// The spec file, when it came from one (for messages and suite discovery).
    public var sourcePath: String?
    /// The check every selected event passes before delivery (the driver's tracking-plan gate,
    /// `DeliveryOptions.eventCheck`); nil when the spec has no tracking plan.
    public var eventCheck: (@Sendable (JSONValue) -> String?)?
    /// The vendor's request contract, applied to every request the vendor receives in every
    /// case (``RequestContractCheck``); nil when the spec has none.
    public var requestCheck: RequestContractCheck?

    /// Creates the description of a spec under test.
    public init(name: String, plan: DeliveryPlan, settings: JSONObject, secrets: JSONObject, events: [EventRecord], fixtures: GoldenFixtures? = nil,
                sourcePath: String? = nil) {
        self.name = name
        self.plan = plan
        self.settings = settings
        self.secrets = secrets
        self.events = events
        self.fixtures = fixtures
        self.sourcePath = sourcePath
    }
}

/// The golden fixtures of a spec (`fixtures/NAME/*.json` and `outcomes.json`), as written by
/// `dspec render` for the spec's default events.
public struct GoldenFixtures: Sendable {
    /// One request fixture.
    public struct Request: Sendable {
        /// The file name (`001-track-order-completed.json`), used in failure messages.
        public var name: String
        /// The parsed fixture (`method`, `url`, `headers`, `body`, `events`, ...).
        public var value: JSONValue

        /// Creates a fixture entry.
        public init(name: String, value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// Where they were read from (for messages).
    public var directory: String
    /// Request fixtures in file-name order, which is the order of their first events.
    public var requests: [Request]
    /// `outcomes.json` (filtered and failed events), if present.
    public var outcomes: JSONValue?

    /// Creates a fixture set.
    public init(directory: String, requests: [Request], outcomes: JSONValue?) {
        self.directory = directory
        self.requests = requests
        self.outcomes = outcomes
    }
}

/// Where a case's input events come from.
public enum CaseEvents: Sendable {
    /// The spec's default events.
    case defaults
    /// These events, in order (inline in the suite, or read from a file by the driver).
    case inline([JSONValue])
    /// `count` copies of the default events the plan selects, round-robin, each with a fresh
    /// `event_id` (`conformance-000001`, ...), for volume cases (batching, rate limit).
    case generated(count: Int)
    /// An NDJSON file relative to the suite; the driver replaces it with `.inline`.
    case file(String)
}

/// How the harness changes the plan copy a case runs with. Only timing and batch grouping
/// are ever changed, and only so real-time waits stay short (see docs/conformance.md).
public struct PlanAdjustments: Sendable, Equatable {
    /// Cap `initial_backoff_ms` / `max_backoff_ms` at ``ConformanceTiming`` values.
    /// `Retry-After` handling is never changed.
    public var shortenBackoff = true
    /// Replace `batching.max_events` (the rate-limit and token-expiry cases send one event
    /// per request, because the bucket counts requests, not events).
    public var maxEvents: Int?
    /// Replace `batching.max_wait_ms`.
    public var maxWaitMs: Int?

    /// Creates adjustments.
    public init(shortenBackoff: Bool = true, maxEvents: Int? = nil, maxWaitMs: Int? = nil) {
        self.shortenBackoff = shortenBackoff
        self.maxEvents = maxEvents
        self.maxWaitMs = maxWaitMs
    }
}

/// A set of events named by an expectation.
public enum EventSet: Sendable, Equatable {
    /// Every input event the plan selects (for `delivered` / `dead_lettered`), or every
    /// input event (for `filtered`).
    case all
    /// No event.
    case none
    /// Exactly this many events, whichever.
    case count(Int)
    /// These events, by `event_id` or by `#LINE` (1-based input position).
    case ids([String])
}

/// What a dead letter must carry.
public struct DeadLetterExpectation: Sendable, Equatable {
    /// The last HTTP status.
    public var status: Int?
    /// The vendor's error message parsed from the error body (exact).
    public var errorMessage: String?
    /// Attempts made.
    public var attempts: Int?
    /// Text the dead letter's reason contains (`reason_contains`).
    public var reasonContains: String?

    /// Creates the expectation.
    public init(status: Int? = nil, errorMessage: String? = nil, attempts: Int? = nil) {
        self.status = status
        self.errorMessage = errorMessage
        self.attempts = attempts
    }
}

/// Everything a case can assert. Absent members assert nothing, except the two invariants
/// every case checks: each input event has exactly one outcome (none lost, none twice), and
/// no event is dead-lettered unless `dead_lettered` says so.
public struct CaseExpectations: Sendable, Equatable {
    /// Requests equal the spec's golden fixtures, in order (volatile headers by shape only).
    public var fixtures = false
    /// Number of requests to the vendor (token requests excluded), inclusive bounds.
    public var requests: ClosedRange<Int>?
    /// Most events one request may carry (a vendor limit, independent of the plan).
    public var maxEventsPerRequest: Int?
    /// Most body bytes one request may carry.
    public var maxBytesPerRequest: Int?
    /// Every request within the plan's own `max_events` / `max_bytes`.
    public var batchLimits = false
    /// Every mock check (auth, signature, timestamp, access token) passed.
    public var checks = true
    /// The plan's signature was verified on every request.
    public var signatures = false
    /// The plan's auth was verified on every request.
    public var auth = false
    /// Events delivered / dead-lettered / filtered.
    public var delivered: EventSet?
    /// See ``delivered``.
    public var deadLettered: EventSet?
    /// See ``delivered``.
    public var filtered: EventSet?
    /// What every dead letter carries.
    public var deadLetter: DeadLetterExpectation?
    /// A wait after a response with `Retry-After` lasted at least that long (minus ``ConformanceTiming/retryAfterToleranceMs``).
    public var retryAfter = false
    /// Waits between attempts of one request lie within the (adjusted) backoff policy's bounds.
    public var backoff = false
    /// Least wait between two attempts of one request, in milliseconds.
    public var minRetrySpacingMs: Int?
    /// Least wait between the answer to one vendor request and the next vendor request (any
    /// request: a rate-limit pause holds back the next one, not only a retry), in milliseconds.
    public var minRequestSpacingMs: Int?
    /// In any window of length T, at most `burst + rps * T` requests (with tolerance).
    public var rateLimit = false
    /// Token endpoint requests, inclusive bounds.
    public var tokenFetches: ClosedRange<Int>?
    /// Requests the token authority refused with 401 (stale token), inclusive bounds.
    public var tokenRejections: ClosedRange<Int>?
    /// Headers every vendor request carries, name -> value *shape*: the value with its
    /// timestamps written `<timestamp>` and long tokens (signatures, ids, access tokens)
    /// written `<token>` (`"X-Signature-256": "sha256=<token>"`).
    public var headers: [String: String] = [:]

    /// Creates empty expectations (only the invariants).
    public init() {}
}

/// One conformance case: input, vendor behaviour and expectations.
public struct ConformanceCase: Sendable {
    /// Unique within its suite.
    public var name: String
    /// What it shows, for reports.
    public var description: String?
    /// Input events.
    public var events: CaseEvents
    /// The vendor's scripted behaviour.
    public var scenario: MockScenario
    /// Expectations.
    public var expect: CaseExpectations
    /// Plan copy changes.
    public var adjustments: PlanAdjustments
    /// Requests in flight at once (default 8).
    public var concurrency: Int
    /// Send each partition's requests strictly in input order (true), or not (false); nil
    /// follows the plan's `ordering`.
    public var ordered: Bool?
    /// Expire every access token once this many vendor requests have been answered, then
    /// feed the rest of the events (OAuth refresh on expiry, mid-run).
    public var expireTokensAfter: Int?
    /// Set for generated (standard battery) cases.
    public var generated: Bool
    /// Secret values the mock vendor verifies with instead of the spec's test secrets
    /// (`vendor_secrets`): a vendor holding another key, to show a wrong signature is refused.
    public var vendorSecrets: [String: String] = [:]

    /// Creates a case answering 200 to everything and expecting only the invariants.
    public init(name: String, description: String? = nil, events: CaseEvents = .defaults, scenario: MockScenario = ConformanceScenarios.alwaysOK,
                expect: CaseExpectations = CaseExpectations(), adjustments: PlanAdjustments = PlanAdjustments(), concurrency: Int = 8,
                ordered: Bool? = nil, expireTokensAfter: Int? = nil, generated: Bool = false) {
        self.name = name
        self.description = description
        self.events = events
        self.scenario = scenario
        self.expect = expect
        self.adjustments = adjustments
        self.concurrency = concurrency
        self.ordered = ordered
        self.expireTokensAfter = expireTokensAfter
        self.generated = generated
    }
}

/// A suite: a spec under test and its cases.
public struct ConformanceSuite: Sendable {
    /// The suite's name (the `classname` in JUnit); defaults to the spec name.
    public var name: String
    /// The spec.
    public var spec: SpecUnderTest
    /// Cases in file order (the standard battery first when included).
    public var cases: [ConformanceCase]

    /// Creates a suite.
    public init(name: String, spec: SpecUnderTest, cases: [ConformanceCase]) {
        self.name = name
        self.spec = spec
        self.cases = cases
    }
}

/// Real-time constants of the harness, in one place so docs/conformance.md can cite them.
public enum ConformanceTiming {
    /// Cap on `initial_backoff_ms` in a case's plan copy.
    public static let initialBackoffCapMs = 40
    /// Cap on `max_backoff_ms` in a case's plan copy.
    public static let maxBackoffCapMs = 200
    /// A measured wait may fall this much short of a `Retry-After` value (clock granularity).
    public static let retryAfterToleranceMs = 50
    /// A measured gap before a retry may exceed the waits the runtime scheduled before it by
    /// this much of real time (scheduling on a loaded 2-core machine in a debug build); the
    /// scheduled waits themselves are checked exactly (``ScheduledWaitChecks``).
    public static let backoffSlackMs = 750
    /// The most the harness's reference-timer lateness (``TimerLatenessProbe``) may add to
    /// that slack: load can excuse a late retry, but only this much.
    public static let timerLatenessCapMs = 1500

    /// The real-time slack of an upper bound on a measured retry gap, in real milliseconds:
    /// ``backoffSlackMs`` plus the lateness a reference timer showed during the case, capped.
    static func upperSlackMs(timerLatenessMs: Double) -> Double {
        Double(backoffSlackMs) + min(max(timerLatenessMs, 0), Double(timerLatenessCapMs))
    }
    /// Rate-limit windows are widened by this much (network and scheduling jitter).
    public static let rateWindowSlackMs = 60
    /// A case that has not finished after this long fails.
    public static let caseTimeoutMs = 60_000
}

/// Scenarios the harness uses when a case gives none.
public enum ConformanceScenarios {
    /// 200 with `{}` for every request.
    public static let alwaysOK = MockScenario(name: "always-200", fallback: MockResponse(status: 200, json: .object(JSONObject())))
}
