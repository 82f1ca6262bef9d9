import Foundation

/// A JSON number kept exactly as written, so a plan or fixture never changes `1.10` to `1.1`
/// or loses digits of a 20-digit id. Arithmetic views are computed on demand.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The RFC 8259 text of the number.
    public let text: String

    /// Wraps already-valid RFC 8259 number text.
    public init(text: String) { self.text = text }

    /// Creates a number from an integer.
    public init(_ value: Int) { self.text = String(value) }

    /// Creates a number from a double; integral values print without a fraction and
    /// non-finite values (which JSON cannot hold) become 0.
    public init(_ value: Double) {
        if !value.isFinite {
            self.text = "0"
        } else if value == value.rounded(), abs(value) < 1e15 {
            self.text = String(Int64(value))
        } else {
            self.text = "\(value)"
        }
    }

    /// The value as a double (may round).
    public var doubleValue: Double { Double(text) ?? 0 }

    /// The value as an integer if it is written as one and fits.
    public var intValue: Int? {
        if let v = Int(text) { return v }
        if let d = Double(text), d == d.rounded(), abs(d) < 9.0e15 { return Int(d) }
        return nil
    }

    /// True if the text has no fraction or exponent.
    public var isIntegerLiteral: Bool {
        // By bytes for ASCII text (every parsed number), by Characters otherwise (a combining
        // mark can join a "." into another Character).
        var text = text
        let ascii: Bool? = text.withUTF8 { bytes in
            var integer = true
            for b in bytes {
                if b >= 0x80 { return nil }
                if b == 0x2E || b == 0x65 || b == 0x45 { integer = false }
            }
            return integer
        }
        return ascii ?? !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
    }

    public var description: String { text }
}

/// A JSON object that keeps the order its keys were written in (payloads are emitted in
/// the order the mapping declares) with fast lookup.
///
/// Event objects are small (a dozen keys), so members live in two parallel arrays and a
/// lookup is a linear scan comparing keys; Swift compares short ASCII strings by their
/// inline bits, which beats hashing the key. Objects past `indexThreshold` members get a
/// hash index as well.
public struct JSONObject: Hashable, Sendable, Sequence {
    /// Keys in insertion order.
    public private(set) var keys: [String] = []
    @usableFromInline var values: [JSONValue] = []
    @usableFromInline var index: [IndexKey: Int]?

    /// A key of the hash index, equal to another under the scan's own test (the same UTF-8
    /// length, then `==`), so that an object finds the same member for a key whether it
    /// keeps the index or not. (A plain `String` key equates canonically equivalent keys of
    /// different lengths, "K" and "\u{212A}", which the scan tells apart.)
    @usableFromInline struct IndexKey: Hashable, Sendable {
        @usableFromInline let key: String
        @inlinable init(_ key: String) { self.key = key }
        @inlinable static func == (a: IndexKey, b: IndexKey) -> Bool { a.key.utf8.count == b.key.utf8.count && a.key == b.key }
        @inlinable func hash(into hasher: inout Hasher) {
            hasher.combine(key.utf8.count)
            hasher.combine(key)
        }
    }

    /// Member count above which a hash index is kept.
    @usableFromInline static let indexThreshold = 16

    /// An empty object.
    public init() {}

    /// Creates an object from ordered pairs; a repeated key keeps its first position and last value.
    public init(_ pairs: [(String, JSONValue)]) {
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    /// Number of members.
    public var count: Int { keys.count }
    /// True if no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The position of a key, if present.
    ///
    /// Keys of different UTF-8 length are told apart by their length alone (read from the
    /// string's header, no call): `String ==` on two different strings goes out of line to
    /// `_stringCompareWithSmolCheck`, which dominated lookups when most keys scanned are
    /// not the one wanted. Equal strings with identical representation still match on
    /// `==`'s inline bit-equality check.
    @inlinable
    public func position(of key: String) -> Int? {
        if let index { return index[IndexKey(key)] }
        return keys.withUnsafeBufferPointer { JSONObject.position(of: key, in: $0) }
    }

    /// Linear search for `key` in a key buffer (see `withUnsafeMembers`); the scan
    /// `position(of:)` uses for objects without a hash index.
    @inlinable
    public static func position(of key: String, in keys: UnsafeBufferPointer<String>) -> Int? {
        let length = key.utf8.count
        for i in 0..<keys.count where keys[i].utf8.count == length && keys[i] == key { return i }
        return nil
    }

    /// Like `position(of:in:)`, but the scan starts at `start` (0..<count) and wraps around.
    /// A reader that looks up several members of one object in the order they are usually
    /// written (a template reading an event) passes the position after its previous hit and
    /// mostly finds the key on the first comparison.
    @inlinable
    public static func position(of key: String, in keys: UnsafeBufferPointer<String>, startingAt start: Int) -> Int? {
        let length = key.utf8.count
        let n = keys.count
        var i = start
        for _ in 0..<n {
            if keys[i].utf8.count == length && keys[i] == key { return i }
            i = i &+ 1 == n ? 0 : i &+ 1
        }
        return nil
    }

    /// True if the object keeps a hash index (more than `indexThreshold` members): then
    /// `position(of:)` hashes instead of scanning, and beats a scan of `withUnsafeMembers`.
    @inlinable
    public var hasHashIndex: Bool { index != nil }

    /// Calls `body` with the keys and the values in place, as parallel buffers in insertion
    /// order, valid only during the call. For readers making many lookups in one scope
    /// (the template renderer): the buffers are plain pointers, so passing them around and
    /// reading through them costs no reference counting.
    @inlinable
    public func withUnsafeMembers<R, E: Error>(
        _ body: (_ keys: UnsafeBufferPointer<String>, _ values: UnsafeBufferPointer<JSONValue>) throws(E) -> R
    ) throws(E) -> R {
        try keys.withUnsafeBufferPointer { (keys) throws(E) -> R in
            try values.withUnsafeBufferPointer { (values) throws(E) -> R in try body(keys, values) }
        }
    }

    /// The members of the object at `pointer` in place, when it is an object without a hash
    /// index; nil for anything else. The same buffers ``withUnsafeMembers(_:)`` lends, but
    /// returned, so that a reader can hold the members of several nested objects at once
    /// without nesting closures (the flat template renderer binds a template's whole path
    /// trie this way). They are valid while the value at `pointer` is alive and unchanged:
    /// they are the storage of the object's own key and value arrays, which that value
    /// keeps alive, and an array's storage does not move unless the array is mutated. (The
    /// arrays are only ever built here, by appending, so they are native Swift arrays with
    /// contiguous storage of their own, never bridged ones lending a temporary copy.)
    /// Reads no reference count (`JSONObjectMembersTests` checks it against
    /// `withUnsafeMembers` on every kind of value).
    @inlinable @inline(__always)
    public static func unsafeMembers(at pointer: UnsafePointer<JSONValue>) -> JSONObjectMembers? {
        guard case .object(let object) = pointer.pointee, object.index == nil else { return nil }
        return object.keys.withUnsafeBufferPointer { (keys) -> JSONObjectMembers in
            object.values.withUnsafeBufferPointer { (values) -> JSONObjectMembers in
                JSONObjectMembers(keys: keys.baseAddress, values: values.baseAddress, count: keys.count)
            }
        }
    }

    /// The value at a position (0..<count), in insertion order.
    @inlinable
    public func value(at position: Int) -> JSONValue { values[position] }

    /// Reads or writes a member; writing nil removes it.
    public subscript(key: String) -> JSONValue? {
        @inlinable get {
            guard let i = position(of: key) else { return nil }
            return values[i]
        }
        set {
            if let newValue {
                if let i = position(of: key) {
                    values[i] = newValue
                } else {
                    keys.append(key)
                    values.append(newValue)
                    if index != nil {
                        index![IndexKey(key)] = keys.count - 1
                    } else if keys.count > Self.indexThreshold {
                        rebuildIndex()
                    }
                }
            } else if let i = position(of: key) {
                keys.remove(at: i)
                values.remove(at: i)
                if index != nil { rebuildIndex() }
            }
        }
    }

    /// An empty object with room for `capacity` members.
    init(reservingCapacity capacity: Int) {
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    /// Appends a member whose key is not present (the caller has checked): the setter's
    /// insertion path without its lookup.
    mutating func appendAbsent(_ key: String, _ value: JSONValue) {
        keys.append(key)
        values.append(value)
        if index != nil {
            index![IndexKey(key)] = keys.count - 1
        } else if keys.count > Self.indexThreshold {
            rebuildIndex()
        }
    }

    private mutating func rebuildIndex() {
        var map = [IndexKey: Int](minimumCapacity: keys.count)
        for (i, k) in keys.enumerated() { map[IndexKey(k)] = i }
        index = keys.count > Self.indexThreshold ? map : nil
    }

    /// Members in insertion order.
    public func makeIterator() -> AnyIterator<(key: String, value: JSONValue)> {
        var i = 0
        let keys = self.keys, values = self.values
        return AnyIterator {
            guard i < keys.count else { return nil }
            defer { i += 1 }
            return (keys[i], values[i])
        }
    }

    /// Keys in sorted (code-point) order, as canonical output uses.
    public var sortedKeys: [String] { keys.sorted(by: JSONWriter.canonicalKeyOrder) }

    /// Equality ignores member order: `{"a":1,"b":2}` equals `{"b":2,"a":1}`.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for i in 0..<lhs.keys.count {
            guard let other = rhs[lhs.keys[i]], other == lhs.values[i] else { return false }
        }
        return true
    }

    /// Order-independent hash, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        var combined = 0
        for i in 0..<keys.count {
            var h = Hasher()
            h.combine(keys[i])
            h.combine(values[i])
            combined = combined &+ h.finalize()
        }
        hasher.combine(combined)
    }
}

/// A JSON value. Numbers stay exact; objects keep key order.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Convenience for integer numbers.
    public static func int(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
    /// Convenience for floating-point numbers.
    public static func double(_ value: Double) -> JSONValue { .number(JSONNumber(value)) }

    /// The member of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The string payload, or nil.
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }

    /// `self[key]?.stringValue` (the same result), for a per-request read such as the event
    /// id: an object without a hash index is scanned in place, comparing a small ASCII key
    /// (at most 15 bytes, stored inline) with each member's 16 bytes, and only the member
    /// found is copied. An object's keys are distinct under `position(of:)`'s rule (equal
    /// UTF-8 length and `==`), which for such a key holds for one member at most, the one
    /// with the same 16 bytes or an equal key stored out of line (`StringMemberTests`).
    @inlinable
    public func stringMember(_ key: String) -> String? {
        guard case .object(let object) = self else { return nil }
        #if (arch(x86_64) || arch(arm64)) && _endian(little)
        let words = unsafeBitCast(key, to: (UInt64, UInt64).self)
        // Bits 63, 62 and 61 of the second word: an immortal small ASCII string.
        if words.1 & (0b111 << 61) == 0b111 << 61, !object.hasHashIndex {
            return object.withUnsafeMembers { (keys, values) -> String? in
                guard let base = keys.baseAddress else { return nil }
                let raw = UnsafeRawPointer(base)
                for i in 0..<keys.count {
                    let w0 = raw.load(fromByteOffset: i &* 16, as: UInt64.self), w1 = raw.load(fromByteOffset: i &* 16 &+ 8, as: UInt64.self)
                    let same = (w0 == words.0 && w1 == words.1) || (w1 & (1 << 61) == 0 && keys[i].utf8.count == key.utf8.count && keys[i] == key)
                    if same {
                        if case .string(let s) = values[i] { return s }
                        return nil
                    }
                }
                return nil
            }
        }
        #endif
        return object[key]?.stringValue
    }
    /// The object payload, or nil.
    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    /// The array payload, or nil.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    /// The bool payload, or nil.
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    /// The number payload, or nil.
    public var numberValue: JSONNumber? { if case .number(let n) = self { return n }; return nil }
    /// True for `null`.
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// The JSON type name used in messages ("string", "object", ...).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let n): return n.isIntegerLiteral ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

// Deliberately not ExpressibleByNilLiteral: `cond ? nil : value` would silently produce
// `.null` instead of an absent value.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}

/// An object's members in place (``JSONObject/unsafeMembers(at:)``): parallel key and value
/// buffers of `count` elements (nil bases only when empty), valid while the object is alive
/// and unchanged.
public struct JSONObjectMembers {
    public let keys: UnsafePointer<String>?
    public let values: UnsafePointer<JSONValue>?
    public let count: Int

    @inlinable
    public init(keys: UnsafePointer<String>?, values: UnsafePointer<JSONValue>?, count: Int) {
        self.keys = keys
        self.values = values
        self.count = count
    }
}
