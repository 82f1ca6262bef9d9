/// `application/x-www-form-urlencoded` and query-string decoding (WHATWG URL standard rules:
/// `+` is a space, `%XX` a byte), used for token requests and API keys in the query.
enum FormEncoding {
    /// Name/value pairs in order; nil if a `%` escape is malformed.
    static func decode(_ bytes: some Collection<UInt8>) -> [(name: String, value: String)]? {
        var out: [(String, String)] = []
        for pair in Array(bytes).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let eq = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = eq.map { pair[pair.startIndex..<$0] } ?? pair[...]
            let rawValue = eq.map { pair[($0 + 1)...] } ?? []
            guard let name = percentDecode(rawName), let value = percentDecode(rawValue) else { return nil }
            out.append((name, value))
        }
        return out
    }

    /// The first value named `name` in decoded pairs.
    static func value(_ name: String, in pairs: [(name: String, value: String)]) -> String? {
        pairs.first(where: { $0.name == name })?.value
    }

    /// Decodes `%XX` and `+`; nil on a malformed escape.
    static func percentDecode(_ bytes: some Collection<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var it = Array(bytes).makeIterator()
        while let c = it.next() {
            switch c {
            case UInt8(ascii: "+"): out.append(0x20)
            case UInt8(ascii: "%"):
                guard let h = it.next().flatMap(hex), let l = it.next().flatMap(hex) else { return nil }
                out.append(h << 4 | l)
            default: out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}

/// Splits an absolute URL into the parts the checks need.
enum URLParts {
    /// The path of `url` (`https://h/a/b?q` -> `/a/b`); `/` when it has none.
    static func path(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url.hasPrefix("/") ? String(url.prefix { $0 != "?" && $0 != "#" }) : "/" }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        return String(rest[slash...].prefix { $0 != "?" && $0 != "#" })
    }
}
