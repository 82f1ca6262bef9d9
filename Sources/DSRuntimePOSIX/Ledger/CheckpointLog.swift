import DSRuntime
import Foundation

/// `--checkpoint FILE`: an append-only log of acknowledged input lines (an event is
/// acknowledged once it has a final outcome: delivered, dead-lettered or filtered). Each
/// record is a line `A-B` or `A` (1-based input lines). A restarted run reads the log and
/// skips every acknowledged line, so it delivers each event not yet acknowledged and none
/// that was; only requests in flight at the kill can be sent twice (at-least-once).
///
/// The ledger's writer (``DeliveryLedger``, a serial queue off the Swift async pool) calls
/// ``record(_:)`` once per group of acknowledgements, so durability costs one fsync per
/// group rather than one per request. A write or sync failure is thrown and stops the run.
public final class CheckpointLog: CheckpointSink {
    /// The file.
    public let path: String
    /// Lines acknowledged by earlier runs, read at open.
    public let acknowledged: LineRangeSet
    private let file: any AppendFile

    /// Opens (creating) `path` and reads what it holds. A torn last record (a kill in the
    /// middle of a write) is cut off: its events are simply delivered again.
    ///
    /// With `input`, the checkpoint is bound to that input: a new checkpoint starts with a
    /// header line naming it (``CheckpointInput``), and an existing one whose header names
    /// another input, or that has no header, is refused. Every record must be `N` or `N-M`
    /// with `1 <= N <= M` and `M` at most the input's possible line count: a corrupt or
    /// foreign line is refused rather than skipped (it could skip events never delivered).
    /// A path that is not a regular file (`/dev/null`, a FIFO) is written but never read.
    public init(path: String, input: CheckpointInput? = nil) throws(RuntimeFileError) {
        let (set, isNew) = try Self.read(path, input: input)
        acknowledged = set
        self.path = path
        file = try POSIXAppendFile(path: path, what: "checkpoint file")
        if isNew, let input { try writeHeader(input) }
    }

    /// Reads `path` like ``init(path:input:)`` but appends through `file` (tests inject a failing one).
    public init(path: String, input: CheckpointInput? = nil, file: any AppendFile) throws(RuntimeFileError) {
        let (set, isNew) = try Self.read(path, input: input)
        acknowledged = set
        self.path = path
        self.file = file
        if isNew, let input { try writeHeader(input) }
    }

    private func writeHeader(_ input: CheckpointInput) throws(RuntimeFileError) {
        try file.append(input.header + [0x0A])
        try file.sync()
    }

    /// The highest line number a record may name when the input's size is unknown.
    static let maxLine = 1_000_000_000_000_000

    /// Reads and validates the log; `isNew` when it holds nothing yet (a header is due).
    private static func read(_ path: String, input: CheckpointInput?) throws(RuntimeFileError) -> (LineRangeSet, isNew: Bool) {
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG { return (LineRangeSet(), true) }
        guard let data = FileManager.default.contents(atPath: path) else { return (LineRangeSet(), true) }
        let bytes = [UInt8](data)
        let complete = bytes.lastIndex(of: 0x0A).map { bytes[...$0] } ?? []
        // Cut a torn last record off, or the next append would glue onto it ("4" + "5\n").
        if complete.count < bytes.count, truncate(path, off_t(complete.count)) != 0 {
            throw RuntimeFileError("\(path): cannot repair the checkpoint file's torn last record: \(RuntimeFileError.reason(errno))")
        }
        var records = complete.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()[...]
        guard !records.isEmpty else { return (LineRangeSet(), true) }
        let refuse = "; delete it (or name a new --checkpoint file) to deliver the input from its first event, which sends events already delivered again"
        var maxLine = Self.maxLine
        var recordNumber = 1
        if let header = CheckpointInput(header: records.first!) {
            records = records.dropFirst()
            recordNumber = 2
            if let input {
                if header.path != input.path || header.size != input.size || header.headHash != input.headHash {
                    throw RuntimeFileError("\(path): this checkpoint was written for the input \(header.summary), not for \(input.summary); "
                                           + "resume it with the input it was written for, or delete it (or name a new --checkpoint file) to deliver this input from its first event")
                }
            }
            if let size = header.size { maxLine = size + 1 }
        } else if input != nil {
            throw RuntimeFileError("\(path): not a dspec checkpoint (its first line does not name the input it belongs to)\(refuse)")
        }
        var set = LineRangeSet()
        for record in records {
            guard let range = Self.range(record), range.upperBound <= maxLine else {
                let text = String(decoding: record.prefix(80), as: UTF8.self)
                throw RuntimeFileError("\(path): line \(recordNumber): corrupt checkpoint record \"\(text)\" (expected N or N-M, 1 <= N <= M <= \(maxLine))\(refuse)")
            }
            set.insert(range)
            recordNumber += 1
        }
        return (set, false)
    }

    /// `N` or `N-M` (decimal, no sign, no leading zero, at most 18 digits, N <= M).
    private static func range(_ record: ArraySlice<UInt8>) -> ClosedRange<Int>? {
        func number(_ digits: ArraySlice<UInt8>) -> Int? {
            guard (1...18).contains(digits.count), digits.first != UInt8(ascii: "0"), digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return Int(String(decoding: digits, as: UTF8.self))
        }
        let parts = record.split(separator: UInt8(ascii: "-"), maxSplits: 1, omittingEmptySubsequences: false)
        guard let a = number(parts[0]) else { return nil }
        guard parts.count == 2 else { return a...a }
        guard let b = number(parts[1]), a <= b else { return nil }
        return a...b
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
