import DSJSON
import Foundation

/// Dead letters as NDJSON, one record per line (see ``DeadLetter/json``), appended and
/// flushed to the file with each call so a crash loses none that were acknowledged.
public final class DeadLetterFile: DeadLetterSink {
    private let fd: Locked<Int32>

    /// Opens (creating or appending to) `path`.
    public init(path: String) throws(RuntimeFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw RuntimeFileError("\(path): cannot open the dead-letter file (errno \(errno))") }
        self.fd = Locked(fd)
    }

    deinit { fd.withLock { _ = close($0) } }

    public func write(_ letters: [DeadLetter]) {
        var bytes: [UInt8] = []
        for l in letters {
            JSONWriter.write(l.json, style: .compact, into: &bytes)
            bytes.append(0x0A)
        }
        fd.withLock { fd in
            _ = FileDescriptorIO.writeAll(fd, bytes)
            fsync(fd)
        }
    }
}

/// A sink that keeps dead letters in memory (tests).
public final class DeadLetterCollector: DeadLetterSink {
    private let store = Locked<[DeadLetter]>([])

    /// Creates an empty collector.
    public init() {}

    /// Everything written so far.
    public var letters: [DeadLetter] { store.withLock { $0 } }

    public func write(_ letters: [DeadLetter]) { store.withLock { $0 += letters } }
}

/// Loops over `write(2)` until every byte is written.
enum FileDescriptorIO {
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw -> Bool in
            var written = 0
            while written < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                written += n
            }
            return true
        }
    }
}
