/// The text of one input file, kept as UTF-8 bytes, with a lazily built line table so
/// byte offsets recorded by the parser can be turned into 1-based line and column numbers
/// only when a diagnostic actually needs them (the parser itself records offsets only).
/// Immutable but for the line table, which is built once under a lock: one source file can
/// be shared by every thread that reports on it.
public final class SourceFile: Sendable {
    /// The path as the user gave it (used verbatim in diagnostics).
    public let path: String
    /// The raw bytes of the file.
    public let bytes: [UInt8]
    /// Start offset of every line, built on first use.
    private let lineStarts = Locked<[Int]?>(nil)

    /// Creates a source file from raw bytes.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// Creates a source file from a string (tests, stdin, in-memory specs).
    public convenience init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    private func table() -> [Int] {
        lineStarts.withLock { cached in
            if let cached { return cached }
            var starts = [0]
            starts.reserveCapacity(bytes.count / 32 + 1)
            for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
                starts.append(index + 1)
            }
            cached = starts
            return starts
        }
    }

    /// The 1-based line and column of a byte offset. Columns count Unicode scalars, so a
    /// caret lines up under the right character on a UTF-8 terminal.
    public func location(ofOffset offset: Int) -> SourceLocation {
        let starts = table()
        let clamped = max(0, min(offset, bytes.count))
        var low = 0, high = starts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= clamped { low = mid } else { high = mid - 1 }
        }
        let lineStart = starts[low]
        var column = 1
        var index = lineStart
        while index < clamped {
            // Count only bytes that start a scalar (not UTF-8 continuation bytes).
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return SourceLocation(line: low + 1, column: column, offset: clamped)
    }

    /// The text of a 1-based line, without its line terminator.
    public func lineText(_ line: Int) -> String {
        let starts = table()
        guard line >= 1, line <= starts.count else { return "" }
        let start = starts[line - 1]
        var end = line < starts.count ? starts[line] - 1 : bytes.count
        if end > start, end <= bytes.count, end - 1 >= start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }
}

/// A 1-based line and column, plus the byte offset they were computed from.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column, in Unicode scalars.
    public var column: Int
    /// 0-based byte offset in the file.
    public var offset: Int

    /// Creates a location.
    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool { lhs.offset < rhs.offset }

    public var description: String { "\(line):\(column)" }
}

/// A half-open byte range `[start, end)` in a source file.
public struct SourceSpan: Hashable, Sendable {
    /// First byte offset.
    public var start: Int
    /// One past the last byte offset.
    public var end: Int

    /// Creates a span.
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// A zero-width span at an offset.
    public static func at(_ offset: Int) -> SourceSpan { SourceSpan(start: offset, end: offset) }
}
