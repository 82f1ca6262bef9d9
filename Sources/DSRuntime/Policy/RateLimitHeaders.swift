import DSPlan

/// Reads the response headers that say a vendor's rate limit is spent and for how long
/// (spec section 26.4): a reset header in the spec's unit (seconds to wait, Unix seconds or
/// Unix milliseconds) with an optional remaining-requests header, and the IETF `RateLimit` /
/// `RateLimit-Policy` fields (draft-ietf-httpapi-ratelimit-headers, Structured Field Lists
/// of RFC 9651).
///
/// Strict and total: any value, however malformed, gives a wait or nil, never a trap; a
/// field that is not valid Structured Field syntax is ignored as a whole, as RFC 9651
/// section 4.2 requires of a recipient.
public struct RateLimitHeaderReader: Sendable {
    /// The plan's configuration.
    public let configuration: PlanRateLimitHeaders

    /// Creates the reader for a plan's `response.rate_limit_headers`.
    public init(_ configuration: PlanRateLimitHeaders) { self.configuration = configuration }

    /// How long the partition must pause after a response with these headers, capped at
    /// `max_ms`; nil when the headers ask for no pause.
    ///
    /// - Parameters:
    ///   - header: looks a response header up by name (case-insensitive).
    ///   - nowUnixMs: the current Unix time in milliseconds (for the epoch units).
    ///   - isRetry: the response was classified `retry` (a 429, a 503): a reset header then
    ///     counts even without a remaining-requests header, as `Retry-After` would.
    public func pause(header: (String) -> String?, nowUnixMs: Int64, isRetry: Bool) -> Duration? {
        var wait: Duration?
        if let resetName = configuration.reset, let resetValue = header(resetName) {
            let exhausted: Bool
            if let remainingName = configuration.remaining {
                exhausted = header(remainingName).flatMap(RateLimitFields.count) == 0
            } else {
                exhausted = false
            }
            if exhausted || isRetry, let w = RateLimitFields.reset(resetValue, unit: configuration.resetUnit, nowUnixMs: nowUnixMs) {
                wait = w
            }
        }
        if configuration.ietf, let field = header("RateLimit"),
           let w = RateLimitFields.ietfWait(rateLimit: field, policy: header("RateLimit-Policy")) {
            wait = max(wait ?? .zero, w)
        }
        guard let wait, wait > .zero else { return nil }
        return min(wait, .milliseconds(configuration.maxMs))
    }
}

/// The parsers behind ``RateLimitHeaderReader``, each a pure function of one field value.
public enum RateLimitFields {
    /// Largest wait any parser returns (about 31 years): big enough for every real value, far
    /// from overflowing `Duration` arithmetic.
    static let maxSeconds: Int64 = 1_000_000_000

    /// A remaining-requests count: ASCII digits only (surrounding spaces and tabs allowed),
    /// saturating at `Int32.max`; nil otherwise.
    public static func count(_ value: String) -> Int? {
        let text = Array(value.trimmingWhitespace().utf8)
        guard !text.isEmpty, text.allSatisfy(isDigit) else { return nil }
        var n = 0
        for d in text {
            n = n * 10 + Int(d - 0x30)
            if n > Int(Int32.max) { return Int(Int32.max) }
        }
        return n
    }

    /// The wait a reset header asks for. `seconds`: delay seconds (`30`, `1.5`);
    /// `epoch_seconds`: a Unix time in seconds (`1767225630`, fractions allowed);
    /// `epoch_ms`: a Unix time in milliseconds (`1767225630000`). A time in the past means no
    /// wait (zero). Nil for anything else (signs, exponents, empty).
    public static func reset(_ value: String, unit: String, nowUnixMs: Int64) -> Duration? {
        guard let ms = decimalMilliseconds(value.trimmingWhitespace()) else { return nil }
        let maxMs = maxSeconds * 1000
        switch unit {
        case "seconds":
            return .milliseconds(min(ms, maxMs))
        case "epoch_seconds", "epoch_ms":
            // `ms` is already milliseconds for seconds input; a millisecond input is its integer value.
            let targetMs: Int64
            if unit == "epoch_ms" {
                guard let whole = wholeNumber(value.trimmingWhitespace()) else { return nil }
                targetMs = whole
            } else {
                targetMs = ms
            }
            let (delta, overflow) = targetMs.subtractingReportingOverflow(nowUnixMs)
            if overflow { return delta < 0 ? .milliseconds(maxMs) : .zero }
            return delta <= 0 ? .zero : .milliseconds(min(delta, maxMs))
        default:
            return nil
        }
    }

    /// The pause the IETF fields ask for: for each `RateLimit` item whose remaining quota
    /// `r` is 0, its reset `t` (seconds) or, without `t`, the window `w` of the
    /// `RateLimit-Policy` item of the same name; the longest of these. Nil when no quota is
    /// spent or a field is not a valid Structured Field List.
    public static func ietfWait(rateLimit: String, policy: String?) -> Duration? {
        guard let items = StructuredFieldList.parse(rateLimit) else { return nil }
        let policies = policy.flatMap(StructuredFieldList.parse) ?? []
        var longest: Int64?
        for item in items {
            guard case .integer(let r)? = item.parameter("r"), r == 0 else { continue }
            var seconds: Int64?
            if case .integer(let t)? = item.parameter("t"), t >= 0 {
                seconds = t
            } else if let match = policies.last(where: { $0.value == item.value }), case .integer(let w)? = match.parameter("w"), w > 0 {
                seconds = w
            }
            if let s = seconds { longest = max(longest ?? 0, min(s, maxSeconds)) }
        }
        return longest.map { .seconds($0) }
    }

    /// Digits with an optional fraction (`12`, `12.5`) as whole milliseconds (fractions of a
    /// millisecond round up), saturating; nil for any other text.
    static func decimalMilliseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        let dot = bytes.firstIndex(of: UInt8(ascii: "."))
        let intPart = dot.map { Array(bytes[..<$0]) } ?? bytes
        let fracPart = dot.map { Array(bytes[($0 + 1)...]) } ?? []
        guard !intPart.isEmpty, intPart.allSatisfy(isDigit), fracPart.allSatisfy(isDigit), dot == nil || !fracPart.isEmpty else { return nil }
        // Saturates far above any epoch time in seconds (1e12 s) and far below overflow.
        let parseLimit: Int64 = 1_000_000_000_000
        let limit = parseLimit * 1000
        var seconds: Int64 = 0
        for d in intPart {
            seconds = seconds * 10 + Int64(d - 0x30)
            if seconds > parseLimit { return limit }
        }
        var ms: Int64 = 0
        for (i, d) in fracPart.prefix(3).enumerated() { ms += Int64(d - 0x30) * [100, 10, 1][i] }
        if fracPart.dropFirst(3).contains(where: { $0 != 0x30 }) { ms += 1 }
        return min(seconds * 1000 + ms, limit)
    }

    /// ASCII digits as a non-negative integer, saturating at `Int64.max / 2`; nil otherwise.
    static func wholeNumber(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy(isDigit) else { return nil }
        var n: Int64 = 0
        for d in bytes {
            n = n * 10 + Int64(d - 0x30)
            if n > Int64.max / 20 { return Int64.max / 2 }
        }
        return n
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}

/// A Structured Field List (RFC 9651 section 3.1), as far as rate-limit fields need it:
/// items (with parameters) and inner lists (parsed, then ignored by the callers).
public enum StructuredFieldList {
    /// A bare item.
    public enum BareItem: Sendable, Equatable {
        case integer(Int64)
        /// A decimal, as thousandths.
        case decimal(Int64)
        case string(String)
        case token(String)
        case bytes([UInt8])
        case boolean(Bool)
        case date(Int64)
        /// A display string (`%"..."`, percent-encoded UTF-8).
        case displayString(String)
        /// An inner list's place (its members are not kept).
        case innerList
    }

    /// A list member with its parameters (in order; a repeated key keeps its last value).
    public struct Member: Sendable, Equatable {
        public var value: BareItem
        public var parameters: [(String, BareItem)]
        public static func == (a: Member, b: Member) -> Bool {
            a.value == b.value && a.parameters.map(\.0) == b.parameters.map(\.0) && a.parameters.map(\.1) == b.parameters.map(\.1)
        }
        /// The value of parameter `key`, if present.
        public func parameter(_ key: String) -> BareItem? { parameters.last { $0.0 == key }?.1 }
    }

    /// Parses a field value; nil if it is not a valid List (the field is then ignored).
    public static func parse(_ text: String) -> [Member]? {
        var p = Parser(bytes: Array(text.utf8))
        return p.parseList()
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSP() { while peek == 0x20 { i += 1 } }
        mutating func skipOWS() { while peek == 0x20 || peek == 0x09 { i += 1 } }

        mutating func parseList() -> [Member]? {
            skipSP()
            var members: [Member] = []
            while i < bytes.count {
                guard let m = parseMember() else { return nil }
                members.append(m)
                skipOWS()
                if i >= bytes.count { return members }
                guard peek == UInt8(ascii: ",") else { return nil }
                i += 1
                skipOWS()
                if i >= bytes.count { return nil }  // trailing comma
            }
            return members
        }

        mutating func parseMember() -> Member? {
            if peek == UInt8(ascii: "(") {
                i += 1
                while true {
                    skipSP()
                    if peek == UInt8(ascii: ")") { i += 1; break }
                    guard parseBareItem() != nil, parseParameters() != nil else { return nil }
                    guard peek == 0x20 || peek == UInt8(ascii: ")") else { return nil }
                }
                guard let params = parseParameters() else { return nil }
                return Member(value: .innerList, parameters: params)
            }
            guard let value = parseBareItem(), let params = parseParameters() else { return nil }
            return Member(value: value, parameters: params)
        }

        mutating func parseParameters() -> [(String, BareItem)]? {
            var params: [(String, BareItem)] = []
            while peek == UInt8(ascii: ";") {
                i += 1
                skipSP()
                guard let key = parseKey() else { return nil }
                var value = BareItem.boolean(true)
                if peek == UInt8(ascii: "=") {
                    i += 1
                    guard let v = parseBareItem() else { return nil }
                    value = v
                }
                params.removeAll { $0.0 == key }
                params.append((key, value))
            }
            return params
        }

        mutating func parseKey() -> String? {
            guard let c = peek, (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "*") else { return nil }
            let start = i
            while let c = peek, (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
                    || c == UInt8(ascii: ".") || c == UInt8(ascii: "*") { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func parseBareItem() -> BareItem? {
            guard let c = peek else { return nil }
            switch c {
            case UInt8(ascii: "-"), 0x30...0x39: return parseNumber()
            case UInt8(ascii: "\""): return parseString()
            case UInt8(ascii: ":"): return parseBytes()
            case UInt8(ascii: "?"):
                i += 1
                guard let b = peek, b == 0x30 || b == 0x31 else { return nil }
                i += 1
                return .boolean(b == 0x31)
            case UInt8(ascii: "@"):
                i += 1
                guard case .integer(let n)? = parseNumber() else { return nil }
                return .date(n)
            case UInt8(ascii: "%"): return parseDisplayString()
            case UInt8(ascii: "*"), 0x41...0x5A, 0x61...0x7A: return parseToken()
            default: return nil
            }
        }

        mutating func parseNumber() -> BareItem? {
            var negative = false
            if peek == UInt8(ascii: "-") { negative = true; i += 1 }
            guard let first = peek, RateLimitFields.isDigit(first) else { return nil }
            var intDigits: [UInt8] = []
            while let c = peek, RateLimitFields.isDigit(c) {
                intDigits.append(c)
                i += 1
                if intDigits.count > 15 { return nil }
            }
            var fracDigits: [UInt8]?
            if peek == UInt8(ascii: ".") {
                guard intDigits.count <= 12 else { return nil }
                i += 1
                var frac: [UInt8] = []
                while let c = peek, RateLimitFields.isDigit(c) {
                    frac.append(c)
                    i += 1
                    if frac.count > 3 { return nil }
                }
                guard !frac.isEmpty else { return nil }
                fracDigits = frac
            }
            var n: Int64 = 0
            for d in intDigits { n = n * 10 + Int64(d - 0x30) }
            if let frac = fracDigits {
                var thousandths: Int64 = 0
                for (k, d) in frac.enumerated() { thousandths += Int64(d - 0x30) * [100, 10, 1][k] }
                let v = n * 1000 + thousandths
                return .decimal(negative ? -v : v)
            }
            return .integer(negative ? -n : n)
        }

        mutating func parseString() -> BareItem? {
            i += 1
            var out: [UInt8] = []
            while let c = peek {
                i += 1
                if c == UInt8(ascii: "\\") {
                    guard let e = peek, e == UInt8(ascii: "\"") || e == UInt8(ascii: "\\") else { return nil }
                    out.append(e)
                    i += 1
                } else if c == UInt8(ascii: "\"") {
                    return .string(String(decoding: out, as: UTF8.self))
                } else if c < 0x20 || c > 0x7E {
                    return nil
                } else {
                    out.append(c)
                }
            }
            return nil
        }

        /// `%"..."`: printable ASCII except `"` and `%`, or `%` and two lowercase hex digits;
        /// the bytes must be UTF-8 (RFC 9651 section 4.2.10).
        mutating func parseDisplayString() -> BareItem? {
            i += 1
            guard peek == UInt8(ascii: "\"") else { return nil }
            i += 1
            var out: [UInt8] = []
            func hex(_ c: UInt8) -> UInt8? {
                if c >= 0x30 && c <= 0x39 { return c - 0x30 }
                if c >= 0x61 && c <= 0x66 { return c - 0x61 + 10 }
                return nil
            }
            while let c = peek {
                i += 1
                if c == UInt8(ascii: "%") {
                    guard i + 1 < bytes.count, let hi = hex(bytes[i]), let lo = hex(bytes[i + 1]) else { return nil }
                    out.append(hi << 4 | lo)
                    i += 2
                } else if c == UInt8(ascii: "\"") {
                    guard let text = String(validating: out, as: UTF8.self) else { return nil }
                    return .displayString(text)
                } else if c < 0x20 || c > 0x7E {
                    return nil
                } else {
                    out.append(c)
                }
            }
            return nil
        }

        mutating func parseToken() -> BareItem? {
            let start = i
            i += 1
            while let c = peek, Self.isTChar(c) || c == UInt8(ascii: ":") || c == UInt8(ascii: "/") { i += 1 }
            return .token(String(decoding: bytes[start..<i], as: UTF8.self))
        }

        mutating func parseBytes() -> BareItem? {
            i += 1
            let start = i
            while let c = peek, c != UInt8(ascii: ":") {
                guard (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || RateLimitFields.isDigit(c) || c == UInt8(ascii: "+")
                        || c == UInt8(ascii: "/") || c == UInt8(ascii: "=") else { return nil }
                i += 1
            }
            guard peek == UInt8(ascii: ":") else { return nil }
            let content = Array(bytes[start..<i])
            i += 1
            return .bytes(content)
        }

        static func isTChar(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }
}
