import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP server whose every connection is handled by test code, byte by byte: it
/// records raw request bytes and writes whatever response bytes a test needs (chunked,
/// read-until-close, partial, stalls, resets), which a real HTTP server would not produce.
final class RawSocketServer: @unchecked Sendable {
    /// One accepted connection, driven by the test's handler on its own thread.
    final class Conn: @unchecked Sendable {
        let fd: Int32
        /// 0-based order of acceptance.
        let index: Int
        private var buffer: [UInt8] = []

        init(fd: Int32, index: Int) { self.fd = fd; self.index = index }

        /// Reads one request (head plus `Content-Length` body) and returns its raw bytes;
        /// nil when the client closed.
        func readRequest() -> [UInt8]? {
            var end: Int?
            while end == nil {
                if buffer.count >= 4 {
                    for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { end = i + 4; break }
                }
                if end == nil, !fill() { return nil }
            }
            let head = String(decoding: buffer[0..<end!], as: UTF8.self)
            var length = 0
            for line in head.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
            }
            while buffer.count < end! + length { if !fill() { return nil } }
            let request = Array(buffer[0..<(end! + length)])
            buffer.removeFirst(end! + length)
            return request
        }

        private func fill() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            guard n > 0 else { return false }
            buffer += chunk[0..<n]
            return true
        }

        func write(_ text: String) {
            let bytes = Array(text.utf8)
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                sent += n
            }
        }

        /// Closes with FIN.
        func close() { Glibc.close(fd) }

        /// Closes with RST.
        func reset() {
            var l = linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
            Glibc.close(fd)
        }
    }

    let port: Int
    private let listener: Int32
    private let handler: @Sendable (Conn) -> Void
    private let lock = NSLock()
    private var accepted = 0
    private var stopped = false

    /// Starts listening; `handler` runs once per connection, on its own thread, and owns it.
    init(handler: @escaping @Sendable (Conn) -> Void) throws {
        self.handler = handler
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 512) == 0 else { throw NSError(domain: "RawSocketServer", code: Int(errno)) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    var connections: Int { lock.withLock { accepted } }

    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    /// Stops accepting. The listener is closed only once the accept loop has returned: closing
    /// it earlier frees its descriptor number, which the next test's server can get, and an
    /// accept loop that had not yet called `accept` would then take that server's connections
    /// (and answer them with this server's handler: a reset, in a test that expects 200).
    func stop() {
        let first = lock.withLock { () -> Bool in defer { stopped = true }; return !stopped }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        acceptLoopEnded.wait()
        close(listener)
    }

    private func acceptLoop() {
        defer { acceptLoopEnded.signal() }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { return }
            let index = lock.withLock { accepted += 1; return accepted - 1 }
            let conn = Conn(fd: fd, index: index)
            let thread = Thread { [handler] in handler(conn) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }
}
