import DSRender

/// One partition's open batch: the render stage's ``BatchGrouper`` (which enforces
/// `max_events` and `max_bytes` on the encoded body, envelope included, and rejects an event
/// too large to fit alone) plus the third trigger, `max_wait_ms`, which needs a clock.
///
/// Pure state: the caller passes the time in and asks for the deadline, so every trigger is
/// tested exactly on virtual time and the delivery loop decides how to wait.
public struct Batcher: Sendable {
    private var grouper: BatchGrouper
    /// How long a batch may stay open after its first event entered it.
    public let maxWait: Duration
    /// When the oldest buffered event arrived; nil when nothing is buffered.
    public private(set) var openedAt: RuntimeInstant?

    /// Creates a batcher over `grouper` (``RequestRenderer/makeBatchGrouper()``).
    public init(grouper: BatchGrouper, maxWait: Duration) {
        self.grouper = grouper
        self.maxWait = maxWait
    }

    /// Number of buffered events.
    public var bufferedCount: Int { grouper.pendingCount }

    /// When the open batch must be flushed by the wait trigger; nil when empty.
    public var deadline: RuntimeInstant? { openedAt.map { $0 + maxWait } }

    /// Buffers `payload` arriving at `now`; returns the batches this completes (by count or
    /// size) and any rejection (an event too large alone). A batch flushed because the new
    /// payload does not fit starts a new one with that payload, whose wait starts now.
    public mutating func add(_ payload: consuming EncodedPayload, at now: RuntimeInstant) throws(RenderError) -> [BatchGroupingEvent] {
        let before = grouper.pendingCount
        let events = try grouper.append(payload)
        let emitted = events.contains { if case .batch = $0 { return true }; return false }
        if grouper.pendingCount == 0 {
            openedAt = nil
        } else if before == 0 || emitted || openedAt == nil {
            openedAt = now
        }
        if let deadline, deadline <= now { return events + flush() }
        return events
    }

    /// Flushes the open batch if its wait has expired at `now`.
    public mutating func flushIfDue(at now: RuntimeInstant) -> [BatchGroupingEvent] {
        guard let deadline, deadline <= now else { return [] }
        return flush()
    }

    /// Flushes whatever is buffered (end of input, shutdown).
    public mutating func flush() -> [BatchGroupingEvent] {
        openedAt = nil
        return grouper.flush()
    }
}

/// Re-forms batches from payloads that already went out once: the two halves of a batch a
/// vendor answered 413 to, or the failed subset of a partially successful batch. Goes
/// through a fresh ``BatchGrouper`` so the bodies are encoded exactly as the first time.
public struct Rebatcher: Sendable {
    private let renderer: RequestRenderer

    /// Creates a rebatcher for the plan `renderer` executes (which must batch).
    public init(renderer: RequestRenderer) { self.renderer = renderer }

    /// The batches (normally one) carrying `payloads`, in order, plus any payload that can
    /// no longer be encoded.
    public func batches(of payloads: [EncodedPayload]) -> [BatchGroupingEvent] {
        guard var grouper = renderer.makeBatchGrouper(), !payloads.isEmpty else { return [] }
        var events: [BatchGroupingEvent] = []
        for p in payloads {
            do {
                events += try grouper.append(p)
            } catch {
                events.append(.rejected(p, error))
            }
        }
        return events + grouper.flush()
    }

    /// A batch split in two halves (the first half one larger for odd counts), each
    /// re-encoded: what a 413 Payload Too Large calls for.
    public func halves(of batch: PayloadBatch) -> [BatchGroupingEvent] {
        let middle = (batch.payloads.count + 1) / 2
        return batches(of: Array(batch.payloads[..<middle])) + batches(of: Array(batch.payloads[middle...]))
    }
}
