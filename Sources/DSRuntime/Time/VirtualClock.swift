import Foundation

/// A clock for tests: time moves only when the test says so, so batching, backoff and rate
/// limiting are tested exactly (to the nanosecond) and without real waiting.
///
/// Two ways to move time:
/// - **Manual** (default): ``advance(by:)`` / ``advance(to:)`` wake sleepers in deadline
///   order (ties in the order they went to sleep), setting `now` to each sleeper's deadline
///   as it is woken. ``waitForSleepers(_:)`` lets a test wait, without any timing, until the
///   code under test has gone to sleep, so every step is deterministic.
/// - **Auto-advance**: every `sleep(until:)` moves `now` forward to its deadline at once and
///   returns. Exact for sequential code (one request's retry loop); for concurrent code the
///   outcome of each event is deterministic but the interleaving of virtual times is not.
public final class VirtualClock: RuntimeClock, @unchecked Sendable {
    private struct Sleeper {
        var id: UInt64
        var deadline: RuntimeInstant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: RuntimeInstant = .zero
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        var sleeperWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var totalSleeps = 0
    }

    /// Wall-clock Unix time at the origin.
    public let unixEpoch: Double
    /// Whether sleeping moves time forward by itself (see the type's documentation).
    public let autoAdvance: Bool
    private let state = Locked(State())

    /// Creates a clock at instant zero, whose wall clock reads `unixEpoch` there
    /// (default: 2026-01-01T00:00:00Z, the fixtures' timestamp).
    public init(unixEpoch: Double = 1_767_225_600, autoAdvance: Bool = false) {
        self.unixEpoch = unixEpoch
        self.autoAdvance = autoAdvance
    }

    public func now() -> RuntimeInstant { state.withLock { $0.now } }

    public func unixTime() -> Double { unixEpoch + now().offset.seconds }

    /// Number of tasks currently asleep on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Number of sleeps that actually waited (deadline in the future) since creation.
    public var totalSleeps: Int { state.withLock { $0.totalSleeps } }

    /// The earliest deadline anyone sleeps until, or nil.
    public var nextDeadline: RuntimeInstant? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    public func sleep(until deadline: RuntimeInstant) async throws {
        try Task.checkCancellation()
        if autoAdvance {
            let waited = state.withLock { s -> Bool in
                guard deadline > s.now else { return false }
                s.now = deadline
                s.totalSleeps += 1
                return true
            }
            if waited { await Task.yield() }
            return
        }
        let id: UInt64? = state.withLock { s in
            guard deadline > s.now else { return nil }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready: [CheckedContinuation<Void, Never>] = state.withLock { s in
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    s.totalSleeps += 1
                    let count = s.sleepers.count
                    let ready = s.sleeperWaiters.filter { $0.count <= count }.map(\.continuation)
                    s.sleeperWaiters.removeAll { $0.count <= count }
                    return ready
                }
                for c in ready { c.resume() }
            }
        } onCancel: {
            let cancelled: Sleeper? = state.withLock { s in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: i)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline is reached.
    public func advance(by duration: Duration) {
        advance(to: now() + duration)
    }

    /// Moves time to `instant` (never backwards), waking sleepers in deadline order.
    public func advance(to instant: RuntimeInstant) {
        while true {
            let woken: Sleeper? = state.withLock { s in
                guard let i = s.sleepers.indices.filter({ s.sleepers[$0].deadline <= instant })
                    .min(by: { (s.sleepers[$0].deadline, s.sleepers[$0].id) < (s.sleepers[$1].deadline, s.sleepers[$1].id) }) else {
                    if instant > s.now { s.now = instant }
                    return nil
                }
                let sleeper = s.sleepers.remove(at: i)
                if sleeper.deadline > s.now { s.now = sleeper.deadline }
                return sleeper
            }
            guard let woken else { return }
            woken.continuation.resume()
        }
    }

    /// Suspends until at least `count` tasks are asleep on this clock. Synchronises a test
    /// with the code under test by state, not by time.
    public func waitForSleepers(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.sleepers.count >= count { return true }
                s.sleeperWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
