import Foundation

/// A value guarded by a lock, for the runtime's small pieces of shared mutable state that
/// are touched from many tasks but never held across a suspension point (counters, token
/// caches, waiter lists). A lock rather than an actor where the critical section is a few
/// instructions and callers must not suspend to reach it.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// Wraps `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    @discardableResult
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
