import DSCore

/// Runs async work from a synchronous entry point (the CLI's commands and the benchmarks are
/// synchronous; the runtime and the harness are async) and returns its result.
///
/// The calling thread sleeps on DSCore's ``ConditionLock`` (the package's one lock type)
/// until the detached task has stored its result; never call it from inside an async
/// context, where it would hold a thread of the Swift concurrency pool.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let result = BlockingResult<T>()
    Task.detached { result.set(await body()) }
    return result.wait()
}

/// A value set once by one thread and waited for by another.
final class BlockingResult<T: Sendable>: @unchecked Sendable {
    private let condition = ConditionLock()
    /// Guarded by `condition`.
    private var value: T?

    func set(_ newValue: T) {
        condition.withLock {
            value = newValue
            condition.broadcast()
        }
    }

    func wait() -> T {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let value { return value }
            condition.wait()
        }
    }
}
