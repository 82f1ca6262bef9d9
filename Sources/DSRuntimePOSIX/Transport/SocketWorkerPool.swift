import DSCore
import DSRuntime
import Foundation

/// Threads that run the socket transport's blocking exchanges, so a `poll` waiting on a
/// slow vendor never occupies one of the few threads of Swift's cooperative pool (which
/// would stall every other task in the process, timers included).
///
/// Threads are started on demand while none is idle, up to `maxThreads`, and then stay
/// parked on a condition variable for the process's lifetime: a thread start costs tens of
/// microseconds, a wake-up a few. The number busy is bounded by the connection pools
/// (one exchange per connection), so the cap is a backstop; beyond it jobs queue.
final class SocketWorkerPool: @unchecked Sendable {
    /// The pool every ``SocketHTTPTransport`` shares.
    static let shared = SocketWorkerPool(maxThreads: 128)

    private let condition = ConditionLock()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var threads = 0
    private var idle = 0
    private let maxThreads: Int

    init(maxThreads: Int) { self.maxThreads = max(1, maxThreads) }

    /// Runs `job` on a pool thread.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        // Every queued job needs its own idle thread: a woken thread may not have taken its
        // job yet, so compare the queue with the idle count rather than testing idle > 0.
        let spawn = jobs.count - head > idle && threads < maxThreads
        if spawn { threads += 1 } else { condition.signal() }
        condition.unlock()
        if spawn {
            let thread = Thread { [self] in work() }
            thread.name = "dspec-socket-transport"
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
