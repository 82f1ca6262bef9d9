import DSCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads input files into `SourceFile`s; `-` reads standard input.
public enum SourceLoader {
    /// A read failure, with a message fit for users (no stack trace, no internals).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Upper bound on one input file; a spec is kilobytes, so this only stops accidents.
    public static let maxBytes = 64 * 1024 * 1024

    /// Standard input, read once on first use: a command may look at `-` more than once
    /// (classify it, then compile it) and must see the same bytes each time.
    private static let standardInput: [UInt8] = [UInt8](FileHandle.standardInput.readDataToEndOfFile())

    /// Loads a file; `-` is standard input.
    public static func load(_ path: String) throws(Failure) -> SourceFile {
        if path != "-", let bytes = readRegularFile(path) { return SourceFile(path: path, bytes: bytes) }
        return try loadGeneral(path)
    }

    /// The bytes of a regular file of at most ``maxBytes``, read with plain POSIX calls (no
    /// FileManager or FileHandle; `dspec lint DIR` reads a thousand files). Nil whenever
    /// anything is not plain: not a regular file, any error, too large, or grown while read.
    /// ``load(_:)`` then takes the general path, which reads the file as before and words
    /// the failure, so the fast path never changes what a caller gets.
    static func readRegularFile(_ path: String) -> [UInt8]? {
        #if canImport(Glibc)
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(st.st_size)
        guard size >= 0, size <= maxBytes else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // Room for one byte more than stat's size: reading it means the file grew meanwhile.
        var complete = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
            var n = 0
            while n <= size {
                let r = read(fd, buffer.baseAddress! + n, size + 1 - n)
                if r < 0 {
                    if errno == EINTR { continue }
                    count = 0
                    return
                }
                if r == 0 { complete = true; break }
                n += r
            }
            count = complete ? n : 0
        }
        return complete ? bytes : nil
        #else
        return nil
        #endif
    }

    /// ``load(_:)`` through FileManager and FileHandle, with a message for every failure.
    static func loadGeneral(_ path: String) throws(Failure) -> SourceFile {
        if path == "-" {
            if standardInput.count > maxBytes { throw Failure(path: "<stdin>", message: "input is larger than \(maxBytes / 1024 / 1024) MiB") }
            return SourceFile(path: "<stdin>", bytes: standardInput)
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw Failure(path: path, message: "no such file") }
        if isDir.boolValue { throw Failure(path: path, message: "is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(path: path, message: "permission denied or unreadable") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw Failure(path: path, message: "read error")
        }
        if data.count > maxBytes { throw Failure(path: path, message: "file is larger than \(maxBytes / 1024 / 1024) MiB") }
        return SourceFile(path: path, bytes: [UInt8](data))
    }
}
