import DSJSON

/// What the mapping builder reads: a plain `JSONValue` (the plan, the runtime) or the
/// parsed `JSONNode` the linter already holds, compiled as it is instead of being
/// converted to a value first. Both give the same mapping: an object's keys are its
/// distinct keys in first-occurrence order and a repeated key reads its first value, as
/// `JSONNode.value` does (`MappingInputTests` compares the two on random trees). A node
/// with a non-ASCII object key is compiled again from its value (`MappingBuilder.sawNonASCIIKey`):
/// `JSONObject` and `String ==` can disagree on canonically equivalent spellings.
protocol MappingInput {
    /// The input's shape.
    var mappingKind: MappingInputKind<Self> { get }
    /// The first value of `key` in an object (nil for a missing key or a non-object).
    func mappingMember(_ key: String) -> Self?
    /// The plain value (constants, `@value`, `@default`, condition operands).
    var jsonValue: JSONValue { get }
    /// The JSON type name used in messages.
    var typeName: String { get }
}

/// The shape of a mapping input.
enum MappingInputKind<Input: MappingInput> {
    case null
    case bool(Bool)
    case number
    case string(String)
    case array([Input])
    /// An object, with its distinct keys in first-occurrence order.
    case object(MappingInputObject<Input>)
}

/// An object input: its distinct keys, and member lookup (first value of a key).
struct MappingInputObject<Input: MappingInput> {
    let input: Input
    let keys: [String]
    /// False if a key of a node object is not ASCII (value objects: always true).
    var asciiKeys = true

    subscript(key: String) -> Input? { input.mappingMember(key) }
}

extension JSONValue: MappingInput {
    var mappingKind: MappingInputKind<JSONValue> {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number: return .number
        case .string(let s): return .string(s)
        case .array(let a): return .array(a)
        case .object(let o): return .object(MappingInputObject(input: self, keys: o.keys))
        }
    }

    func mappingMember(_ key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    var jsonValue: JSONValue { self }
}

extension JSONNode: MappingInput {
    var mappingKind: MappingInputKind<JSONNode> {
        switch kind {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number: return .number
        case .string(let s): return .string(s)
        case .array(let a): return .array(a)
        case .object(let members):
            let (keys, ascii) = Self.distinctKeys(members)
            return .object(MappingInputObject(input: self, keys: keys, asciiKeys: ascii))
        }
    }

    /// Member keys without repeats, in first-occurrence order (what `value` keeps).
    /// Also says whether every key is ASCII.
    static func distinctKeys(_ members: [JSONMember]) -> (keys: [String], ascii: Bool) {
        var keys: [String] = []
        keys.reserveCapacity(members.count)
        var ascii = true
        for m in members where !Self.isASCII(m.key) {
            ascii = false
            break
        }
        if members.count <= 16 {
            for m in members where !keys.contains(m.key) { keys.append(m.key) }
        } else {
            var seen = Set<String>(minimumCapacity: members.count)
            for m in members where seen.insert(m.key).inserted { keys.append(m.key) }
        }
        return (keys, ascii)
    }

    /// True if every byte of `key` is ASCII: the bytes OR-ed together in place (the key's
    /// contiguous UTF-8, small strings included), byte by byte only for a string without
    /// contiguous storage. `MappingKeySplitTests` compares it with a byte loop.
    static func isASCII(_ key: String) -> Bool {
        if let any = key.utf8.withContiguousStorageIfAvailable({ bytes -> Bool in
            var bits: UInt8 = 0
            for b in bytes { bits |= b }
            return bits < 0x80
        }) {
            return any
        }
        for b in key.utf8 where b >= 0x80 { return false }
        return true
    }

    func mappingMember(_ key: String) -> JSONNode? {
        guard case .object(let members) = kind else { return nil }
        // Different UTF-8 lengths are told apart without a string comparison call.
        let length = key.utf8.count
        for m in members where m.key.utf8.count == length && m.key == key { return m.value }
        return nil
    }

    var jsonValue: JSONValue { value }
}
