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

    /// Creates zero counts.
    public init() {}

    /// Events with a final outcome from this run.
    public var decided: Int { delivered + deadLettered + filtered }
}

/// Where a dead letter goes (an NDJSON file, or a test's array).
public protocol DeadLetterSink: Sendable {
    /// Stores letters durably before returning (their events are then acknowledged).
    func write(_ letters: [DeadLetter])
}

/// Records the fate of every event: counts, dead letters and checkpoint acknowledgements,
/// in that order (a dead letter is on disk before its line is acknowledged, so a crash never
/// loses one). Thread-safe; called by every request task.
public final class DeliveryLedger: Sendable {
    private let counts = Locked(DeliveryCounts())
    private let deadLetters: (any DeadLetterSink)?
    private let checkpoint: CheckpointLog?
    private let observer: (@Sendable (_ line: Int, _ eventID: String, _ fate: EventFate) -> Void)?
    /// Why events were dead-lettered, grouped by ``DeadLetter/cause``.
    public let deadLetterCauses = ReasonTally()
    /// Why requests were retried (one count per retried attempt).
    public let retryCauses = ReasonTally()

    /// Creates a ledger. `observer` sees every fate as it is recorded (tests use it to check
    /// that each event gets exactly one).
    public init(deadLetters: (any DeadLetterSink)? = nil, checkpoint: CheckpointLog? = nil,
                observer: (@Sendable (_ line: Int, _ eventID: String, _ fate: EventFate) -> Void)? = nil) {
        self.deadLetters = deadLetters
        self.checkpoint = checkpoint
        self.observer = observer
    }

    /// The counts so far.
    public var snapshot: DeliveryCounts { counts.withLock { $0 } }

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

    /// Records delivered events `(line, event id)`.
    public func delivered(_ events: [(line: Int, eventID: String)]) {
        guard !events.isEmpty else { return }
        counts.withLock { $0.delivered += events.count }
        if let observer { for e in events { observer(e.line, e.eventID, .delivered) } }
        checkpoint?.acknowledge(events.map(\.line))
    }

    /// Records dead-lettered events.
    public func deadLettered(_ letters: [DeadLetter]) {
        guard !letters.isEmpty else { return }
        for letter in letters { deadLetterCauses.add(letter.cause) }
        deadLetters?.write(letters)
        counts.withLock { $0.deadLettered += letters.count }
        if let observer { for l in letters { observer(l.line, l.eventID, .deadLettered(l)) } }
        checkpoint?.acknowledge(letters.map(\.line))
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
        checkpoint?.acknowledge([line])
    }
}
