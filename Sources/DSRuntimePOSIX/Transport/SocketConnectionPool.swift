import DSRuntime

/// What the pool gives a request: an idle connection to reuse, or the right to open one.
enum SocketLease: Sendable {
    /// A kept-alive connection (to check for staleness before use).
    case reuse(SocketConnection)
    /// A reserved slot: the request opens a new connection in it.
    case fresh
}

/// The connections to one host and port: at most `limit` open (idle plus busy), idle ones
/// reused most-recent first (the least likely to have been closed by the server), requests
/// beyond the limit waiting in arrival order without holding a thread.
final class SocketConnectionPool: Sendable {
    private struct State {
        var idle: [SocketConnection] = []
        var open = 0
        var waiters: [CheckedContinuation<SocketLease, Never>] = []
    }

    private let state = Locked(State())
    private let limit: Int
    private let idleTimeoutNanos: UInt64

    init(limit: Int, idleTimeout: Duration) {
        self.limit = max(1, limit)
        idleTimeoutNanos = UInt64(max(0, idleTimeout.nanoseconds))
    }

    /// A lease, waiting while `limit` connections are busy.
    nonisolated(nonsending) func acquire() async -> SocketLease {
        if let lease = tryAcquire(orEnqueue: nil) { return lease }
        return await withCheckedContinuation { continuation in
            // Checked again under the lock: a connection may have come back meanwhile.
            if let lease = tryAcquire(orEnqueue: continuation) { continuation.resume(returning: lease) }
        }
    }

    private func tryAcquire(orEnqueue waiter: CheckedContinuation<SocketLease, Never>?) -> SocketLease? {
        let now = SocketDeadline.now
        var expired: [SocketConnection] = []
        let lease = state.withLock { s -> SocketLease? in
            // Servers drop idle connections after a few seconds; one idle longer than our
            // timeout is closed here rather than discovered broken mid-request.
            // `idle` is in release order, so the oldest are at the front.
            while let c = s.idle.first, Self.isExpired(lastUsed: c.lastUsed, now: now, timeout: idleTimeoutNanos) {
                s.idle.removeFirst()
                expired.append(c)
                s.open -= 1
            }
            if let c = s.idle.popLast() { return .reuse(c) }
            if s.open < limit {
                s.open += 1
                return .fresh
            }
            if let waiter { s.waiters.append(waiter) }
            return nil
        }
        for c in expired { c.close() }
        return lease
    }

    /// True when a connection last used at `lastUsed` has been idle longer than `timeout` at
    /// `now`. `now` is read before the lock, so a connection released meanwhile by another
    /// thread can be newer than it: that one is fresh, not idle for 2^64 ns (a wrapping
    /// subtraction closed it and opened another, past the per-host limit's intent).
    static func isExpired(lastUsed: UInt64, now: UInt64, timeout: UInt64) -> Bool {
        now > lastUsed && now - lastUsed > timeout
    }

    /// Returns a leased slot: `connection` when it can carry another request, nil when it
    /// was closed (or never opened). A waiting request gets the slot directly.
    func release(_ connection: SocketConnection?) {
        connection?.lastUsed = SocketDeadline.now
        let waiter = state.withLock { s -> CheckedContinuation<SocketLease, Never>? in
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            if let connection { s.idle.append(connection) } else { s.open -= 1 }
            return nil
        }
        waiter?.resume(returning: connection.map { .reuse($0) } ?? .fresh)
    }

    /// Closes every idle connection (busy ones close when their exchange ends).
    func closeIdle() {
        let idle = state.withLock { s -> [SocketConnection] in
            defer { s.open -= s.idle.count; s.idle = [] }
            return s.idle
        }
        for c in idle { c.close() }
    }
}
