import DSCore
import DSJSON
import DSRender
import DSRuntime
import Foundation

/// The input of `dspec deliver --source redis://...`: a Redis Streams consumer group.
///
/// A reader thread fills the engine's ``EventInputQueue`` exactly as the NDJSON reader does:
/// each stream entry becomes one input record with a line number of its own (1, 2, ... in the
/// order this worker received them), its field `event` decoded as one NDJSON line. The engine
/// then decides each event's fate and its ledger acknowledges the line through this source,
/// which is the ledger's ``CheckpointSink``: `record(lines)` sends `XACK` for their entry IDs
/// on the ledger's writer thread, after the dead letters of the same group are durable (file
/// fsync'd, or `XADD`ed to the dead-letter stream). So an entry is acknowledged only once its
/// outcome is durable; a worker that dies leaves its entries pending, and another worker
/// claims them with `XAUTOCLAIM` once they have been idle for `claim_idle_ms`.
///
/// Backpressure: the reader asks for new entries only while this worker holds fewer than
/// `max_pending` unacknowledged ones. A claimed entry delivered more than `max_deliveries`
/// times is dead-lettered as poison (its reason says so) instead of being sent again.
public final class RedisStreamSource: CheckpointSink, @unchecked Sendable {
    public let url: RedisSourceURL
    private let reader: RedisConnection
    private let acker: RedisConnection
    private let exitWhenIdleMs: Int?
    private let state = ConditionLock()
    // Guarded by `state`.
    private var ids: [Int: String] = [:]
    private var nextLine = 0
    private var failure: RedisError?
    /// Entries read (new or claimed) and acknowledged, for metrics.
    private var claimedCount = 0
    private var acknowledgedCount = 0

    /// Connects twice (one connection blocks in `XREADGROUP`, the other acknowledges) and
    /// creates the group at the end of the stream if it is missing (`MKSTREAM`; BUSYGROUP is fine).
    public init(url: RedisSourceURL, exitWhenIdleMs: Int?) throws(RedisError) {
        self.url = url
        self.exitWhenIdleMs = exitWhenIdleMs
        reader = try RedisConnection.open(host: url.host, port: url.port)
        acker = try RedisConnection.open(host: url.host, port: url.port)
        let created = try reader.call(["XGROUP", "CREATE", url.stream, url.group, "0", "MKSTREAM"])
        if let e = created.errorMessage, !e.hasPrefix("BUSYGROUP") { throw RedisError("redis \(reader.address): XGROUP CREATE: \(e)") }
    }

    /// Entries handed to the engine and not yet acknowledged.
    public var pending: Int { state.withLock { ids.count } }
    /// Entries taken over from other consumers so far.
    public var claimed: Int { state.withLock { claimedCount } }
    /// The error that ended the reading, if any (reported by the caller).
    public var error: RedisError? { state.withLock { failure } }

    /// Starts the reader thread; it finishes `queue` when the queue is stopped (SIGTERM),
    /// on `--exit-when-idle`, or on a Redis error (then ``error`` is set).
    public func start(into queue: EventInputQueue) {
        let thread = Thread { [self] in
            do throws(RedisError) {
                try read(into: queue)
            } catch {
                state.withLock { failure = error }
            }
            queue.finish()
        }
        thread.name = "dspec-redis-source"
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func read(into queue: EventInputQueue) throws(RedisError) {
        let parser = JSONParser()
        // This consumer's own pending entries first (a restart under the same name).
        var history = "0"
        while !queue.isStopped {
            let v = try reader.call(["XREADGROUP", "GROUP", url.group, url.consumer, "COUNT", String(url.count), "STREAMS", url.stream, history])
            let entries = try checked { () throws(RedisStreamProtocol.ReplyError) in try RedisStreamProtocol.readGroup(v) }
            if entries.isEmpty { break }
            history = entries[entries.count - 1].id
            hand(entries, deliveries: [:], to: queue, parser: parser)
        }
        var idleSince = ConditionLock.monotonicNow()
        var cursor = "0-0"
        var lastClaim: UInt64 = 0
        let claimEvery = UInt64(max(100, min(url.claimIdleMs / 2, 5000))) * 1_000_000
        while !queue.isStopped {
            // Backpressure: wait while this worker holds max_pending unacknowledged entries.
            let room = waitForRoom(queue)
            if queue.isStopped { break }
            if room == 0 { idleSince = ConditionLock.monotonicNow(); continue }
            var got = false
            let now = ConditionLock.monotonicNow()
            if now - lastClaim >= claimEvery || cursor != "0-0" {
                lastClaim = now
                let v = try reader.call(["XAUTOCLAIM", url.stream, url.group, url.consumer, String(url.claimIdleMs), cursor, "COUNT", String(min(room, url.count))])
                let claim = try checked { () throws(RedisStreamProtocol.ReplyError) in try RedisStreamProtocol.autoClaim(v) }
                cursor = claim.cursor
                let live = claim.entries.filter { $0.fields != nil }
                if !live.isEmpty {
                    got = true
                    let counts = try deliveryCounts(of: live)
                    state.withLock { claimedCount += live.count }
                    hand(live, deliveries: counts, to: queue, parser: parser)
                }
                // Entries deleted from the stream while pending: nothing to deliver.
                let gone = claim.entries.filter { $0.fields == nil }.map(\.id)
                if !gone.isEmpty { _ = try reader.call(["XACK", url.stream, url.group] + gone) }
            }
            let room2 = min(room, url.count)
            if !got {
                let v = try reader.call(["XREADGROUP", "GROUP", url.group, url.consumer, "COUNT", String(room2), "BLOCK", String(url.blockMs),
                                         "STREAMS", url.stream, ">"], timeout: .milliseconds(url.blockMs + 10_000))
                let entries = try checked { () throws(RedisStreamProtocol.ReplyError) in try RedisStreamProtocol.readGroup(v) }
                if !entries.isEmpty {
                    got = true
                    hand(entries, deliveries: [:], to: queue, parser: parser)
                }
            }
            if got {
                idleSince = ConditionLock.monotonicNow()
            } else if let ms = exitWhenIdleMs, pending == 0, ConditionLock.monotonicNow() - idleSince >= UInt64(ms) * 1_000_000 {
                return
            }
            if pending > 0 { idleSince = max(idleSince, ConditionLock.monotonicNow()) }
        }
    }

    /// Room for new entries, waiting (in slices, to notice a stop) while there is none.
    private func waitForRoom(_ queue: EventInputQueue) -> Int {
        while !queue.isStopped {
            let deadline = ConditionLock.monotonicNow() + 100_000_000
            var room = 0
            _ = state.wait(until: deadline) {
                room = url.maxPending - ids.count
                return room > 0
            }
            if room > 0 { return room }
        }
        return 0
    }

    private func checked<T>(_ body: () throws(RedisStreamProtocol.ReplyError) -> T) throws(RedisError) -> T {
        do { return try body() } catch { throw RedisError("redis \(reader.address): \(error.message)") }
    }

    /// How often each claimed entry has been delivered (`XPENDING` over their ID range).
    private func deliveryCounts(of entries: [StreamEntry]) throws(RedisError) -> [String: Int] {
        guard let first = entries.first?.id, let last = entries.last?.id else { return [:] }
        let v = try reader.call(["XPENDING", url.stream, url.group, first, last, String(entries.count * 2 + 10), url.consumer])
        return try checked { () throws(RedisStreamProtocol.ReplyError) in try RedisStreamProtocol.deliveryCounts(v) }
    }

    /// Numbers the entries and puts them on the queue (blocking while it is full).
    private func hand(_ entries: [StreamEntry], deliveries: [String: Int], to queue: EventInputQueue, parser: JSONParser) {
        for entry in entries {
            let line = state.withLock { () -> Int in
                nextLine += 1
                ids[nextLine] = entry.id
                return nextLine
            }
            let record: InputRecord
            let count = deliveries[entry.id] ?? 1
            if count > url.maxDeliveries {
                let raw = entry.field("event").map { String(decoding: $0.prefix(2048), as: UTF8.self) } ?? ""
                record = .malformed(line: line, raw: raw, message: "poison: stream entry \(entry.id) was delivered \(count) times (max_deliveries \(url.maxDeliveries))")
            } else if let event = entry.field("event") {
                switch EventStream.decode(line: event[...], parser: parser) {
                case .event(let value): record = .event(line: line, event: value)
                case .blank: record = .malformed(line: line, raw: "", message: "stream entry \(entry.id): the field event is blank")
                case .malformed(let message, _): record = .malformed(line: line, raw: String(decoding: event.prefix(2048), as: UTF8.self), message: "stream entry \(entry.id): \(message)")
                }
            } else {
                record = .malformed(line: line, raw: "", message: "stream entry \(entry.id) has no field event")
            }
            queue.put(record, bytes: entry.field("event")?.count ?? 0)
            if queue.isStopped { return }
        }
    }

    /// The stream entry ID behind an input line number.
    public func entryID(line: Int) -> String? { state.withLock { ids[line] } }

    // MARK: CheckpointSink (the ledger's writer thread)

    /// Acknowledges the entries behind `lines` (`XACK`); called after their dead letters are durable.
    public func record(_ lines: [Int]) throws(RuntimeFileError) {
        let entryIDs = state.withLock { lines.compactMap { ids[$0] } }
        guard !entryIDs.isEmpty else { return }
        var commands: [[String]] = []
        var i = 0
        while i < entryIDs.count {
            commands.append(["XACK", url.stream, url.group] + entryIDs[i..<min(i + 1000, entryIDs.count)])
            i += 1000
        }
        do throws(RedisError) {
            let replies = try acker.pipeline(commands)
            if let e = replies.compactMap(\.errorMessage).first { throw RedisError("redis \(acker.address): XACK: \(e)") }
        } catch {
            throw RuntimeFileError(error.message)
        }
        state.lock()
        for l in lines { ids[l] = nil }
        acknowledgedCount += entryIDs.count
        state.broadcast()
        state.unlock()
    }

    public func close() {}

    /// Closes both connections (after the ledger is closed).
    public func shutdown() {
        reader.close()
        acker.close()
    }
}

/// Dead letters to a stream (`XADD STREAM * entry_id ID reason R dead_letter JSON`), after an
/// optional file: the ledger acknowledges the entries only once this returns. Called only
/// from the ledger's writer, whose jobs run one at a time, so the connection is never shared.
public final class RedisDeadLetterStream: DeadLetterSink, @unchecked Sendable {
    private let connection: RedisConnection
    private let stream: String
    private let file: (any DeadLetterSink)?
    private let source: RedisStreamSource

    public init(source: RedisStreamSource, stream: String, file: (any DeadLetterSink)?) throws(RedisError) {
        connection = try RedisConnection.open(host: source.url.host, port: source.url.port)
        self.stream = stream
        self.file = file
        self.source = source
    }

    public func write(_ letters: [DeadLetter]) throws(RuntimeFileError) {
        try file?.write(letters)
        let commands = letters.map { l -> [String] in
            ["XADD", stream, "*", "entry_id", source.entryID(line: l.line) ?? "", "reason", l.reason, "dead_letter", JSONWriter.string(l.json)]
        }
        do throws(RedisError) {
            let replies = try connection.pipeline(commands)
            if let e = replies.compactMap(\.errorMessage).first { throw RedisError("XADD \(stream): \(e)") }
        } catch {
            throw RuntimeFileError("dead-letter stream: \(error.message)")
        }
    }
}
