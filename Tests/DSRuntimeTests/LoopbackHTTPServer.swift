import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 for transport and end-to-end tests: POSIX
/// sockets, one thread per connection, keep-alive, `Content-Length` bodies only. The
/// handler decides each answer, including abrupt connection resets (RST via SO_LINGER 0),
/// and every request is recorded with its headers exactly as received.
final class LoopbackHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        /// Header lines in arrival order, names as sent.
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    }

    enum Action: Sendable {
        case respond(status: Int, headers: [(String, String)] = [], body: String = "")
        /// Close the connection with a TCP reset, without answering.
        case reset
        /// Wait, then act.
        indirect case delay(Double, Action)
    }

    let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (Request) -> Action
    private let log = NSLock()
    private var received: [Request] = []
    private var stopped = false

    init(handler: @escaping @Sendable (Request) -> Action) throws {
        self.handler = handler
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 512) == 0 else { throw NSError(domain: "LoopbackHTTPServer", code: Int(errno)) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far.
    var requests: [Request] {
        log.lock()
        defer { log.unlock() }
        return received
    }

    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    /// Stops accepting; the listener is closed only after the accept loop has returned (see
    /// RawSocketServer.stop: an early close lets a later server reuse the descriptor).
    func stop() {
        log.lock()
        let first = !stopped
        stopped = true
        log.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        guard first else { return }
        acceptLoopEnded.wait()
        close(listener)
    }

    private func acceptLoop() {
        defer { acceptLoopEnded.signal() }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                log.lock()
                let done = stopped
                log.unlock()
                if done { return }
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(fd) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        defer { close(fd) }
        while true {
            // Read until the end of the header block.
            var headerEnd: Int?
            while headerEnd == nil {
                headerEnd = Self.find([13, 10, 13, 10], in: buffer)
                if headerEnd != nil { break }
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
                if n <= 0 { return }
                buffer += chunk[0..<n]
            }
            let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ").map(String.init)
            guard requestLine.count == 3 else { return }
            let headers = lines.compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
            let length = Int(headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0") ?? 0
            let bodyStart = headerEnd! + 4
            while buffer.count < bodyStart + length {
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
                if n <= 0 { return }
                buffer += chunk[0..<n]
            }
            let request = Request(method: requestLine[0], target: requestLine[1], headers: headers, body: Array(buffer[bodyStart..<(bodyStart + length)]))
            buffer.removeFirst(bodyStart + length)
            log.lock()
            received.append(request)
            log.unlock()
            var action = handler(request)
            while case .delay(let seconds, let next) = action {
                Thread.sleep(forTimeInterval: seconds)
                action = next
            }
            switch action {
            case .reset, .delay:
                var linger = linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
                return
            case .respond(let status, let extra, let body):
                var text = "HTTP/1.1 \(status) \(status < 300 ? "OK" : "Status")\r\nContent-Length: \(body.utf8.count)\r\n"
                for (name, value) in extra { text += "\(name): \(value)\r\n" }
                text += "\r\n" + body
                let bytes = Array(text.utf8)
                var sent = 0
                while sent < bytes.count {
                    let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { return }
                    sent += n
                }
                if request.header("Connection")?.lowercased() == "close" { return }
            }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}
