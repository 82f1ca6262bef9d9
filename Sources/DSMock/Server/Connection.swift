/// One client connection's state, owned by exactly one event loop thread (never shared, so
/// it needs no lock).
/// The stored properties are `@exclusivity(unchecked)`: only the owning loop's thread touches
/// them, so the dynamic exclusivity check Swift adds to every access of a class's stored
/// property (a runtime call each, about a tenth of a request's instructions; issue 16)
/// proves nothing here. No access overlaps another to the same property.
final class Connection {
    /// What the connection is doing.
    enum State {
        /// Reading and answering requests.
        case reading
        /// A scripted delay: the answer waits for a timer; no reads meanwhile, so pipelined
        /// requests queue in the kernel and keep their order.
        case waiting(RequestAction)
        /// The stall fault: nothing is sent; input is read and discarded until the client
        /// gives up or the timer closes the connection.
        case stalled
        /// Lingering close: our side is shut down after the last response; input is drained
        /// so the kernel does not answer unread data with a RST that could destroy the
        /// response before the client reads it.
        case draining
    }

    let fd: Int32
    let id: Int
    @exclusivity(unchecked) var parser: RequestParser
    @exclusivity(unchecked) var state = State.reading
    /// Bytes waiting to be written, from `outputOffset`.
    @exclusivity(unchecked) var output: [UInt8] = []
    @exclusivity(unchecked) var outputOffset = 0
    /// Shut down and drain once `output` is written.
    @exclusivity(unchecked) var closeAfterWrite = false
    /// Keep-alive decision of the request being answered.
    @exclusivity(unchecked) var keepAlive = true
    /// Requests completed on this connection.
    @exclusivity(unchecked) var requestCount = 0
    /// Monotonic time of the first byte of the request being received, nil when idle.
    @exclusivity(unchecked) var firstByteAt: UInt64?
    /// Monotonic time of the last read or write, for the idle timeout.
    @exclusivity(unchecked) var lastActivity: UInt64
    /// Monotonic time of the accept or of the last request completed: the connection that
    /// has gone longest without progress is the one evicted when every slot is taken.
    @exclusivity(unchecked) var progressAt: UInt64
    /// The deadline of the pending timer; a timer firing with another deadline is stale.
    @exclusivity(unchecked) var timerDeadline: UInt64 = 0
    /// The `poll` event mask currently requested.
    @exclusivity(unchecked) var interest: Int16
    /// Set when the loop closes it (it is then no longer in the loop's table): handling that
    /// may have closed the connection checks this flag instead of looking the table up.
    @exclusivity(unchecked) var isClosed = false
    /// Index of this connection in its loop's `poll` set.
    @exclusivity(unchecked) var slot = 0

    init(fd: Int32, id: Int, limits: MockLimits, now: UInt64, interest: Int16) {
        self.fd = fd
        self.id = id
        parser = RequestParser(limits: limits)
        lastActivity = now
        progressAt = now
        self.interest = interest
        output.reserveCapacity(1024)
    }

    /// True when the connection may be evicted to make room: it is reading (not answering,
    /// not delayed, not closing), owes no output, and has not started a request body.
    var isEvictable: Bool {
        guard case .reading = state, !closeAfterWrite, output.isEmpty else { return false }
        return parser.isReadingHead
    }

    /// True while the client owes us part of a request (the read timeout applies).
    var isMidRequest: Bool {
        if case .reading = state { return parser.hasPartialRequest }
        return false
    }
}

/// A min-heap of connection timers: (deadline, fd, connection id).
struct TimerHeap {
    struct Entry {
        var deadline: UInt64
        var fd: Int32
        var connectionID: Int
    }

    private var items: [Entry] = []

    var isEmpty: Bool { items.isEmpty }
    var nextDeadline: UInt64? { items.first?.deadline }

    mutating func push(_ e: Entry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].deadline < items[parent].deadline else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < items.count, items[l].deadline < items[smallest].deadline { smallest = l }
            if r < items.count, items[r].deadline < items[smallest].deadline { smallest = r }
            if smallest == i { break }
            items.swapAt(i, smallest)
            i = smallest
        }
        return top
    }
}
