import DSJSON
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
    public static let maxLineBytes = 16 * 1024 * 1024

    /// Starts reading `fd` into `queue` and finishes the queue at end of file or on a read
    /// error. `skip` holds lines to pass on as acknowledged. Closes `fd` if `closeWhenDone`.
    public static func start(fd: Int32, into queue: EventInputQueue, skip: LineRangeSet = LineRangeSet(), closeWhenDone: Bool) {
        let thread = Thread {
            read(fd: fd, into: queue, skip: skip)
            if closeWhenDone { close(fd) }
            queue.finish()
        }
        thread.name = "dspec-input"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The reading loop (runs on the caller's thread).
    static func read(fd: Int32, into queue: EventInputQueue, skip: LineRangeSet) {
        let parser = JSONParser()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var line: [UInt8] = []
        var lineNumber = 0
        var overflow = false
        func emit() {
            lineNumber += 1
            defer { line.removeAll(keepingCapacity: line.capacity <= 1 << 20) }
            if overflow {
                overflow = false
                queue.put(.malformed(line: lineNumber, raw: "", message: "line longer than \(maxLineBytes) bytes"))
                return
            }
            var content = line[...]
            if content.last == 0x0D { content = content.dropLast() }
            guard content.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
            if skip.contains(lineNumber) { queue.put(.acknowledged(line: lineNumber)); return }
            do {
                let value = try parser.parseValue(content)
                guard case .object = value else {
                    queue.put(.malformed(line: lineNumber, raw: String(decoding: content.prefix(2048), as: UTF8.self), message: "an event must be a JSON object, not \(value.typeName)"))
                    return
                }
                queue.put(.event(line: lineNumber, event: value))
            } catch {
                queue.put(.malformed(line: lineNumber, raw: String(decoding: content.prefix(2048), as: UTF8.self), message: "not valid JSON: \(error.message) at byte \(error.offset)"))
            }
        }
        while !queue.isStopped {
            let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            var start = 0
            for i in 0..<n where buffer[i] == 0x0A {
                if !overflow { line.append(contentsOf: buffer[start..<i]) }
                emit()
                start = i + 1
            }
            if start < n && !overflow {
                line.append(contentsOf: buffer[start..<n])
                if line.count > maxLineBytes { overflow = true; line = [] }
            }
        }
        if (!line.isEmpty || overflow) && !queue.isStopped { emit() }
    }
}
