import DSCrypto
import DSJSON
import DSTemplate

/// The value functions behind `@transform` and `@type`. They never see a missing value
/// (missing stays missing, so a hash is never taken of an empty string) and pass `null`
/// through unchanged.
enum Transforms {
    /// A value shown in an error message: JSON, shortened.
    static func show(_ v: JSONValue) -> String {
        let text = JSONWriter.string(v)
        return text.count > 40 ? String(text.prefix(37)) + "..." : text
    }

    private static func scalarText(_ v: JSONValue, _ name: String, _ pointer: MappingPointer) throws(MappingError) -> String {
        switch v {
        case .string(let s): return s
        case .number(let n): return n.text
        case .bool(let b): return b ? "true" : "false"
        default:
            throw MappingError(message: "cannot apply '\(name)' to an \(v.typeName) at \(pointer.string)", pointer: pointer.string)
        }
    }

    static func apply(_ t: Transform, _ v: JSONValue, _ pointer: MappingPointer) throws(MappingError) -> JSONValue {
        if case .null = v { return v }
        switch t {
        case .trim: return .string(TemplateValues.trimmed(try scalarText(v, t.rawValue, pointer)))
        case .lowercase: return .string(try scalarText(v, t.rawValue, pointer).lowercased())
        case .uppercase: return .string(try scalarText(v, t.rawValue, pointer).uppercased())
        case .sha256: return .string(Hex.encode(Digest.hash(.sha256, Array(try scalarText(v, t.rawValue, pointer).utf8))))
        case .sha1: return .string(Hex.encode(Digest.hash(.sha1, Array(try scalarText(v, t.rawValue, pointer).utf8))))
        case .base64: return .string(Base64.encode(Array(try scalarText(v, t.rawValue, pointer).utf8)))
        case .urlencode: return .string(TemplateValues.urlEncoded(try scalarText(v, t.rawValue, pointer)))
        case .digits: return .string(TemplateValues.digitsOnly(try scalarText(v, t.rawValue, pointer)))
        case .unix_seconds, .unix_ms, .iso8601, .datetime_utc:
            guard let ms = Timestamps.epochMilliseconds(v) else {
                throw MappingError(message: "cannot read \(show(v)) as a timestamp (ISO 8601 string or epoch number) at \(pointer.string)", pointer: pointer.string)
            }
            switch t {
            case .unix_seconds: return .int(Int(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)))
            case .unix_ms: return .int(Int(ms))
            case .datetime_utc: return .string(Timestamps.datetimeUTC(milliseconds: ms))
            default: return .string(Timestamps.iso8601(milliseconds: ms))
            }
        case .string: return try coerce(v, .string, pointer)
        case .number: return try coerce(v, .number, pointer)
        case .integer: return try coerce(v, .integer, pointer)
        case .boolean: return try coerce(v, .boolean, pointer)
        }
    }

    static func coerce(_ v: JSONValue, _ type: ValueType, _ pointer: MappingPointer) throws(MappingError) -> JSONValue {
        if case .null = v { return v }
        func fail(_ extra: String = "") -> MappingError {
            MappingError(message: "cannot coerce \(show(v)) to \(type.rawValue)\(extra) at \(pointer.string)", pointer: pointer.string)
        }
        switch type {
        case .string: return .string(TemplateValues.stringForm(v) ?? "")
        case .number:
            guard let n = TemplateValues.toNumber(v) else { throw fail() }
            return .number(n)
        case .integer:
            guard let n = TemplateValues.toInteger(v) else {
                throw fail(TemplateValues.toNumber(v) != nil ? " (it has a fractional part)" : "")
            }
            return .number(n)
        case .boolean:
            guard let b = TemplateValues.toBoolean(v) else { throw fail() }
            return .bool(b)
        case .object:
            guard case .object = v else { throw fail() }
            return v
        case .array:
            guard case .array = v else { throw fail() }
            return v
        }
    }
}
