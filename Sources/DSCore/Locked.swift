#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a mutex: the package's one lock type for small pieces of shared
/// mutable state touched from many threads or tasks but never held across a suspension
/// point (counters, caches, waiter lists, collected diagnostics). Use ``withLock(_:)``;
/// the value cannot be reached any other way.
///
/// A pthread mutex rather than `Synchronization.Mutex` (not available to every deployment
/// target) or `NSLock` (Foundation, which DSCore does not take). Uncontended, a lock and an
/// unlock cost a few nanoseconds. Where a thread must sleep until state changes, use the
/// companion ``ConditionLock``.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Guarded by `mutex`.
    private var value: Value

    /// Wraps `value`.
    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @discardableResult
    @inline(__always)
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

/// A mutex with a condition variable, for the few places a thread sleeps until shared state
/// changes (a bounded queue's producer, a worker pool's idle threads, the mock's journal
/// waiters). The state it guards lives with its owner; every access to it happens between
/// ``lock()`` and ``unlock()`` or inside ``withLock(_:)``. Timed waits use the monotonic
/// clock, so a wall-clock step cannot stretch them.
public final class ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    /// Creates an unlocked lock.
    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if !canImport(Darwin)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deinitialize(count: 1)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Takes the mutex.
    @inline(__always)
    public func lock() { pthread_mutex_lock(mutex) }

    /// Releases the mutex.
    @inline(__always)
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` while holding the mutex.
    @inline(__always)
    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Sleeps until signalled (mutex held; it is released while sleeping). Wake-ups can be
    /// spurious: callers loop on their condition.
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Wakes one waiter; call while holding the mutex, after changing the guarded state.
    public func signal() { pthread_cond_signal(condition) }

    /// Wakes every waiter; call while holding the mutex, after changing the guarded state.
    public func broadcast() { pthread_cond_broadcast(condition) }

    /// Takes the mutex and waits until `predicate` is true or `deadline` (monotonic
    /// nanoseconds, ``ConditionLock/monotonicNow()``) passes; returns the predicate's final
    /// value.
    public func wait(until deadline: UInt64, _ predicate: () -> Bool) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !predicate() {
            if Self.monotonicNow() >= deadline { return false }
            #if canImport(Darwin)
            let remaining = deadline - Self.monotonicNow()
            var spec = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
            _ = pthread_cond_timedwait_relative_np(condition, mutex, &spec)
            #else
            var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            _ = pthread_cond_timedwait(condition, mutex, &spec)
            #endif
        }
        return true
    }

    /// The monotonic clock in nanoseconds.
    public static func monotonicNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
