import DSCore
import DSJSON

/// An event the runtime gave up on, with everything needed to understand and replay it.
public struct DeadLetter: Sendable, Equatable {
    /// 1-based line of the event in the input.
    public var line: Int
    /// The event's `event_id` (empty if none).
    public var eventID: String
    /// Why it was given up on, in one secret-free line.
    public var reason: String
    /// The last HTTP status received, if any.
    public var status: Int?
    /// The vendor's error message (plan's `response.error_message` pointer), if any.
    public var errorMessage: String?
    /// Attempts made (0: never sent, e.g. too large or not renderable).
    public var attempts: Int
    /// The event itself, when it could be parsed.
    public var event: JSONValue?
    /// The raw input line, when it could not be parsed.
    public var raw: String?

    /// Creates a dead letter.
    public init(line: Int, eventID: String, reason: String, status: Int? = nil, errorMessage: String? = nil, attempts: Int = 0,
                event: JSONValue? = nil, raw: String? = nil) {
        self.line = line
        self.eventID = eventID
        self.reason = reason
        self.status = status
        self.errorMessage = errorMessage
        self.attempts = attempts
        self.event = event
        self.raw = raw
    }

    /// The NDJSON record: `line`, `event_id`, `reason`, `status`, `error`, `attempts`, then
    /// `event` (or `raw`), so a dead-letter file can be fed back to `dspec deliver` after a
    /// `jq -c .event`.
    public var json: JSONValue {
        var o = JSONObject([("line", .int(line)), ("event_id", .string(eventID)), ("reason", .string(reason))])
        o["status"] = status.map { .int($0) } ?? .null
        o["error"] = errorMessage.map { .string($0) } ?? .null
        o["attempts"] = .int(attempts)
        if let event { o["event"] = event }
        if let raw { o["raw"] = .string(raw) }
        return .object(o)
    }
}

extension DeadLetter {
    /// The letter with secret values removed from its reason and error message. The event
    /// (or raw line) is kept as read: it is the input, needed to replay the letter.
    public func redacted(by redactor: SecretRedactor) -> DeadLetter {
        var copy = self
        copy.reason = redactor.redact(reason)
        copy.errorMessage = errorMessage.map(redactor.redact)
        return copy
    }
}

/// The final outcome of one input event: exactly one per event.
public enum EventFate: Sendable, Equatable {
    /// The vendor accepted it (or, in a dry run, its request was printed).
    case delivered
    /// Given up on.
    case deadLettered(DeadLetter)
    /// The plan's selection excludes it (type, name or consent).
    case filtered(reason: String)
}

/// Counts of a delivery run. `delivered + deadLettered + filtered` is the number of input
/// events this run decided; `alreadyAcknowledged` were decided by an earlier run
/// (checkpoint) and skipped.
public struct DeliveryCounts: Sendable, Equatable {
    /// Events read (non-blank input lines), skipped ones included.
    public var input = 0
    /// Events delivered.
    public var delivered = 0
    /// Events dead-lettered.
    public var deadLettered = 0
    /// Events filtered out by the plan's selection.
    public var filtered = 0
    /// Events skipped because the checkpoint says an earlier run decided them.
    public var alreadyAcknowledged = 0
    /// HTTP attempts made (every try of every request).
    public var attempts = 0
    /// Attempts that were retries.
    public var retries = 0
    /// Events whose request was cancelled (a stopped run): no outcome, not acknowledged,
    /// so a rerun with the checkpoint sends them again.
    public var interrupted = 0
    /// Requests sent to isolate the bad events of a batch rejected with an `isolate_on`
    /// status (the halves and their halves): what the isolation cost on top of the
    /// rejected request.
    public var isolationRequests = 0
    /// Pauses taken because the vendor's rate-limit headers said its quota was spent.
    public var rateLimitPauses = 0

    /// Creates zero counts.
    public init() {}

    /// Events with a final outcome from this run.
    public var decided: Int { delivered + deadLettered + filtered }
}

/// Where a dead letter goes (an NDJSON file, or a test's array).
public protocol DeadLetterSink: Sendable {
    /// Stores letters durably before returning (their events are then acknowledged), or
    /// throws: the ledger then stops acknowledging and the run stops.
    func write(_ letters: [DeadLetter]) throws(RuntimeFileError)
}

/// Where acknowledgements go (the `--checkpoint` file: DSRuntimePOSIX's `CheckpointLog`).
public protocol CheckpointSink: Sendable {
    /// Records `lines` as acknowledged durably before returning, or throws: the ledger then
    /// stops acknowledging and the run stops.
    func record(_ lines: [Int]) throws(RuntimeFileError)
    /// Closes the sink (after the ledger's writer has drained).
    func close()
}

/// Records the fate of every event: counts, dead letters and checkpoint acknowledgements.
/// Thread-safe; called by every request task, and never blocks it on a disk: dead letters
/// and acknowledgements go to a ``LedgerWriter`` (in production DSRuntimePOSIX's
/// `LedgerWriterThread`, a dedicated thread off the Swift async pool) that writes and syncs
/// them in groups, each group's dead letters before its acknowledgements, so a dead letter
/// is on disk before its line is acknowledged and a crash never loses one.
///
/// The first write or sync failure is kept (``failure``): from then on nothing more is
/// written, so every event not yet recorded stays unacknowledged (a rerun with the same
/// checkpoint delivers or dead-letters it again). ``Deliverer`` stops reading input when it
/// sees the failure; the caller reports it and exits with an I/O error.
public final class DeliveryLedger: Sendable {
    private let counts = Locked(DeliveryCounts())
    private let deadLetters: (any DeadLetterSink)?
    private let checkpoint: (any CheckpointSink)?
    private let observer: (@Sendable (_ line: Int, _ eventID: String, _ fate: EventFate) -> Void)?
    private let writer: any LedgerWriter
    private let pending = Locked<(letters: [DeadLetter], lines: [Int], scheduled: Bool)>(([], [], false))
    private let firstFailure = Locked<RuntimeFileError?>(nil)
    private let redactor: SecretRedactor?
    private let liveSecrets: (@Sendable () -> [SecretRedactor.Secret])?
    /// Why events were dead-lettered, grouped by ``DeadLetter/cause``.
    public let deadLetterCauses = ReasonTally()
    /// Why requests were retried (one count per retried attempt).
    public let retryCauses = ReasonTally()

    /// Creates a ledger. `observer` sees every fate as it is recorded (tests use it to check
    /// that each event gets exactly one). `redactor` removes known secret values from each
    /// dead letter's reason and vendor error message (a vendor error body may echo the
    /// credential it rejected) before it is stored or observed; `liveSecrets` adds the
    /// credentials obtained during the run (OAuth access tokens, see
    /// ``RecordingTokenProvider``). `writer` runs the durable writes (``InlineLedgerWriter``,
    /// on the caller, when not given: pass a writer thread for file sinks).
    public init(deadLetters: (any DeadLetterSink)? = nil, checkpoint: (any CheckpointSink)? = nil, writer: any LedgerWriter = InlineLedgerWriter(),
                redactor: SecretRedactor? = nil,
                liveSecrets: (@Sendable () -> [SecretRedactor.Secret])? = nil,
                observer: (@Sendable (_ line: Int, _ eventID: String, _ fate: EventFate) -> Void)? = nil) {
        self.deadLetters = deadLetters
        self.checkpoint = checkpoint
        self.writer = writer
        self.redactor = redactor
        self.liveSecrets = liveSecrets
        self.observer = observer
    }

    /// The counts so far.
    public var snapshot: DeliveryCounts { counts.withLock { $0 } }

    /// The first dead-letter or checkpoint write failure, if any (the run must stop).
    public var failure: RuntimeFileError? { firstFailure.withLock { $0 } }

    /// Waits until everything recorded so far is written and synced (or the writer failed).
    public func flush() async {
        guard deadLetters != nil || checkpoint != nil else { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in writer.submit { c.resume() } }
    }

    /// Drains and closes the writer, closes the checkpoint, and returns the first write failure.
    @discardableResult
    public func close() -> RuntimeFileError? {
        writer.close()
        checkpoint?.close()
        return failure
    }

    /// Counts an input event (before its fate is known).
    public func noteInput(skipped: Bool) {
        counts.withLock {
            $0.input += 1
            if skipped { $0.alreadyAcknowledged += 1 }
        }
    }

    /// Counts one HTTP attempt.
    public func noteAttempt(isRetry: Bool) {
        counts.withLock {
            $0.attempts += 1
            if isRetry { $0.retries += 1 }
        }
    }

    /// Counts one request sent to isolate the bad events of a rejected batch.
    public func noteIsolationRequest() {
        counts.withLock { $0.isolationRequests += 1 }
    }

    /// Counts one pause asked for by rate-limit headers.
    public func noteRateLimitPause() {
        counts.withLock { $0.rateLimitPauses += 1 }
    }

    /// Records delivered events `(line, event id)`.
    public func delivered(_ events: [(line: Int, eventID: String)]) {
        guard !events.isEmpty else { return }
        counts.withLock { $0.delivered += events.count }
        if let observer { for e in events { observer(e.line, e.eventID, .delivered) } }
        enqueue(letters: [], lines: events.map(\.line))
    }

    /// Records dead-lettered events.
    public func deadLettered(_ letters: [DeadLetter]) {
        guard !letters.isEmpty else { return }
        let live = liveSecrets?() ?? []
        let redactor = live.isEmpty ? self.redactor : (self.redactor ?? SecretRedactor()).adding(live)
        let letters = redactor.map { r in letters.map { $0.redacted(by: r) } } ?? letters
        for letter in letters { deadLetterCauses.add(letter.cause) }
        counts.withLock { $0.deadLettered += letters.count }
        if let observer { for l in letters { observer(l.line, l.eventID, .deadLettered(l)) } }
        enqueue(letters: deadLetters == nil ? [] : letters, lines: letters.map(\.line))
    }

    /// Counts events whose request was cancelled before an outcome: nothing is written
    /// and nothing acknowledged.
    public func interrupted(_ count: Int) {
        guard count > 0 else { return }
        counts.withLock { $0.interrupted += count }
    }

    /// Records a filtered event.
    public func filtered(line: Int, eventID: String, reason: String) {
        counts.withLock { $0.filtered += 1 }
        observer?(line, eventID, .filtered(reason: reason))
        enqueue(letters: [], lines: [line])
    }

    /// Hands letters and acknowledgements to the writer (group commit: one write and one
    /// sync per file for everything pending when the writer gets to it).
    private func enqueue(letters: [DeadLetter], lines: [Int]) {
        guard deadLetters != nil || checkpoint != nil else { return }
        let schedule = pending.withLock { p -> Bool in
            p.letters += letters
            if checkpoint != nil { p.lines += lines }
            if p.scheduled { return false }
            p.scheduled = true
            return true
        }
        if schedule { writer.submit { self.commit() } }
    }

    /// Runs on the writer.
    private func commit() {
        let (letters, lines) = pending.withLock { p -> ([DeadLetter], [Int]) in
            defer { p = ([], [], false) }
            return (p.letters, p.lines)
        }
        guard failure == nil else { return }
        do throws(RuntimeFileError) {
            if !letters.isEmpty, let deadLetters { try deadLetters.write(letters) }
            if !lines.isEmpty, let checkpoint { try checkpoint.record(lines) }
        } catch {
            firstFailure.withLock { if $0 == nil { $0 = error } }
        }
    }
}
