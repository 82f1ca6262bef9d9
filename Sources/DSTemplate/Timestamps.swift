import DSJSON

/// Timestamp parsing and formatting for the `date` helper and the mapping's timestamp
/// transforms, without Foundation: it runs per event, and Foundation's formatters are both
/// slow and locale-sensitive.
public enum Timestamps {
    /// Epoch numbers at or above this magnitude are milliseconds, below it seconds. 1e11
    /// seconds is the year 5138, and 1e11 milliseconds is March 1973, so real timestamps of
    /// either unit fall on the right side.
    public static let millisecondThreshold: Double = 1e11

    /// Milliseconds since the Unix epoch of a value: an ISO 8601 string (date, or date and
    /// time with optional fraction and `Z`/offset; no zone means UTC), a numeric string, or
    /// an epoch number in seconds or milliseconds (see `millisecondThreshold`). Nil otherwise.
    public static func epochMilliseconds(_ value: JSONValue) -> Int64? {
        switch value {
        case .number(let n): return fromEpochNumber(n.doubleValue)
        case .string(let s):
            if let n = TemplateValues.parseNumber(s) { return fromEpochNumber(n.doubleValue) }
            return parseISO8601(s)
        default: return nil
        }
    }

    private static func fromEpochNumber(_ d: Double) -> Int64? {
        guard d.isFinite, abs(d) < 1e17 else { return nil }
        let ms = abs(d) >= millisecondThreshold ? d : d * 1000
        return Int64(ms.rounded(.down))
    }

    /// Parses `YYYY-MM-DD[(T| )HH:MM[:SS[.fff...]]][Z|±HH[:MM]]`.
    public static func parseISO8601(_ text: String) -> Int64? {
        let b = Array(TemplateValues.trimmed(text).utf8)
        var i = 0
        func number(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var v = 0
            for k in 0..<count {
                let c = b[i + k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += count
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month) else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0, offsetMinutes = 0
        if i < b.count {
            guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else { return nil }
            i += 1
            guard let h = number(2), expect(":"), let m = number(2) else { return nil }
            hour = h
            minute = m
            if i < b.count, b[i] == UInt8(ascii: ":") {
                i += 1
                guard let s = number(2) else { return nil }
                second = s
                if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                    i += 1
                    var digits = 0
                    var scale = 100
                    while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                        if digits < 3 { millis += Int(b[i] - 0x30) * scale; scale /= 10 }
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                }
            }
            guard hour < 24 || (hour == 24 && minute == 0 && second == 0 && millis == 0), minute < 60, second < 61 else { return nil }
            if i < b.count {
                if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                    i += 1
                } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                    let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                    i += 1
                    guard let oh = number(2) else { return nil }
                    var om = 0
                    if i < b.count {
                        _ = expect(":")
                        guard let m = number(2) else { return nil }
                        om = m
                    }
                    guard oh < 24, om < 60 else { return nil }
                    offsetMinutes = sign * (oh * 60 + om)
                } else {
                    return nil
                }
            }
            guard i == b.count else { return nil }
        }
        let days = daysFromCivil(year, month, day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.sssZ`, like JavaScript's `toISOString`.
    public static func iso8601(milliseconds ms: Int64) -> String {
        let (daysSinceEpoch, msOfDay) = floorDivide(ms, 86_400_000)
        let (y, m, d) = civilFromDays(Int(daysSinceEpoch))
        let h = Int(msOfDay / 3_600_000), mi = Int(msOfDay / 60_000 % 60), s = Int(msOfDay / 1000 % 60), f = Int(msOfDay % 1000)
        func pad(_ v: Int, _ width: Int) -> String {
            let t = String(abs(v))
            return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - t.count)) + t
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(f, 3))Z"
    }

    /// Formats epoch milliseconds as `YYYY-MM-DD HH:MM:SS+00:00` (whole seconds, UTC): the
    /// layout Google Ads' conversion upload (`conversion_date_time`) and many SQL-backed APIs
    /// require.
    public static func datetimeUTC(milliseconds ms: Int64) -> String {
        let iso = iso8601(milliseconds: ms)   // YYYY-MM-DDTHH:MM:SS.sssZ
        guard let t = iso.firstIndex(of: "T"), let dot = iso.lastIndex(of: ".") else { return iso }
        return String(iso[..<t]) + " " + String(iso[iso.index(after: t)..<dot]) + "+00:00"
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b, r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }

    private static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    private static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's `days_from_civil`.
    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Howard Hinnant's `civil_from_days`.
    private static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
