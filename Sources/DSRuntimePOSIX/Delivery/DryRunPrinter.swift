import DSCore
import DSRender
import DSRuntime
import Foundation

/// Prints dry-run requests as HTTP/1.1 messages (request line, headers in order, blank
/// line, body), separated by a blank line, to a file descriptor. Output is buffered and
/// written in 64 KiB blocks, since a dry run of a large file prints millions of requests.
/// With a redactor, every secret value and derived credential is shown as
/// `<redacted:NAME>` (the default of `dspec deliver --dry-run`; `--show-secrets` prints
/// them).
public final class DryRunPrinter: DryRunSink {
    private let fd: Int32
    private let redactor: SecretRedactor?
    private let buffer = Locked<[UInt8]>([])

    /// Creates a printer writing to `fd` (standard output by default), redacting with
    /// `redactor` when given.
    public init(fd: Int32 = STDOUT_FILENO, redactor: SecretRedactor? = nil) {
        self.fd = fd
        self.redactor = redactor
    }

    /// The text of one request; an https request is preceded by the line saying what
    /// URLSession changes on the wire (``HTTPSWireNote``).
    public static func text(_ request: RenderedRequest) -> [UInt8] {
        var out = HTTPSWireNote.line(for: request).map { Array(($0 + "\n").utf8) } ?? []
        out += Array("\(request.method) \(request.url) HTTP/1.1\r\n".utf8)
        for h in request.headers { out += Array("\(h.name): \(h.value)\r\n".utf8) }
        out += Array("\r\n".utf8)
        out += request.body
        out += Array("\n\n".utf8)
        return out
    }

    public func emit(_ request: RenderedRequest) {
        let text = redactor.map { $0.redact(bytes: Self.text(request)) } ?? Self.text(request)
        let full: [UInt8]? = buffer.withLock { b in
            b += text
            guard b.count >= 64 * 1024 else { return nil }
            defer { b.removeAll(keepingCapacity: true) }
            return b
        }
        if let full { _ = FileDescriptorIO.writeAll(fd, full) }
    }

    /// Writes whatever is buffered.
    public func flush() {
        let rest = buffer.withLock { b -> [UInt8] in
            defer { b.removeAll() }
            return b
        }
        if !rest.isEmpty { _ = FileDescriptorIO.writeAll(fd, rest) }
    }
}
