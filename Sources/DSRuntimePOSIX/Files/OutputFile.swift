import DSCore
import DSRuntime
import Foundation

/// The one way dspec writes a whole output file: plans (`compile -o`), fixtures, lint
/// baselines, test reports (text, JSON, JUnit, SARIF) and the secrets file's write-back.
/// (The dead-letter file and the checkpoint are appended through ``POSIXAppendFile``, which
/// never replaces a file either.)
///
/// - A **regular file**, or a path that does not exist yet, is replaced atomically: the
///   bytes go to a new temporary file in the same directory (fsync'd), which is renamed over
///   the path, and the directory is fsync'd; a crash leaves the old content or the new, never
///   a torn file. An existing file keeps its permission bits.
/// - **Anything else** (a character or block device such as `/dev/null`, a FIFO, a
///   terminal) is written **in place**: opened for writing and written, never renamed over.
///   Replacing `/dev/null` by a regular file, as a rename would, breaks every later program
///   on the machine when dspec runs as root.
/// - A **symbolic link** is written through in place as well (like a shell redirection):
///   the link stays a link and dspec never renames anything over the link or its target,
///   so `-o /dev/stdout` writes to whatever standard output is (a pipe, a terminal, a file
///   opened for appending) and a link into another directory does not get a temporary
///   file there. That write is not atomic; name the real file for an atomic replacement.
public enum OutputFile {
    /// Writes `bytes` to `path` as described above. `mode` is the permission of a file
    /// created new (before the umask); with `keepMode`, an existing regular file keeps its
    /// own, otherwise it gets `mode` (the secrets file: 0600).
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644, keepMode: Bool = true) throws(RuntimeFileError) {
        var st = stat()
        if lstat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) != S_IFREG { return try writeInPlace(bytes, to: path) }
            try replace(bytes, at: path, mode: keepMode ? st.st_mode & 0o7777 : mode, fixMode: true)
        } else {
            try replace(bytes, at: path, mode: mode, fixMode: !keepMode)
        }
    }

    /// Opens `path` (following links) and writes `bytes` into it; fsyncs it when it is a
    /// regular file (a device or a FIFO has nothing to sync).
    private static func writeInPlace(_ bytes: [UInt8], to path: String) throws(RuntimeFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RuntimeFileError("\(path): cannot write: \(RuntimeFileError.reason(errno))") }
        defer { close(fd) }
        guard FileDescriptorIO.writeAll(fd, bytes) else { throw RuntimeFileError("\(path): cannot write: \(RuntimeFileError.reason(errno))") }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, fsync(fd) != 0 {
            throw RuntimeFileError("\(path): cannot sync to disk: \(RuntimeFileError.reason(errno))")
        }
    }

    private static let counter = Locked(0)

    /// Temporary file, fsync, rename over `path`, fsync of the directory.
    private static func replace(_ bytes: [UInt8], at path: String, mode: mode_t, fixMode: Bool) throws(RuntimeFileError) {
        let directory = PathText.deletingLastComponent(path)
        let dir = directory.isEmpty ? "." : directory
        let n = counter.withLock { c -> Int in c += 1; return c }
        let temporary = dir + "/.\(PathText.lastComponent(path)).\(getpid()).\(n).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw RuntimeFileError("\(path): cannot write: \(RuntimeFileError.reason(errno))") }
        var failure: Int32?
        if fixMode, fchmod(fd, mode) != 0 { failure = errno }
        if failure == nil, !FileDescriptorIO.writeAll(fd, bytes) { failure = errno }
        if failure == nil, fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = errno }
        if let failure {
            unlink(temporary)
            throw RuntimeFileError("\(path): cannot write: \(RuntimeFileError.reason(failure))")
        }
        // Make the rename itself durable.
        let dirfd = open(dir, O_RDONLY | O_CLOEXEC)
        if dirfd >= 0 { fsync(dirfd); close(dirfd) }
    }
}
