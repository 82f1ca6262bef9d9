import DSCore
import DSJSON
import DSMock
import DSPlan
import DSRender
import DSRuntime
import DSRuntimePOSIX
import Foundation

/// What one case run produced: the vendor's journal, the runtime's ledger and the inputs,
/// everything the expectation checks read.
struct CaseObservation: Sendable {
    /// The plan copy the case ran with.
    var plan: DeliveryPlan
    /// The scenario the mock played.
    var scenario: MockScenario
    /// Input events, in order (line = index + 1).
    var events: [JSONValue]
    /// Each input's event id (`#LINE` when it has none).
    var ids: [String]
    /// Whether the plan selects each input.
    var selected: [Bool]
    /// The outcomes the ledger recorded for each input (exactly one is correct).
    var fates: [[EventFate]]
    /// Requests to the vendor (token requests excluded), in arrival order.
    var vendor: [MockJournalEntry]
    /// Requests to the token endpoint.
    var token: [MockJournalEntry]
    /// The ledger's counts.
    var counts: DeliveryCounts
    /// When the run began (``MonotonicClock`` nanoseconds, the clock of the journal's
    /// arrival times), taken before the runtime's token bucket exists: the bucket starts
    /// full no earlier than this.
    var startedAt: UInt64? = nil
    /// The time scale the case ran at (``ConformanceTimeScale``): the journal's times above
    /// are already nominal; upper-bound slack for scheduling delay is divided by it.
    var timeScale: Double = 1
    /// Every wait the runtime reported scheduling (``DeliveryOptions/waitObserver``), in
    /// report order; nil when the run recorded none (an observation built by hand).
    var waits: [ScheduledWait]? = nil
    /// The case's request concurrency (bounds a rate-limit token wait).
    var concurrency: Int = 8
    /// How late, at worst, the harness's reference timer fired during the run, in real
    /// milliseconds (``TimerLatenessProbe``): added (up to ``ConformanceTiming/timerLatenessCapMs``)
    /// to the real-time slack of the upper bounds on measured retry gaps, so machine load
    /// alone cannot fail a correct runtime.
    var timerLatenessMs: Double = 0
}

/// Runs cases one at a time against one in-process ``MockServer``, each on the real
/// ``Deliverer`` over the real ``AutoTransport`` (through ``LoopbackRedirectTransport``; the
/// mock is `http://`, so requests go out on ``SocketHTTPTransport``).
/// Cases never overlap: the mock's state is swapped atomically per case
/// (`MockServer.reset(to:verifier:)`), so one case's requests cannot answer another's.
public final class ConformanceRunner: Sendable {
    /// The mock vendor.
    public let server: MockServer
    private let transport: AutoTransport
    /// Whether results carry a ``CaseTrace`` (every attempt, for the HTML report).
    public let recordsTraces: Bool
    /// The run's time scale (``ConformanceTimeScale``): 1 runs every wait in real time.
    public let timeScale: Double
    /// The runtime's clock at a case's effective scale (tests swap in a deliberately wrong one).
    private let makeClock: @Sendable (Double) -> any RuntimeClock
    /// Tests only: the plan the runtime runs instead of the case's plan copy (a deliberately
    /// wrong runtime); the harness still checks against the case's plan. Nil in production.
    private let runtimePlan: (@Sendable (DeliveryPlan) -> DeliveryPlan)?
    /// The thread a case's delivery runs on (``RunnerExecutor``).
    let executor: RunnerExecutor

    /// Starts the mock on an ephemeral loopback port. Keep-alive connections are kept far
    /// longer than any run: the socket transport would recover from a closed one, but
    /// libcurl under FoundationNetworking stalls on it (see ``URLSessionTransport``), and
    /// the harness must stay valid over either transport.
    ///
    /// - Parameter timeScale: real time per nominal time for the runtime's waits
    ///   (``ConformanceTimeScale``); 1 (the library default) runs them in real time. An
    ///   invalid scale (not in ``ClockScale/range``) runs at 1.
    public convenience init(recordTraces: Bool = false, timeScale: Double = 1) throws(MockServerError) {
        try self.init(recordTraces: recordTraces, timeScale: timeScale, clock: { ScaledClock(base: SystemClock(), scale: $0) })
    }

    /// As the public initializer, with the runtime's clock made by `clock` from a case's
    /// effective scale.
    init(recordTraces: Bool = false, timeScale: Double, clock: @escaping @Sendable (Double) -> any RuntimeClock,
         runtimePlan: (@Sendable (DeliveryPlan) -> DeliveryPlan)? = nil,
         server configuration: MockServerConfiguration = ConformanceRunner.mockConfiguration) throws(MockServerError) {
        self.recordsTraces = recordTraces
        self.timeScale = ClockScale.isValid(timeScale) ? timeScale : 1
        makeClock = clock
        self.runtimePlan = runtimePlan
        // The mock first: if it cannot start, no executor thread has been started to leak.
        server = try MockServer(configuration: configuration)
        executor = RunnerExecutor(name: "dspec-conformance")
        transport = AutoTransport(maxConnectionsPerHost: 8)
    }

    /// The mock's configuration for a run (see the public initializer).
    static let mockConfiguration = MockServerConfiguration(limits: MockLimits(readTimeoutMs: 30_000, idleTimeoutMs: 600_000))

    /// Stops the mock.
    public func stop() {
        server.stop()
        executor.stop()
    }

    /// Runs one case of `suite` and checks its expectations.
    public func run(_ testCase: ConformanceCase, of suite: ConformanceSuite) async -> CaseResult {
        let started = DispatchTime.now().uptimeNanoseconds
        var result = CaseResult(suite: suite.name, name: testCase.name, description: testCase.description)
        // Failures quote what the vendor received (URLs, headers, bodies) and what it
        // answered: the suite's secrets are shown as <redacted:NAME> in every report.
        let redactor = Self.redactor(suite.spec)
        // On the runner's own thread: a CPU-bound case elsewhere cannot hold up this case's
        // timers (RunnerExecutor).
        let observed = await withTaskExecutorPreference(executor) { await self.observe(testCase, suite.spec) }
        switch observed {
        case .failure(let failure):
            result.failures = [failure]
        case .success(let observation):
            result.requests = observation.vendor.count
            result.failures = ExpectationChecker(observation: observation, expect: testCase.expect, spec: suite.spec).failures()
            if let check = suite.spec.requestCheck { result.failures += check.failures(observation.vendor.map(\.request)) }
            if recordsTraces {
                result.trace = CaseTrace.of(observation, fixtures: testCase.expect.fixtures ? suite.spec.fixtures : nil, redactor: redactor)
            }
        }
        result.failures = result.failures.map { f in
            ExpectationFailure(f.expectation, redactor.redact(f.message), details: f.details.map(redactor.redact))
        }
        result.durationMs = Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
        return result
    }

    /// Every string secret of the spec under test, plus the credentials its renderer derives.
    static func redactor(_ spec: SpecUnderTest) -> SecretRedactor {
        let configuration = RenderConfiguration(settings: spec.settings, secrets: spec.secrets)
        let derived = (try? RequestRenderer(plan: spec.plan, configuration: configuration))?.redactor.secrets ?? []
        return configuration.redactor.adding(derived)
    }

    /// Runs the delivery and collects what happened, or the setup problem that stopped it.
    private func observe(_ testCase: ConformanceCase, _ spec: SpecUnderTest) async -> Result<CaseObservation, ExpectationFailure> {
        let plan = HarnessPlan.adjusted(spec.plan, testCase.adjustments)
        let renderer: RequestRenderer
        do {
            renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: spec.settings, secrets: spec.secrets))
        } catch {
            return .failure(ExpectationFailure("setup", "the plan cannot be rendered with the test settings and secrets: \(error.message)"))
        }
        let events: [JSONValue]
        switch CaseInputs.events(testCase.events, spec: spec, renderer: renderer) {
        case .success(let e): events = e
        case .failure(let f): return .failure(f)
        }
        let selected = events.map { renderer.select($0) == .selected }
        let ids = events.enumerated().map { $0.element["event_id"]?.stringValue ?? "#\($0.offset + 1)" }

        var secretStrings: [String: String] = [:]
        for (k, v) in spec.secrets { if let s = v.stringValue { secretStrings[k] = s } }
        // The client keeps the spec's secrets; only the vendor's copy changes.
        var vendorSecrets = secretStrings
        for (k, v) in testCase.vendorSecrets { vendorSecrets[k] = v }
        var settingValues: [String: JSONValue] = [:]
        for (k, v) in spec.settings { settingValues[k] = v }
        let publicBase = events.indices.first { selected[$0] }
            .flatMap { try? renderer.render(events[$0], environment: FixedRenderEnvironment(), accessToken: "conformance") }
            .flatMap { LoopbackRedirectTransport.origin(of: $0.url) }
        let verifier = MockVerifier(plan: plan, secrets: vendorSecrets, settings: settingValues,
                                    options: MockVerifierOptions(publicBaseURL: publicBase))
        server.reset(to: testCase.scenario, verifier: verifier)

        // The runtime reads nominal time; its sleeps last `scale` of it (ConformanceTimeScale).
        let scale = ConformanceTimeScale.effective(timeScale, scenario: testCase.scenario, plan: plan, events: events.count)
        let clock = makeClock(scale)
        let redirect = LoopbackRedirectTransport(baseURL: server.baseURL, inner: transport)
        let tokens: (any AccessTokenProvider)?
        do {
            tokens = try TokenProviderFactory.provider(for: plan, templates: CredentialTemplates(plan: plan, settings: spec.settings, secrets: spec.secrets),
                                                       store: InMemorySecretStore(secretStrings), transport: redirect, clock: clock)
        } catch {
            return .failure(ExpectationFailure("setup", "no OAuth token provider: \(error.message)"))
        }
        let fates = Locked([[EventFate]](repeating: [], count: events.count))
        let ledger = DeliveryLedger(observer: { line, _, fate in
            fates.withLock { if line >= 1 && line <= $0.count { $0[line - 1].append(fate) } }
        })
        let startedAt = MonotonicClock.now()
        var options = DeliveryOptions(concurrency: testCase.concurrency, orderedPartitions: testCase.ordered)
        options.eventCheck = spec.eventCheck
        let waits = Locked([ScheduledWait]())
        options.waitObserver = { wait in waits.withLock { $0.append(wait) } }
        var runtimeRenderer = renderer
        if let runtimePlan, let wrong = try? RequestRenderer(plan: runtimePlan(plan), configuration: RenderConfiguration(settings: spec.settings, secrets: spec.secrets)) {
            runtimeRenderer = wrong
        }
        let deliverer = Deliverer(renderer: runtimeRenderer, transport: redirect, clock: clock, ledger: ledger,
                                  options: options,
                                  tokens: tokens, jitter: SeededJitterSource(seed: StableHash.fnv1a(spec.name + "/" + testCase.name)))
        let queue = feed(events, expireAfter: testCase.expireTokensAfter)
        let probe = TimerLatenessProbe()
        let run = await Self.withTimeout(ms: ConformanceTiming.caseTimeoutMs, { await deliverer.run(queue) })
        let lateness = probe.stop()
        guard let counts = run else {
            return .failure(ExpectationFailure("timeout", "the delivery run did not finish within \(ConformanceTiming.caseTimeoutMs / 1000) s"))
        }
        // Every timing expectation compares nominal durations: the mock's real receive times
        // are stretched back by the scale, measured from the run's start.
        let journal = scale == 1 ? server.journal : server.journal.map { ConformanceTimeScale.nominal($0, start: startedAt, scale: scale) }
        return .success(CaseObservation(plan: plan, scenario: testCase.scenario, events: events, ids: ids, selected: selected,
                                        fates: fates.withLock { $0 }, vendor: journal.filter { !$0.isTokenRequest },
                                        token: journal.filter(\.isTokenRequest), counts: counts, startedAt: startedAt, timeScale: scale,
                                        waits: waits.withLock { $0 }, concurrency: options.concurrency, timerLatenessMs: lateness))
    }

    /// The input queue. With `expireAfter`, the first events go in, and once the mock has
    /// answered that many vendor requests every access token is expired before the rest
    /// follow: the runtime meets a stale token mid-run.
    private func feed(_ events: [JSONValue], expireAfter: Int?) -> EventInputQueue {
        let records = events.enumerated().map { InputRecord.event(line: $0.offset + 1, event: $0.element) }
        guard let k = expireAfter, k < records.count else { return .closed(records) }
        let queue = EventInputQueue(capacity: max(1, records.count))
        let server = self.server
        Task.detached {
            for r in records[..<k] { queue.put(r) }
            let deadline = DispatchTime.now().uptimeNanoseconds + 20_000_000_000
            while server.journal.filter({ !$0.isTokenRequest && ($0.status ?? 0) < 300 && ($0.status ?? 0) >= 200 }).count < k,
                  DispatchTime.now().uptimeNanoseconds < deadline {
                try? await Task.sleep(for: .milliseconds(5))
            }
            server.tokenAuthority?.expireAllAccessTokens()
            for r in records[k...] { queue.put(r) }
            queue.finish()
        }
        return queue
    }

    /// Runs `body`, or gives up after `ms` milliseconds. Structured: the run and the timer
    /// are two child tasks of one group; whichever finishes first decides, and the other is
    /// cancelled and awaited before this returns, so no timer outlives a case and a timed-out
    /// run is cancelled (the deliverer dead-letters what it has not sent and returns).
    ///
    /// - Parameter sleep: the timer (tests pass one they can observe); it must return
    ///   promptly when cancelled.
    static func withTimeout<T: Sendable>(ms: Int, sleep: @escaping @Sendable (Int) async -> Void = { ms in try? await Task.sleep(for: .milliseconds(ms)) },
                                         _ body: @escaping @Sendable () async -> T) async -> T? {
        await withTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask {
                await sleep(ms)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}

/// Resolves a case's events.
enum CaseInputs {
    /// The events of `source`; generated events clone the selected default events.
    static func events(_ source: CaseEvents, spec: SpecUnderTest, renderer: RequestRenderer) -> Result<[JSONValue], ExpectationFailure> {
        switch source {
        case .defaults:
            return .success(spec.events.map(\.event))
        case .inline(let events):
            return .success(events)
        case .file(let path):
            return .failure(ExpectationFailure("setup", "events file \(path) was not loaded"))
        case .generated(let count):
            let templates = spec.events.map(\.event).filter { renderer.select($0) == .selected }
            guard !templates.isEmpty else {
                return .failure(ExpectationFailure("setup", "no default event is selected by the plan, so none can be generated"))
            }
            return .success((0..<count).map { generated($0, templates: templates) })
        }
    }

    /// The `i`-th (0-based) generated event: the selected default events in turn, each with
    /// its own event id. The battery sizes its batching case from exactly these events.
    static func generated(_ i: Int, templates: [JSONValue]) -> JSONValue {
        var e = templates[i % templates.count]
        if case .object(var o) = e {
            o["event_id"] = .string(String(format: "conformance-%06d", i + 1))
            e = .object(o)
        }
        return e
    }
}

/// FNV-1a, for seeds and shard keys that must be equal on every machine and run (Swift's
/// `Hasher` is randomly seeded per process).
public enum StableHash {
    /// The 64-bit FNV-1a hash of `text`'s UTF-8 bytes.
    public static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}

extension ConformanceRunner {
    /// Runs `entries` (from ``CaseSelection``) of `suites` one after another, reporting
    /// each result to `progress` as it completes.
    public func run(_ entries: [CaseSelection.Entry], of suites: [ConformanceSuite],
                    progress: (@Sendable (CaseResult) -> Void)? = nil) async -> [CaseResult] {
        var results: [CaseResult] = []
        for entry in entries {
            let suite = suites[entry.suite]
            let result = await run(suite.cases[entry.index], of: suite)
            progress?(result)
            results.append(result)
        }
        return results
    }
}
