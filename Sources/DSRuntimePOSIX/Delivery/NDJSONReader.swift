import DSJSON
import DSRender
import DSRuntime
import Foundation

/// Reads NDJSON events from a file descriptor on its own thread, line by line in 64 KiB
/// reads (never the whole file), parses each line and hands records to an
/// ``EventInputQueue``. Parsing on the reader thread overlaps it with rendering and sending.
///
/// Blank lines are skipped (they still count for line numbers); a trailing `\r` is ignored;
/// lines the checkpoint acknowledged are passed on unparsed; a line longer than
/// `maxLineBytes` is reported malformed without being held in memory.
public enum NDJSONReader {
    /// Longest line accepted (an event is kilobytes; this only stops runaway input).
    public static let maxLineBytes = 1024 * 1024

    /// Starts reading `fd` into `queue` and finishes the queue at end of file or on a read
    /// error. `skip` holds lines to pass on as acknowledged. Closes `fd` if `closeWhenDone`.
    ///
    /// A read error (a directory, an I/O error) is not the end of the input: the returned
    /// status holds it once the queue is finished, naming `name`, and the caller must report
    /// it (the events after the last complete line were never read).
    @discardableResult
    ///
    /// With `rawLines`, an event line that ``EventLine/scan(_:)`` accepts is handed over as
    /// ``InputRecord/line(line:event:)`` (validated, not parsed into a tree: for a deliverer
    /// that builds payloads from lines, see ``Deliverer/buildsPayloadsFromLines(renderer:options:)``);
    /// every other line is decoded as without it.
    public static func start(fd: Int32, into queue: EventInputQueue, skip: LineRangeSet = LineRangeSet(), closeWhenDone: Bool,
                             name: String = "the events file", rawLines: Bool = false) -> InputReadStatus {
        let status = InputReadStatus()
        let thread = Thread {
            let result = read(fd: fd, into: queue, skip: skip, rawLines: rawLines)
            if let code = result.error {
                status.set(RuntimeFileError("\(name): cannot read the events after line \(result.lines): \(RuntimeFileError.reason(code))"))
            }
            if closeWhenDone { close(fd) }
            queue.finish()
        }
        thread.name = "dspec-input"
        thread.stackSize = 1 << 20
        thread.start()
        return status
    }

    /// The reading loop (runs on the caller's thread). Returns the lines read and the
    /// `errno` of a read error (nil at end of file).
    @discardableResult
    static func read(fd: Int32, into queue: EventInputQueue, skip: LineRangeSet, rawLines: Bool = false) -> (lines: Int, error: Int32?) {
        let parser = JSONParser()
        var scratch = EventLine.Scratch()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var line: [UInt8] = []
        var lineNumber = 0
        var overflow = false
        // One read's records go to the queue together (one lock, one wake-up).
        var batch: [(record: InputRecord, bytes: Int)] = []
        func put(_ record: InputRecord, bytes: Int = 0) { batch.append((record, bytes)) }
        func handOver() {
            guard !batch.isEmpty else { return }
            queue.put(batch: batch)
            batch.removeAll(keepingCapacity: true)
        }
        /// Decodes one line (`raw`: the bytes before its `\n`).
        func emit(_ raw: ArraySlice<UInt8>) {
            lineNumber += 1
            if overflow {
                overflow = false
                put(.malformed(line: lineNumber, raw: "", message: "line longer than \(maxLineBytes) bytes"))
                return
            }
            var content = raw
            if content.last == 0x0D { content = content.dropLast() }
            guard content.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
            if skip.contains(lineNumber) { put(.acknowledged(line: lineNumber)); return }
            if rawLines, let event = EventLine.scan(content, scratch: &scratch) {
                put(.line(line: lineNumber, event: event), bytes: content.count)
                return
            }
            // The same line rules as every other command (EventStream.decode).
            switch EventStream.decode(line: content, parser: parser) {
            case .blank: return
            case .event(let value): put(.event(line: lineNumber, event: value), bytes: content.count)
            case .malformed(let message, _): put(.malformed(line: lineNumber, raw: String(decoding: content.prefix(2048), as: UTF8.self), message: message))
            }
        }
        while !queue.isStopped {
            let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            // A partial last line before a read error is not an event: it is left unread.
            if n < 0 { let code = errno; handOver(); return (lineNumber, code) }
            if n == 0 { break }
            var start = 0
            while start < n {
                let newline: Int? = buffer.withUnsafeBufferPointer { b in
                    memchr(b.baseAddress! + start, 0x0A, n - start).map { UnsafeRawPointer($0) - UnsafeRawPointer(b.baseAddress!) }
                }
                guard let i = newline else { break }
                if line.isEmpty && !overflow {
                    // The whole line is in this read: decoded in place, not copied first.
                    emit(buffer[start..<i])
                } else {
                    if !overflow { line.append(contentsOf: buffer[start..<i]) }
                    emit(line[...])
                    line.removeAll(keepingCapacity: line.capacity <= 1 << 20)
                }
                start = i + 1
            }
            if start < n && !overflow {
                line.append(contentsOf: buffer[start..<n])
                if line.count > maxLineBytes { overflow = true; line = [] }
            }
            handOver()
        }
        if (!line.isEmpty || overflow) && !queue.isStopped { emit(line[...]) }
        handOver()
        return (lineNumber, nil)
    }
}

/// How the reading of an input ended: set before the queue finishes.
public final class InputReadStatus: Sendable {
    private let failure = Locked<RuntimeFileError?>(nil)

    /// Creates a status with no error.
    public init() {}

    /// The read error, if the input could not be read to its end.
    public var error: RuntimeFileError? { failure.withLock { $0 } }

    func set(_ error: RuntimeFileError) { failure.withLock { $0 = error } }
}
