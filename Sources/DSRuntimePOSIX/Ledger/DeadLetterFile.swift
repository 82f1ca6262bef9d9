import DSJSON
import DSRuntime
import Foundation

/// Dead letters as NDJSON, one record per line (see ``DeadLetter/json``), appended and
/// synced by the ledger's writer before their lines are acknowledged, so a crash loses none
/// that were acknowledged. A write or sync failure is thrown: the run stops and the events
/// stay unacknowledged.
public final class DeadLetterFile: DeadLetterSink {
    private let file: any AppendFile

    /// Opens (creating or appending to) `path`. A torn last record (a kill in the middle of
    /// a write) is cut off first: its event was not acknowledged, so the rerun dead-letters
    /// it again in full.
    public init(path: String) throws(RuntimeFileError) {
        try FileDescriptorIO.repairTornLastRecord(path, what: "dead-letter file")
        file = try POSIXAppendFile(path: path, what: "dead-letter file")
    }

    /// Writes through `file` (tests inject a failing one).
    public init(file: any AppendFile) { self.file = file }

    public func write(_ letters: [DeadLetter]) throws(RuntimeFileError) {
        var bytes: [UInt8] = []
        for l in letters {
            JSONWriter.write(l.json, style: .compact, into: &bytes)
            bytes.append(0x0A)
        }
        try file.append(bytes)
        try file.sync()
    }

    /// Closes the file.
    public func close() { file.close() }
}
