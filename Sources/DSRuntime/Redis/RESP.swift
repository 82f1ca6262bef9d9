/// One RESP2 value (the Redis serialization protocol, https://redis.io/docs/latest/develop/reference/protocol-spec/).
/// RESP3 types are not accepted: dspec never sends `HELLO 3`, so a server speaks RESP2.
public enum RESPValue: Sendable, Equatable {
    /// `+OK\r\n`
    case simple(String)
    /// `-ERR message\r\n`
    case error(String)
    /// `:42\r\n`
    case integer(Int64)
    /// `$3\r\nabc\r\n`; nil for the null bulk string `$-1\r\n`.
    case bulk([UInt8]?)
    /// `*2\r\n...`; nil for the null array `*-1\r\n`.
    case array([RESPValue]?)

    /// The text of a simple or bulk string (bytes decoded as UTF-8, invalid sequences replaced).
    public var text: String? {
        switch self {
        case .simple(let s): return s
        case .bulk(let b?): return String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }

    /// The elements of a non-null array.
    public var elements: [RESPValue]? {
        if case .array(let a?) = self { return a }
        return nil
    }

    /// True for the null bulk string and the null array.
    public var isNull: Bool {
        switch self {
        case .bulk(nil), .array(nil): return true
        default: return false
        }
    }
}

/// Encodes commands the way every Redis client does: an array of bulk strings.
public enum RESPEncoder {
    /// `*N\r\n$len\r\narg\r\n...` for the command and its arguments.
    public static func command(_ parts: [String]) -> [UInt8] {
        command(parts.map { Array($0.utf8) })
    }

    /// The same, for byte arguments.
    public static func command(_ parts: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + parts.reduce(0) { $0 + $1.count + 16 })
        out.append(UInt8(ascii: "*"))
        out.append(contentsOf: Array(String(parts.count).utf8))
        out.append(contentsOf: [0x0D, 0x0A])
        for p in parts {
            out.append(UInt8(ascii: "$"))
            out.append(contentsOf: Array(String(p.count).utf8))
            out.append(contentsOf: [0x0D, 0x0A])
            out.append(contentsOf: p)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        return out
    }
}

extension RESPEncoder {
    /// Any value in its wire form (what a server sends; tests and the fuzz target's round trip).
    public static func value(_ v: RESPValue) -> [UInt8] {
        var out: [UInt8] = []
        append(v, to: &out)
        return out
    }

    private static func append(_ v: RESPValue, to out: inout [UInt8]) {
        func line(_ type: Character, _ text: String) {
            out.append(type.asciiValue ?? 0x3F)
            out.append(contentsOf: Array(text.utf8))
            out.append(contentsOf: [0x0D, 0x0A])
        }
        switch v {
        case .simple(let s): line("+", s)
        case .error(let s): line("-", s)
        case .integer(let n): line(":", String(n))
        case .bulk(nil): line("$", "-1")
        case .bulk(let b?):
            line("$", String(b.count))
            out.append(contentsOf: b)
            out.append(contentsOf: [0x0D, 0x0A])
        case .array(nil): line("*", "-1")
        case .array(let items?):
            line("*", String(items.count))
            for i in items { append(i, to: &out) }
        }
    }
}

/// Limits on what a server may send; anything larger is a protocol error, never an allocation.
public struct RESPLimits: Sendable, Equatable {
    /// Longest bulk string.
    public var maxBulkBytes: Int
    /// Most elements of one array.
    public var maxArrayElements: Int
    /// Deepest nesting of arrays.
    public var maxDepth: Int
    /// Longest simple string, error or integer line.
    public var maxLineBytes: Int
    /// Most values in one reply, all levels together.
    public var maxTotalElements: Int

    /// Creates limits.
    public init(maxBulkBytes: Int = 8 * 1024 * 1024, maxArrayElements: Int = 1 << 20, maxDepth: Int = 16, maxLineBytes: Int = 64 * 1024,
                maxTotalElements: Int = 1 << 21) {
        self.maxBulkBytes = maxBulkBytes
        self.maxArrayElements = maxArrayElements
        self.maxDepth = maxDepth
        self.maxLineBytes = maxLineBytes
        self.maxTotalElements = maxTotalElements
    }
}

/// A strict, total RESP2 reply parser: any bytes give a value, "need more bytes" or a
/// protocol error, never a crash or an unbounded allocation (sizes are checked against
/// ``RESPLimits`` before anything is reserved). Pure: the edge feeds it socket bytes.
public struct RESPParser: Sendable {
    /// The outcome of ``parse(_:from:)``.
    public enum Result: Sendable, Equatable {
        /// A whole value, and the index just after it.
        case value(RESPValue, next: Int)
        /// The bytes end inside a value: read more and parse again from the same index.
        case incomplete
        /// The bytes are not RESP2 (or exceed a limit): the connection must be closed.
        case invalid(String)
    }

    /// The limits applied.
    public let limits: RESPLimits

    /// Creates a parser.
    public init(limits: RESPLimits = RESPLimits()) { self.limits = limits }

    private struct Failure: Error { let message: String }
    private struct Incomplete: Error {}

    /// Parses one value from `bytes[start...]`.
    public func parse(_ bytes: [UInt8], from start: Int = 0) -> Result {
        guard start >= 0, start <= bytes.count else { return .invalid("start index out of range") }
        var index = start
        var total = 0
        do {
            let v = try value(bytes, &index, depth: 0, total: &total)
            return .value(v, next: index)
        } catch let f as Failure {
            return .invalid(f.message)
        } catch {
            return .incomplete
        }
    }

    /// The line at `index` up to CRLF (not included); moves `index` past the CRLF.
    private func line(_ b: [UInt8], _ index: inout Int) throws -> ArraySlice<UInt8> {
        var i = index
        let end = b.count
        while i < end {
            let c = b[i]
            if c == 0x0D {
                guard i + 1 < end else { throw Incomplete() }
                guard b[i + 1] == 0x0A else { throw Failure(message: "CR not followed by LF") }
                let l = b[index..<i]
                index = i + 2
                return l
            }
            if c == 0x0A { throw Failure(message: "LF without CR") }
            if i - index >= limits.maxLineBytes { throw Failure(message: "line longer than \(limits.maxLineBytes) bytes") }
            i += 1
        }
        if i - index > limits.maxLineBytes { throw Failure(message: "line longer than \(limits.maxLineBytes) bytes") }
        throw Incomplete()
    }

    /// A signed decimal integer of at most 19 digits (no overflow possible), no leading `+`.
    private func integer(_ s: ArraySlice<UInt8>) throws -> Int64 {
        var digits = s[...]
        var negative = false
        if digits.first == UInt8(ascii: "-") { negative = true; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 18 else { throw Failure(message: "invalid integer") }
        var v: Int64 = 0
        for d in digits {
            guard d >= 0x30, d <= 0x39 else { throw Failure(message: "invalid integer") }
            v = v * 10 + Int64(d - 0x30)
        }
        return negative ? -v : v
    }

    private func value(_ b: [UInt8], _ index: inout Int, depth: Int, total: inout Int) throws -> RESPValue {
        guard index < b.count else { throw Incomplete() }
        total += 1
        if total > limits.maxTotalElements { throw Failure(message: "more than \(limits.maxTotalElements) values in one reply") }
        let type = b[index]
        index += 1
        switch type {
        case UInt8(ascii: "+"):
            return .simple(String(decoding: try line(b, &index), as: UTF8.self))
        case UInt8(ascii: "-"):
            return .error(String(decoding: try line(b, &index), as: UTF8.self))
        case UInt8(ascii: ":"):
            return .integer(try integer(try line(b, &index)))
        case UInt8(ascii: "$"):
            let n = try integer(try line(b, &index))
            if n == -1 { return .bulk(nil) }
            guard n >= 0 else { throw Failure(message: "negative bulk length") }
            guard n <= Int64(limits.maxBulkBytes) else { throw Failure(message: "bulk string longer than \(limits.maxBulkBytes) bytes") }
            let count = Int(n)
            guard b.count - index >= count + 2 else { throw Incomplete() }
            guard b[index + count] == 0x0D, b[index + count + 1] == 0x0A else { throw Failure(message: "bulk string not followed by CRLF") }
            let data = Array(b[index..<(index + count)])
            index += count + 2
            return .bulk(data)
        case UInt8(ascii: "*"):
            let n = try integer(try line(b, &index))
            if n == -1 { return .array(nil) }
            guard n >= 0 else { throw Failure(message: "negative array length") }
            guard n <= Int64(limits.maxArrayElements) else { throw Failure(message: "array longer than \(limits.maxArrayElements) elements") }
            guard depth + 1 <= limits.maxDepth else { throw Failure(message: "arrays nested deeper than \(limits.maxDepth)") }
            let count = Int(n)
            // Every element takes at least 3 bytes: never reserve more than the bytes can hold.
            var items: [RESPValue] = []
            items.reserveCapacity(min(count, (b.count - index) / 3 + 1))
            for _ in 0..<count { items.append(try value(b, &index, depth: depth + 1, total: &total)) }
            return .array(items)
        default:
            throw Failure(message: "unknown RESP2 type byte 0x\(String(type, radix: 16))")
        }
    }
}
