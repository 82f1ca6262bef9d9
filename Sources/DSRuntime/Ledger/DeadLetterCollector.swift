import DSCore

/// A sink that keeps dead letters in memory (tests).
public final class DeadLetterCollector: DeadLetterSink {
    private let store = Locked<[DeadLetter]>([])

    /// Creates an empty collector.
    public init() {}

    /// Everything written so far.
    public var letters: [DeadLetter] { store.withLock { $0 } }

    public func write(_ letters: [DeadLetter]) { store.withLock { $0 += letters } }
}
