import DSCore

/// Where the ledger's durable writes run. ``DeliveryLedger`` hands each group of dead
/// letters and acknowledgements to its writer as one job (write and sync the dead letters,
/// then write and sync the acknowledgements), so a request task never waits for a disk.
///
/// The engine starts no thread and does no I/O, so it only defines the contract: jobs run
/// one at a time, in submission order. Production passes DSRuntimePOSIX's
/// `LedgerWriterThread` (a dedicated thread, so an `fsync` never holds one of the Swift
/// concurrency pool's threads); ``InlineLedgerWriter`` runs each job on the caller, for
/// in-memory sinks and tests.
public protocol LedgerWriter: Sendable {
    /// Runs `job` after every job submitted before it, never at the same time as another.
    func submit(_ job: @escaping @Sendable () -> Void)
    /// Returns once every job submitted before the call has run (blocks the caller).
    func drain()
    /// Drains, then releases the writer's resources; a job submitted later runs on the caller.
    func close()
}

/// Runs each job at once on the caller, one at a time (a ``Locked`` serializes callers):
/// the default of ``DeliveryLedger``, right for in-memory sinks (``DeadLetterCollector``)
/// and tests; a file-backed ledger passes a writer thread instead (DSRuntimePOSIX).
public final class InlineLedgerWriter: LedgerWriter {
    private let serial = Locked(())

    /// Creates a writer.
    public init() {}

    public func submit(_ job: @escaping @Sendable () -> Void) { serial.withLock { _ in job() } }
    public func drain() {}
    public func close() {}
}
