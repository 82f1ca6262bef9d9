#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(CSystemEpoll) && os(Linux)
import CSystemEpoll
#endif

/// What every event loop shares with the server.
final class ServerContext: Sendable {
    let limits: MockLimits
    let session: MockSession
    let onRecord: (@Sendable (MockJournalEntry) -> Void)?
    private let counter = MockLock()
    nonisolated(unsafe) private var open = 0

    /// `limits.maxConnections`, lowered to what the file descriptor limit allows.
    let maxConnections: Int

    init(limits: MockLimits, session: MockSession, onRecord: (@Sendable (MockJournalEntry) -> Void)?) {
        self.limits = limits
        self.session = session
        self.onRecord = onRecord
        maxConnections = max(1, min(limits.maxConnections, Self.descriptorBudget()))
    }

    /// Descriptors this server may spend on connections: the soft `RLIMIT_NOFILE` minus a
    /// reserve for everything else in the process (listener, pipes, files, a client in the
    /// same process), so `accept` does not fail with EMFILE while a slot looks free.
    private static func descriptorBudget() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return Int.max }
        let soft = Int(clamping: limit.rlim_cur)
        return max(16, soft / 2)
    }

    nonisolated(unsafe) private var peak = 0

    /// Reserves a connection slot; false when `maxConnections` are open.
    func admit() -> Bool {
        counter.withLock {
            guard open < maxConnections else { return false }
            open += 1
            peak = max(peak, open)
            return true
        }
    }
    /// Frees a slot. An eviction does not call this: the evicted connection's slot passes to
    /// the newcomer directly, so the count never dips while another accept could take it.
    func release() { counter.withLock { open -= 1 } }
    var openConnections: Int { counter.withLock { open } }
    /// The most connections held at once since the server started (never above `maxConnections`).
    var peakConnections: Int { counter.withLock { peak } }
}

/// One event loop on its own thread, serving the connections handed to it.
///
/// On Linux it waits with epoll(7), through the package's C target `CSystemEpoll` (Swift's
/// Glibc module does not export it): the kernel keeps the interest set, so a wait costs
/// nothing per idle connection, where `poll` registered and scanned every connection on
/// every call (issue 16). Elsewhere it uses `poll` over an array it maintains in place (a
/// connection knows its slot; removal swaps with the last). Both are level-triggered with
/// the same event bits, which keeps the logic simple and the same for both: a connection is interested in reading while
/// it is answering requests, in writing only while output is pending (which also stops it
/// reading, so a client that pipelines without reading cannot grow our buffers), and in
/// nothing while a scripted delay runs. Timers (delays, stalls, lingering closes) sit in a
/// heap; read and idle timeouts are found by a periodic sweep, which costs one pass over a
/// few connections instead of a timer per request.
final class EventLoop: @unchecked Sendable {
    private let context: ServerContext
    /// The self-pipe that wakes `poll` when a connection is handed over or stop is asked.
    private let wakeRead: Int32, wakeWrite: Int32
    private let inbox = MockLock()
    private var incoming: [(fd: Int32, id: Int, evict: Bool)] = []
    private var stopping = false
    // Loop-thread state below: only this loop's thread touches it, so it skips Swift's dynamic
    // exclusivity checks (`@exclusivity(unchecked)`, as `Connection` does; issue 16).
    @exclusivity(unchecked) private var connections: [Int32: Connection] = [:]
    #if canImport(CSystemEpoll) && os(Linux)
    /// The epoll instance; each registration's data is the descriptor.
    private let epfd: Int32
    private let events: UnsafeMutablePointer<epoll_event>
    private static let eventCapacity = 256
    /// `connections` again, indexed by descriptor: an event finds its connection with an
    /// array index instead of a hash lookup.
    @exclusivity(unchecked) private var byFD: [Connection?] = []
    #else
    /// `poll` set: slot 0 is the wake pipe; `slots[i]` is the connection polled at `pollSet[i]`.
    @exclusivity(unchecked) private var pollSet: [pollfd] = []
    @exclusivity(unchecked) private var slots: [Connection?] = []
    #endif
    @exclusivity(unchecked) private var timers = TimerHeap()
    @exclusivity(unchecked) private var date = HTTPDateCache()
    @exclusivity(unchecked) private var nextSweep: UInt64 = 0
    private let sweepInterval: UInt64
    private let readBuffer: UnsafeMutableRawBufferPointer
    private static let readSize = 65536
    private static let drainMs = 2000

    init(context: ServerContext) throws(MockServerError) {
        self.context = context
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw MockServerError("pipe: \(Socket.errorText())") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        Socket.setNonBlocking(wakeRead)
        Socket.setNonBlocking(wakeWrite)
        let shortest = min(context.limits.readTimeoutMs, context.limits.idleTimeoutMs, context.limits.headTimeoutMs)
        sweepInterval = UInt64(max(5, min(250, shortest / 4))) * 1_000_000
        readBuffer = .allocate(byteCount: Self.readSize, alignment: 16)
        #if canImport(CSystemEpoll) && os(Linux)
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        events = .allocate(capacity: Self.eventCapacity)
        var wakeEvent = epoll_event()
        wakeEvent.events = EPOLLIN.rawValue
        wakeEvent.data.fd = wakeRead
        guard epfd >= 0, epoll_ctl(epfd, EPOLL_CTL_ADD, wakeRead, &wakeEvent) == 0 else {
            let reason = Socket.errorText()
            if epfd >= 0 { close(epfd) }
            events.deallocate()
            readBuffer.deallocate()
            close(wakeRead)
            close(wakeWrite)
            throw MockServerError("epoll: \(reason)")
        }
        #else
        pollSet = [pollfd(fd: wakeRead, events: Self.pollIn, revents: 0)]
        slots = [nil]
        #endif
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
        readBuffer.deallocate()
        #if canImport(CSystemEpoll) && os(Linux)
        close(epfd)
        events.deallocate()
        #endif
    }

    /// Hands an accepted connection to this loop (called from the acceptor thread). With
    /// `evict`, every slot is taken: the loop makes room by closing its least recently
    /// productive idle connection, or refuses the new one with a plain close.
    func adopt(fd: Int32, id: Int, evict: Bool = false) {
        inbox.withLock { incoming.append((fd, id, evict)) }
        wake()
    }

    /// Asks the loop to close its connections and return from ``run()``.
    func stop() {
        inbox.withLock { stopping = true }
        wake()
    }

    private func wake() {
        var one: UInt8 = 1
        _ = write(wakeWrite, &one, 1)  // a full pipe already means "wake up"
    }

    static let pollIn = Int16(POLLIN), pollOut = Int16(POLLOUT)
    static let pollClosed = Int16(POLLHUP | POLLERR | POLLNVAL)

    /// The loop body; returns after ``stop()``.
    func run() {
        var drain = [UInt8](repeating: 0, count: 64)
        while true {
            let now = MonotonicClock.now()
            var timeout = Int32(sweepInterval / 1_000_000)
            if let next = timers.nextDeadline { timeout = min(timeout, Int32(clamping: next > now ? (next - now + 999_999) / 1_000_000 : 0)) }
            #if canImport(CSystemEpoll) && os(Linux)
            let n = epoll_wait(epfd, events, Int32(Self.eventCapacity), timeout)
            if n < 0, errno != EINTR { break }
            for k in 0..<Int(max(n, 0)) {
                let fd = events[k].data.fd
                let revents = Int16(truncatingIfNeeded: events[k].events)
                if fd == wakeRead {
                    _ = read(wakeRead, &drain, drain.count)
                    if adoptIncoming() { shutdownAll(); return }
                } else if fd >= 0, Int(fd) < byFD.count, let connection = byFD[Int(fd)] {
                    // A connection closed earlier in this batch is gone from the table. Its
                    // number can come back only through adoption, on the wake event: a batch
                    // holds one event per descriptor, so no later event here is the old one's.
                    handle(connection, events: revents)
                }
            }
            #else
            let n = pollSet.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
            if n < 0, errno != EINTR { break }
            if n > 0 {
                if pollSet[0].revents != 0 {
                    _ = read(wakeRead, &drain, drain.count)
                    if adoptIncoming() { shutdownAll(); return }
                }
                // Walk backwards: handling may close a connection, which moves the last slot
                // into the closed one's place (already visited when walking backwards).
                var i = pollSet.count - 1
                while i >= 1 {
                    let revents = pollSet[i].revents
                    if revents != 0, let connection = slots[i] {
                        pollSet[i].revents = 0
                        handle(connection, events: revents)
                    }
                    i -= 1
                    if i >= pollSet.count { i = pollSet.count - 1 }
                }
            }
            #endif
            let after = MonotonicClock.now()
            fireTimers(after)
            if after >= nextSweep {
                sweep(after)
                nextSweep = after + sweepInterval
            }
        }
        shutdownAll()
    }

    /// Registers newly accepted connections; returns true when the loop must stop.
    private func adoptIncoming() -> Bool {
        let (batch, stop) = inbox.withLock { () -> ([(fd: Int32, id: Int, evict: Bool)], Bool) in
            defer { incoming.removeAll() }
            return (incoming, stopping)
        }
        let now = MonotonicClock.now()
        for (fd, id, evict) in batch {
            if evict {
                guard !stop, let victim = connections.values.filter(\.isEvictable).min(by: { $0.progressAt < $1.progressAt }) else {
                    shutdown(fd, Int32(SHUT_RDWR))
                    close(fd)
                    continue
                }
                closeConnection(victim, releasingSlot: false)  // its slot is the newcomer's
            }
            let c = Connection(fd: fd, id: id, limits: context.limits, now: now, interest: Self.pollIn)
            #if canImport(CSystemEpoll) && os(Linux)
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.fd = fd
            guard epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) == 0 else {
                // Cannot be watched: refuse it as a full server does (its slot is freed).
                close(fd)
                context.release()
                continue
            }
            if Int(fd) >= byFD.count { byFD.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - byFD.count)) }
            byFD[Int(fd)] = c
            #else
            c.slot = pollSet.count
            pollSet.append(pollfd(fd: fd, events: Self.pollIn, revents: 0))
            slots.append(c)
            #endif
            connections[fd] = c
        }
        return stop
    }

    private func handle(_ c: Connection, events: Int16) {
        if events & Self.pollClosed != 0, events & Self.pollIn == 0 {
            closeConnection(c)
            return
        }
        if events & Self.pollOut != 0 {
            flush(c)
            guard !c.isClosed else { return }
        }
        if events & Self.pollIn != 0 { readAvailable(c) }
    }

    private func readAvailable(_ c: Connection) {
        let n = read(c.fd, readBuffer.baseAddress, Self.readSize)
        if n == 0 { closeConnection(c); return }
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
            closeConnection(c)
            return
        }
        let now = MonotonicClock.now()
        c.lastActivity = now
        switch c.state {
        case .stalled, .draining:
            return  // discarded on purpose
        case .waiting:
            return  // not registered for input; ignore a stray wakeup
        case .reading:
            if c.firstByteAt == nil { c.firstByteAt = now }
            c.parser.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<n]))
            process(c, now: now)
        }
    }

    /// Parses and answers every complete request in the buffer, in order.
    private func process(_ c: Connection, now: UInt64) {
        while case .reading = c.state, !c.closeAfterWrite {
            switch c.parser.next() {
            case .needMore:
                if !c.parser.hasPartialRequest { c.firstByteAt = nil }
                flush(c)
                return
            case .sendContinue:
                c.output.append(contentsOf: ResponseEncoding.continueBytes)
            case .failure(let error):
                context.session.record(MockProtocolError(connectionID: c.id, status: error.status, reason: error.reason, at: now))
                ResponseEncoding.error(error.status, error.reason).write(into: &c.output, close: true, date: &date)
                c.closeAfterWrite = true
            case .request(let request, let keepAlive):
                let received = MonotonicClock.now()
                let action = context.session.handle(request, connectionID: c.id, indexOnConnection: c.requestCount,
                                                     firstByteAt: c.firstByteAt ?? received, receivedAt: received, onRecord: context.onRecord)
                c.requestCount += 1
                c.progressAt = received
                c.keepAlive = keepAlive
                c.firstByteAt = c.parser.hasPartialRequest ? received : nil
                perform(action, on: c, now: received)
                guard !c.isClosed else { return }
            }
        }
        flush(c)
    }

    /// Writes a response or carries out a fault, now or after its delay.
    private func perform(_ action: RequestAction, on c: Connection, now: UInt64) {
        switch action {
        case .respond(_, let delay) where delay > 0, .fault(_, let delay) where delay > 0:
            let undelayed: RequestAction
            switch action {
            case .respond(let r, _): undelayed = .respond(r, delayMs: 0)
            case .fault(let f, _): undelayed = .fault(f, delayMs: 0)
            }
            c.state = .waiting(undelayed)
            flush(c)  // earlier pipelined answers go out before the wait
            guard !c.isClosed else { return }
            schedule(c, at: now + Self.nanoseconds(delay))
            setInterest(c, 0)
        case .respond(let response, _):
            date.write(response, close: !c.keepAlive, into: &c.output)
            if !c.keepAlive { c.closeAfterWrite = true }
        case .fault(.reset, _):
            Socket.setLingerZero(c.fd)
            closeConnection(c)
        case .fault(.empty, _):
            c.keepAlive = false
            c.closeAfterWrite = true
        case .fault(.malformed(let bytes), _):
            c.output.append(contentsOf: bytes)
            c.closeAfterWrite = true
        case .fault(.stall(let ms), _):
            flush(c)
            guard !c.isClosed else { return }
            c.state = .stalled
            schedule(c, at: now + Self.nanoseconds(ms))
            setInterest(c, Self.pollIn)
        }
    }

    /// Writes pending output; on completion either keeps reading or begins the lingering close.
    private func flush(_ c: Connection) {
        while c.outputOffset < c.output.count {
            let n = c.output.withUnsafeBytes { buffer in
                send(c.fd, buffer.baseAddress! + c.outputOffset, buffer.count - c.outputOffset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                c.outputOffset += n
                c.lastActivity = MonotonicClock.now()
                continue
            }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                setInterest(c, Self.pollOut)
                return
            }
            closeConnection(c)
            return
        }
        c.output.removeAll(keepingCapacity: true)
        c.outputOffset = 0
        if c.closeAfterWrite, case .reading = c.state {
            shutdown(c.fd, Int32(SHUT_WR))
            c.state = .draining
            schedule(c, at: MonotonicClock.now() + UInt64(Self.drainMs) * 1_000_000)
            setInterest(c, Self.pollIn)
            return
        }
        if case .reading = c.state { setInterest(c, Self.pollIn) }
    }

    /// Milliseconds to nanoseconds, clamped to a day so no scripted value can overflow.
    private static func nanoseconds(_ ms: Int) -> UInt64 { UInt64(min(max(ms, 0), 86_400_000)) * 1_000_000 }

    private func setInterest(_ c: Connection, _ mask: Int16) {
        guard c.interest != mask else { return }
        c.interest = mask
        #if canImport(CSystemEpoll) && os(Linux)
        var event = epoll_event()
        event.events = UInt32(UInt16(bitPattern: mask))
        event.data.fd = c.fd
        _ = epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, &event)  // registered at adoption; fails only if closed
        #else
        pollSet[c.slot].events = mask
        #endif
    }

    private func schedule(_ c: Connection, at deadline: UInt64) {
        c.timerDeadline = deadline
        timers.push(TimerHeap.Entry(deadline: deadline, fd: c.fd, connectionID: c.id))
    }

    private func fireTimers(_ now: UInt64) {
        while let next = timers.nextDeadline, next <= now, let entry = timers.pop() {
            guard let c = connections[entry.fd], c.id == entry.connectionID, c.timerDeadline == entry.deadline else { continue }
            switch c.state {
            case .waiting(let action):
                c.state = .reading
                perform(action, on: c, now: now)
                guard !c.isClosed else { continue }
                if case .reading = c.state {
                    setInterest(c, Self.pollIn)
                    process(c, now: now)
                }
            case .stalled, .draining:
                closeConnection(c)
            case .reading:
                break
            }
        }
    }

    /// Read timeouts (408) for requests arriving too slowly, idle timeouts for quiet
    /// keep-alive connections.
    private func sweep(_ now: UInt64) {
        // Timestamps set while handling events can be a little later than `now`; min() keeps
        // the differences from underflowing.
        let readLimit = UInt64(context.limits.readTimeoutMs) * 1_000_000
        let idleLimit = UInt64(context.limits.idleTimeoutMs) * 1_000_000
        let headLimit = UInt64(min(max(0, context.limits.headTimeoutMs), 86_400_000)) * 1_000_000
        for c in Array(connections.values) {
            // A client that stopped reading our output gets the idle timeout too.
            if !c.output.isEmpty, now &- min(now, c.lastActivity) > idleLimit {
                closeConnection(c)
                continue
            }
            guard case .reading = c.state, !c.closeAfterWrite, c.output.isEmpty else { continue }
            if c.requestCount == 0, !c.parser.hasPartialRequest, now &- min(now, c.progressAt) > headLimit {
                // Connected and sent nothing: close without a word (slowloris, port scans).
                closeConnection(c)
            } else if c.parser.isReadingHead, c.parser.hasPartialRequest,
                      let first = c.requestCount == 0 ? c.progressAt : c.firstByteAt, now &- min(now, first) > headLimit {
                let reason = "request head not complete within \(context.limits.headTimeoutMs) ms"
                context.session.record(MockProtocolError(connectionID: c.id, status: 408, reason: reason, at: now))
                ResponseEncoding.error(408, reason).write(into: &c.output, close: true, date: &date)
                c.closeAfterWrite = true
                flush(c)
            } else if c.isMidRequest, let first = c.firstByteAt, now &- min(now, first) > readLimit {
                let reason = "request not complete within \(context.limits.readTimeoutMs) ms"
                context.session.record(MockProtocolError(connectionID: c.id, status: 408, reason: reason, at: now))
                ResponseEncoding.error(408, reason).write(into: &c.output, close: true, date: &date)
                c.closeAfterWrite = true
                flush(c)
            } else if !c.isMidRequest, now &- min(now, c.lastActivity) > idleLimit {
                closeConnection(c)
            }
        }
    }

    private func closeConnection(_ c: Connection, releasingSlot: Bool = true) {
        guard connections[c.fd] === c else { return }
        connections[c.fd] = nil
        c.isClosed = true
        #if canImport(CSystemEpoll) && os(Linux)
        // Taken out of the epoll set before the close: a close removes the registration only
        // when no other descriptor (say, one a child process inherited) shares the socket, and
        // a registration left behind would report its hang-ups under the next connection that
        // reuses the descriptor's number.
        var none = epoll_event()
        _ = epoll_ctl(epfd, EPOLL_CTL_DEL, c.fd, &none)
        byFD[Int(c.fd)] = nil
        #else
        let last = pollSet.count - 1
        if c.slot != last, let moved = slots[last] {
            pollSet[c.slot] = pollSet[last]
            slots[c.slot] = moved
            moved.slot = c.slot
        }
        pollSet.removeLast()
        slots.removeLast()
        #endif
        close(c.fd)
        if releasingSlot { context.release() }
    }

    /// Stop: give each connection one last chance to write what it owes, then close it.
    private func shutdownAll() {
        for c in Array(connections.values) {
            if c.outputOffset < c.output.count {
                _ = c.output.withUnsafeBytes { send(c.fd, $0.baseAddress! + c.outputOffset, $0.count - c.outputOffset, Int32(MSG_NOSIGNAL)) }
            }
            closeConnection(c)
        }
        let leftovers = inbox.withLock { () -> [(fd: Int32, id: Int, evict: Bool)] in defer { incoming.removeAll() }; return incoming }
        for (fd, _, evict) in leftovers {
            close(fd)
            if !evict { context.release() }  // an eviction hand-over holds no slot yet
        }
    }
}
