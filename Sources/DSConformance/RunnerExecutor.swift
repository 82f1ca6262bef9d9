import DSCore
import Foundation

/// A task executor with its own thread, one per ``ConformanceRunner``: a case's delivery runs
/// there (``ConformanceRunner`` wraps it in `withTaskExecutorPreference`), not on the shared
/// cooperative pool.
///
/// Why: the pool has one thread per core. A case that renders and batches thousands of events
/// keeps a pool thread busy for seconds without suspending; two such cases on two cores
/// stopped every other case's timers, and a retry whose `Retry-After` had long expired
/// reached the mock 1 to 2 s late (linkedin-capi `retry-after-429` next to its 5,000-event
/// case, reproducible with `--jobs 4`), failing the backoff upper bound. With a thread per
/// runner, the kernel shares the cores between runners, so a busy case delays another's
/// wake-up by a scheduling quantum, not by its whole run.
final class RunnerExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = ConditionLock()
    private var jobs: [UnownedJob] = []
    private var stopping = false
    private var enqueued = 0

    /// Jobs handed to this executor so far (tests read it).
    var jobsEnqueued: Int { condition.withLock { enqueued } }

    /// Executor threads started and not yet ended, process-wide (tests read it: a runner
    /// that fails to start must not leave one behind).
    static let liveThreads = Locked(0)

    init(name: String) {
        Self.liveThreads.withLock { $0 += 1 }
        let thread = Thread { [self] in
            loop()
            Self.liveThreads.withLock { $0 -= 1 }
        }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.withLock {
            jobs.append(unowned)
            enqueued += 1
            condition.signal()
        }
    }

    /// Lets the thread end once its queue is empty. Tasks still preferring this executor
    /// afterwards must not exist (the runner stops after its last case).
    func stop() {
        condition.withLock {
            stopping = true
            condition.signal()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
