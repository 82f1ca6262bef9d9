import DSJSON

/// What a connection must do with a complete request.
enum RequestAction {
    /// Write this response (after `delayMs`).
    case respond(EncodedResponse, delayMs: Int)
    /// Perform this fault (after `delayMs`).
    case fault(MockFault, delayMs: Int)
}

/// The per-case state of the server — scenario, sequence positions, random generator,
/// verifier, token authority and journal — under one lock, so ``reset(to:verifier:)`` swaps
/// all of it atomically and a request is decided and journaled in one step.
final class MockSession: @unchecked Sendable {
    private let lock = MockLock()
    // The state below is only touched under `lock`, which already orders every access, so it
    // skips Swift's dynamic exclusivity checks (`@exclusivity(unchecked)`; issue 16).
    /// Boxed, so a request takes the case's scenario with one retain instead of copying the
    /// struct (and retaining each of its fields) on the hot path.
    private final class ScenarioBox: Sendable {
        let routes: [MockRoute]
        let fallback: MockResponse
        let invalidTokenResponse: MockResponse?
        /// The fallback's wire form when answering with it takes nothing else (no delay, fault,
        /// partial failure or clock placeholder): what ``act(_:for:rng:)`` gives for any request
        /// but HEAD, without copying the `MockResponse` out of the box.
        let plainFallback: EncodedResponse?
        init(_ scenario: MockScenario) {
            routes = scenario.routes
            fallback = scenario.fallback
            invalidTokenResponse = scenario.invalidTokenResponse
            plainFallback = MockSession.isPlain(scenario.fallback) ? scenario.fallback.encoded : nil
        }
    }
    @exclusivity(unchecked) private var current = ScenarioBox(MockScenario())
    @exclusivity(unchecked) private var positions: [Int] = []
    @exclusivity(unchecked) private var fallbackPosition = 0
    @exclusivity(unchecked) private var rng = SeededGenerator(seed: 1)
    @exclusivity(unchecked) private var verifier: MockVerifier?
    @exclusivity(unchecked) private var authority: MockTokenAuthority?
    /// The journal as a ring: once `journalLimit` entries are held, each new one replaces the
    /// oldest at `ringStart`, so a long standalone run costs O(1) per request and never pauses
    /// to trim.
    @exclusivity(unchecked) private var entries: [MockJournalEntry] = []
    @exclusivity(unchecked) private var ringStart = 0
    @exclusivity(unchecked) private var errors: [MockProtocolError] = []
    @exclusivity(unchecked) private var journalBase = 0
    /// Bumped by every reset, so a request decided under one case cannot touch the next.
    @exclusivity(unchecked) private var epoch = 0
    private let journalLimit: Int

    init(journalLimit: Int) {
        self.journalLimit = max(journalLimit, 2)
    }

    /// Installs a new case.
    func reset(to scenario: MockScenario, verifier: MockVerifier?) {
        var oauth = verifier?.oauth
        if let o = scenario.oauth { oauth = oauth.map { $0.applying(o) } ?? o.configuration }
        let authority = oauth.map { MockTokenAuthority(configuration: $0) }
        lock.withLock {
            current = ScenarioBox(scenario)
            positions = Array(repeating: 0, count: scenario.routes.count)
            fallbackPosition = 0
            rng = SeededGenerator(seed: scenario.seed)
            self.verifier = verifier
            self.authority = authority
            entries.removeAll()
            ringStart = 0
            errors.removeAll()
            journalBase = 0
            epoch += 1
            lock.broadcast()
        }
    }

    var tokenAuthority: MockTokenAuthority? { lock.withLock { authority } }

    var journal: [MockJournalEntry] {
        lock.withLock { ringStart == 0 ? entries : Array(entries[ringStart...] + entries[..<ringStart]) }
    }

    var protocolErrors: [MockProtocolError] { lock.withLock { errors } }

    /// Requests journaled since the last reset, including those the ring has since dropped.
    var requestCount: Int { lock.withLock { journalBase + entries.count } }

    func clearJournal() {
        lock.withLock {
            journalBase += entries.count
            entries.removeAll()
            ringStart = 0
            errors.removeAll()
        }
    }

    /// Waits until the journal holds at least `count` entries.
    func wait(forCount count: Int, timeoutMs: Int) -> Bool {
        lock.wait(until: MonotonicClock.now() &+ UInt64(max(timeoutMs, 0)) &* 1_000_000) { entries.count >= count }
    }

    func record(_ error: MockProtocolError) {
        lock.withLock {
            if errors.count < journalLimit { errors.append(error) }
        }
    }

    /// Decides the answer to `request`, runs the checks and journals it.
    func handle(_ request: consuming MockRequest, connectionID: Int, indexOnConnection: Int, firstByteAt: UInt64, receivedAt: UInt64,
                onRecord: ((MockJournalEntry) -> Void)?) -> RequestAction {
        // Immutable per case: read them once, then run checks outside the lock.
        let (box, verifier, authority, caseEpoch) = lock.withLock { (self.current, self.verifier, self.authority, self.epoch) }
        // The path (a String made from the head's bytes) only when something compares it.
        let path = authority != nil || !box.routes.isEmpty ? request.path : ""
        var checks: [MockCheckResult] = []
        var forced: EncodedResponse?
        let isToken = authority.map { $0.configuration.path == path } ?? false
        let match = isToken || box.routes.isEmpty ? nil : MockScenario.route(in: box.routes, method: request.method, path: path, body: request.body)
        if isToken, let authority {
            let (response, results) = authority.handle(request)
            forced = response
            checks = results
        } else {
            let route = match?.route
            if route?.checks ?? true, let verifier {
                checks = verifier.check(request)
                // A vendor refuses a request whose per-request signature (SigV4, OAuth 1.0a,
                // SAS) does not verify, as AWS, X and Azure do, before any scripted answer.
                if let failed = checks.first(where: { !$0.passed && MockVerifier.refusingChecks.contains($0.name) }) {
                    forced = EncodedResponse(status: 401, headers: [MockHeader(name: "Content-Type", value: "application/json")],
                                             body: JSONWriter.bytes(["error": "invalid_signature", "error_description": .string(failed.detail)]))
                }
            }
            if let authority, route?.requiresToken ?? true {
                let result = authority.validate(authorization: request.header("Authorization"))
                checks.append(result)
                if !result.passed, let custom = box.invalidTokenResponse {
                    forced = Self.encode(custom, for: request)
                } else if !result.passed {
                    forced = EncodedResponse(status: 401, headers: [
                        MockHeader(name: "WWW-Authenticate", value: "Bearer error=\"invalid_token\""),
                        MockHeader(name: "Content-Type", value: "application/json"),
                    ], body: JSONWriter.bytes(["error": "invalid_token", "error_description": .string(result.detail)]))
                }
            }
        }
        // Locked by hand rather than in a closure, so the request can move into its journal
        // entry and the entry into the ring (a closure captures them: two more copies, each a
        // retain per field and the matching releases).
        lock.lock()
        // A reset happened while the checks ran: answer under the old case (its first
        // scripted response) without touching the new case's positions or journal.
        let stale = caseEpoch != epoch
        var routeResponse: MockResponse?
        var useFallback = false
        var responseIndex: Int?
        if forced == nil, stale {
            routeResponse = match?.route.response(at: 0)
            useFallback = routeResponse == nil
        } else if forced == nil {
            if let match, match.index < positions.count {
                responseIndex = positions[match.index]
                routeResponse = match.route.response(at: positions[match.index])
                positions[match.index] += 1
            } else {
                responseIndex = fallbackPosition
                fallbackPosition += 1
                useFallback = true
            }
        }
        // The fallback is read in place from the case's box (no copy of the MockResponse).
        let action: RequestAction
        var delay = 0
        if let forced {
            action = .respond(forced, delayMs: 0)
        } else if let routeResponse {
            (action, delay) = Self.act(routeResponse, for: request, rng: &rng)
        } else if useFallback, let plain = box.plainFallback, !request.isHEAD {
            action = .respond(plain, delayMs: 0)
        } else if useFallback {
            (action, delay) = Self.act(box.fallback, for: request, rng: &rng)
        } else {
            action = .respond(box.fallback.encoded, delayMs: 0)
        }
        if stale {
            lock.unlock()
            return action
        }
        var status: Int?, fault: MockFault?, statusLine: String?, headers: [MockHeader] = []
        switch action {
        case .respond(let e, _):
            status = e.status
            statusLine = e.statusLineText
            headers = e.headers
        case .fault(let f, _): fault = f
        }
        let route = forced == nil ? match?.route.name : nil
        let entry = MockJournalEntry(sequence: journalBase + entries.count, connectionID: connectionID, indexOnConnection: indexOnConnection,
                                     firstByteAt: firstByteAt, receivedAt: receivedAt, request: consume request,
                                     route: route, responseIndex: responseIndex, status: status, fault: fault,
                                     delayMs: delay, isTokenRequest: isToken, checks: consume checks, responseStatusLine: statusLine,
                                     responseHeaders: consume headers)
        let logged = onRecord == nil ? nil : entry  // no copy out when nobody logs
        if entries.count < journalLimit {
            entries.append(consume entry)
        } else {
            entries[ringStart] = consume entry
            ringStart = (ringStart + 1) % journalLimit
            journalBase += 1
        }
        lock.broadcast()
        lock.unlock()
        if let logged { onRecord?(logged) }
        return action
    }

    /// True when ``act(_:for:rng:)`` answers `r` with `r.encoded` and no delay for every
    /// request but HEAD (and draws nothing from the random generator).
    static func isPlain(_ r: MockResponse) -> Bool {
        r.delayMs == 0 && r.randomDelayMs == nil && r.fault == nil && r.partialFailure == nil && !r.hasClockPlaceholders
    }

    /// The action and delay a scripted response asks for.
    static func act(_ r: MockResponse, for request: MockRequest, rng: inout SeededGenerator) -> (RequestAction, Int) {
        var delay = r.delayMs
        if let range = r.randomDelayMs { delay += Int.random(in: range, using: &rng) }
        if let fault = r.fault { return (.fault(fault, delayMs: delay), delay) }
        return (.respond(encode(r, for: request), delayMs: delay), delay)
    }

    /// The wire form of a scripted response: precomputed, or built for partial failures and
    /// HEAD requests.
    private static func encode(_ r: MockResponse, for request: MockRequest) -> EncodedResponse {
        if r.hasClockPlaceholders {
            let headers = r.headers.map { MockHeader(name: $0.name, value: MockResponse.expandClock($0.value, nowMs: MonotonicClock.unixTimeMs())) }
            let body = r.partialFailure.map { $0.responseBody(base: r.bodyJSON, requestBody: request.body) } ?? r.body
            return EncodedResponse(status: r.status, headers: headers, body: body, omitBody: request.isHEAD)
        }
        if let p = r.partialFailure {
            return EncodedResponse(status: r.status, headers: r.headers, body: p.responseBody(base: r.bodyJSON, requestBody: request.body),
                                   omitBody: request.isHEAD)
        }
        if request.isHEAD { return EncodedResponse(status: r.status, headers: r.headers, body: r.body, omitBody: true) }
        return r.encoded
    }
}
