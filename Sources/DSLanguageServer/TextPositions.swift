/// Converts between byte offsets (what dspec's diagnostics and spans carry) and LSP positions
/// (zero-based line, character in UTF-16 code units: the protocol's default encoding).
public struct TextPositions: Sendable {
    /// The document's bytes (UTF-8).
    public let bytes: [UInt8]
    private let lineStarts: [Int]

    /// Indexes a document.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 10 { starts.append(i + 1) }
        lineStarts = starts
    }

    /// An LSP position as (line, character).
    public struct Position: Sendable, Hashable {
        public var line: Int
        public var character: Int
        public init(line: Int, character: Int) {
            self.line = line
            self.character = character
        }
    }

    /// The position of a byte offset (clamped to the document).
    public func position(ofOffset offset: Int) -> Position {
        let offset = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        var units = 0
        var i = lineStarts[lo]
        while i < offset {
            let b = bytes[i]
            let len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            units += len == 4 ? 2 : 1
            i += len
        }
        return Position(line: lo, character: units)
    }

    /// The byte offset of a position (a character past the line's end is its end; a line
    /// past the document's end is the end of the document).
    public func offset(of position: Position) -> Int {
        guard position.line >= 0 else { return 0 }
        guard position.line < lineStarts.count else { return bytes.count }
        var i = lineStarts[position.line]
        let lineEnd = position.line + 1 < lineStarts.count ? lineStarts[position.line + 1] - 1 : bytes.count
        var units = 0
        while i < lineEnd && units < position.character {
            let b = bytes[i]
            let len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            units += len == 4 ? 2 : 1
            i += len
        }
        return min(i, lineEnd)
    }
}
