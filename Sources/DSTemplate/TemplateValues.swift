import DSJSON

/// Value semantics shared by template helpers and mapping transforms: string forms,
/// Handlebars truthiness, comparisons, number parsing. Public so DSMapping (and the linter)
/// give a value the same meaning a template does.
public enum TemplateValues {
    /// The text a value contributes to a string: strings as they are, numbers exactly as
    /// written, booleans as `true`/`false`, arrays and objects as compact JSON; `null` gives nil.
    public static func stringForm(_ value: JSONValue) -> String? {
        switch value {
        case .null: return nil
        case .string(let s): return s
        case .number(let n): return n.text
        case .bool(let b): return b ? "true" : "false"
        case .array, .object: return JSONWriter.string(value)
        }
    }

    /// JavaScript's `String(value)` for Handlebars' text mode: arrays join their elements with
    /// commas, objects print as `[object Object]`, null is empty.
    public static func javaScriptString(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .array(let a): return a.map { javaScriptString($0) }.joined(separator: ",")
        case .object: return "[object Object]"
        default: return stringForm(value) ?? ""
        }
    }

    /// Handlebars' `isEmpty`: missing, null, false, "" and empty arrays are empty; 0 is not.
    public static func isEmpty(_ value: JSONValue?) -> Bool {
        guard let value else { return true }
        switch value {
        case .null: return true
        case .bool(let b): return !b
        case .string(let s): return s.isEmpty
        case .array(let a): return a.isEmpty
        case .number, .object: return false
        }
    }

    /// `#if` truthiness: empty values are false, and 0 is false unless `includeZero`.
    public static func isTruthy(_ value: JSONValue?, includeZero: Bool = false) -> Bool {
        if isEmpty(value) { return false }
        if !includeZero, case .number(let n)? = value, n.doubleValue == 0 { return false }
        return true
    }

    /// Equality as a payload author expects it: numbers by value (`1` equals `1.0`), everything
    /// else structurally; a missing value equals only a missing value.
    public static func looselyEqual(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (nil, _), (_, nil): return false
        case (.number(let x)?, .number(let y)?): return compareNumbers(x, y) == 0
        default: return a == b
        }
    }

    /// Orders two numbers by value; exact for integers that fit in 64 bits.
    public static func compareNumbers(_ x: JSONNumber, _ y: JSONNumber) -> Int {
        if x.text == y.text { return 0 }
        if x.isIntegerLiteral, y.isIntegerLiteral, let a = Int(x.text), let b = Int(y.text) { return a < b ? -1 : (a > b ? 1 : 0) }
        let a = x.doubleValue, b = y.doubleValue
        return a < b ? -1 : (a > b ? 1 : 0)
    }

    /// Orders two values for `gt`/`lt`: numbers by value, strings by code points; nil when the
    /// values are not comparable (the comparison is then false).
    public static func compare(_ a: JSONValue?, _ b: JSONValue?) -> Int? {
        switch (a, b) {
        case (.number(let x)?, .number(let y)?): return compareNumbers(x, y)
        case (.string(let x)?, .string(let y)?):
            if x == y { return 0 }
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : 1
        default: return nil
        }
    }

    /// Parses text as an RFC 8259 number (surrounding whitespace allowed), keeping the text
    /// exactly; nil if it is not one.
    public static func parseNumber(_ text: String) -> JSONNumber? {
        let bytes = Array(text.utf8)
        var lo = 0, hi = bytes.count
        while lo < hi, bytes[lo] == 0x20 || bytes[lo] == 0x09 || bytes[lo] == 0x0A || bytes[lo] == 0x0D { lo += 1 }
        while hi > lo, bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09 || bytes[hi - 1] == 0x0A || bytes[hi - 1] == 0x0D { hi -= 1 }
        guard lo < hi else { return nil }
        var i = lo
        func digits() -> Int {
            let s = i
            while i < hi, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
            return i - s
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < hi else { return nil }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits() == 0 {
            return nil
        }
        if i < hi, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return nil }
        }
        if i < hi, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < hi, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return nil }
        }
        guard i == hi else { return nil }
        return JSONNumber(text: String(decoding: bytes[lo..<hi], as: UTF8.self))
    }

    /// The `number` conversion: numbers as they are, numeric strings parsed exactly, booleans
    /// as 1/0; nil for anything else.
    public static func toNumber(_ value: JSONValue) -> JSONNumber? {
        switch value {
        case .number(let n): return n
        case .string(let s): return parseNumber(s)
        case .bool(let b): return JSONNumber(b ? 1 : 0)
        default: return nil
        }
    }

    /// The `integer` conversion: like `toNumber`, but the value must be integral (`2.0`
    /// becomes `2`; `2.5` is not an integer and gives nil rather than silently truncating).
    public static func toInteger(_ value: JSONValue) -> JSONNumber? {
        guard let n = toNumber(value) else { return nil }
        if n.isIntegerLiteral { return n.text == "-0" ? JSONNumber(0) : n }
        let d = n.doubleValue
        guard d.isFinite, d == d.rounded(.towardZero), abs(d) < 9.0e15 else { return nil }
        return JSONNumber(Int(d))
    }

    /// The `boolean` conversion: booleans, `"true"`/`"false"`/`"1"`/`"0"` (any case, trimmed),
    /// and numbers (0 is false); nil for anything else.
    public static func toBoolean(_ value: JSONValue) -> Bool? {
        switch value {
        case .bool(let b): return b
        case .number(let n): return n.doubleValue != 0
        case .string(let s):
            switch trimmed(s).lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// Removes leading and trailing Unicode whitespace.
    public static func trimmed(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }

    /// Keeps only the ASCII digits (the `digits` transform, for phone numbers).
    public static func digitsOnly(_ s: String) -> String {
        String(decoding: s.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    public static func urlEncoded(_ s: String) -> String { Escaping.percentEncoded(s) }
}
