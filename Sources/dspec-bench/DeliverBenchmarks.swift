import DeliverySpec
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Delivery benchmarks (issue #5), against an in-process loopback HTTP/1.1 server with
// keep-alive that answers every POST with 200 "{}":
//  1. the server's capacity, measured with raw blocking sockets (1 and 8 keep-alive
//     connections): the ceiling any client can reach on this machine;
//  2. a Python baseline in the same run: http.client keep-alive loop posting the same body;
//  3. URLSessionTransport and SocketHTTPTransport alone (1 and 8 requests in flight), then
//     the full Deliverer over URLSession and over AutoTransport (sockets for http://):
//     single events (requests/s) and 100-event batches (events/s).
// The client and the server share the machine's cores, so every figure is relative.

/// A tiny keep-alive HTTP/1.1 sink: one thread per connection, answers 200 "{}".
private final class BenchSink: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32

    init() {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(listener, 512)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = UInt16(bigEndian: address.sin_port)
        let fd = listener
        Thread {
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                var one: Int32 = 1
                setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                Thread { BenchSink.serve(c) }.start()
            }
        }.start()
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    static let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".utf8)

    /// Parses just enough HTTP: the header block and Content-Length.
    static func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var filled = 0
        while true {
            var headerEnd = -1
            var searchFrom = 0
            while headerEnd < 0 {
                if filled >= 4 {
                    var i = max(0, searchFrom - 3)
                    while i + 3 < filled {
                        if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { headerEnd = i; break }
                        i += 1
                    }
                    searchFrom = filled
                    if headerEnd >= 0 { break }
                }
                if filled == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, $0.count - filled, 0) }
                if n <= 0 { return }
                filled += n
            }
            let head = String(decoding: buffer[0..<headerEnd], as: UTF8.self).lowercased()
            var length = 0
            if let r = head.range(of: "content-length:") {
                length = Int(head[r.upperBound...].prefix { $0 != "\r" }.trimmingCharacters(in: .whitespaces)) ?? 0
            }
            let total = headerEnd + 4 + length
            while filled < total {
                if filled == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, $0.count - filled, 0) }
                if n <= 0 { return }
                filled += n
            }
            buffer.withUnsafeMutableBytes { raw in
                let base = raw.baseAddress!
                memmove(base, base + total, filled - total)
            }
            filled -= total
            if answer.withUnsafeBytes({ send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }) <= 0 { return }
        }
    }
}

/// Requests per second of `connections` raw keep-alive clients posting `request` bytes.
private func rawSocketRate(port: UInt16, request: [UInt8], connections: Int, seconds: Double) -> Double {
    let total = Locked(0)
    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
    DispatchQueue.concurrentPerform(iterations: connections) { _ in
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        guard withUnsafePointer(to: &address, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }) == 0 else { return }
        var reply = [UInt8](repeating: 0, count: 4096)
        var count = 0
        while DispatchTime.now().uptimeNanoseconds < deadline {
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            var got = 0
            while got < BenchSink.answer.count {
                let n = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
                if n <= 0 { return }
                got += n
            }
            count += 1
        }
        total.withLock { $0 += count }
    }
    return Double(total.withLock { $0 }) / seconds
}

/// The Python baseline: an http.client keep-alive loop posting `body` for `seconds`.
private func pythonRate(port: UInt16, body: [UInt8], headers: [HTTPHeaderField], seconds: Double) -> Double? {
    let dir = NSTemporaryDirectory()
    let bodyPath = dir + "dspec-bench-body-\(getpid()).json"
    let scriptPath = dir + "dspec-bench-client-\(getpid()).py"
    _ = FileManager.default.createFile(atPath: bodyPath, contents: Data(body))
    let headerDict = "{" + headers.map { "\(JSONWriter.string(.string($0.name))): \(JSONWriter.string(.string($0.value)))" }.joined(separator: ", ") + "}"
    let script = """
    import http.client, sys, time
    body = open(sys.argv[2], 'rb').read()
    headers = \(headerDict)
    conn = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]))
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < float(sys.argv[3]):
        conn.request('POST', '/ingest', body, headers)
        conn.getresponse().read()
        n += 1
    print(n / (time.perf_counter() - start))
    """
    _ = FileManager.default.createFile(atPath: scriptPath, contents: Data(script.utf8))
    defer { try? FileManager.default.removeItem(atPath: bodyPath); try? FileManager.default.removeItem(atPath: scriptPath) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", scriptPath, String(port), bodyPath, String(seconds)]
    let pipe = Pipe()
    process.standardOutput = pipe
    guard (try? process.run()) != nil else { return nil }
    process.waitUntilExit()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return Double(text)
}

private func deliverPlan(port: UInt16, batch: Int?) -> RequestRenderer {
    var spec = """
    {"dspec": 1, "name": "deliver-bench", "secrets": {"api_token": {}},
     "endpoint": {"url": "http://127.0.0.1:\(port)/ingest"},
     "auth": {"type": "bearer", "token": "{{@secrets.api_token}}"},
     "payload": {"format": "json", "mapping": {"event": {"@path": "event"}, "id": {"@path": "event_id"}, "user": {"@path": "user_id"},
                 "ts": {"@path": "timestamp"}, "props": {"@path": "properties"}}}
    """
    if let batch { spec += #", "batching": {"max_events": \#(batch), "max_wait_ms": 1000}"# }
    spec += "}"
    let source = SourceFile(path: "bench.json", text: spec)
    let plan = SpecCompiler().compile(source, diagnostics: DiagnosticCollector(source: source)).plan!
    return try! RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject([("api_token", "bench-token")])))
}

private func benchEvents(_ n: Int) -> [JSONValue] {
    (0..<n).map { i in
        try! JSONParser().parseValue(#"{"type":"track","event":"Order Completed","event_id":"evt-\#(i)","user_id":"user-\#(i % 997)","timestamp":"2026-03-14T09:31:07.864Z","properties":{"order_id":"ORD-\#(100000 + i)","total":\#(100 + i % 900).95,"currency":"GBP"}}"#)
    }
}

/// Runs the delivery benchmarks and prints the figures and ratios.
func runDeliverBenchmarks(quick: Bool) {
    let seconds = quick ? 1.0 : 3.0
    let sink = BenchSink()
    defer { sink.stop() }
    print("\nDelivery (issue #5): loopback HTTP/1.1 keep-alive sink in this process; 2 cores shared by client and server")
    let single = deliverPlan(port: sink.port, batch: nil)
    let sample = try! single.render(benchEvents(1)[0], environment: FixedRenderEnvironment())
    var wire = Array("POST /ingest HTTP/1.1\r\nHost: 127.0.0.1:\(sink.port)\r\nContent-Length: \(sample.body.count)\r\n".utf8)
    for h in sample.headers { wire += Array("\(h.name): \(h.value)\r\n".utf8) }
    wire += Array("\r\n".utf8) + sample.body
    let raw1 = rawSocketRate(port: sink.port, request: wire, connections: 1, seconds: seconds)
    let raw8 = rawSocketRate(port: sink.port, request: wire, connections: 8, seconds: seconds)
    print(String(format: "  %-58@ %12.0f req/s", "server capacity: raw sockets, 1 keep-alive connection" as NSString, raw1))
    print(String(format: "  %-58@ %12.0f req/s", "server capacity: raw sockets, 8 keep-alive connections" as NSString, raw8))
    let python = pythonRate(port: sink.port, body: sample.body, headers: sample.headers, seconds: seconds)
    if let python { print(String(format: "  %-58@ %12.0f req/s", "baseline: python3 http.client keep-alive loop" as NSString, python)) }

    let transport = URLSessionTransport(maxConnectionsPerHost: 8)
    let socketTransport = SocketHTTPTransport(maxConnectionsPerHost: 8)
    for (name, candidate) in [("URLSessionTransport", transport as any HTTPTransport), ("SocketHTTPTransport", socketTransport)] {
        for inFlight in [1, 8] {
            let n = Int(quick ? 2000 : 8000)
            let rate = runBlocking { () -> Double in
                let start = DispatchTime.now().uptimeNanoseconds
                await withTaskGroup(of: Void.self) { group in
                    let next = Locked(0)
                    for _ in 0..<inFlight {
                        group.addTask {
                            while next.withLock({ $0 += 1; return $0 }) <= n { _ = try? await candidate.send(sample, timeout: .seconds(10)) }
                        }
                    }
                }
                return Double(n) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            print(String(format: "  %-58@ %12.0f req/s", "\(name).send, \(inFlight) in flight" as NSString, rate))
            if inFlight == 1, let python { print(String(format: "    ratio \(name) (1 in flight) / python http.client: %.2fx", rate / python)) }
        }
    }

    func deliver(_ renderer: RequestRenderer, events: [JSONValue], over transport: any HTTPTransport = transport) -> (seconds: Double, counts: DeliveryCounts) {
        runBlocking {
            let ledger = DeliveryLedger()
            let deliverer = Deliverer(renderer: renderer, transport: transport, clock: SystemClock(), ledger: ledger, options: DeliveryOptions(concurrency: 8))
            let start = DispatchTime.now().uptimeNanoseconds
            let counts = await deliverer.run(.closed(events: events))
            return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, counts)
        }
    }
    let singles = deliver(single, events: benchEvents(quick ? 2000 : 8000))
    let singleRate = Double(singles.counts.attempts) / singles.seconds
    print(String(format: "  %-58@ %12.0f req/s", "Deliverer, 1 event per request, 8 in flight" as NSString, singleRate))
    let batched = deliver(deliverPlan(port: sink.port, batch: 100), events: benchEvents(quick ? 50_000 : 200_000))
    print(String(format: "  %-58@ %12.0f events/s (%.0f req/s)", "Deliverer, 100-event json_array batches, 8 in flight" as NSString,
                 Double(batched.counts.delivered) / batched.seconds, Double(batched.counts.attempts) / batched.seconds))
    // The same two runs over AutoTransport, which sends these http:// requests on sockets.
    let auto = AutoTransport(maxConnectionsPerHost: 8)
    let autoSingles = deliver(single, events: benchEvents(quick ? 2000 : 8000), over: auto)
    print(String(format: "  %-58@ %12.0f req/s", "Deliverer over AutoTransport, 1 event per request, 8 in flight" as NSString,
                 Double(autoSingles.counts.attempts) / autoSingles.seconds))
    let autoBatched = deliver(deliverPlan(port: sink.port, batch: 100), events: benchEvents(quick ? 50_000 : 200_000), over: auto)
    print(String(format: "  %-58@ %12.0f events/s (%.0f req/s)", "Deliverer over AutoTransport, 100-event batches, 8 in flight" as NSString,
                 Double(autoBatched.counts.delivered) / autoBatched.seconds, Double(autoBatched.counts.attempts) / autoBatched.seconds))
    // The same batched run with an in-memory transport: the runtime's own ceiling (render,
    // batching, ledger), to separate it from the transport's cost.
    let offlineEvents = benchEvents(quick ? 50_000 : 200_000)
    let offline = runBlocking { () -> (Double, Int) in
        let ledger = DeliveryLedger()
        let deliverer = Deliverer(renderer: deliverPlan(port: sink.port, batch: 100), transport: ScriptedTransport(answers: []), clock: SystemClock(), ledger: ledger,
                                  options: DeliveryOptions(concurrency: 8))
        let start = DispatchTime.now().uptimeNanoseconds
        let counts = await deliverer.run(.closed(events: offlineEvents))
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, counts.delivered)
    }
    print(String(format: "  %-58@ %12.0f events/s", "Deliverer, 100-event batches, in-memory transport (no I/O)" as NSString, Double(offline.1) / offline.0))
    if let python {
        print(String(format: "\nRatios: Deliverer single-event req/s / python = %.2fx; / raw-socket capacity (8 conns) = %.2fx; batched events/s / python req/s = %.1fx",
                     singleRate / python, singleRate / raw8, Double(batched.counts.delivered) / batched.seconds / python))
        let autoRate = Double(autoSingles.counts.attempts) / autoSingles.seconds
        print(String(format: "Ratios over AutoTransport: Deliverer single-event req/s / python = %.2fx; / raw-socket capacity (8 conns) = %.2fx",
                     autoRate / python, autoRate / raw8))
    }
}
