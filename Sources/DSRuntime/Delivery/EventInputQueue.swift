import DSCore
import DSJSON
import Foundation

/// One line of delivery input.
public enum InputRecord: Sendable {
    /// A parsed event (a JSON object) from 1-based `line`.
    case event(line: Int, event: JSONValue)
    /// An event from 1-based `line` held as its bytes (``EventLine``, scanned and valid):
    /// the deliverer builds its payload from the bytes when the plan allows, and parses it
    /// otherwise.
    case line(line: Int, event: EventLine)
    /// A line that is not a JSON object; it is dead-lettered with `message`.
    case malformed(line: Int, raw: String, message: String)
    /// A line an earlier run acknowledged (checkpoint); skipped unparsed.
    case acknowledged(line: Int)
}

/// A bounded hand-off between the input reader (a plain thread doing blocking reads) and
/// the delivery loop (async). The reader blocks when the queue is full, which is what keeps
/// memory bounded however large the input: at most `capacity` parsed events wait here.
///
/// The consumer can wait with a deadline, so the delivery loop flushes a batch whose
/// `max_wait_ms` expires while the input is idle (a slow pipe on stdin) without polling.
public final class EventInputQueue: @unchecked Sendable {
    /// What ``next(deadline:clock:)`` returns.
    public enum Next: Sendable {
        /// An input record.
        case record(InputRecord)
        /// The input is finished.
        case end
        /// The deadline passed with no input.
        case timeout
    }

    private let condition = ConditionLock()
    private let capacity: Int
    /// The most input bytes (the raw lines the waiting records came from) held at once: the
    /// record count alone does not bound memory when events are large.
    private let byteBudget: Int
    // Guarded by `condition`.
    private var items: [InputRecord] = []
    /// The input bytes of each item, parallel to `items`.
    private var costs: [Int] = []
    private var queuedBytes = 0
    /// The most bytes ever queued at once (tests).
    private(set) var queuedBytesHighWater = 0
    private var head = 0
    /// The producer sleeps for room: it is woken once the queue is half empty (by count and
    /// by bytes), not after every take, so a full queue does not cost a wake-up per record.
    private var producerWaiting = false
    private var finished = false
    private var stopped = false
    private var waiter: (id: UInt64, continuation: CheckedContinuation<Next, Never>)?
    private var nextWaiterID: UInt64 = 0

    /// The default byte budget: 16 MiB of input lines waiting (4,096 events of 4 KB).
    public static let defaultByteBudget = 16 * 1024 * 1024

    /// Creates an empty queue holding at most `capacity` records and at most
    /// ``defaultByteBudget`` bytes of input.
    public convenience init(capacity: Int = 4096) { self.init(capacity: capacity, byteBudget: EventInputQueue.defaultByteBudget) }

    /// Creates an empty queue holding at most `capacity` records and, beyond the first
    /// waiting record, at most `byteBudget` bytes of input.
    public init(capacity: Int, byteBudget: Int) {
        self.capacity = max(1, capacity)
        self.byteBudget = max(1, byteBudget)
    }

    /// A finished queue holding `records` (tests, and small in-memory inputs).
    public static func closed(_ records: [InputRecord]) -> EventInputQueue {
        let q = EventInputQueue(capacity: max(1, records.count))
        q.items = records
        q.costs = Array(repeating: 0, count: records.count)
        q.finished = true
        return q
    }

    /// A finished queue of events numbered from line 1.
    public static func closed(events: [JSONValue]) -> EventInputQueue {
        closed(events.enumerated().map { .event(line: $0.offset + 1, event: $0.element) })
    }

    // MARK: Producer (a thread; may block)

    /// Adds a record that came from `bytes` bytes of input, blocking while the queue is full
    /// (by count, or by bytes when something is already waiting). After ``stop()`` the record
    /// is dropped at once.
    public func put(_ record: InputRecord, bytes: Int = 0) {
        put(batch: [(record, bytes)])
    }

    /// Adds records in order under one lock, as ``put(_:bytes:)`` does each: a reader hands
    /// over a whole read's lines at once instead of taking the lock (and waking the
    /// consumer) once per line.
    public func put(batch records: [(record: InputRecord, bytes: Int)]) {
        condition.lock()
        for (record, bytes) in records {
            while waiter == nil, !stopped, items.count - head >= capacity || (items.count > head && queuedBytes + bytes > byteBudget) {
                producerWaiting = true
                condition.wait()
            }
            producerWaiting = false
            if stopped { break }
            if let w = waiter {
                waiter = nil
                condition.unlock()
                w.continuation.resume(returning: .record(record))
                condition.lock()
                continue
            }
            items.append(record)
            costs.append(bytes)
            queuedBytes += bytes
            queuedBytesHighWater = max(queuedBytesHighWater, queuedBytes)
        }
        condition.unlock()
    }

    /// True once ``stop()`` was called: the producer should stop reading.
    public var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// Stops the input early (a graceful shutdown): the consumer sees the end of input at
    /// once, records still queued are dropped (never handed over, so never acknowledged:
    /// a rerun with the checkpoint reads them again), and the producer is released.
    public func stop() {
        condition.lock()
        stopped = true
        finished = true
        items.removeAll()
        head = 0
        let w = waiter
        waiter = nil
        condition.broadcast()
        condition.unlock()
        w?.continuation.resume(returning: .end)
    }

    /// Marks the end of input.
    public func finish() {
        condition.lock()
        finished = true
        let w = waiter
        waiter = nil
        condition.unlock()
        w?.continuation.resume(returning: .end)
    }

    // MARK: Consumer (the delivery loop; one at a time)

    private func takeLocked() -> InputRecord? {
        guard head < items.count else { return nil }
        let r = items[head]
        queuedBytes -= costs[head]
        head += 1
        if head >= 1024 && head * 2 >= items.count {
            items.removeFirst(head)
            costs.removeFirst(head)
            head = 0
        }
        if producerWaiting, items.count - head <= capacity / 2, queuedBytes <= byteBudget / 2 { condition.signal() }
        return r
    }

    /// The next record; waits for one, for the end of input, or until `deadline` on `clock`
    /// (nil: no deadline).
    nonisolated(nonsending) public func next(deadline: RuntimeInstant?, clock: any RuntimeClock) async -> Next {
        let id: UInt64
        switch poll() {
        case .ready(let next): return next
        case .empty(let waiterID): id = waiterID
        }
        var timer: Task<Void, Never>?
        // A cancelled consumer stops waiting and sees the end of input (the records still
        // queued are not taken, so nothing read here is acknowledged).
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Next, Never>) in
                condition.lock()
                // Re-check: the producer may have added something between the two locks.
                if let r = takeLocked() { condition.unlock(); continuation.resume(returning: .record(r)); return }
                if finished { condition.unlock(); continuation.resume(returning: .end); return }
                waiter = (id, continuation)
                condition.signal()
                condition.unlock()
                // The handler below may have run before the waiter existed.
                if Task.isCancelled { expire(id, with: .end); return }
                if let deadline {
                    timer = Task { [weak self] in
                        try? await clock.sleep(until: deadline)
                        self?.expire(id)
                    }
                }
            }
        } onCancel: {
            expire(id, with: .end)
        }
        timer?.cancel()
        return result
    }

    private enum Poll {
        case ready(Next)
        case empty(waiterID: UInt64)
    }

    /// Takes a record or the end without waiting; otherwise reserves a waiter id.
    private func poll() -> Poll {
        condition.lock()
        defer { condition.unlock() }
        if let r = takeLocked() { return .ready(.record(r)) }
        if finished { return .ready(.end) }
        nextWaiterID += 1
        return .empty(waiterID: nextWaiterID)
    }

    private func expire(_ id: UInt64, with next: Next = .timeout) {
        condition.lock()
        guard let w = waiter, w.id == id else { condition.unlock(); return }
        waiter = nil
        condition.unlock()
        w.continuation.resume(returning: next)
    }
}
