import DSJSON

/// Serializes a payload object as an `application/x-www-form-urlencoded` body.
///
/// Flat members become `name=value`. Nested values use the bracket convention that Rails,
/// PHP, Stripe and the `qs` library share: `{"a": {"b": "c"}}` is the pair `a[b]=c` and
/// `{"items": [{"price": 5}]}` is `items[0][price]=5`. Every name and value is then written
/// with the WHATWG serializer (``PercentEncoding/appendFormComponent(_:into:)``), so the
/// brackets themselves go on the wire as `%5B` / `%5D`, exactly as `URLSearchParams` writes
/// them; servers decode them back before parsing the nesting.
///
/// Scalars: strings as they are, numbers as written in the JSON (never reformatted), booleans
/// as `true` / `false`, `null` as an empty value (`name=`). An empty object or array
/// contributes no pair, because the bracket convention has no way to say "empty".
public enum FormBodyEncoder {
    /// A payload that cannot be form-encoded (its top level is not an object).
    public struct NotAnObject: Error, Sendable, CustomStringConvertible {
        /// The JSON type that was found instead.
        public let typeName: String
        public var description: String { "a form body must be built from a JSON object, but the payload is \(typeName == "array" ? "an" : "a") \(typeName)" }
    }

    /// Appends the encoding of `payload` (which must be an object) to `out`.
    public static func encode(_ payload: JSONValue, into out: inout [UInt8]) throws(NotAnObject) {
        guard case .object(let object) = payload else { throw NotAnObject(typeName: payload.typeName) }
        var name: [UInt8] = []
        name.reserveCapacity(64)
        var first = true
        for (key, value) in object {
            name.removeAll(keepingCapacity: true)
            name.append(contentsOf: key.utf8)
            appendPairs(name: &name, value: value, first: &first, into: &out)
        }
    }

    /// The encoding of `payload` as bytes.
    public static func encode(_ payload: JSONValue) throws(NotAnObject) -> [UInt8] {
        var out: [UInt8] = []
        try encode(payload, into: &out)
        return out
    }

    /// Writes the pairs for `value` under the (unencoded) name in `name`, restoring `name`
    /// to its original length afterwards so one buffer serves the whole walk.
    private static func appendPairs(name: inout [UInt8], value: JSONValue, first: inout Bool, into out: inout [UInt8]) {
        switch value {
        case .object(let object):
            let base = name.count
            for (key, member) in object {
                name.append(UInt8(ascii: "["))
                name.append(contentsOf: key.utf8)
                name.append(UInt8(ascii: "]"))
                appendPairs(name: &name, value: member, first: &first, into: &out)
                name.removeSubrange(base...)
            }
        case .array(let elements):
            let base = name.count
            for (index, element) in elements.enumerated() {
                name.append(UInt8(ascii: "["))
                name.append(contentsOf: String(index).utf8)
                name.append(UInt8(ascii: "]"))
                appendPairs(name: &name, value: element, first: &first, into: &out)
                name.removeSubrange(base...)
            }
        case .string(let s):
            appendName(name, first: &first, into: &out)
            PercentEncoding.appendFormComponent(s, into: &out)
        case .number(let n):
            appendName(name, first: &first, into: &out)
            PercentEncoding.appendFormComponent(n.text, into: &out)
        case .bool(let b):
            appendName(name, first: &first, into: &out)
            out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null:
            appendName(name, first: &first, into: &out)
        }
    }

    /// Writes `&` (except before the first pair), the encoded name and `=`.
    private static func appendName(_ name: [UInt8], first: inout Bool, into out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: "&")) }
        first = false
        name.withUnsafeBufferPointer { PercentEncoding.appendFormComponent(bytes: $0, into: &out) }
        out.append(UInt8(ascii: "="))
    }
}

/// `@form_sorted`: the parameters of an `application/x-www-form-urlencoded` body, decoded
/// (`+` is a space, `%XX` a byte), sorted by name in code-point order, each name followed
/// by its values in code-point order, duplicates once, all concatenated with no separator:
/// the string Twilio signs after the URL (`RequestValidator.compute_signature`).
enum SortedFormParameters {
    /// The concatenation for `body`; an empty or non-form body gives no bytes.
    static func concatenation(_ body: [UInt8]) -> [UInt8] {
        var values: [[UInt8]: Set<[UInt8]>] = [:]
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let eq = pair.firstIndex(of: UInt8(ascii: "="))
            let name = decode(eq.map { pair[pair.startIndex..<$0] } ?? pair[...])
            let value = decode(eq.map { pair[($0 + 1)...] } ?? [])
            values[name, default: []].insert(value)
        }
        var out: [UInt8] = []
        // UTF-8 byte order is code-point order.
        for name in values.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            for value in values[name]!.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                out += name
                out += value
            }
        }
        return out
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "+") {
                out.append(0x20)
            } else if c == UInt8(ascii: "%"), i + 2 < bytes.endIndex, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 2
            } else {
                out.append(c)
            }
            i += 1
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
