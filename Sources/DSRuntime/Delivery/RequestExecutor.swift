import DSRender

/// Carries one request through its attempts: partition pause, rate-limit token, access
/// token, render (fresh timestamp and signature each attempt, pinned request id),
/// idempotency header, send, classification, then success (with partial failures), a
/// backoff and another attempt, a token refresh, a 413 split, or a dead letter. Every event
/// of the request leaves with exactly one outcome in the ledger.
final class RequestExecutor: Sendable {
    struct Context: Sendable {
        var renderer: RequestRenderer
        var transport: any HTTPTransport
        var clock: any RuntimeClock
        var limiter: RateLimiter?
        var tokens: (any AccessTokenProvider)?
        var jitter: any JitterSource
        var ledger: DeliveryLedger
        var dryRun: (any DryRunSink)?
    }

    private let context: Context
    /// ``DeliveryOptions/waitObserver`` (beside the context, which hot paths copy).
    private let waitObserver: (@Sendable (ScheduledWait) -> Void)?
    private let classifier: StatusClassifier
    private let inspector: ResponseInspector
    private let policy: BackoffPolicy
    private let rebatcher: Rebatcher?
    private let timeout: Duration
    /// Indexes of the plan's rules written in the spec (not defaults): they win over the
    /// runtime's own 413 split.
    private let specRules: Set<Int>
    /// Statuses that split a rejected batch to isolate its bad events (`response.isolate_on`).
    private let isolateOn: [ClosedRange<Int>]
    /// The plan's `response.rate_limit_headers`, if any.
    private let rateLimitHeaders: RateLimitHeaderReader?
    /// The last request number given to a ``ScheduledWait`` (only counted with an observer).
    private let requestNumbers = Locked<UInt64>(0)

    init(_ context: Context, waitObserver: (@Sendable (ScheduledWait) -> Void)? = nil) {
        self.context = context
        self.waitObserver = waitObserver
        let plan = context.renderer.plan
        classifier = StatusClassifier(rules: plan.response.rules)
        inspector = ResponseInspector(plan.response)
        policy = BackoffPolicy(plan.response.retry)
        rebatcher = plan.batching.enabled ? Rebatcher(renderer: context.renderer) : nil
        timeout = .milliseconds(plan.endpoint.timeoutMs)
        specRules = Set(plan.response.rules.indices.filter { plan.response.rules[$0].origin == "spec" })
        isolateOn = plan.response.isolateOn
        rateLimitHeaders = plan.response.rateLimitHeaders.map(RateLimitHeaderReader.init)
    }

    /// Attempt bookkeeping of one request. `count` drives the retry policy; `earlier` is
    /// the requests its events were already in before a 413 split made this request, so a
    /// dead letter's attempt count is the number of requests the event really was in.
    private struct Attempts {
        var count = 0
        var started: RuntimeInstant
        var refreshedAuth = false
        var earlier = 0
        /// The unit is a part of a batch split by `isolate_on`: its requests are counted as
        /// the isolation's cost.
        var isolating = false
        /// Requests the events of this unit have been in.
        var total: Int { earlier + count }
    }

    /// What one attempt's answer means.
    private enum Verdict {
        case delivered(failed: [PartialFailureEntry], status: Int)
        case retry(status: Int?, message: String?, retryAfter: Duration?)
        case drop(status: Int, message: String?, reason: String)
        case refreshAuth(status: Int, message: String?)
        case split
        /// A batch rejected with an `isolate_on` status: split it to find the bad events.
        case isolate(status: Int)
        case unsendable(reason: String)
        /// The run was cancelled while the request was on the wire.
        case interrupted
    }

    /// Delivers `unit` to the end (success or dead letter).
    nonisolated(nonsending) func deliver(_ unit: DeliveryUnit, partition: Partition) async {
        if let sink = context.dryRun {
            do {
                let request = try render(unit, DeliveryRenderEnvironment(clock: context.clock, eventIDs: unit.eventIDs),
                                         token: context.renderer.plan.auth.isOAuth ? "dry-run-access-token" : nil)
                sink.emit(request)
                context.ledger.delivered(unit.payloads.map { ($0.tag, $0.eventID) })
            } catch {
                deadLetter(unit.payloads, reason: error.message, attempts: 0)
            }
            return
        }
        var attempts = Attempts(started: context.clock.now())
        await run(unit, partition, &attempts)
    }

    /// ``deliver(_:partition:)`` with the wait reports' state set for the request (a run
    /// with ``DeliveryOptions/waitObserver``, not a dry run).
    @inline(never)
    func deliverObserved(_ unit: DeliveryUnit, partition: Partition) async {
        guard let observe = waitObserver else { return }
        let reporting = WaitReporting(observe, number: nextRequestNumber())
        await WaitReporting.$current.withValue(reporting) {
            var attempts = Attempts(started: context.clock.now())
            await run(unit, partition, &attempts)
        }
    }

    /// The next request number of the wait reports.
    private func nextRequestNumber() -> UInt64 { requestNumbers.withLock { $0 += 1; return $0 } }

    nonisolated(nonsending) private func run(_ initial: DeliveryUnit, _ partition: Partition, _ attempts: inout Attempts) async {
        var unit = initial
        var environment = DeliveryRenderEnvironment(clock: context.clock, eventIDs: unit.eventIDs)
        while true {
            // A cancelled run (see Deliverer.run) sends nothing more: the events get no
            // outcome and stay unacknowledged.
            do {
                try Task.checkCancellation()
                try await partition.waitWhilePaused(on: context.clock)
                if let limiter = context.limiter { try await limiter.acquire() }
                try Task.checkCancellation()
            } catch {
                interrupted(unit)
                return
            }
            attempts.count += 1
            context.ledger.noteAttempt(isRetry: attempts.count > 1)
            if attempts.isolating { context.ledger.noteIsolationRequest() }
            var token: String?
            if let tokens = context.tokens {
                do {
                    token = try await tokens.accessToken()
                } catch {
                    if Task.isCancelled { interrupted(unit); return }
                    deadLetter(unit.payloads, reason: "no access token: \(error.message)", attempts: attempts.total)
                    return
                }
            }
            var request: RenderedRequest
            do {
                request = try render(unit, environment, token: token)
            } catch {
                deadLetter(unit.payloads, reason: error.message, attempts: attempts.total)
                return
            }
            if waitObserver != nil { WaitReporting.current?.noteSent(attempt: attempts.count, request) }
            let verdict = await attempt(request, unit, partition)
            let lastStatus: Int?
            let lastMessage: String?
            let retryAfter: Duration?
            switch verdict {
            case .interrupted:
                interrupted(unit)
                return
            case .split, .isolate:
                // attempt() splits only batches of a batching plan; never leave events without an outcome.
                guard let rebatcher, let batch = unit.batch else {
                    deadLetter(unit.payloads, reason: "the request cannot be split (not a batch)", attempts: attempts.total)
                    return
                }
                var isolating = attempts.isolating
                var status = 413
                if case .isolate(let s) = verdict { (isolating, status) = (true, s) }
                for half in rebatcher.halves(of: batch) {
                    switch half {
                    case .batch(let b):
                        // Each half is a request of its own in the wait reports (halves run one after the other).
                        if waitObserver != nil, let reporting = WaitReporting.current { reporting.begin(number: nextRequestNumber()) }
                        var fresh = Attempts(started: context.clock.now(), earlier: attempts.total, isolating: isolating)
                        await run(DeliveryUnit(batch: b), partition, &fresh)
                    case .rejected(let p, let error):
                        deadLetter([p], reason: error.message, status: status, attempts: attempts.total)
                    }
                }
                return
            case .drop(let status, let message, let reason):
                deadLetter(unit.payloads, reason: reason, status: status, message: message, attempts: attempts.total)
                return
            case .unsendable(let reason):
                deadLetter(unit.payloads, reason: reason, attempts: attempts.count)
                return
            case .refreshAuth(let status, let message):
                if let tokens = context.tokens, let token, !attempts.refreshedAuth {
                    attempts.refreshedAuth = true
                    await tokens.invalidate(token)
                    continue
                }
                let reason = context.tokens == nil
                    ? "status \(status) is classified refresh_auth, but auth \(context.renderer.plan.auth.typeName) has no token to refresh"
                    : "status \(status) again after refreshing the access token"
                deadLetter(unit.payloads, reason: reason, status: status, message: message, attempts: attempts.total)
                return
            case .delivered(let failed, let status):
                guard let retryUnit = settle(unit, failed: failed, status: status, attempts: attempts.total) else { return }
                unit = retryUnit
                environment = DeliveryRenderEnvironment(clock: context.clock, eventIDs: unit.eventIDs)
                (lastStatus, lastMessage, retryAfter) = (status, "rejected in the response's partial-failure list", nil)
            case .retry(let status, let message, let after):
                (lastStatus, lastMessage, retryAfter) = (status, message, after)
            }
            let elapsed = context.clock.now() - attempts.started
            let decision = waitObserver == nil
                ? policy.decide(afterAttempt: attempts.count, elapsed: elapsed, retryAfter: retryAfter, jitter: context.jitter)
                : Self.decideObserved(policy, afterAttempt: attempts.count, elapsed: elapsed, retryAfter: retryAfter, jitter: context.jitter)
            switch decision {
            case .giveUp(let reason):
                let last = lastStatus.map { "status \($0)" } ?? (lastMessage ?? "network error")
                deadLetter(unit.payloads, reason: "\(reason); last: \(last)", status: lastStatus, message: lastMessage, attempts: attempts.total)
                return
            case .retry(let wait):
                context.ledger.retryCauses.add(lastStatus.map { "HTTP \($0)" + (lastMessage.map { ": \($0)" } ?? "") } ?? lastMessage ?? "network error")
                // One instant for the pause and the sleep, so both end together.
                let resume = context.clock.now() + wait
                if waitObserver != nil, let reporting = WaitReporting.current {
                    Self.reportRetry(reporting, wait: wait, resume: resume, retryAfter: retryAfter, status: lastStatus)
                }
                if lastStatus == 429 {
                    partition.pause(until: resume)
                    context.limiter?.shared?.pause(for: wait)
                }
                do {
                    try await context.clock.sleep(until: resume)
                } catch {
                    interrupted(unit)
                    return
                }
            }
        }
    }

    /// ``BackoffPolicy/decide(afterAttempt:elapsed:retryAfter:jitter:)`` for an observed
    /// request, keeping the backoff drawn for the report (out of line, like the reports).
    @inline(never)
    private static func decideObserved(_ policy: BackoffPolicy, afterAttempt attempts: Int, elapsed: Duration, retryAfter: Duration?,
                                       jitter: some JitterSource) -> RetryDecision {
        let (decision, backoff) = policy.plan(afterAttempt: attempts, elapsed: elapsed, retryAfter: retryAfter, jitter: jitter)
        WaitReporting.current?.backoff = backoff
        return decision
    }

    /// A pause the response's rate-limit headers ask for: the partition (and a shared limit)
    /// pauses, and the observer, if any, is told. Synchronous and out of line: built inside
    /// ``attempt(_:_:_:)`` it grew that async frame past a task-allocator slab (one malloc per
    /// request, observed or not).
    @inline(never)
    private func pauseForRateLimitHeaders(_ pause: Duration, _ partition: Partition) {
        let now = context.clock.now()
        partition.pause(until: now + pause)
        if waitObserver != nil { WaitReporting.current?.reportHeaderPause(start: now, end: now + pause) }
        context.limiter?.shared?.pause(for: pause)
        context.ledger.noteRateLimitPause()
    }

    /// Reports a retry's wait (out of line, like ``waitObserved(_:request:attempt:_:)``).
    @inline(never)
    private static func reportRetry(_ reporting: WaitReporting, wait: Duration, resume: RuntimeInstant,
                                    retryAfter: Duration?, status: Int?) {
        let backoff = reporting.backoff
        reporting.observe(ScheduledWait(kind: .retry, request: reporting.number, attempt: reporting.attempt + 1, start: RuntimeInstant(offset: resume.offset - wait),
                                        end: resume, backoff: backoff, retryAfter: retryAfter, status: status, retried: reporting.sent))
    }

    /// Sends one attempt and interprets the answer.
    nonisolated(nonsending) private func attempt(_ request: RenderedRequest, _ unit: DeliveryUnit, _ partition: Partition) async -> Verdict {
        let response: HTTPResponse
        do {
            response = try await context.transport.send(request, timeout: timeout)
        } catch {
            if Task.isCancelled { return .interrupted }
            // Nothing was sent and sending again cannot help: drop at once, with the reason.
            if error.kind == .invalidRequest { return .unsendable(reason: "the request cannot be sent: \(error.message)") }
            // The endpoint's host and port say which connection failed (never the path or
            // query, which may carry credentials).
            return .retry(status: nil, message: error.message + (urlAuthority(request.url).map { " (\($0))" } ?? ""), retryAfter: nil)
        }
        let (outcome, rule) = classifier.classify(status: response.status, body: response.body)
        // The vendor's rate-limit headers pause the whole partition, whatever the status.
        if let rateLimitHeaders, let pause = rateLimitHeaders.pause(header: response.header, nowUnixMs: Self.unixMilliseconds(context.clock),
                                                                       isRetry: outcome == .retry) {
            pauseForRateLimitHeaders(pause, partition)
        }
        let decidedBySpec = rule.map(specRules.contains) ?? false
        let splittable = unit.payloads.count > 1 && rebatcher != nil && unit.batch != nil && !decidedBySpec
        // A 413 splits the batch unless the spec's own rules say what a 413 means.
        if response.status == 413, splittable { return .split }
        // So does an isolate_on status, to find the events the vendor refuses.
        if splittable, isolateOn.contains(where: { $0.contains(response.status) }) { return .isolate(status: response.status) }
        switch outcome {
        case .success:
            let arrays = context.renderer.plan.batching.arrays
            let layout = arrays.isEmpty ? nil : BatchArrayLayout(names: arrays.map(\.name), payloads: unit.payloads)
            let failed = inspector.readsPartialFailures ? inspector.partialFailures(response.body, batchSize: unit.payloads.count, arrays: layout) : []
            return .delivered(failed: failed, status: response.status)
        case .retry:
            let after = response.header("Retry-After").flatMap { RetryAfter.parse($0, nowUnix: context.clock.unixTime()) }
            return .retry(status: response.status, message: inspector.errorMessage(response.body), retryAfter: after)
        case .drop:
            return .drop(status: response.status, message: inspector.errorMessage(response.body), reason: "status \(response.status) is classified drop")
        case .refreshAuth:
            return .refreshAuth(status: response.status, message: inspector.errorMessage(response.body))
        }
    }

    /// Records a successful response: every event delivered except the ones its
    /// partial-failure list names, which get the plan's partial-failure outcome. Returns the
    /// unit to retry when that outcome is `retry`.
    private func settle(_ unit: DeliveryUnit, failed: [PartialFailureEntry], status: Int, attempts: Int) -> DeliveryUnit? {
        // The usual answer: every event delivered (the same records, in the same order, as
        // the filter below gives with no index to leave out).
        guard !failed.isEmpty else {
            context.ledger.delivered(unit.payloads.map { ($0.tag, $0.eventID) })
            return nil
        }
        let failedIndexes = Set(failed.map(\.index))
        let ok = unit.payloads.enumerated().filter { !failedIndexes.contains($0.offset) }.map { ($0.element.tag, $0.element.eventID) }
        context.ledger.delivered(ok)
        let failedPayloads = failed.sorted { $0.index < $1.index }.map { unit.payloads[$0.index] }
        switch inspector.partialFailureOutcome {
        case .success:
            context.ledger.delivered(failedPayloads.map { ($0.tag, $0.eventID) })
            return nil
        case .retry:
            guard let rebatcher else { return DeliveryUnit(single: failedPayloads[0]) }
            var result: DeliveryUnit?
            for event in rebatcher.batches(of: failedPayloads) {
                switch event {
                case .batch(let b) where result == nil: result = DeliveryUnit(batch: b)
                case .batch(let b): deadLetter(b.payloads, reason: "could not be re-batched for a retry", status: status, attempts: attempts)
                case .rejected(let p, let error): deadLetter([p], reason: error.message, status: status, attempts: attempts)
                }
            }
            return result
        case .drop, .refreshAuth:
            let messages = Dictionary(failed.map { ($0.index, $0.message) }, uniquingKeysWith: { a, _ in a })
            let letters = failed.sorted { $0.index < $1.index }.map { entry in
                let p = unit.payloads[entry.index]
                return DeadLetter(line: p.tag, eventID: p.eventID, reason: "rejected in the vendor's partial-failure list (status \(status))",
                                  status: status, errorMessage: messages[entry.index] ?? nil, attempts: attempts, event: p.event)
            }
            context.ledger.deadLettered(letters)
            return nil
        }
    }

    /// The clock's Unix time in whole milliseconds (saturating; a clock is never NaN, but
    /// the conversion must not trap whatever it returns).
    static func unixMilliseconds(_ clock: any RuntimeClock) -> Int64 {
        let ms = (clock.unixTime() * 1000).rounded(.down)
        guard ms.isFinite else { return 0 }
        if ms >= 9.0e18 { return 9_000_000_000_000_000_000 }
        if ms <= -9.0e18 { return -9_000_000_000_000_000_000 }
        return Int64(ms)
    }

    private func render(_ unit: DeliveryUnit, _ environment: DeliveryRenderEnvironment, token: String?) throws(RenderError) -> RenderedRequest {
        if let batch = unit.batch { return try context.renderer.render(batch: batch, environment: environment, accessToken: token) }
        if unit.payloadIsBody { return try context.renderer.render(single: unit.payloads[0], environment: environment, accessToken: token) }
        return try context.renderer.render(unit.payloads[0].event, environment: environment, accessToken: token)
    }

    /// A cancelled request: its events are counted, not decided (no dead letter, no
    /// acknowledgement).
    private func interrupted(_ unit: DeliveryUnit) {
        context.ledger.interrupted(unit.payloads.count)
    }

    private func deadLetter(_ payloads: [EncodedPayload], reason: String, status: Int? = nil, message: String? = nil, attempts: Int) {
        context.ledger.deadLettered(payloads.map {
            DeadLetter(line: $0.tag, eventID: $0.eventID, reason: reason, status: status, errorMessage: message, attempts: attempts, event: $0.event)
        })
    }
}
