import DSCore
import Foundation

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

    /// Loads a file.
    public static func load(_ path: String) throws(Failure) -> SourceFile {
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return SourceFile(path: "<stdin>", bytes: [UInt8](data))
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
