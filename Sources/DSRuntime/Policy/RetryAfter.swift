/// Parses the `Retry-After` response header (RFC 9110 section 10.2.3): either
/// `delay-seconds` (a non-negative integer) or an HTTP-date, in any of the three forms a
/// recipient must accept (section 5.6.7): IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
/// the obsolete RFC 850 form (`Sunday, 06-Nov-94 08:49:37 GMT`) and C's asctime
/// (`Sun Nov  6 08:49:37 1994`).
///
/// Written by hand rather than with `DateFormatter` so the result does not depend on the
/// process locale and tests are exact.
public enum RetryAfter {
    /// The wait the header asks for, measured from `nowUnix` (a date in the past means no
    /// wait); nil if the value is neither form.
    public static func parse(_ value: String, nowUnix: Double) -> Duration? {
        let text = value.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // Very long digit strings saturate rather than fail: "wait very long" is what the
            // server meant, and the caller caps it at retry_after.max_ms anyway.
            let seconds = Int64(text) ?? Int64.max / 1_000_000_000
            return .seconds(min(seconds, Int64.max / 1_000_000_000))
        }
        guard let date = httpDate(text) else { return nil }
        let wait = Double(date) - nowUnix
        return wait <= 0 ? .zero : .milliseconds(Int64((wait * 1000).rounded(.up)))
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let shortDays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let longDays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// Unix seconds of an HTTP-date in any accepted form, or nil.
    static func httpDate(_ text: String) -> Int64? {
        let tokens = text.split(whereSeparator: { $0 == " " }).map { String($0) }
        if tokens.count == 6, tokens[0].hasSuffix(","), shortDays.contains(tokens[0].dropLast().lowercased()), tokens[5] == "GMT" {
            // IMF-fixdate: day-name "," SP DD SP Mon SP YYYY SP hh:mm:ss SP GMT
            guard tokens[1].count == 2, let day = Int(tokens[1]), let month = month(tokens[2]), tokens[3].count == 4, let year = Int(tokens[3]) else { return nil }
            return assemble(year: year, month: month, day: day, time: tokens[4])
        }
        if tokens.count == 4, tokens[0].hasSuffix(","), longDays.contains(tokens[0].dropLast().lowercased()), tokens[3] == "GMT" {
            // RFC 850: day-name-l "," SP DD-Mon-YY SP hh:mm:ss SP GMT
            let parts = tokens[1].split(separator: "-").map(String.init)
            guard parts.count == 3, parts[0].count == 2, let day = Int(parts[0]), let month = month(parts[1]), parts[2].count == 2, let yy = Int(parts[2]) else { return nil }
            return assemble(year: twoDigitYear(yy), month: month, day: day, time: tokens[2])
        }
        if tokens.count == 5, shortDays.contains(tokens[0].lowercased()) {
            // asctime: day-name SP Mon SP (DD | SP D) SP hh:mm:ss SP YYYY (split() folds the double space)
            guard let month = month(tokens[1]), let day = Int(tokens[2]), tokens[4].count == 4, let year = Int(tokens[4]) else { return nil }
            return assemble(year: year, month: month, day: day, time: tokens[3])
        }
        return nil
    }

    private static func month(_ name: String) -> Int? {
        months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    /// RFC 9110: a two-digit year that appears to be more than 50 years in the future is in
    /// the past century. Relative to 2000 this is the usual 70-year pivot.
    private static func twoDigitYear(_ yy: Int) -> Int { yy < 70 ? 2000 + yy : 1900 + yy }

    private static func assemble(year: Int, month: Int, day: Int, time: String) -> Int64? {
        let hms = time.split(separator: ":").map { Int($0) }
        guard hms.count == 3, let h = hms[0], let m = hms[1], let s = hms[2], (0...23).contains(h), (0...59).contains(m), (0...60).contains(s),
              (1...31).contains(day) else { return nil }
        return Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400 + Int64(h * 3600 + m * 60 + s)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (HTTP optional whitespace).
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
