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

    /// Standard input, read once on first use: a command may look at `-` more than once
    /// (classify it, then compile it) and must see the same bytes each time.
    private static let standardInput: [UInt8] = [UInt8](FileHandle.standardInput.readDataToEndOfFile())

    /// Loads a file; `-` is standard input.
    public static func load(_ path: String) throws(Failure) -> SourceFile {
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
