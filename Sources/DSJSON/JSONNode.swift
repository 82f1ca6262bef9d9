import DSCore

/// A parsed JSON value together with where it was written: the layer between source text
/// and the spec IR. Every node, and every object key, carries its byte span, so any later
/// stage can point a diagnostic at the exact token.
public struct JSONNode: Sendable {
    /// The kinds of node.
    public enum Kind: Sendable {
        case null
        case bool(Bool)
        case number(JSONNumber)
        case string(String)
        case array([JSONNode])
        case object([JSONMember])
    }

    /// What the node holds.
    public var kind: Kind
    /// Where the value's text starts and ends.
    public var span: SourceSpan

    /// Creates a node.
    public init(kind: Kind, span: SourceSpan) {
        self.kind = kind
        self.span = span
    }

    /// The members of an object node (empty otherwise).
    public var members: [JSONMember] {
        if case .object(let m) = kind { return m }
        return []
    }

    /// The elements of an array node (nil otherwise).
    public var elements: [JSONNode]? {
        if case .array(let e) = kind { return e }
        return nil
    }

    /// True for an object node.
    public var isObject: Bool { if case .object = kind { return true }; return false }

    /// The first member with a key, or nil (duplicates are reported by the parser).
    public func member(_ key: String) -> JSONMember? {
        guard case .object(let m) = kind, let i = Self.firstIndex(of: key, in: m) else { return nil }
        return m[i]
    }

    /// The index of the first member of `members` with a key, or nil. A key matches as in
    /// ``JSONObject/position(of:)`` (the same UTF-8 length, then `==`), so the document the
    /// linter reads and the value the runtime reads find the same member: "K" does not find
    /// a member "\u{212A}" (KELVIN SIGN) in either.
    @inline(__always)
    static func firstIndex(of key: String, in members: [JSONMember]) -> Int? {
        // First bytes first: when both are ASCII and differ, the keys differ (an ASCII scalar is
        // a starter that decomposes to itself, so it stays first under canonical equivalence,
        // which is what `==` compares), and comparing two bytes is far cheaper than two Strings.
        let first = JSONMember.asciiFirstByte(key)
        let length = key.utf8.count
        return members.withUnsafeBufferPointer { m in
            for i in m.indices {
                if first != 0, m[i].keyFirstByte != 0, m[i].keyFirstByte != first { continue }
                if m[i].key.utf8.count == length && m[i].key == key { return i }
            }
            return nil
        }
    }

    /// The value of the first member with a key (without copying the member's key).
    public subscript(key: String) -> JSONNode? {
        guard case .object(let m) = kind, let i = Self.firstIndex(of: key, in: m) else { return nil }
        return m[i].value
    }

    /// The string payload, or nil.
    public var stringValue: String? { if case .string(let s) = kind { return s }; return nil }
    /// The bool payload, or nil.
    public var boolValue: Bool? { if case .bool(let b) = kind { return b }; return nil }
    /// The number payload, or nil.
    public var numberValue: JSONNumber? { if case .number(let n) = kind { return n }; return nil }

    /// The JSON type name used in messages.
    public var typeName: String {
        switch kind {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let n): return n.isIntegerLiteral ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// The plain value without positions (first occurrence wins for duplicate keys).
    public var value: JSONValue {
        switch kind {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(\.value))
        case .object(let members):
            // One lookup per member (not a read and then a write), and room for all of them.
            var object = JSONObject(reservingCapacity: members.count)
            for m in members where object.position(of: m.key) == nil { object.appendAbsent(m.key, m.value.value) }
            return .object(object)
        }
    }
}

/// One `"key": value` member of an object, with the key's own span.
public struct JSONMember: Sendable {
    /// The decoded key.
    public var key: String
    /// Span of the key token, quotes included.
    public var keySpan: SourceSpan
    /// The value.
    public var value: JSONNode
    /// The key's first byte when it is ASCII (a starter under canonical equivalence), 0 when
    /// not known: lets lookups skip most keys without a String comparison.
    public let keyFirstByte: UInt8

    /// Creates a member.
    public init(key: String, keySpan: SourceSpan, value: JSONNode) {
        self.key = key
        self.keySpan = keySpan
        self.value = value
        self.keyFirstByte = Self.asciiFirstByte(key)
    }

    /// Creates a member whose key's first byte the parser already knows (0 when unknown).
    init(key: String, keySpan: SourceSpan, value: JSONNode, keyFirstByte: UInt8) {
        self.key = key
        self.keySpan = keySpan
        self.value = value
        self.keyFirstByte = keyFirstByte
    }

    /// The first byte of `s` when it is ASCII and not NUL, else 0.
    @inlinable
    public static func asciiFirstByte(_ s: String) -> UInt8 {
        // `utf8.first` goes through the generic `Collection.first`; a UTF-8 view's first
        // element is also its `startIndex` subscript, without the emptiness dance twice.
        let u = s.utf8
        guard u.startIndex != u.endIndex else { return 0 }
        let b = u[u.startIndex]
        return b < 0x80 ? b : 0
    }
}
