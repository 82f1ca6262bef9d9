import DSJSON

/// What the mapping builder reads: a plain `JSONValue` (the plan, the runtime) or the
/// parsed `JSONNode` the linter already holds, compiled as it is instead of being
/// converted to a value first. Both give the same mapping: an object's keys are its
/// distinct keys in first-occurrence order and a repeated key reads its first value, as
/// `JSONNode.value` does (`MappingInputTests` compares the two on random trees).
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
        case .object(let members): return .object(MappingInputObject(input: self, keys: Self.distinctKeys(members)))
        }
    }

    /// Member keys without repeats, in first-occurrence order (what `value` keeps).
    static func distinctKeys(_ members: [JSONMember]) -> [String] {
        var keys: [String] = []
        keys.reserveCapacity(members.count)
        if members.count <= 16 {
            for m in members where !keys.contains(m.key) { keys.append(m.key) }
        } else {
            var seen = Set<String>(minimumCapacity: members.count)
            for m in members where seen.insert(m.key).inserted { keys.append(m.key) }
        }
        return keys
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
