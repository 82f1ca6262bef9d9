import DSJSON
import Foundation
import DSPlan
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import XCTest

@testable import DSMock

/// A parsed HTTP response as the raw test client read it.
struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var head: String

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// How a read ended.
enum ReadEnd: Equatable {
    case eof, reset, timeout
}

/// A tiny blocking HTTP/1.1 client over a raw loopback socket: the tests need to send bytes
/// no real client would (malformed heads, partial bodies) and to see exactly what comes back.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, timeoutMs: Int = 5000) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw XCTSkip("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw NSErrorLike("connect failed: \(String(cString: strerror(errno)))") }
        setTimeout(ms: timeoutMs)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    func setTimeout(ms: Int) {
        var tv = timeval(tv_sec: ms / 1000, tv_usec: (ms % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends bytes; returns false if the peer has gone.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads more bytes into the buffer; nil on EOF, reset or timeout (with which).
    private func fill() -> ReadEnd? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 { buffer += chunk[0..<n]; return nil }
        if n == 0 { return .eof }
        if errno == EAGAIN || errno == EWOULDBLOCK { return .timeout }
        return errno == ECONNRESET ? .reset : .eof
    }

    /// Reads one response (Content-Length framed, or to EOF without one).
    func readResponse() throws -> RawResponse {
        while true {
            if let end = find([13, 10, 13, 10]) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw NSErrorLike("bad status line: \(head)") }
                let headers = lines.compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let bodyStart = end + 4
                var response = RawResponse(status: status, headers: headers, body: [], head: head)
                if let length = response.header("Content-Length").flatMap({ Int($0) }) {
                    while buffer.count < bodyStart + length {
                        if let end = fill() { throw NSErrorLike("connection ended (\(end)) inside a body") }
                    }
                    response.body = Array(buffer[bodyStart..<(bodyStart + length)])
                    buffer.removeFirst(bodyStart + length)
                } else if status < 200 || status == 204 || status == 304 {
                    buffer.removeFirst(bodyStart)
                } else {
                    while fill() == nil {}
                    response.body = Array(buffer[bodyStart...])
                    buffer.removeAll()
                }
                return response
            }
            if let end = fill() { throw NSErrorLike("connection ended (\(end)) before a response; got \(buffer.count) bytes") }
        }
    }

    /// Reads until the connection ends; returns the bytes and how it ended.
    func readToEnd() -> ([UInt8], ReadEnd) {
        while true {
            if let end = fill() {
                defer { buffer.removeAll() }
                return (buffer, end)
            }
        }
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] && Array(buffer[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    /// Sends `request` and reads the response.
    func roundTrip(_ request: String) throws -> RawResponse {
        send(request)
        return try readResponse()
    }
}

struct NSErrorLike: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// `GET path` with a Host header.
func get(_ path: String, extra: String = "") -> String {
    "GET \(path) HTTP/1.1\r\nHost: localhost\r\n\(extra)\r\n"
}

/// `POST path` with a Content-Length body.
func post(_ path: String, body: String, headers: [(String, String)] = []) -> String {
    var text = "POST \(path) HTTP/1.1\r\nHost: localhost\r\n"
    for (n, v) in headers { text += "\(n): \(v)\r\n" }
    return text + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
}

/// A minimal plan with the given auth and signing (every other block defaulted).
func makePlan(auth: PlanAuth = .none, signing: PlanSigning? = nil, idempotencyHeader: String? = nil, settings: [PlanSetting] = []) -> DeliveryPlan {
    DeliveryPlan(
        name: "test", description: nil, specDigest: "sha256:0", sourceForm: "delivery-spec", settings: settings, secrets: [],
        events: PlanEvents(types: ["track"], names: nil, consent: []),
        endpoint: PlanEndpoint(method: "POST", url: "https://api.example.com/v1/events", query: [], timeoutMs: 1000),
        auth: auth, headers: [], payload: PlanPayload(format: "json", contentType: "application/json", body: .canonical, wrapper: nil, partials: [:]),
        batching: PlanBatching(enabled: false, maxEvents: 1, maxBytes: 0, maxWaitMs: 0, format: "json_array", envelope: nil),
        signing: signing, rateLimit: nil,
        response: PlanResponse(rules: [], errorMessage: nil, partialFailure: nil,
                               retry: PlanRetry(maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1, multiplier: 1, jitter: "none", maxElapsedMs: 1,
                                                honourRetryAfter: true, retryAfterMaxMs: 1),
                               idempotencyKeyHeader: idempotencyHeader))
}

/// Milliseconds between two monotonic instants.
func ms(_ from: UInt64, _ to: UInt64) -> Double { Double(to &- from) / 1e6 }
