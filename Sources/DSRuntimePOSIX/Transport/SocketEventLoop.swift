import DSRender
import DSRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CSystemEpoll)
import CSystemEpoll
#endif

/// epoll(7), through the package's C target `CSystemEpoll` (the C library's own
/// `<sys/epoll.h>`: Swift's Glibc module does not export it). Unavailable off Linux; then
/// every exchange runs on ``SocketWorkerPool`` threads.
enum Epoll {
    #if canImport(CSystemEpoll) && os(Linux)
    static let available = true
    #else
    static let available = false
    #endif
}

/// The socket transport's fast path for a request on a kept-alive connection: the request is
/// written from the calling task (a non-blocking `send` of a request that fits the socket
/// buffer completes at once), and one thread waits for every such connection's response
/// with `epoll`, parses it when complete and resumes the task. A request costs no thread
/// hand-off before it is on the wire and shares the wake-ups of the responses that arrive
/// together, where a worker thread per exchange costs a wake-up to start it and a sleep in
/// `poll` per response: on two cores, the scheduler was most of a request's cost.
///
/// Everything else (opening a connection, a request the socket buffer cannot take at once,
/// the one retry of a stale connection) runs on ``SocketWorkerPool`` threads as before. The
/// response parser is the same (``SocketConnection/readResponse(method:limits:deadline:)``),
/// run over the bytes received so far and run again from the start when more arrive.
/// Deadlines and cancellation are checked on every wake-up and at least every
/// ``sweepMs`` milliseconds.
///
/// The loop is also a `TaskExecutor` (``SocketHTTPTransport/taskExecutor``): a delivery run
/// that prefers it (`dspec deliver` does) runs its tasks on the loop's thread, between two
/// `epoll_wait`s. Then a response resumes its request's task without waking another thread
/// (the continuation's job is queued on this thread, which runs it right after the events of
/// this wake-up), and a request goes from the input to the wire and back with no thread
/// hand-off at all, as a hand-written event-loop client does. Jobs enqueued from other
/// threads (timers, the input reader, worker threads) wake the loop through an eventfd, only
/// when it sleeps.
final class SocketEventLoop: TaskExecutor, @unchecked Sendable {
    /// The loop the socket transports share (nil without epoll).
    static let shared: SocketEventLoop? = SocketEventLoop()

    /// The longest the loop sleeps before it checks deadlines and cancellations.
    static let sweepMs: Int32 = 20

    /// One response being waited for.
    final class Waiter: @unchecked Sendable {
        let connection: SocketConnection
        let exchange: SocketExchange
        let pool: SocketConnectionPool
        let resume: @Sendable (Result<HTTPResponse, TransportError>) -> Void

        init(connection: SocketConnection, exchange: SocketExchange, pool: SocketConnectionPool,
             resume: @escaping @Sendable (Result<HTTPResponse, TransportError>) -> Void) {
            self.connection = connection
            self.exchange = exchange
            self.pool = pool
            self.resume = resume
        }
    }

    private let epfd: Int32
    /// An eventfd in the epoll set: written when a job is enqueued while the loop sleeps.
    private let wakeFD: Int32
    private let waiting = Locked<[Int32: Waiter]>([:])
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)

    /// The jobs of the tasks that prefer this executor, and whether the loop sleeps in
    /// `epoll_wait` (then an enqueue must wake it, once).
    private struct JobQueue {
        var jobs: [UnownedJob] = []
        var sleeping = false
        var signaled = false
        var enqueued = 0
    }
    private let queue = Locked(JobQueue())

    /// Jobs handed to the loop as a task executor so far (tests).
    var jobsEnqueued: Int { queue.withLock { $0.enqueued } }

    private init?() {
        #if canImport(CSystemEpoll) && os(Linux)
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { return nil }
        let wake = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard wake >= 0 else {
            Glibc.close(fd)
            return nil
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wake
        guard epoll_ctl(fd, EPOLL_CTL_ADD, wake, &event) == 0 else {
            Glibc.close(fd)
            Glibc.close(wake)
            return nil
        }
        epfd = fd
        wakeFD = wake
        #else
        return nil
        #endif
        let thread = Thread { [self] in run() }
        thread.name = "dspec-socket-loop"
        // Deliveries that prefer the loop as their executor run here too: rendering, mapping
        // and JSON writing recurse as deep as an event nests, so the loop gets the stack a
        // pool thread has (reserved, not committed).
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits (on the loop) for the response to the request just written on `waiter`'s
    /// connection. False when the connection cannot be watched (the caller falls back).
    func watch(_ waiter: Waiter) -> Bool {
        let connection = waiter.connection
        if connection.readIndex > 0 {
            connection.input.removeFirst(connection.readIndex)
            connection.readIndex = 0
        }
        // Called from a task running on this loop (a delivery that prefers the loop as its
        // executor), the connection stays registered edge-triggered from one request to the
        // next, and registering the waiter costs no system call: whatever arrives from now
        // on is an edge the loop collects in its next epoll_wait, which comes only after the
        // job running this code. From any other thread a wait-time registration is needed (a
        // one-shot arm, which also reports data that arrived before it).
        let onLoop = Self.current === self
        // Registered and armed under the lock: the loop's sweep (which takes it too) cannot
        // fail the waiter, and close its connection, between the two.
        return waiting.withLock { waiting -> Bool in
            waiting[connection.fd] = waiter
            if onLoop && connection.edgeTriggered { return true }
            var ok = arm(connection, operation: connection.watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, edge: onLoop)
            if !ok && !connection.watched && errno == EEXIST { ok = arm(connection, operation: EPOLL_CTL_MOD, edge: onLoop) }
            if ok {
                connection.watched = true
                connection.edgeTriggered = onLoop
            } else {
                waiting[connection.fd] = nil
            }
            return ok
        }
    }

    /// Asks for the next readiness event of a connection whose response is incomplete: none
    /// needed when it is edge-triggered (the next bytes are a new edge).
    private func rearm(_ connection: SocketConnection) -> Bool {
        connection.edgeTriggered || arm(connection, operation: EPOLL_CTL_MOD, edge: false)
    }

    /// Asks epoll for one readiness event of `connection` (one-shot), or for every arrival
    /// (`edge`: edge-triggered, for connections watched from the loop's own thread).
    private func arm(_ connection: SocketConnection, operation: Int32, edge: Bool) -> Bool {
        Self.arms.withLock { $0 += 1 }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | (edge ? EPOLLET.rawValue : EPOLLONESHOT.rawValue)
        event.data.fd = connection.fd
        return epoll_ctl(epfd, operation, connection.fd, &event) == 0
    }

    /// The loop whose thread is running this code, if any.
    static var current: SocketEventLoop? {
        guard let p = pthread_getspecific(currentKey) else { return nil }
        return Unmanaged<SocketEventLoop>.fromOpaque(p).takeUnretainedValue()
    }

    private static let currentKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Queues a job of a task that prefers this executor; it runs on the loop's thread.
    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let wake = queue.withLock { q -> Bool in
            q.jobs.append(unowned)
            q.enqueued += 1
            guard q.sleeping, !q.signaled else { return false }
            q.signaled = true
            return true
        }
        if wake {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    /// The loop: run the queued jobs, then collect readiness events (without sleeping when
    /// jobs ran, since they may have queued more), read and parse what arrived, and sweep
    /// deadlines and cancellations every ``sweepMs``.
    private func run() {
        // The loop lives as long as the process (static), so the unretained pointer stays valid.
        pthread_setspecific(Self.currentKey, Unmanaged.passUnretained(self).toOpaque())
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        var nextSweep = SocketDeadline.now
        var batch: [UnownedJob] = []
        while true {
            queue.withLock { q in
                swap(&q.jobs, &batch)
                if batch.isEmpty { q.sleeping = true }
            }
            let idle = batch.isEmpty
            if !idle {
                let executor = asUnownedTaskExecutor()
                for job in batch { job.runSynchronously(on: executor) }
                batch.removeAll(keepingCapacity: true)
            }
            let n = epoll_wait(epfd, events, Int32(capacity), idle ? Self.sweepMs : 0)
            if idle { queue.withLock { q in q.sleeping = false; q.signaled = false } }
            if n > 0 {
                for i in 0..<Int(n) {
                    let fd = events[i].data.fd
                    if fd == wakeFD {
                        var count: UInt64 = 0
                        _ = read(wakeFD, &count, 8)
                    } else {
                        ready(fd)
                    }
                }
            }
            let now = SocketDeadline.now
            if (idle && n <= 0) || now >= nextSweep {
                sweep(now: now)
                nextSweep = now &+ UInt64(Self.sweepMs) * 1_000_000
            }
        }
    }

    /// Fails the waiters whose deadline passed or whose task was cancelled.
    private func sweep(now: UInt64) {
        let due = waiting.withLock { w -> [Waiter] in
            let expired = w.values.filter { $0.exchange.deadline.nanos <= now || $0.exchange.deadline.cancellation?.isCancelled == true }
            for x in expired { w[x.connection.fd] = nil }
            return expired
        }
        for w in due {
            let cancelled = w.exchange.deadline.cancellation?.isCancelled == true
            finish(w, .failure(cancelled ? TransportError(.other, "cancelled during read") : TransportError(.timeout, "timed out during read")))
        }
    }

    /// Reads what arrived on `fd` and finishes its exchange if the response is complete.
    private func ready(_ fd: Int32) {
        guard let w = waiting.withLock({ $0[fd] }) else { return }
        let c = w.connection
        var failure: TransportError?
        var result: Result<SocketExchangeResult, TransportError>?
        while result == nil {
            // True once a read ended the socket's queue (EAGAIN or end of stream) rather than
            // on a short read. An edge-triggered connection reports nothing already queued, so
            // a response still incomplete after a short read is read on until the queue is
            // empty: a body ended by the server's close, whose FIN came with its last bytes,
            // gets no further edge.
            var drained = false
            while true {
                let n = recv(fd, scratch.baseAddress, scratch.count, Int32(MSG_DONTWAIT))
                let code = errno
                if n > 0 {
                    c.input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                    c.receivedThisExchange += n
                    if n < scratch.count { break }
                    // Bounded: past the limits the parser below refuses the response anyway.
                    if c.input.count > w.exchange.limits.maxHeaderBytes + w.exchange.limits.maxBodyBytes + scratch.count { break }
                    continue
                }
                if n == 0 { c.sawEOF = true; drained = true; break }
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { drained = true; break }
                failure = TransportError(.connection, code == ECONNRESET ? "connection reset by peer" : "read failed: \(SocketConnection.errorText(code))")
                break
            }
            if let failure {
                result = .failure(failure)
                break
            }
            c.parseOnly = true
            c.wouldBlock = false
            do {
                result = .success(try c.readResponse(method: w.exchange.method, limits: w.exchange.limits, deadline: w.exchange.deadline))
            } catch {
                if c.wouldBlock {
                    c.readIndex = 0
                    c.parseOnly = false
                    if c.input.count > Self.handOffBytes {
                        handOff(w)
                        return
                    }
                    if c.edgeTriggered && !drained { continue }
                    if rearm(c) { return }
                    result = .failure(TransportError(.other, "epoll_ctl: \(SocketConnection.errorText(errno))"))
                } else {
                    result = .failure(error)
                }
            }
            c.parseOnly = false
        }
        guard let result, waiting.withLock({ $0.removeValue(forKey: fd) }) != nil else { return }
        finish(w, result)
    }

    /// A response still incomplete past this many bytes is read on to its end by a worker
    /// thread: the loop parses what has arrived from the start on every wake-up, which is
    /// cheap for the small answers vendors send but quadratic for a large body trickling in,
    /// and one thread serves every connection's responses and deadlines.
    static let handOffBytes = 64 * 1024

    /// epoll_ctl registrations made so far (tests: a connection watched from the loop's own
    /// thread is registered once, not once per request).
    static let arms = Locked(0)

    /// Responses handed to a worker thread so far (tests).
    static let handOffs = Locked(0)

    /// Moves a large, incomplete response from the loop to a worker thread, which reads it
    /// to the end (blocking, with the exchange's deadline) from the bytes already received.
    private func handOff(_ w: Waiter) {
        guard waiting.withLock({ $0.removeValue(forKey: w.connection.fd) }) != nil else { return }
        Self.handOffs.withLock { $0 += 1 }
        SocketWorkerPool.shared.submit { [self] in
            let c = w.connection
            let result: Result<SocketExchangeResult, TransportError>
            do throws(TransportError) {
                result = .success(try c.readResponse(method: w.exchange.method, limits: w.exchange.limits, deadline: w.exchange.deadline))
            } catch {
                result = .failure(error)
            }
            finish(w, result)
        }
    }

    /// Gives the connection back (or closes it) and resumes the task; a reused connection
    /// that failed before any byte of the response is retried once on a fresh one.
    private func finish(_ w: Waiter, _ result: Result<SocketExchangeResult, TransportError>) {
        switch result {
        case .success(let r):
            if r.keepAlive && !w.exchange.closeAfter && !w.connection.sawEOF {
                w.pool.release(w.connection)
            } else {
                w.connection.close()
                w.pool.release(nil)
            }
            w.resume(.success(r.response))
        case .failure(let error):
            w.connection.close()
            if error.kind == .connection, w.connection.receivedThisExchange == 0 {
                let exchange = w.exchange, pool = w.pool, resume = w.resume
                SocketWorkerPool.shared.submit { resume(exchange.run(lease: .fresh, pool: pool)) }
                return
            }
            w.pool.release(nil)
            w.resume(.failure(w.exchange.stamped(error)))
        }
    }
}
