/// A counting semaphore for tasks: ``acquire()`` suspends (never blocks a thread) until a
/// permit is free; waiters are served first come, first served, which keeps dispatch order.
/// Bounds the requests in flight.
public final class AsyncSemaphore: Sendable {
    private struct State {
        var permits: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let state: Locked<State>

    /// Creates a semaphore with `permits` free permits.
    public init(permits: Int) { state = Locked(State(permits: permits)) }

    /// Takes a permit, waiting for one if none is free.
    nonisolated(nonsending) public func acquire() async {
        // A free permit is taken without suspending (a continuation resumed at once still
        // queues the task's next job on its executor).
        if state.withLock({ s -> Bool in
            guard s.permits > 0 && s.head == s.waiters.count else { return false }
            s.permits -= 1
            return true
        }) { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { s -> Bool in
                if s.permits > 0 && s.head == s.waiters.count { s.permits -= 1; return true }
                s.waiters.append(c)
                return false
            }
            if granted { c.resume() }
        }
    }

    /// Returns a permit, waking the longest waiter.
    public func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.head < s.waiters.count {
                let c = s.waiters[s.head]
                s.head += 1
                if s.head == s.waiters.count { s.waiters.removeAll(keepingCapacity: true); s.head = 0 }
                return c
            }
            s.permits += 1
            return nil
        }
        next?.resume()
    }
}

/// A one-shot signal: tasks ``wait()`` until someone calls ``fire()`` (and return at once
/// afterwards). Chains the requests of an ordered partition.
public final class CompletionSignal: Sendable {
    private let state = Locked<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Creates an unfired signal.
    public init() {}

    /// Waits until the signal fires.
    nonisolated(nonsending) public func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let fired = state.withLock { s -> Bool in
                if s.fired { return true }
                s.waiters.append(c)
                return false
            }
            if fired { c.resume() }
        }
    }

    /// Fires the signal, waking every waiter.
    public func fire() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.fired = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }
}
