import DeliverySpec
import Foundation
import XCTest

/// A real `redis-server` (the Debian package) on a free loopback port, started by a test
/// with no persistence (`--save '' --appendonly no`); the test skips with the reason when
/// the binary is absent (`.ci/run` installs it).
final class RedisTestServer {
    let port: Int
    private let process: Process

    static var binary: String? {
        ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init() throws {
        guard let binary = Self.binary else { throw XCTSkip("redis-server is not installed (apt-get install redis-server; .ci/run installs it)") }
        var lastError = "redis-server did not start"
        for _ in 0..<5 {
            let port = try Self.freePort()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Ready when it answers PING (the port race with another process: retry on another port).
            for _ in 0..<200 {
                if !p.isRunning { break }
                if let c = try? RedisConnection.open(host: "127.0.0.1", port: port, timeout: .seconds(1)) {
                    defer { c.close() }
                    if (try? c.call(["PING"])) == .simple("PONG") {
                        self.port = port
                        self.process = p
                        return
                    }
                }
                usleep(25_000)
            }
            if p.isRunning { p.terminate(); p.waitUntilExit() }
            lastError = "redis-server did not answer PING on port \(port)"
        }
        throw NSError(domain: "RedisTestServer", code: 1, userInfo: [NSLocalizedDescriptionKey: lastError])
    }

    func connect() throws -> RedisConnection { try RedisConnection.open(host: "127.0.0.1", port: port) }

    /// Terminates the server. Polls `isRunning` instead of `waitUntilExit()`, which never
    /// returns when called from an async test on Linux (it spins a run loop).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }

    /// A port the kernel just gave out on loopback (bound and released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 } }
        guard bound else { throw NSError(domain: "RedisTestServer", code: 2, userInfo: [NSLocalizedDescriptionKey: "no free port"]) }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Appends `events` (NDJSON lines' text) to `stream` as entries with the field `event`.
    func add(_ events: [String], to stream: String) throws {
        let c = try connect()
        defer { c.close() }
        var i = 0
        while i < events.count {
            let chunk = events[i..<min(i + 1000, events.count)]
            let replies = try c.pipeline(chunk.map { ["XADD", stream, "*", "event", $0] })
            if let e = replies.compactMap(\.errorMessage).first { throw NSError(domain: "RedisTestServer", code: 3, userInfo: [NSLocalizedDescriptionKey: e]) }
            i += 1000
        }
    }
}
