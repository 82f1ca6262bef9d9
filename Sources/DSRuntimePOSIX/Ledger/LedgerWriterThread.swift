import DSCore
import DSRuntime
import Foundation

/// The ledger's writer in production (``LedgerWriter``): one dedicated thread that runs the
/// ledger's jobs (write and fsync the dead letters, then the acknowledgements) in submission
/// order, so a dead letter is on disk before its line is acknowledged.
///
/// A thread rather than an actor or a task: a job blocks in `write(2)` and `fsync(2)` for as
/// long as the disk takes, and a blocked job must not hold one of the Swift concurrency
/// pool's threads (one per core) that every request task needs. A thread rather than a
/// serial `DispatchQueue`: the hand-off is the package's one lock type (DSCore's
/// ``ConditionLock``) and the thread's lifetime is explicit (``close()``, or deinit).
public final class LedgerWriterThread: LedgerWriter {
    /// The state the thread and the submitters share; the thread holds this, not the writer,
    /// so dropping the writer stops the thread.
    private final class Shared: @unchecked Sendable {
        let condition = ConditionLock()
        // Guarded by `condition`.
        var jobs: [@Sendable () -> Void] = []
        var submitted: UInt64 = 0
        var completed: UInt64 = 0
        var stopping = false
        var running = true
    }

    private let shared = Shared()

    /// Starts the thread, named `name` (at most 15 bytes are shown by `ps` and debuggers).
    public init(name: String = "dspec-ledger") {
        let shared = self.shared
        let thread = Thread {
            Thread.current.name = name
            Self.loop(shared)
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit { close() }

    /// Runs jobs until closed and drained.
    private static func loop(_ s: Shared) {
        s.condition.lock()
        while true {
            while s.jobs.isEmpty && !s.stopping { s.condition.wait() }
            if s.jobs.isEmpty { break }
            let batch = s.jobs
            s.jobs.removeAll()
            s.condition.unlock()
            for job in batch { job() }
            s.condition.lock()
            s.completed += UInt64(batch.count)
            s.condition.broadcast()
        }
        s.running = false
        s.condition.broadcast()
        s.condition.unlock()
    }

    public func submit(_ job: @escaping @Sendable () -> Void) {
        let s = shared
        s.condition.lock()
        if s.stopping {
            // Closed: wait for the thread to finish its queue, then run here (in order, and
            // nothing is lost; a closed ledger's files refuse the write, which it reports).
            while s.running { s.condition.wait() }
            s.condition.unlock()
            job()
            return
        }
        s.jobs.append(job)
        s.submitted += 1
        s.condition.broadcast()
        s.condition.unlock()
    }

    public func drain() {
        let s = shared
        s.condition.lock()
        let target = s.submitted
        while s.completed < target && s.running { s.condition.wait() }
        s.condition.unlock()
    }

    public func close() {
        let s = shared
        s.condition.lock()
        s.stopping = true
        s.condition.broadcast()
        while s.running { s.condition.wait() }
        s.condition.unlock()
    }
}
