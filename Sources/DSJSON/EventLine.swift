import CFastScan

/// One NDJSON event line held as bytes, with the byte ranges of its top-level members: an
/// event view that builds no tree. ``scan(_:)`` accepts a line only when it is a JSON object
/// that ``JSONParser`` accepts too (it checks the whole line: syntax, escapes, UTF-8, depth,
/// duplicate keys), within a subset that keeps byte comparison exact: every key, at every
/// depth, is plain ASCII without escapes (so two keys are equal exactly when their bytes
/// are, as Swift's `String ==` decides for the parser). Anything else returns nil and the
/// caller parses the line the general way, which gives the diagnostic.
///
/// ``materialize()`` gives the same ``JSONValue`` the parser gives; a member's raw bytes
/// are flagged *canonical* when `JSONWriter`'s compact form of the parsed value is those
/// very bytes (no whitespace, no escape sequence, no byte the writer escapes), so a payload
/// can copy them instead of parsing and writing again.
public struct EventLine: Sendable {
    /// One top-level member: the key's content (between the quotes) and the value's bytes.
    public struct Member: Sendable {
        public var keyStart: Int32
        public var keyEnd: Int32
        public var valueStart: Int32
        public var valueEnd: Int32
        /// True when the value's bytes are exactly its compact JSON writing.
        public var canonical: Bool
    }

    /// The line (no newline; a trailing `\r` already removed).
    public let bytes: [UInt8]
    /// The top-level members, in line order.
    public let members: [Member]

    /// The deepest nesting scanned; deeper lines take the general parser. The C scan's limit,
    /// so that the two scanners cannot drift apart.
    static let maxDepth = Int(DSPEC_EVENT_LINE_MAX_DEPTH)
    /// Objects with more members take the general parser (duplicate checks stay linear).
    static let maxMembers = Int(DSPEC_EVENT_LINE_MAX_MEMBERS)

    /// Scans `line`; nil when it is not an object of the subset described on the type (the
    /// caller then parses it with ``JSONParser``).
    public static func scan(_ line: some Collection<UInt8>) -> EventLine? {
        var scratch = Scratch()
        return scan(line, scratch: &scratch)
    }

    /// Working memory a reader keeps across lines (no allocation per line for it).
    public struct Scratch {
        var keys: [(Int, Int)] = []
        var members: [Member] = []
        /// The C scan's member output.
        var found = [dspec_event_member](repeating: dspec_event_member(), count: Int(DSPEC_EVENT_LINE_MAX_MEMBERS))
        public init() {
            keys.reserveCapacity(64)
            members.reserveCapacity(64)
        }
    }

    /// ``scan(_:)`` reusing `scratch`.
    ///
    /// The scan itself is C (`dspec_event_line_scan` in CFastScan: the same checks, string
    /// runs 16 bytes at a time), run on the caller's bytes in place; only an accepted line
    /// is copied. ``scanReference(_:scratch:)`` is the Swift scanner it replaced, kept as
    /// the reference the differential tests compare it with.
    public static func scan(_ line: some Collection<UInt8>, scratch: inout Scratch) -> EventLine? {
        if let done = line.withContiguousStorageIfAvailable({ scan(contiguous: $0, scratch: &scratch) }) { return done }
        return Array(line).withUnsafeBufferPointer { scan(contiguous: $0, scratch: &scratch) }
    }

    private static func scan(contiguous line: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) -> EventLine? {
        guard line.count < Int(Int32.max) else { return nil }
        let count = scratch.found.withUnsafeMutableBufferPointer { dspec_event_line_scan(line.baseAddress, line.count, $0.baseAddress) }
        guard count >= 0 else { return nil }
        // A fresh buffer of exactly the line's size (never sharing the caller's, whose
        // capacity a reader keeps for the next line), and exactly the members.
        let bytes = Array(line)
        let members = scratch.found.withUnsafeBufferPointer { found in
            [Member](unsafeUninitializedCapacity: Int(count)) { out, initialized in
                for i in 0..<Int(count) {
                    let m = found[i]
                    (out.baseAddress! + i).initialize(to: Member(keyStart: m.key_start, keyEnd: m.key_end, valueStart: m.value_start,
                                                                  valueEnd: m.value_end, canonical: m.canonical != 0))
                }
                initialized = Int(count)
            }
        }
        return EventLine(bytes: bytes, members: members)
    }

    /// The Swift scanner (the reference for the C scan ``scan(_:scratch:)`` runs): the
    /// same result for every line, kept for the differential tests and the `json` fuzz target.
    public static func scanReference(_ line: some Collection<UInt8>, scratch: inout Scratch) -> EventLine? {
        let bytes: [UInt8] = line.withContiguousStorageIfAvailable { Array($0) } ?? Array(line)
        guard bytes.count < Int(Int32.max) else { return nil }
        scratch.keys.removeAll(keepingCapacity: true)
        scratch.members.removeAll(keepingCapacity: true)
        let ok = bytes.withUnsafeBufferPointer { buffer -> Bool in
            var scanner = EventLineScanner(bytes: buffer, keys: scratch.keys)
            defer { scratch.keys = scanner.keys }
            return scanner.scanDocument(into: &scratch.members)
        }
        guard ok else { return nil }
        // A copy of exactly the members (the scratch's own buffer stays with the reader).
        return EventLine(bytes: bytes, members: scratch.members.withUnsafeBufferPointer { Array($0) })
    }

    /// The event as the general parser reads it.
    public func materialize() throws(JSONParseError) -> JSONValue {
        try JSONParser().parseValue(bytes)
    }

    /// The event as the general parser reads it, or `fallback` (never used for a scanned line).
    public func materialize(or fallback: JSONValue) -> JSONValue {
        (try? materialize()) ?? fallback
    }

    /// The index of the top-level member named `key` (UTF-8 bytes), if any.
    public func member(_ key: some Collection<UInt8>) -> Int? {
        let found: Int?? = key.withContiguousStorageIfAvailable { k in member(k) }
        if let found { return found }
        return Array(key).withUnsafeBufferPointer { member($0) }
    }

    /// The index of the top-level member whose key is `key`'s bytes, if any.
    public func member(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { b in
            for i in members.indices {
                let m = members[i]
                if Int(m.keyEnd - m.keyStart) == key.count, EventLine.equal(b.baseAddress! + Int(m.keyStart), key.baseAddress, key.count) { return i }
            }
            return nil
        }
    }

    /// True when the `count` bytes at `a` and `b` are equal.
    @inline(__always)
    public static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
        guard let b else { return count == 0 }
        var i = 0
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// The value of the top-level member `key` as the parser reads it (only that value is
    /// parsed), or nil when the line has no such member.
    public func value(of key: String) -> JSONValue? {
        guard let i = member(key.utf8) else { return nil }
        return try? JSONParser().parseValue(bytes[Int(members[i].valueStart)..<Int(members[i].valueEnd)])
    }

    /// The top-level `key`'s string value (as `event[key]?.stringValue` gives it), nil when
    /// missing or not a string.
    public func string(of key: String) -> String? {
        guard let i = member(key.utf8) else { return nil }
        let m = members[i]
        guard bytes[Int(m.valueStart)] == UInt8(ascii: "\"") else { return nil }
        if m.canonical { return String(decoding: bytes[Int(m.valueStart) + 1..<Int(m.valueEnd) - 1], as: UTF8.self) }
        return value(of: key)?.stringValue
    }
}

/// The validating scanner behind ``EventLine/scan(_:)``. Returns false for anything outside
/// the subset (never a guess: the general parser decides those lines).
private struct EventLineScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0
    /// Key ranges of the objects being scanned (for duplicate checks), innermost last.
    var keys: [(Int, Int)] = []

    init(bytes: UnsafeBufferPointer<UInt8>, keys: [(Int, Int)]) {
        self.bytes = bytes
        self.keys = keys
    }

    @inline(__always)
    mutating func skipWhitespace() -> Bool {
        var skipped = false
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1; skipped = true
            default: return skipped
            }
        }
        return skipped
    }

    mutating func scanDocument(into members: inout [EventLine.Member]) -> Bool {
        _ = skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return false }
        var canonical = true
        guard scanObject(&canonical, top: &members) else { return false }
        _ = skipWhitespace()
        return index == bytes.count
    }

    /// Scans one value; clears `canonical` if its bytes are not its compact writing.
    mutating func scanValue(_ canonical: inout Bool) -> Bool {
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            var none: [EventLine.Member]? = nil
            return scanObject(&canonical, top: &none)
        case UInt8(ascii: "["): return scanArray(&canonical)
        case UInt8(ascii: "\""): return scanString(&canonical, isKey: false)
        case UInt8(ascii: "t"): return literal(0x74, 0x72, 0x75, 0x65, count: 4)
        case UInt8(ascii: "f"): return literal(0x66, 0x61, 0x6C, 0x73, count: 5, last: 0x65)
        case UInt8(ascii: "n"): return literal(0x6E, 0x75, 0x6C, 0x6C, count: 4)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return scanNumber()
        default: return false
        }
    }

    mutating func literal(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, count: Int, last: UInt8 = 0) -> Bool {
        guard index + count <= bytes.count, bytes[index] == a, bytes[index + 1] == b, bytes[index + 2] == c, bytes[index + 3] == d else { return false }
        if count == 5 { guard bytes[index + 4] == last else { return false } }
        index += count
        return true
    }

    @inline(__always)
    func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// The parser's number grammar; the writer writes a number's text as read.
    mutating func scanNumber() -> Bool {
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { return false }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { return false }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { return false }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return true
    }

    func hex4(at offset: Int) -> UInt32? { jsonHex4(bytes, at: offset) }

    /// A string token at the opening quote. Keys must be ASCII without escapes. A value with
    /// an escape, or with 0xE2 (the lead byte of U+2028/U+2029, which the writer escapes), is
    /// not canonical.
    mutating func scanString(_ canonical: inout Bool, isKey: Bool) -> Bool {
        index += 1
        let contentStart = index
        var sawHigh = false
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                if sawHigh, firstInvalidUTF8(UnsafeBufferPointer(rebasing: bytes[contentStart..<index])) != nil { return false }
                index += 1
                return true
            }
            if b < 0x20 { return false }
            if b >= 0x80 {
                if isKey { return false }
                sawHigh = true
                if b == 0xE2 { canonical = false }
                index += 1
                continue
            }
            if b != UInt8(ascii: "\\") { index += 1; continue }
            if isKey { return false }
            canonical = false
            index += 1
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                index += 1
            case UInt8(ascii: "u"):
                guard let scalar = hex4(at: index + 1) else { return false }
                index += 5
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                          let low = hex4(at: index + 2), low >= 0xDC00 && low <= 0xDFFF else { return false }
                    index += 6
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    return false
                }
            default:
                return false
            }
        }
        return false
    }

    mutating func scanArray(_ canonical: inout Bool) -> Bool {
        depth += 1
        guard depth <= EventLine.maxDepth else { return false }
        defer { depth -= 1 }
        index += 1
        if skipWhitespace() { canonical = false }
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return true }
        while true {
            if skipWhitespace() { canonical = false }
            guard scanValue(&canonical) else { return false }
            if skipWhitespace() { canonical = false }
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return true }
            return false
        }
    }

    /// An object; at the top level (`top` non-nil) its members are recorded, each with its
    /// own canonical flag (whitespace between top-level members does not matter).
    mutating func scanObject(_ canonical: inout Bool, top: inout [EventLine.Member]?) -> Bool {
        var members = top
        defer { top = members }
        return scanObjectBody(&canonical, members: &members)
    }

    mutating func scanObject(_ canonical: inout Bool, top: inout [EventLine.Member]) -> Bool {
        var members: [EventLine.Member]? = top
        top = []
        defer { top = members ?? [] }
        return scanObjectBody(&canonical, members: &members)
    }

    mutating func scanObjectBody(_ canonical: inout Bool, members: inout [EventLine.Member]?) -> Bool {
        depth += 1
        guard depth <= EventLine.maxDepth else { return false }
        defer { depth -= 1 }
        let base = keys.count
        defer { keys.removeSubrange(base...) }
        index += 1
        if skipWhitespace() { canonical = false }
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return true }
        while true {
            if skipWhitespace() { canonical = false }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return false }
            let keyStart = index + 1
            var ignored = true
            guard scanString(&ignored, isKey: true) else { return false }
            let keyEnd = index - 1
            // Duplicate keys: ASCII without escapes, so equal bytes are equal strings.
            let length = keyEnd - keyStart
            for k in base..<keys.count where keys[k].1 - keys[k].0 == length {
                if memcmp(bytes.baseAddress! + keys[k].0, bytes.baseAddress! + keyStart, length) == 0 { return false }
            }
            guard keys.count - base < EventLine.maxMembers else { return false }
            keys.append((keyStart, keyEnd))
            if skipWhitespace() { canonical = false }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            if skipWhitespace() { canonical = false }
            let valueStart = index
            var valueCanonical = true
            guard scanValue(&valueCanonical) else { return false }
            if !valueCanonical { canonical = false }
            members?.append(EventLine.Member(keyStart: Int32(keyStart), keyEnd: Int32(keyEnd), valueStart: Int32(valueStart),
                                             valueEnd: Int32(index), canonical: valueCanonical))
            if skipWhitespace() { canonical = false }
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return true }
            return false
        }
    }
}

@inline(__always)
private func memcmp(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Int {
    for i in 0..<n where a[i] != b[i] { return 1 }
    return 0
}
