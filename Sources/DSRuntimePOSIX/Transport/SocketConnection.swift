import DSRuntime
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A point on the monotonic clock by which an attempt must be complete. Every blocking
/// call of the socket transport polls with what remains of it, so one deadline bounds the
/// whole attempt: connect, write and read.
struct SocketDeadline: Sendable {
    /// Monotonic nanoseconds.
    let nanos: UInt64
    /// Set when the attempt's task is cancelled: every wait ends at its next slice.
    let cancellation: SocketCancellation?

    init(after timeout: Duration, cancellation: SocketCancellation? = nil) {
        nanos = Self.now &+ UInt64(max(0, timeout.nanoseconds))
        self.cancellation = cancellation
    }

    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Milliseconds left for `poll`, rounded up so a poll never returns just before the
    /// deadline; nil once it has passed.
    var remainingMs: Int32? {
        let n = Self.now
        guard n < nanos else { return nil }
        return Int32(clamping: (nanos - n + 999_999) / 1_000_000)
    }
}

/// The cancellation of one attempt, set from a task's cancellation handler and read by
/// the worker thread that waits on its sockets.
final class SocketCancellation: Sendable {
    /// How long one `poll` may wait before the flag is read again.
    static let sliceMs: Int32 = 50
    private let flag = Locked(false)

    var isCancelled: Bool { flag.withLock { $0 } }

    func cancel() { flag.withLock { $0 = true } }
}

/// One client TCP connection in non-blocking mode, with its unread input.
///
/// Owned by exactly one request at a time (the pool hands it out and takes it back), so it
/// needs no lock; `@unchecked Sendable` only lets it travel between the pool and a worker.
final class SocketConnection: @unchecked Sendable {
    let fd: Int32
    /// When the connection last finished a response (monotonic ns), for idle expiry.
    var lastUsed: UInt64 = SocketDeadline.now
    /// Received bytes not yet consumed by the parser: `input[readIndex...]`.
    var input: [UInt8] = []
    var readIndex = 0
    /// Bytes received during the current exchange; zero means the server sent nothing,
    /// which is what makes a failed reused connection safe to retry.
    var receivedThisExchange = 0
    /// Registered with ``SocketEventLoop``'s epoll set (the fast path).
    var watched = false
    /// Registered edge-triggered (EPOLLET, not one-shot): watched from the event loop's own
    /// thread, where no re-arm is needed between requests.
    var edgeTriggered = false
    /// The server closed its side (seen by the event loop's reads).
    var sawEOF = false
    /// Set by the event loop while it parses what it received: ``fill(deadline:)`` then
    /// reads nothing and throws with ``wouldBlock`` set when the parser needs more bytes.
    var parseOnly = false
    var wouldBlock = false
    private var closed = false
    /// Where `recv` lands before the bytes join `input` (allocated once per connection).
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)

    init(fd: Int32) { self.fd = fd }

    deinit {
        close()
        scratch.deallocate()
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Resolves `host` and connects to the first address that accepts, within `deadline`.
    /// The connect is non-blocking and waited for with `poll`, so a black-holed address
    /// ends at the deadline instead of the kernel's SYN retry timeout.
    static func open(host: String, port: Int, deadline: SocketDeadline) throws(TransportError) -> SocketConnection {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw TransportError(.dns, "host name did not resolve")
        }
        defer { freeaddrinfo(first) }
        var failure = TransportError(.connection, "no address to connect to")
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next {
            next = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { failure = TransportError(.other, "socket: \(errorText(errno))"); continue }
            let connection = SocketConnection(fd: fd)
            do {
                try connection.connect(ai.pointee.ai_addr, ai.pointee.ai_addrlen, deadline: deadline)
                var one: Int32 = 1
                // Requests are written whole; Nagle would only add a delayed-ACK wait.
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return connection
            } catch {
                connection.close()
                if error.kind == .timeout { throw error }
                failure = error
            }
        }
        throw failure
    }

    private func connect(_ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, deadline: SocketDeadline) throws(TransportError) {
        if Glibc.connect(fd, address, length) == 0 { return }
        guard errno == EINPROGRESS || errno == EINTR else { throw Self.connectError(errno) }
        try wait(for: Int16(POLLOUT), deadline: deadline, what: "connect")
        var code: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size)
        if code != 0 { throw Self.connectError(code) }
    }

    private static func connectError(_ code: Int32) -> TransportError {
        TransportError(.connection, code == ECONNREFUSED ? "connection refused" : "connect failed: \(errorText(code))")
    }

    /// Waits until `events` are ready; the deadline passing is the attempt's timeout.
    private func wait(for events: Int16, deadline: SocketDeadline, what: String) throws(TransportError) {
        while true {
            if deadline.cancellation?.isCancelled == true { throw TransportError(.other, "cancelled during \(what)") }
            guard let ms = deadline.remainingMs else { throw TransportError(.timeout, "timed out during \(what)") }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&p, 1, deadline.cancellation == nil ? ms : min(ms, SocketCancellation.sliceMs))
            if n > 0 { return }  // ready, or an error/hang-up the next call will report
            if n < 0, errno != EINTR { throw TransportError(.other, "poll: \(Self.errorText(errno))") }
        }
    }

    /// Writes as much of `bytes[from...]` as the socket takes without waiting: the new
    /// offset, or nil (with `errno` set) on an error.
    func sendNow(_ bytes: [UInt8], from start: Int = 0) -> Int? {
        var sent = start
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n > 0 { sent += n; continue }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { return sent }
            if n == 0 { errno = EIO }
            return nil
        }
        return sent
    }

    /// Writes every byte of `bytes` before the deadline. `MSG_NOSIGNAL`: a peer that has
    /// gone away must produce EPIPE, not kill the process with SIGPIPE.
    func writeAll(_ bytes: [UInt8], from start: Int = 0, deadline: SocketDeadline) throws(TransportError) {
        var sent = start
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                try wait(for: Int16(POLLOUT), deadline: deadline, what: "write")
                continue
            }
            throw TransportError(.connection, "connection closed while sending (\(Self.errorText(errno)))")
        }
    }

    /// Reads what is available (waiting for at least one byte) onto `input`; false at end
    /// of stream. A reset is a connection error.
    func fill(deadline: SocketDeadline) throws(TransportError) -> Bool {
        if parseOnly {
            if sawEOF { return false }
            wouldBlock = true
            throw TransportError(.other, "waiting for more of the response")
        }
        if readIndex > 0, readIndex >= input.count / 2 {
            input.removeFirst(readIndex)  // compact: keeps the buffer at the unread size
            readIndex = 0
        }
        while true {
            let n = recv(fd, scratch.baseAddress, scratch.count, 0)
            let code = errno
            if n > 0 {
                input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                receivedThisExchange += n
                return true
            }
            if n == 0 { return false }
            if code == EAGAIN || code == EWOULDBLOCK || code == EINTR {
                try wait(for: Int16(POLLIN), deadline: deadline, what: "read")
                continue
            }
            throw TransportError(.connection, code == ECONNRESET ? "connection reset by peer" : "read failed: \(Self.errorText(code))")
        }
    }

    /// True when an idle connection can no longer carry a request: the server closed or
    /// reset it, or sent bytes nobody asked for. Costs one zero-timeout `poll`.
    var isStale: Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) != 0 || readIndex < input.count
    }

    /// Closes the socket (idempotent).
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }
}
