import Foundation

/// Checkers for the `format` keyword when it asserts (an option, or the format-assertion
/// vocabulary). Unknown formats always pass. Each returns true for a valid string.
enum SchemaFormats {
    static func checker(_ name: String) -> (@Sendable (String) -> Bool)? {
        switch name {
        case "date-time": return { isDateTime($0) }
        case "date": return { isDate($0) }
        case "time": return { isTime($0) }
        case "duration": return { isDuration($0) }
        case "email": return { isEmail($0) }
        case "idn-email": return { isEmail($0, idn: true) }
        case "hostname": return { isHostname($0) }
        case "idn-hostname": return { isHostname($0, idn: true) }
        case "ipv4": return { isIPv4($0) }
        case "ipv6": return { isIPv6($0) }
        case "uri": return { isURI($0, reference: false, iri: false) }
        case "uri-reference": return { isURI($0, reference: true, iri: false) }
        case "iri": return { isURI($0, reference: false, iri: true) }
        case "iri-reference": return { isURI($0, reference: true, iri: true) }
        case "uuid": return { isUUID($0) }
        case "regex": return { SchemaRegex($0) != nil }
        case "json-pointer": return { isJSONPointer($0) }
        case "relative-json-pointer": return { isRelativeJSONPointer($0) }
        case "uri-template": return { isURITemplate($0) }
        default: return nil
        }
    }

    private static func digits(_ s: ArraySlice<UInt8>) -> Int? {
        guard !s.isEmpty, s.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return s.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    static func isDate(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D,
              let y = digits(b[0..<4]), let m = digits(b[5..<7]), let d = digits(b[8..<10]) else { return false }
        guard (1...12).contains(m), d >= 1 else { return false }
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days
    }

    static func isTime(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count >= 9, b[2] == 0x3A, b[5] == 0x3A,
              let h = digits(b[0..<2]), let mi = digits(b[3..<5]), let sec = digits(b[6..<8]) else { return false }
        var i = 8
        if i < b.count, b[i] == 0x2E {
            i += 1
            let start = i
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            if i == start { return false }
        }
        guard i < b.count else { return false }
        var offsetMinutes = 0
        if b[i] == 0x5A || b[i] == 0x7A {
            guard i + 1 == b.count else { return false }
        } else if b[i] == 0x2B || b[i] == 0x2D {
            guard b.count == i + 6, b[i + 3] == 0x3A, let oh = digits(b[(i + 1)..<(i + 3)]), let om = digits(b[(i + 4)..<(i + 6)]),
                  oh <= 23, om <= 59 else { return false }
            offsetMinutes = (oh * 60 + om) * (b[i] == 0x2B ? 1 : -1)
        } else {
            return false
        }
        guard h <= 23, mi <= 59, sec <= 60 else { return false }
        if sec == 60 {
            // A leap second is only at 23:59:60 UTC.
            let utc = ((h * 60 + mi - offsetMinutes) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    static func isDateTime(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count > 11, b[10] == 0x54 || b[10] == 0x74 else { return false }
        return isDate(String(decoding: b[0..<10], as: UTF8.self)) && isTime(String(decoding: b[11...], as: UTF8.self))
    }

    static func isDuration(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.first == 0x50 else { return false }  // "P"
        var i = 1
        func number() -> Bool {
            let start = i
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            return i > start
        }
        if i == b.count { return false }
        // Weeks stand alone.
        let save = i
        if number(), i < b.count, b[i] == 0x57 { return i + 1 == b.count }
        i = save
        // Units appear in order and without gaps (RFC 3339 appendix A): Y [M [D]], M [D], D.
        func units(_ list: [UInt8]) -> Bool {
            var started = false, stopped = false
            for unit in list {
                let mark = i
                if number(), i < b.count, b[i] == unit {
                    if stopped { return false }
                    i += 1
                    started = true
                } else {
                    i = mark
                    if started { stopped = true }
                }
            }
            return started
        }
        var any = false
        if i < b.count, b[i] != 0x54 {
            guard units([0x59, 0x4D, 0x44]) else { return false }  // Y M D
            any = true
        }
        if i < b.count, b[i] == 0x54 {  // "T"
            i += 1
            guard units([0x48, 0x4D, 0x53]) else { return false }  // H M S
            any = true
        }
        return any && i == b.count
    }

    static func isEmail(_ s: String, idn: Bool = false) -> Bool {
        guard let at = s.lastIndex(of: "@") else { return false }
        let local = s[..<at], domain = String(s[s.index(after: at)...])
        guard !local.isEmpty, !domain.isEmpty else { return false }
        if local.hasPrefix("\"") {
            guard local.count >= 2, local.hasSuffix("\"") else { return false }
        } else {
            guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { return false }
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")
            guard local.allSatisfy({ allowed.contains($0) || (idn && !$0.isASCII) }) else { return false }
        }
        if domain.hasPrefix("[") && domain.hasSuffix("]") {
            let inner = String(domain.dropFirst().dropLast())
            if inner.lowercased().hasPrefix("ipv6:") { return isIPv6(String(inner.dropFirst(5))) }
            return isIPv4(inner)
        }
        return isHostname(domain, idn: idn)
    }

    static func isHostname(_ s: String, idn: Bool = false) -> Bool {
        var host = s
        if idn {
            // Accept the ideographic full stops as label separators.
            for sep in ["\u{3002}", "\u{FF0E}", "\u{FF61}"] { host = host.replacingOccurrences(of: sep, with: ".") }
        }
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            let u = Array(label.utf8)
            guard !u.isEmpty, u.count <= 63, u.first != 0x2D, u.last != 0x2D else { return false }
            if u.count >= 4, u[2] == 0x2D, u[3] == 0x2D, !(u[0] | 0x20 == 0x78 && u[1] | 0x20 == 0x6E) { return false }
            for scalar in label.unicodeScalars {
                let v = scalar.value
                let ok = (v >= 0x30 && v <= 0x39) || (v | 0x20 >= 0x61 && v | 0x20 <= 0x7A) || v == 0x2D
                if !ok && !(idn && v > 0x7F && scalar.properties.isAlphabetic || idn && v > 0x7F && scalar.properties.generalCategory == .nonspacingMark) { return false }
            }
        }
        return true
    }

    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for p in parts {
            let u = Array(p.utf8)
            guard !u.isEmpty, u.count <= 3, let v = digits(u[...]), v <= 255 else { return false }
            if u.count > 1 && u[0] == 0x30 { return false }
        }
        return true
    }

    static func isIPv6(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.allSatisfy({ $0 < 0x80 }) else { return false }
        var text = Substring(s)
        var groupsNeeded = 8
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard isIPv4(String(text[text.index(after: lastColon)...])) else { return false }
            text = text[...lastColon]
            if !text.hasSuffix("::") { text = text.dropLast() }
            groupsNeeded = 6
        }
        func hexGroups(_ t: Substring) -> Int? {
            if t.isEmpty { return 0 }
            var n = 0
            for g in t.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(g.count), g.allSatisfy({ $0.isHexDigit }) else { return nil }
                n += 1
            }
            return n
        }
        if let range = text.range(of: "::") {
            let head = text[..<range.lowerBound], tail = text[range.upperBound...]
            guard !tail.contains("::"), let h = hexGroups(head), let t = hexGroups(tail) else { return false }
            return h + t < groupsNeeded
        }
        guard let n = hexGroups(text) else { return false }
        return n == groupsNeeded
    }

    static func isUUID(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != 0x2D { return false }
            } else if !((c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66)) {
                return false
            }
        }
        return true
    }

    static func isJSONPointer(_ s: String) -> Bool {
        if s.isEmpty { return true }
        guard s.hasPrefix("/") else { return false }
        let u = Array(s.utf8)
        for (i, c) in u.enumerated() where c == 0x7E {
            guard i + 1 < u.count, u[i + 1] == 0x30 || u[i + 1] == 0x31 else { return false }
        }
        return true
    }

    static func isRelativeJSONPointer(_ s: String) -> Bool {
        let u = Array(s.utf8)
        var i = 0
        while i < u.count, u[i] >= 0x30 && u[i] <= 0x39 { i += 1 }
        guard i > 0, !(i > 1 && u[0] == 0x30) else { return false }
        if i == u.count { return true }
        if u[i] == 0x23 { return i + 1 == u.count }
        return isJSONPointer(String(decoding: u[i...], as: UTF8.self))
    }

    /// RFC 6570 level 4 syntax: literals and `{op var[:len|*], ...}` expressions.
    static func isURITemplate(_ s: String) -> Bool {
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "}" { return false }
            if c != "{" {
                if c.value <= 0x20 || c.value == 0x7F || "\"<>\\^`|".unicodeScalars.contains(c) { return false }
                i += 1
                continue
            }
            guard let close = scalars[i...].firstIndex(of: "}") else { return false }
            var body = Array(scalars[(i + 1)..<close])
            if let op = body.first, "+#./;?&=,!@|".unicodeScalars.contains(op) {
                if "=,!@|".unicodeScalars.contains(op) { return false }  // reserved operators
                body.removeFirst()
            }
            let specs = String(String.UnicodeScalarView(body)).split(separator: ",", omittingEmptySubsequences: false)
            for spec in specs {
                var name = Substring(spec)
                if name.hasSuffix("*") {
                    name = name.dropLast()
                } else if let colon = name.firstIndex(of: ":") {
                    let len = name[name.index(after: colon)...]
                    guard (1...4).contains(len.count), len.first != "0", len.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
                    name = name[..<colon]
                }
                guard !name.isEmpty, !name.hasPrefix("."), !name.hasSuffix("."), !name.contains("..") else { return false }
                let ok = name.unicodeScalars.allSatisfy { u in
                    (u.value >= 0x30 && u.value <= 0x39) || (u.value | 0x20 >= 0x61 && u.value | 0x20 <= 0x7A) || u == "_" || u == "." || u == "%"
                }
                if !ok { return false }
            }
            i = close + 1
        }
        return true
    }

    /// RFC 3986 (or RFC 3987 with `iri`) URI / URI-reference syntax.
    static func isURI(_ s: String, reference: Bool, iri: Bool) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%")
        for c in s where !allowed.contains(c) && !(iri && !c.isASCII && !c.isWhitespace) { return false }
        // Percent escapes are two hex digits.
        let u = Array(s.utf8)
        for (i, c) in u.enumerated() where c == 0x25 {
            guard i + 2 < u.count, Character(UnicodeScalar(u[i + 1])).isHexDigit, Character(UnicodeScalar(u[i + 2])).isHexDigit else { return false }
        }
        let uri = SchemaURI(parsing: s)
        if let scheme = uri.scheme {
            guard let f = scheme.first, f.isASCII, f.isLetter,
                  scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }) else { return false }
        } else {
            guard reference else { return false }
            // A relative reference's first segment cannot contain ":".
            let firstSegment = uri.path.split(separator: "/", omittingEmptySubsequences: false).first ?? ""
            if uri.authority == nil && firstSegment.contains(":") { return false }
        }
        if let authority = uri.authority {
            var hostPort = Substring(authority)
            if let at = hostPort.lastIndex(of: "@") {
                let userinfo = hostPort[..<at]
                if userinfo.contains("[") || userinfo.contains("]") || userinfo.contains("@") { return false }
                hostPort = hostPort[hostPort.index(after: at)...]
            }
            if hostPort.hasPrefix("[") {
                guard let close = hostPort.firstIndex(of: "]") else { return false }
                let inner = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
                if !inner.hasPrefix("v") && !inner.hasPrefix("V") && !isIPv6(String(inner)) { return false }
                let rest = hostPort[hostPort.index(after: close)...]
                if !rest.isEmpty && !(rest.hasPrefix(":") && rest.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }) { return false }
            } else {
                if hostPort.contains("[") || hostPort.contains("]") { return false }
                if let colon = hostPort.firstIndex(of: ":") {
                    // One colon at most: an IPv6 address needs brackets.
                    let port = hostPort[hostPort.index(after: colon)...]
                    if !port.allSatisfy({ $0.isASCII && $0.isNumber }) { return false }
                }
            }
        }
        if uri.path.contains("[") || uri.path.contains("]") { return false }
        if let q = uri.query, q.contains("[") || q.contains("]") { return false }
        if let f = uri.fragment, f.contains("#") || f.contains("[") || f.contains("]") { return false }
        return true
    }
}
