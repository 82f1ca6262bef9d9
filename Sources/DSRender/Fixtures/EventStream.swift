import DSJSON

/// One event read from an NDJSON events file, with its line number for messages.
public struct EventRecord: Sendable {
    /// 1-based line of the event in the file.
    public var line: Int
    /// The event, key order as written.
    public var event: JSONValue

    /// Creates a record.
    public init(line: Int, event: JSONValue) {
        self.line = line
        self.event = event
    }
}

/// A line of an events file that is not a JSON object.
public struct EventStreamError: Error, Sendable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// What is wrong.
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// Reads NDJSON (one JSON object per line, as in `NAME.events.ndjson`). Blank lines are
/// skipped so files can be grouped for readability; a trailing `\r` is ignored so files
/// edited on Windows still read.
public enum EventStream {
    /// Parses the whole file; the first malformed line is an error.
    public static func parse(_ bytes: [UInt8]) throws(EventStreamError) -> [EventRecord] {
        var records: [EventRecord] = []
        var line = 0
        var start = 0
        let parser = JSONParser()
        while start <= bytes.count {
            line += 1
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var content = bytes[start..<end]
            if content.last == 0x0D { content = content.dropLast() }
            if content.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                let value: JSONValue
                do {
                    value = try parser.parseValue(content)
                } catch {
                    throw EventStreamError(line: line, message: "not valid JSON: \(error.message) at byte \(error.offset)")
                }
                guard case .object = value else {
                    throw EventStreamError(line: line, message: "an event must be a JSON object, not \(value.typeName)")
                }
                records.append(EventRecord(line: line, event: value))
            }
            start = end + 1
        }
        return records
    }
}
