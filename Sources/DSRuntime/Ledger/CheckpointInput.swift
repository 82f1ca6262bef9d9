import DSJSON

/// The input a checkpoint belongs to: its path, its size and a SHA-256 of its first
/// ``hashedPrefix`` bytes. The checkpoint's first line records it; a run that opens the
/// checkpoint with another input (another file, the same file changed, or a file where it
/// was standard input) is refused, since the checkpoint's line numbers would skip the
/// wrong events.
///
/// Standard input (`--events -`) and other inputs that are not regular files (a FIFO, a
/// device) have path `-` or their path but no size and no hash when they cannot be read
/// twice: the checkpoint then only records that it was written for such a stream, and
/// resuming it with the same stream is the caller's responsibility (dspec cannot tell two
/// streams apart). Standard input redirected from a regular file (`< events.ndjson`) is
/// bound by size and hash like a file.
public struct CheckpointInput: Sendable, Equatable {
    /// Bytes hashed at the start of the input (64 KiB).
    public static let hashedPrefix = 64 * 1024

    /// The input's absolute path, or `-` for standard input.
    public var path: String
    /// Its size in bytes; nil when it is not a regular file.
    public var size: Int?
    /// Lowercase hex SHA-256 of its first ``hashedPrefix`` bytes; nil when not a regular file.
    public var headHash: String?

    /// Creates an identity.
    public init(path: String, size: Int?, headHash: String?) {
        self.path = path
        self.size = size
        self.headHash = headHash
    }

    /// The checkpoint's first line (without the newline).
    package var header: [UInt8] {
        JSONWriter.bytes(.object(JSONObject([
            ("dspec_checkpoint", .int(1)), ("input", .string(path)),
            ("size", size.map { .int($0) } ?? .null), ("sha256_first_64k", headHash.map { .string($0) } ?? .null),
        ])))
    }

    /// Reads a header line; nil if it is not one.
    package init?(header: some Collection<UInt8>) {
        guard let value = try? JSONParser().parseValue(Array(header)), case .object(let o) = value,
              o["dspec_checkpoint"]?.numberValue?.intValue == 1, let path = o["input"]?.stringValue else { return nil }
        self.path = path
        switch o["size"] {
        case .number(let n)? where n.intValue.map({ $0 >= 0 }) == true: size = n.intValue
        case .null?, nil: size = nil
        default: return nil
        }
        switch o["sha256_first_64k"] {
        case .string(let h)?: headHash = h
        case .null?, nil: headHash = nil
        default: return nil
        }
    }

    /// How it reads in a message.
    package var summary: String {
        guard let size, let headHash else { return "\(path == "-" ? "standard input" : path) (a stream: not verifiable)" }
        return "\(path == "-" ? "standard input" : path) (\(size) bytes, SHA-256 of the first 64 KiB \(headHash.prefix(16))...)"
    }
}
