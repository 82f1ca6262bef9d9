#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the server could not start.
public struct MockServerError: Error, CustomStringConvertible, Sendable {
    /// What failed, with the system error text.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Thin wrappers over the socket calls the server makes, so the event loop reads as HTTP
/// logic rather than C plumbing.
enum Socket {
    /// The text of the current `errno`.
    static func errorText() -> String { String(cString: strerror(errno)) }

    /// A listening IPv4 TCP socket on `host:port` (port 0: ephemeral); returns the fd and
    /// the bound port.
    static func listen(host: String, port: Int, backlog: Int32 = 1024) throws(MockServerError) -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw MockServerError("socket: \(errorText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw MockServerError("invalid IPv4 address \"\(host)\"")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let text = errorText()
            close(fd)
            throw MockServerError("bind \(host):\(port): \(text)")
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let text = errorText()
            close(fd)
            throw MockServerError("listen: \(text)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: actual.sin_port)))
    }

    /// Disables Nagle: responses are written whole, and a delayed ACK must not add 40 ms.
    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Puts `fd` in non-blocking mode (and close-on-exec).
    static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// Makes `close` send RST instead of FIN (the connection-reset fault).
    static func setLingerZero(_ fd: Int32) {
        var l = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
    }
}

/// Starts a joinable POSIX thread running `body`.
///
/// The server needs a handful of long-lived threads (acceptor, event loops); raw pthreads
/// keep Foundation out of the target and let `stop()` join them deterministically.
func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
    final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        guard let raw else { return nil }
        let box = Unmanaged<AnyObject>.fromOpaque(raw).takeRetainedValue()
        (box as? Box)?.body()
        return nil
    }, box)
    if rc != 0 {
        Unmanaged<AnyObject>.fromOpaque(box).release()
        return nil
    }
    return thread
}
