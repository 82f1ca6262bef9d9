import DSCore

/// The mock's lock: DSCore's ``ConditionLock`` (a pthread mutex with a monotonic condition
/// variable), so callers can wait for journal growth without polling. One lock type serves
/// the whole package.
typealias MockLock = ConditionLock
