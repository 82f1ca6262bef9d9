import DSCore

/// The runtime's small pieces of shared mutable state (counters, token caches, waiter
/// lists) are guarded by DSCore's ``DSCore/Locked``, the package's one lock type: never
/// held across a suspension point, a lock rather than an actor where the critical section
/// is a few instructions and callers must not suspend to reach it.
public typealias Locked = DSCore.Locked
