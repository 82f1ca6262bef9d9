import Foundation

/// A set of input line numbers kept as sorted, merged ranges. Acknowledgements arrive
/// almost in order, so a million acknowledged lines are a handful of ranges, which keeps
/// checkpoint memory constant however long the input.
public struct LineRangeSet: Sendable, Equatable {
    /// The ranges, sorted and non-adjacent.
    public private(set) var ranges: [ClosedRange<Int>] = []

    /// Creates an empty set.
    public init() {}

    /// True if `line` is in the set.
    public func contains(_ line: Int) -> Bool {
        var lo = 0, hi = ranges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < line { lo = mid + 1 } else if ranges[mid].lowerBound > line { hi = mid - 1 } else { return true }
        }
        return false
    }

    /// Number of lines in the set.
    public var count: Int { ranges.reduce(0) { $0 + $1.count } }

    /// Adds `range`, merging with neighbours.
    public mutating func insert(_ range: ClosedRange<Int>) {
        // Index of the first range that ends at or after range.lowerBound - 1.
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < range.lowerBound - 1 { lo = mid + 1 } else { hi = mid }
        }
        var merged = range
        var end = lo
        while end < ranges.count && ranges[end].lowerBound <= range.upperBound + 1 {
            merged = min(merged.lowerBound, ranges[end].lowerBound)...max(merged.upperBound, ranges[end].upperBound)
            end += 1
        }
        ranges.replaceSubrange(lo..<end, with: [merged])
    }

    /// Sorted lines as maximal runs of consecutive numbers.
    static func runs(_ lines: [Int]) -> [ClosedRange<Int>] {
        let sorted = lines.sorted()
        var result: [ClosedRange<Int>] = []
        for l in sorted {
            if let last = result.last, l <= last.upperBound + 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, l)
            } else {
                result.append(l...l)
            }
        }
        return result
    }
}

/// `--checkpoint FILE`: an append-only log of acknowledged input lines (an event is
/// acknowledged once it has a final outcome: delivered, dead-lettered or filtered). Each
/// record is a line `A-B` or `A` (1-based input lines). A restarted run reads the log and
/// skips every acknowledged line, so it delivers each event not yet acknowledged and none
/// that was; only requests in flight at the kill can be sent twice (at-least-once).
///
/// The ledger's writer (``DeliveryLedger``, a serial queue off the Swift async pool) calls
/// ``record(_:)`` once per group of acknowledgements, so durability costs one fsync per
/// group rather than one per request. A write or sync failure is thrown and stops the run.
public final class CheckpointLog: Sendable {
    /// The file.
    public let path: String
    /// Lines acknowledged by earlier runs, read at open.
    public let acknowledged: LineRangeSet
    private let file: any AppendFile

    /// Opens (creating) `path` and reads what it holds. A torn last record (a kill in the
    /// middle of a write) is cut off: its events are simply delivered again.
    public init(path: String) throws(RuntimeFileError) {
        acknowledged = try Self.read(path)
        self.path = path
        file = try POSIXAppendFile(path: path, what: "checkpoint file")
    }

    /// Reads `path` like ``init(path:)`` but appends through `file` (tests inject a failing one).
    public init(path: String, file: any AppendFile) throws(RuntimeFileError) {
        acknowledged = try Self.read(path)
        self.path = path
        self.file = file
    }

    private static func read(_ path: String) throws(RuntimeFileError) -> LineRangeSet {
        var set = LineRangeSet()
        if let data = FileManager.default.contents(atPath: path) {
            let bytes = [UInt8](data)
            let complete = bytes.lastIndex(of: 0x0A).map { bytes[...$0] } ?? []
            // Cut a torn last record off, or the next append would glue onto it ("4" + "5\n").
            if complete.count < bytes.count, truncate(path, off_t(complete.count)) != 0 {
                throw RuntimeFileError("\(path): cannot repair the checkpoint file's torn last record (errno \(errno))")
            }
            for record in complete.split(separator: 0x0A) {
                let parts = record.split(separator: UInt8(ascii: "-"), maxSplits: 1).map { Int(String(decoding: $0, as: UTF8.self)) }
                if parts.count == 1, let a = parts[0] { set.insert(a...a) } else if parts.count == 2, let a = parts[0], let b = parts[1], a <= b { set.insert(a...b) }
            }
        }
        return set
    }

    /// Appends `lines` to the log and syncs it; throws if either fails (the lines are then
    /// not acknowledged).
    public func record(_ lines: [Int]) throws(RuntimeFileError) {
        guard !lines.isEmpty else { return }
        var text: [UInt8] = []
        for r in LineRangeSet.runs(lines) {
            text += Array((r.count == 1 ? "\(r.lowerBound)\n" : "\(r.lowerBound)-\(r.upperBound)\n").utf8)
        }
        try file.append(text)
        try file.sync()
    }

    /// Closes the file (after the ledger's writer has drained: see ``DeliveryLedger/close()``).
    public func close() { file.close() }
}
