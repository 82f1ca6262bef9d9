import DSRuntime
import Foundation

/// An append-only file the ledger makes durable: the dead-letter file and the checkpoint
/// write through one. Every failure is an error the run stops on (a record that is not on
/// disk must never be acknowledged); tests inject a failing one.
public protocol AppendFile: Sendable {
    /// The file, for messages.
    var path: String { get }
    /// Appends every byte of `bytes`, or throws.
    func append(_ bytes: [UInt8]) throws(RuntimeFileError)
    /// Makes what was appended durable (fsync for a regular file; a device or a FIFO has
    /// nothing to sync), or throws.
    func sync() throws(RuntimeFileError)
    /// Closes the file.
    func close()
}

/// An ``AppendFile`` on a POSIX file descriptor opened `O_APPEND`. A path that is not a
/// regular file (`/dev/null`, `/dev/stdout`, a FIFO) is written in place, never replaced.
public final class POSIXAppendFile: AppendFile {
    public let path: String
    /// What the file is, for messages ("dead-letter file").
    public let what: String
    /// True when the file is a regular file (only those are fsync'd).
    public let isRegular: Bool
    private let fd: Locked<Int32>

    /// Opens (creating) `path` for appending.
    public init(path: String, what: String) throws(RuntimeFileError) {
        self.path = path
        self.what = what
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RuntimeFileError("\(path): cannot open the \(what): \(RuntimeFileError.reason(errno))") }
        var st = stat()
        isRegular = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        self.fd = Locked(fd)
    }

    deinit { close() }

    public func append(_ bytes: [UInt8]) throws(RuntimeFileError) {
        let error = fd.withLock { fd -> Int32? in
            guard fd >= 0 else { return EBADF }
            return FileDescriptorIO.writeAll(fd, bytes) ? nil : errno
        }
        if let error { throw RuntimeFileError("\(path): cannot write the \(what): \(RuntimeFileError.reason(error))") }
    }

    public func sync() throws(RuntimeFileError) {
        guard isRegular else { return }
        let error = fd.withLock { fd -> Int32? in fd >= 0 && fsync(fd) == 0 ? nil : (fd >= 0 ? errno : EBADF) }
        if let error { throw RuntimeFileError("\(path): cannot sync the \(what) to disk: \(RuntimeFileError.reason(error))") }
    }

    public func close() {
        fd.withLock { fd in
            if fd >= 0 { _ = Foundation.close(fd) }
            fd = -1
        }
    }
}

/// Loops over `write(2)` until every byte is written; false (with `errno` set) on an error.
enum FileDescriptorIO {
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw -> Bool in
            var written = 0
            while written < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 && errno == EINTR { continue }
                if n == 0 { errno = EIO }
                if n <= 0 { return false }
                written += n
            }
            return true
        }
    }

    /// Cuts a torn last record (bytes after the last newline, left by a kill in mid-write)
    /// off the regular file `path`, so the next append does not glue onto it. Reads only
    /// the tail. Does nothing to a file that is not regular.
    static func repairTornLastRecord(_ path: String, what: String) throws(RuntimeFileError) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else { return }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RuntimeFileError("\(path): cannot read the \(what): \(RuntimeFileError.reason(errno))") }
        defer { _ = Foundation.close(fd) }
        var end = off_t(st.st_size)
        var keep: off_t = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        search: while end > 0 {
            let start = max(0, end - off_t(chunk.count))
            let want = Int(end - start)
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, want, start) }
            guard n == want else { throw RuntimeFileError("\(path): cannot read the \(what): \(RuntimeFileError.reason(n < 0 ? errno : EIO))") }
            for i in stride(from: want - 1, through: 0, by: -1) where chunk[i] == 0x0A {
                keep = start + off_t(i) + 1
                break search
            }
            end = start
        }
        guard keep < off_t(st.st_size) else { return }
        if truncate(path, keep) != 0 {
            throw RuntimeFileError("\(path): cannot repair the \(what)'s torn last record: \(RuntimeFileError.reason(errno))")
        }
    }
}
