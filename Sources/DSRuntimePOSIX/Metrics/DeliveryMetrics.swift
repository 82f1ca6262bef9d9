import DSCore
import DSRender
import DSRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `dspec deliver --metrics ADDR` serves on `/metrics` (Prometheus text format 0.0.4)
/// and `/healthz`. Names follow the OpenTelemetry HTTP client semantic conventions where one
/// exists (`http.client.request.duration` -> `http_client_request_duration_seconds`, with
/// `http_request_method`, `http_response_status_code`, `error_type`, `server_address`,
/// `server_port`; `http.client.active_requests`), `dspec_*` for the rest. Event counters come
/// from the ledger itself, so they equal the run's summary.
public final class DeliveryMetrics: Sendable {
    /// OpenTelemetry's default buckets for `http.client.request.duration` (seconds).
    public static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

    private struct Series: Hashable { let method: String; let status: String; let error: String; let host: String; let port: String }
    private struct Histogram { var counts = [Int](repeating: 0, count: DeliveryMetrics.buckets.count); var sum = 0.0; var count = 0 }
    private let histograms = Locked<[Series: Histogram]>([:])
    private let active = Locked(0)
    private let ledger: DeliveryLedger
    private let pending: (@Sendable () -> Int)?
    private let claimed: (@Sendable () -> Int)?
    private let rateWaitMicros: (@Sendable () -> Int64)?

    public init(ledger: DeliveryLedger, pending: (@Sendable () -> Int)? = nil, claimed: (@Sendable () -> Int)? = nil, rateWaitMicros: (@Sendable () -> Int64)? = nil) {
        self.ledger = ledger
        self.pending = pending
        self.claimed = claimed
        self.rateWaitMicros = rateWaitMicros
    }

    func started() { active.withLock { $0 += 1 } }

    func finished(method: String, url: String, status: Int?, error: TransportError?, seconds: Double) {
        active.withLock { $0 -= 1 }
        let (host, port) = Self.server(url)
        let key = Series(method: method, status: status.map(String.init) ?? "", error: error.map { $0.kind.rawValue } ?? "", host: host, port: port)
        histograms.withLock { all in
            var h = all[key] ?? Histogram()
            for (i, b) in Self.buckets.enumerated() where seconds <= b { h.counts[i] += 1 }
            h.sum += seconds.isFinite ? seconds : 0
            h.count += 1
            all[key] = h
        }
    }

    /// Host and port of an absolute URL (the port defaulted by scheme).
    static func server(_ url: String) -> (String, String) {
        guard let c = URLComponents(string: url), let host = c.host else { return ("", "") }
        return (host, String(c.port ?? (c.scheme == "https" ? 443 : 80)))
    }

    /// The exposition text.
    public func text() -> String {
        var out = ""
        func escape(_ s: String) -> String { s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") }
        func num(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d) }
        out += "# HELP http_client_request_duration_seconds Duration of HTTP client requests (every attempt).\n# TYPE http_client_request_duration_seconds histogram\n"
        let series = histograms.withLock { $0 }.sorted { "\($0.key)" < "\($1.key)" }
        for (k, h) in series {
            var labels = "http_request_method=\"\(escape(k.method))\",server_address=\"\(escape(k.host))\",server_port=\"\(escape(k.port))\""
            labels += k.status.isEmpty ? ",error_type=\"\(escape(k.error))\"" : ",http_response_status_code=\"\(k.status)\""
            for (i, b) in Self.buckets.enumerated() { out += "http_client_request_duration_seconds_bucket{\(labels),le=\"\(b)\"} \(h.counts[i])\n" }
            out += "http_client_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(h.count)\n"
            out += "http_client_request_duration_seconds_sum{\(labels)} \(h.sum)\n"
            out += "http_client_request_duration_seconds_count{\(labels)} \(h.count)\n"
        }
        out += "# HELP http_client_active_requests Requests in flight.\n# TYPE http_client_active_requests gauge\nhttp_client_active_requests \(active.withLock { $0 })\n"
        let c = ledger.snapshot
        for (name, help, value) in [("dspec_events_input", "Events read.", c.input), ("dspec_events_delivered", "Events delivered.", c.delivered),
                                    ("dspec_events_dead_lettered", "Events dead-lettered.", c.deadLettered), ("dspec_events_filtered", "Events filtered out.", c.filtered),
                                    ("dspec_http_attempts", "HTTP attempts.", c.attempts), ("dspec_http_retries", "HTTP attempts that were retries.", c.retries)] {
            out += "# HELP \(name)_total \(help)\n# TYPE \(name)_total counter\n\(name)_total \(value)\n"
        }
        if let pending {
            out += "# HELP dspec_source_pending_entries Stream entries held unacknowledged by this worker.\n# TYPE dspec_source_pending_entries gauge\ndspec_source_pending_entries \(pending())\n"
        }
        if let claimed {
            out += "# HELP dspec_source_claimed_entries_total Stream entries claimed from other consumers.\n# TYPE dspec_source_claimed_entries_total counter\ndspec_source_claimed_entries_total \(claimed())\n"
        }
        if let rateWaitMicros {
            out += "# HELP dspec_rate_limit_wait_seconds_total Time requests were told to wait by the shared token bucket.\n# TYPE dspec_rate_limit_wait_seconds_total counter\n"
            out += "dspec_rate_limit_wait_seconds_total \(num(Double(rateWaitMicros()) / 1e6))\n"
        }
        return out
    }
}

/// A transport that measures every attempt for ``DeliveryMetrics``.
public final class MetricsTransport: HTTPTransport {
    private let inner: any HTTPTransport
    private let metrics: DeliveryMetrics

    public init(_ inner: any HTTPTransport, metrics: DeliveryMetrics) {
        self.inner = inner
        self.metrics = metrics
    }

    public func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        metrics.started()
        let start = ConditionLock.monotonicNow()
        do {
            let r = try await inner.send(request, timeout: timeout)
            metrics.finished(method: request.method, url: request.url, status: r.status, error: nil, seconds: Double(ConditionLock.monotonicNow() - start) / 1e9)
            return r
        } catch {
            metrics.finished(method: request.method, url: request.url, status: nil, error: error, seconds: Double(ConditionLock.monotonicNow() - start) / 1e9)
            throw error
        }
    }
}

/// A minimal HTTP/1.1 server for `/metrics` and `/healthz` on its own thread (one connection
/// at a time, requests bounded to 8 KiB and 2 s): scrapers are few and fast.
public final class MetricsServer: @unchecked Sendable {
    public let port: Int
    private let fd: Int32
    private let metrics: DeliveryMetrics

    /// Listens on `address` (`HOST:PORT`, `:PORT` for every interface; port 0 picks one).
    public init(address: String, metrics: DeliveryMetrics) throws(RedisError) {
        guard let colon = address.lastIndex(of: ":"), let p = Int(address[address.index(after: colon)...]), (0...65535).contains(p) else {
            throw RedisError("--metrics \(address): expected HOST:PORT or :PORT")
        }
        var host = String(address[..<colon])
        if host.isEmpty { host = "0.0.0.0" }
        if host == "localhost" { host = "127.0.0.1" }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(p).bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { throw RedisError("--metrics \(address): expected an IPv4 address") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0 } }
        guard fd >= 0, ok else { close(fd); throw RedisError("--metrics \(address): cannot listen (\(String(cString: strerror(errno))))") }
        self.fd = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        self.metrics = metrics
        let thread = Thread { [self] in serve() }
        thread.name = "dspec-metrics"
        thread.start()
    }

    private func serve() {
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 { if errno == EINTR { continue }; return }
            handle(c)
            close(c)
        }
    }

    private func handle(_ c: Int32) {
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 8192 {
            let n = buffer.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            request += buffer[0..<n]
            if request.count >= 4, request.suffix(4) == [13, 10, 13, 10] { break }
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self).split(separator: " ")
        let path = line.count >= 2 ? String(line[1]) : ""
        let (status, type, body): (String, String, String)
        switch (line.first.map(String.init), path) {
        case ("GET", "/metrics"): (status, type, body) = ("200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics.text())
        case ("GET", "/healthz"): (status, type, body) = ("200 OK", "text/plain; charset=utf-8", "ok\n")
        default: (status, type, body) = ("404 Not Found", "text/plain; charset=utf-8", "not found\n")
        }
        let bytes = Array("HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(c, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Stops listening.
    public func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}
