import DSJSON
import DSRender

/// Executes a plan on a stream of events: selection (filtered events are recorded, not
/// dropped), payloads, per-partition batching on the plan's three triggers, and requests
/// through ``RequestExecutor`` with at most `concurrency` in flight. Every input event ends
/// in exactly one ledger outcome.
///
/// Memory is bounded by construction: the input queue holds a bounded number of parsed
/// events, the dispatcher stops reading while every request slot is taken, and each
/// partition holds at most one open batch.
public final class Deliverer: Sendable {
    private let renderer: RequestRenderer
    private let clock: any RuntimeClock
    private let ledger: DeliveryLedger
    private let options: DeliveryOptions
    private let executor: RequestExecutor
    private let keyer: PartitionKeyer
    /// ``buildsPayloadsFromLines(renderer:options:)``, decided once: a line record is then
    /// taken as it is (read per event, the options and the mapping were copied each time).
    private let takesLines: Bool
    /// Strict per-partition order: the options' override, else the plan's `ordering`.
    var ordered: Bool { options.orderedPartitions ?? (renderer.plan.ordering == "strict") }

    /// Creates a deliverer.
    ///
    /// - Parameters:
    ///   - renderer: the compiled plan with its settings and secrets (DSRender).
    ///   - transport: where requests go (DSRuntimePOSIX's `AutoTransport` in production).
    ///   - clock: the time source (DSRuntimePOSIX's `SystemClock` in production, ``VirtualClock`` in tests).
    ///   - ledger: records every event's outcome (counts, dead letters, checkpoint).
    ///   - tokens: the access-token provider; required when the plan's auth is OAuth.
    ///   - jitter: randomness for backoff jitter.
    ///   - dryRunSink: receives requests instead of the transport when `options.dryRun`.
    public init(renderer: RequestRenderer, transport: any HTTPTransport, clock: any RuntimeClock, ledger: DeliveryLedger,
                options: DeliveryOptions = DeliveryOptions(), tokens: (any AccessTokenProvider)? = nil,
                jitter: any JitterSource = SystemJitterSource(), dryRunSink: (any DryRunSink)? = nil) {
        self.renderer = renderer
        self.clock = clock
        self.ledger = ledger
        self.options = options
        let limiter = renderer.plan.rateLimit.map { RateLimiter(bucket: TokenBucket($0), clock: clock, shared: options.sharedAdmission) }
        executor = RequestExecutor(RequestExecutor.Context(
            renderer: renderer, transport: transport, clock: clock, limiter: options.dryRun ? nil : limiter, tokens: options.dryRun ? nil : tokens,
            jitter: jitter, ledger: ledger, dryRun: options.dryRun ? dryRunSink : nil), waitObserver: options.waitObserver)
        keyer = PartitionKeyer(renderer: renderer)
        takesLines = Self.buildsPayloadsFromLines(renderer: renderer, options: options)
    }

    /// Delivers everything `input` yields, then waits for the last request to finish.
    /// Returns the final counts (also in the ledger).
    ///
    /// Every request runs as a child task of one task group, so cancelling the task that
    /// calls `run` reaches every request in flight: a cancelled request stops at its next
    /// suspension point (backoff, pause, rate limit, or a transport that observes
    /// cancellation) and its events get no outcome. They stay unacknowledged, are counted
    /// as ``DeliveryCounts/interrupted`` and a rerun with the checkpoint sends them again.
    /// A cancelled run stops reading input too, and so does a ledger write failure
    /// (``DeliveryLedger/failure``): then no open batch is sent, and the caller reports it.
    /// Returns after the ledger's writes are flushed.
    public func run(_ input: EventInputQueue) async -> DeliveryCounts {
        await withDiscardingTaskGroup { group in
            var state = DispatchState(options: options, template: renderer.makeBatchGrouper(),
                                      maxWait: .milliseconds(renderer.plan.batching.maxWaitMs))
            reading: while !Task.isCancelled && ledger.failure == nil {
                switch await input.next(deadline: state.earliestDeadline, clock: clock) {
                case .end:
                    break reading
                case .timeout:
                    break
                case .record(let record):
                    // The usual record of a plan that takes lines is accepted without an
                    // async call (one per event cost about a thousand instructions).
                    if takesLines, case .line(let line, let raw) = record {
                        if !state.batches {
                            if let (unit, partition) = accept(singleLine: line, raw, &state) { await dispatch(unit, partition, &state, &group) }
                        } else if let (events, partition) = accept(line: line, raw, &state) {
                            await handle(events, partition, &state, &group)
                        }
                    } else {
                        await accept(record, &state, &group)
                    }
                }
                if let due = state.earliestDeadline, due <= clock.now() {
                    for (partition, events) in state.flushDue(at: clock.now()) { await handle(events, partition, &state, &group) }
                }
            }
            if ledger.failure == nil {
                for (partition, events) in state.flushAll() { await handle(events, partition, &state, &group) }
            }
            // The workers end once they have taken every unit.
            state.units.close()
            // Leaving the group waits for every request.
        }
        await ledger.flush()
        return ledger.snapshot
    }

    /// True when the deliverer builds payloads straight from event lines (``InputRecord/line(line:event:)``)
    /// without parsing them: a plan whose payload is a plain mapping, one partition, no event
    /// check, and either batching or one event per request with that payload as the body
    /// (`RequestRenderer.rendersSingleRequestsFromLines`). An input reader may then hand lines
    /// over unparsed; any other plan parses them here, with the same result.
    public static func buildsPayloadsFromLines(renderer: RequestRenderer, options: DeliveryOptions) -> Bool {
        options.eventCheck == nil && PartitionKeyer(renderer: renderer).isConstant
            && (renderer.plan.batching.enabled ? renderer.buildsPayloadsFromLines : renderer.rendersSingleRequestsFromLines)
    }

    nonisolated(nonsending) private func accept(_ record: InputRecord, _ state: inout DispatchState, _ group: inout DiscardingTaskGroup) async {
        var record = record
        // (The state batches exactly when the plan does, which takesLines requires.)
        if !takesLines, case .line(let line, let raw) = record {
            record = Self.parsed(line, raw)
        }
        switch record {
        case .line(let line, let raw) where !state.batches:
            if let (unit, partition) = accept(singleLine: line, raw, &state) { await dispatch(unit, partition, &state, &group) }
        case .line(let line, let raw):
            if let (events, partition) = accept(line: line, raw, &state) { await handle(events, partition, &state, &group) }
        case .acknowledged:
            ledger.noteInput(skipped: true)
        case .malformed(let line, let raw, let message):
            ledger.noteInput(skipped: false)
            ledger.deadLettered([DeadLetter(line: line, eventID: "", reason: message, raw: raw)])
        case .event(let line, let event):
            ledger.noteInput(skipped: false)
            let eventID = event["event_id"]?.stringValue ?? ""
            if case .filtered(let reason) = renderer.select(event) {
                ledger.filtered(line: line, eventID: eventID, reason: reason)
                return
            }
            if let check = options.eventCheck, let reason = check(event) {
                ledger.deadLettered([DeadLetter(line: line, eventID: eventID, reason: reason, event: event)])
                return
            }
            let partition = state.partition(for: keyer.key(for: event))
            guard state.batches else {
                await dispatch(DeliveryUnit(single: EncodedPayload(eventID: eventID, event: event, value: nil, bytes: [], tag: line)), partition, &state, &group)
                return
            }
            do throws(RenderError) {
                var payload = try renderer.payload(for: event)
                payload.tag = line
                let events = try state.add(payload, to: partition, at: clock.now())
                if !events.isEmpty { await handle(events, partition, &state, &group) }
            } catch {
                ledger.deadLettered([DeadLetter(line: line, eventID: eventID, reason: error.message, event: event)])
            }
            if state.openPartitionCount > options.maxOpenPartitions {
                for (p, events) in state.flushAll() { await handle(events, p, &state, &group) }
                state.forgetIdlePartitions()
            }
        }
    }

    /// The line's `event_id` string ("" if it has none): `raw.string(of: "event_id") ?? ""`,
    /// with the key found without a generic call and a canonical string taken as its bytes.
    static func eventID(of raw: EventLine) -> String {
        guard let i = ("event_id" as StaticString).withUTF8Buffer({ raw.member($0) }) else { return "" }
        let m = raw.members[i]
        if m.canonical, raw.bytes[Int(m.valueStart)] == UInt8(ascii: "\""), m.valueEnd - m.valueStart >= 2 {
            return String(decoding: raw.bytes[Int(m.valueStart) + 1..<Int(m.valueEnd) - 1], as: UTF8.self)
        }
        return raw.string(of: "event_id") ?? ""
    }

    /// A line record of a plan that takes lines (``takesLines``): selection, then its payload
    /// written from the line joins the open batch. Returns the batches this completes (nil
    /// when none: most events only join the batch), for ``handle(_:_:_:_:)``. Synchronous.
    private func accept(line: Int, _ raw: EventLine, _ state: inout DispatchState) -> (events: [BatchGroupingEvent], partition: Partition)? {
        ledger.noteInput(skipped: false)
        let eventID = Self.eventID(of: raw)
        if case .filtered(let reason) = renderer.selector.select(raw) {
            ledger.filtered(line: line, eventID: eventID, reason: reason)
            return nil
        }
        let partition = state.partition(for: "")
        do throws(RenderError) {
            let payload: EncodedPayload
            if let direct = try renderer.payload(for: raw, eventID: eventID, tag: line) {
                payload = direct
            } else {
                var general = try renderer.payload(for: raw.materialize(or: .null))
                general.tag = line
                payload = general
            }
            let events = try state.add(payload, to: partition, at: clock.now())
            return events.isEmpty ? nil : (events, partition)
        } catch {
            ledger.deadLettered([DeadLetter(line: line, eventID: eventID, reason: error.message, event: raw.materialize(or: .null))])
            return nil
        }
    }

    /// A line record of an unbatched plan that takes lines (``takesLines``): selection, then the
    /// request's unit, its payload written from the line (nil when the event is filtered).
    /// An event the line path cannot write, or whose payload it refuses, goes as the general
    /// path sends it (the parsed event, rendered per attempt), so its outcome and message are
    /// that path's. Synchronous.
    private func accept(singleLine line: Int, _ raw: EventLine, _ state: inout DispatchState) -> (unit: DeliveryUnit, partition: Partition)? {
        ledger.noteInput(skipped: false)
        let eventID = Self.eventID(of: raw)
        if case .filtered(let reason) = renderer.selector.select(raw) {
            ledger.filtered(line: line, eventID: eventID, reason: reason)
            return nil
        }
        let partition = state.partition(for: "")
        if let payload = try? renderer.payload(for: raw, eventID: eventID, tag: line) {
            return (DeliveryUnit(lineBody: payload), partition)
        }
        return (DeliveryUnit(single: EncodedPayload(eventID: eventID, event: raw.materialize(or: .null), value: nil, bytes: [], tag: line)), partition)
    }

    /// A line record as the parsed record the general path takes (the line was validated
    /// when scanned; were it not, it is reported as the parser sees it).
    static func parsed(_ line: Int, _ raw: EventLine) -> InputRecord {
        switch EventStream.decode(line: raw.bytes[...]) {
        case .event(let value): return .event(line: line, event: value)
        case .malformed(let message, _): return .malformed(line: line, raw: String(decoding: raw.bytes.prefix(2048), as: UTF8.self), message: message)
        case .blank: return .malformed(line: line, raw: "", message: "not valid JSON: expected a JSON value")
        }
    }

    nonisolated(nonsending) private func handle(_ events: [BatchGroupingEvent], _ partition: Partition, _ state: inout DispatchState,
                        _ group: inout DiscardingTaskGroup) async {
        for event in events {
            switch event {
            case .batch(let batch):
                await dispatch(DeliveryUnit(batch: batch), partition, &state, &group)
            case .rejected(let payload, let error):
                ledger.deadLettered([DeadLetter(line: payload.tag, eventID: payload.eventID, reason: error.message, event: payload.event)])
            }
        }
    }

    /// Starts a request, as a child task of the run's group, once a slot is free. In ordered
    /// mode the request first waits for the previous request of its partition (which
    /// already holds a slot, so this cannot deadlock).
    nonisolated(nonsending) private func dispatch(_ unit: DeliveryUnit, _ partition: Partition, _ state: inout DispatchState,
                          _ group: inout DiscardingTaskGroup) async {
        let chain = ordered ? partition.chain() : nil
        await state.slots.acquire()
        let executor = self.executor
        let slots = state.slots
        if options.waitObserver != nil && !options.dryRun {
            // A separate task body, so the unobserved one stays as it was (RequestExecutor.deliverObserved).
            group.addTask {
                if let previous = chain?.previous { await previous.wait() }
                await executor.deliverObserved(unit, partition: partition)
                chain?.own.fire()
                slots.release()
            }
            return
        }
        // One long-lived worker task per request slot, started with the first `concurrency`
        // requests, takes units in dispatch order: a task per request cost its creation, its
        // group bookkeeping and, as its async frames grew, about six task-allocator slabs
        // (malloc and free) per request; a worker's slabs are reused from one request to the next.
        if state.workers < options.concurrency {
            state.workers += 1
            let units = state.units
            group.addTask {
                while let item = await units.take() {
                    if let previous = item.chain?.previous { await previous.wait() }
                    await executor.deliver(item.unit, partition: item.partition)
                    item.chain?.own.fire()
                    slots.release()
                }
            }
        }
        state.units.put(UnitQueue.Item(unit: unit, partition: partition, chain: chain))
    }
}

/// The units dispatched to the run's worker tasks (``Deliverer``), first in, first out. A
/// unit is put only once it holds a request slot, so at most `concurrency` wait here, and
/// every unit put is taken: ``take()`` returns nil only once the queue is closed and empty,
/// and its wait does not end on cancellation (a cancelled run's units are still taken, and
/// each ends as interrupted in the executor).
final class UnitQueue: Sendable {
    struct Item: Sendable {
        let unit: DeliveryUnit
        let partition: Partition
        let chain: (previous: CompletionSignal?, own: CompletionSignal)?
    }

    private struct State {
        var items: [Item] = []
        var head = 0
        var takers: [CheckedContinuation<Item?, Never>] = []
        var closed = false
    }

    private let state = Locked(State())

    /// Hands `item` to a waiting worker, or queues it.
    func put(_ item: Item) {
        let taker = state.withLock { s -> CheckedContinuation<Item?, Never>? in
            if !s.takers.isEmpty { return s.takers.removeFirst() }
            s.items.append(item)
            return nil
        }
        taker?.resume(returning: item)
    }

    /// The next unit, waiting for one; nil once the queue is closed and empty.
    nonisolated(nonsending) func take() async -> Item? {
        switch state.withLock({ s in Self.next(&s) }) {
        case .item(let item): return item
        case .end: return nil
        case .wait: break
        }
        return await withCheckedContinuation { (c: CheckedContinuation<Item?, Never>) in
            // Checked again under the lock: a unit may have been put meanwhile.
            let now = state.withLock { s -> Next in
                let next = Self.next(&s)
                if case .wait = next { s.takers.append(c) }
                return next
            }
            switch now {
            case .item(let item): c.resume(returning: item)
            case .end: c.resume(returning: nil)
            case .wait: break
            }
        }
    }

    private enum Next { case item(Item), end, wait }

    private static func next(_ s: inout State) -> Next {
        if s.head < s.items.count {
            let item = s.items[s.head]
            s.head += 1
            if s.head == s.items.count { s.items.removeAll(keepingCapacity: true); s.head = 0 }
            return .item(item)
        }
        return s.closed ? .end : .wait
    }

    /// No more units will be put: waiting workers end, the others end once the queue is empty.
    func close() {
        let takers = state.withLock { s -> [CheckedContinuation<Item?, Never>] in
            s.closed = true
            defer { s.takers = [] }
            return s.takers
        }
        for t in takers { t.resume(returning: nil) }
    }
}

/// The dispatcher's mutable state: partitions, their open batches and the request slots.
/// Owned by the single dispatch loop, never shared.
struct DispatchState {
    let slots: AsyncSemaphore
    /// The units handed to the worker tasks, and how many workers were started.
    let units = UnitQueue()
    var workers = 0
    private let template: BatchGrouper?
    private let maxWait: Duration
    private var partitions: [String: Partition] = [:]
    /// The open batches, one per partition that has had an event: `batchers[slotOf[key]]`.
    /// An array, so the usual event (the same partition as the last one) reaches its batcher
    /// without hashing the key: ``lastSlot``.
    private var batchers: [Batcher] = []
    private var slotOf: [String: Int] = [:]
    /// The key and slot of the batcher ``add(_:to:at:)`` used last (nil after ``forgetIdlePartitions()``).
    private var lastSlot: (key: String, index: Int)?
    /// The partition ``partition(for:)`` returned last (nil after ``forgetIdlePartitions()``).
    private var lastPartition: Partition?
    /// Cached minimum of the open batches' deadlines.
    private(set) var earliestDeadline: RuntimeInstant?

    init(options: DeliveryOptions, template: BatchGrouper?, maxWait: Duration) {
        slots = AsyncSemaphore(permits: options.concurrency)
        self.template = template
        self.maxWait = maxWait
    }

    /// True when the plan batches.
    var batches: Bool { template != nil }

    var openPartitionCount: Int { partitions.count }

    mutating func partition(for key: String) -> Partition {
        // Consecutive events mostly share a key (always, for a constant one): the last
        // partition answers without hashing the key. It is always the one `partitions`
        // holds for its key (reset whenever `partitions` drops entries).
        if let last = lastPartition, last.key == key { return last }
        if let p = partitions[key] { lastPartition = p; return p }
        let p = Partition(key: key)
        partitions[key] = p
        lastPartition = p
        return p
    }

    mutating func add(_ payload: consuming EncodedPayload, to partition: Partition, at now: RuntimeInstant) throws(RenderError) -> [BatchGroupingEvent] {
        // Mutated in place (the array's modify accessor): copying the batcher out and back
        // would copy its buffered payloads on every event (quadratic in max_events). One
        // access: the deadline is read inside it.
        let index = slot(for: partition.key)
        let (events, deadline) = try Self.add(payload, at: now, to: &batchers[index])
        if let d = deadline, earliestDeadline.map({ d < $0 }) ?? true { earliestDeadline = d }
        if !events.isEmpty { recomputeDeadline() }
        return events
    }

    /// The slot of `key`'s batcher, created on its first event.
    private mutating func slot(for key: String) -> Int {
        if let last = lastSlot, last.key == key { return last.index }
        let index: Int
        if let existing = slotOf[key] {
            index = existing
        } else {
            index = batchers.count
            batchers.append(Batcher(grouper: template!, maxWait: maxWait))
            slotOf[key] = index
        }
        lastSlot = (key, index)
        return index
    }

    private static func add(_ payload: consuming EncodedPayload, at now: RuntimeInstant,
                            to batcher: inout Batcher) throws(RenderError) -> ([BatchGroupingEvent], RuntimeInstant?) {
        let events = try batcher.add(payload, at: now)
        return (events, batcher.deadline)
    }

    mutating func flushDue(at now: RuntimeInstant) -> [(Partition, [BatchGroupingEvent])] {
        var out: [(Partition, [BatchGroupingEvent])] = []
        for (key, index) in slotOf {
            let events = batchers[index].flushIfDue(at: now)
            if !events.isEmpty, let p = partitions[key] { out.append((p, events)) }
        }
        recomputeDeadline()
        return out
    }

    mutating func flushAll() -> [(Partition, [BatchGroupingEvent])] {
        var out: [(Partition, [BatchGroupingEvent])] = []
        for (key, index) in slotOf {
            let events = batchers[index].flush()
            if !events.isEmpty, let p = partitions[key] { out.append((p, events)) }
        }
        earliestDeadline = nil
        return out
    }

    /// Drops partitions with nothing buffered (in-flight requests keep theirs alive).
    mutating func forgetIdlePartitions() {
        var kept: [Batcher] = []
        var keptSlots: [String: Int] = [:]
        for (key, index) in slotOf where batchers[index].bufferedCount > 0 {
            keptSlots[key] = kept.count
            kept.append(batchers[index])
        }
        batchers = kept
        slotOf = keptSlots
        partitions = partitions.filter { slotOf[$0.key] != nil }
        lastPartition = nil
        lastSlot = nil
    }

    private mutating func recomputeDeadline() {
        earliestDeadline = batchers.compactMap(\.deadline).min()
    }
}
