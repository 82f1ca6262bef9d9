import DSCrypto
import DSJSON

/// The built-in helpers. There is no way to register more: a template is data from a spec
/// file, and every helper it can call is known (and arity-checked) at compile time.
public enum TemplateHelpers {
    /// Every helper name, block helpers included.
    public static let names: Set<String> = Set(BlockHelper.allCases.map(\.rawValue)).union(HelperID.allCases.map(\.name)).union([lookupTable])

    /// `{{lookup_table "NAME" value}}`: translates a value through a spec's lookup table
    /// (``LookupTables``). The table name must be a string literal, so every use is known
    /// statically.
    public static let lookupTable = "lookup_table"

    /// The number of positional arguments a helper takes, or nil for an unknown name.
    public static func arity(_ name: String) -> ClosedRange<Int>? {
        if BlockHelper(rawValue: name) != nil { return 1...1 }
        if name == lookupTable { return 2...2 }
        return HelperID(name: name)?.arity
    }

    /// Hash arguments (`key=value`) a helper accepts.
    public static func hashKeys(_ name: String) -> Set<String> {
        name == "if" || name == "unless" ? ["includeZero"] : []
    }
}

/// Block helpers, which the compiler turns into control-flow ops.
enum BlockHelper: String, CaseIterable {
    case `if`, unless, each, with
}

/// Value helpers: pure functions of their arguments.
enum HelperID: UInt8, CaseIterable, Sendable {
    case json, lowercase, uppercase, trim, `default`, eq, ne, gt, lt, gte, lte, and, or, not
    case join, sha256, base64, urlencode, date, number, string, length, lookup

    init?(name: String) {
        guard let h = HelperID.allCases.first(where: { $0.name == name }) else { return nil }
        self = h
    }

    var name: String {
        switch self {
        case .json: return "json"
        case .lowercase: return "lowercase"
        case .uppercase: return "uppercase"
        case .trim: return "trim"
        case .default: return "default"
        case .eq: return "eq"
        case .ne: return "ne"
        case .gt: return "gt"
        case .lt: return "lt"
        case .gte: return "gte"
        case .lte: return "lte"
        case .and: return "and"
        case .or: return "or"
        case .not: return "not"
        case .join: return "join"
        case .sha256: return "sha256"
        case .base64: return "base64"
        case .urlencode: return "urlencode"
        case .date: return "date"
        case .number: return "number"
        case .string: return "string"
        case .length: return "length"
        case .lookup: return "lookup"
        }
    }

    var arity: ClosedRange<Int> {
        switch self {
        case .json, .lowercase, .uppercase, .trim, .not, .sha256, .base64, .urlencode, .number, .string, .length: return 1...1
        case .eq, .ne, .gt, .lt, .gte, .lte, .join, .date, .lookup: return 2...2
        case .default: return 2...8
        case .and, .or: return 2...8
        }
    }

    /// Applies the helper to evaluated arguments. Nil is a missing value; it propagates
    /// through string helpers (so `sha256` of a missing value is missing, never the hash of
    /// the empty string).
    func apply(_ args: [JSONValue?]) -> JSONValue? {
        func text(_ v: JSONValue?) -> String? { v.flatMap { TemplateValues.stringForm($0) } }
        switch self {
        case .json: return .string(JSONWriter.string(args[0] ?? .null))
        case .lowercase: return text(args[0]).map { .string($0.lowercased()) }
        case .uppercase: return text(args[0]).map { .string($0.uppercased()) }
        case .trim: return text(args[0]).map { .string(TemplateValues.trimmed($0)) }
        case .default:
            for a in args.dropLast() {
                if let v = a, !v.isNull, v != .string("") { return v }
            }
            return args.last!
        case .eq: return .bool(TemplateValues.looselyEqual(args[0], args[1]))
        case .ne: return .bool(!TemplateValues.looselyEqual(args[0], args[1]))
        case .gt: return .bool(TemplateValues.compare(args[0], args[1]).map { $0 > 0 } ?? false)
        case .lt: return .bool(TemplateValues.compare(args[0], args[1]).map { $0 < 0 } ?? false)
        case .gte: return .bool(TemplateValues.compare(args[0], args[1]).map { $0 >= 0 } ?? false)
        case .lte: return .bool(TemplateValues.compare(args[0], args[1]).map { $0 <= 0 } ?? false)
        case .and: return .bool(args.allSatisfy { TemplateValues.isTruthy($0) })
        case .or: return .bool(args.contains { TemplateValues.isTruthy($0) })
        case .not: return .bool(!TemplateValues.isTruthy(args[0]))
        case .join:
            guard let list = args[0] else { return nil }
            let separator = text(args[1]) ?? ""
            guard case .array(let items) = list else { return text(list).map { .string($0) } }
            return .string(items.map { TemplateValues.stringForm($0) ?? "" }.joined(separator: separator))
        case .sha256: return text(args[0]).map { .string(Digest.sha256Hex($0)) }
        case .base64: return text(args[0]).map { .string(Base64.encode(Array($0.utf8))) }
        case .urlencode: return text(args[0]).map { .string(Escaping.percentEncoded($0)) }
        case .date:
            guard let v = args[0], let ms = Timestamps.epochMilliseconds(v) else { return nil }
            switch text(args[1]) ?? "iso8601" {
            case "unix": return .number(JSONNumber(Int(Self.floorDiv(ms, 1000))))
            case "unix_ms": return .number(JSONNumber(Int(ms)))
            case "datetime_utc": return .string(Timestamps.datetimeUTC(milliseconds: ms))
            default: return .string(Timestamps.iso8601(milliseconds: ms))
            }
        case .number: return args[0].flatMap { TemplateValues.toNumber($0) }.map { .number($0) }
        case .string: return text(args[0]).map { .string($0) }
        case .length:
            switch args[0] {
            case .array(let a)?: return .int(a.count)
            case .object(let o)?: return .int(o.count)
            case .string(let s)?: return .int(s.unicodeScalars.count)
            default: return nil
            }
        case .lookup:
            guard let container = args[0], let key = args[1] else { return nil }
            switch (container, key) {
            case (.object(let o), _): return text(key).flatMap { o[$0] }
            case (.array(let a), .number(let n)):
                guard let i = n.intValue, i >= 0, i < a.count else { return nil }
                return a[i]
            case (.array(let a), .string(let s)):
                guard let i = Int(s), i >= 0, i < a.count else { return nil }
                return a[i]
            default: return nil
            }
        }
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
