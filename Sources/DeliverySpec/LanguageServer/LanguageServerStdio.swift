import DSCore
import DSLanguageServer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The language server's edge: reads framed messages from a file descriptor (stdin), hands
/// them to a `LanguageServerSession` and writes the replies (stdout). One thread: `poll`
/// waits for input or for the next debounced diagnostics. A client that disappears (EOF,
/// even mid-message) ends the loop; a write to a closed pipe ends it too (SIGPIPE ignored).
public struct LanguageServerStdio {
    /// Creates the edge.
    public init() {}

    /// The environment for real files: `dspec lint`'s pipeline and the file system.
    public static var fileEnvironment: LanguageServerEnvironment {
        LanguageServerEnvironment(
            diagnose: { path, bytes, lookup in EditorDiagnostics.diagnose(path: path, bytes: bytes, lookup: lookup) },
            readFile: { path in (try? SourceLoader.load(path))?.bytes })
    }

    /// Serves until `exit` or end of input; returns the process exit code (0 after
    /// shutdown + exit, 1 otherwise, as LSP 3.17 says).
    public func run(input: Int32 = 0, output: Int32 = 1, log: Int32 = 2, session: LanguageServerSession = LanguageServerSession(environment: fileEnvironment)) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        var decoder = LSPFrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        func now() -> Double { Double(ConditionLock.monotonicNow()) / 1e9 }
        func send(_ messages: [JSONValue]) -> Bool {
            for m in messages { if !write(output, LSPFrameDecoder.encode(m)) { return false } }
            return true
        }
        while true {
            var timeout: Int32 = -1
            if let deadline = session.nextDeadline {
                let ms = max(0, min(60_000, (deadline - now()) * 1000))
                timeout = Int32(ms.rounded(.up))
            }
            var fds = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fds, 1, timeout)
            if ready < 0 && errno != EINTR { return session.exitCode ?? 1 }
            if ready > 0 {
                let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    if decoder.pendingByteCount > 0 { _ = write(log, Array("dspec lsp: input ended inside a message (\(decoder.pendingByteCount) bytes unread)\n".utf8)) }
                    return session.exitCode ?? 1
                }
                decoder.append(buffer[0..<n])
                while let frame = decoder.next() {
                    switch frame {
                    case .message(let body):
                        if !send(session.receive(body, now: now())) { return session.exitCode ?? 1 }
                    case .error(let problem):
                        _ = write(log, Array("dspec lsp: \(problem)\n".utf8))
                    }
                    if let code = session.exitCode { return code }
                }
            }
            if !send(session.due(now: now())) { return session.exitCode ?? 1 }
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { p in
                #if canImport(Glibc)
                Glibc.write(fd, p.baseAddress! + offset, p.count - offset)
                #else
                Darwin.write(fd, p.baseAddress! + offset, p.count - offset)
                #endif
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
