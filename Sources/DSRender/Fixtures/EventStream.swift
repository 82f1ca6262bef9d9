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
    /// 1-based column (in Unicode scalars) of the problem in its line.
    public var column: Int = 1
    public var description: String { "line \(line): \(message)" }

    /// `path:line:col: error: message`, like a spec error.
    public func located(in path: String) -> String { "\(path):\(line):\(column): error: \(message)" }
}

/// Reads NDJSON (one JSON object per line, as in `NAME.events.ndjson`). Blank lines are
/// skipped so files can be grouped for readability; a trailing `\r` is ignored so files
/// edited on Windows still read.
public enum EventStream {
    /// What one NDJSON line holds.
    public enum Line: Sendable {
        /// Only spaces and tabs: skipped (it still counts for line numbers).
        case blank
        /// A JSON object.
        case event(JSONValue)
        /// Anything else, with the reason and the problem's byte offset in the line.
        case malformed(String, offset: Int)
    }

    /// Decodes one line, without its `\n` (a trailing `\r` is ignored). The one definition of
    /// an NDJSON line for every command: the whole-file reader below and the runtime's
    /// streaming reader split on `\n` only, so U+2028, U+2029 and U+0085 inside strings are
    /// data, and both decode each line here.
    public static func decode(line: ArraySlice<UInt8>, parser: JSONParser = JSONParser()) -> Line {
        var content = line
        if content.last == 0x0D { content = content.dropLast() }
        guard content.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return .blank }
        let value: JSONValue
        do {
            value = try parser.parseValue(content)
        } catch {
            return .malformed("not valid JSON: \(error.message) at byte \(error.offset)", offset: error.offset)
        }
        guard case .object = value else { return .malformed("an event must be a JSON object, not \(value.typeName)", offset: 0) }
        return .event(value)
    }

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
            switch decode(line: bytes[start..<end], parser: parser) {
            case .blank: break
            case .event(let value): records.append(EventRecord(line: line, event: value))
            case .malformed(let message, let offset):
                let column = String(decoding: bytes[start..<min(end, start + offset)], as: UTF8.self).unicodeScalars.count + 1
                throw EventStreamError(line: line, message: message, column: column)
            }
            start = end + 1
        }
        return records
    }
}
