/// RFC 3986 URI references, just enough for resolving `$id` and `$ref` (section 5.2, with
/// dot-segment removal). No percent-normalization beyond what the suite needs.
struct SchemaURI: Equatable {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    init(parsing text: String) {
        if let parsed = text.utf8.withContiguousStorageIfAvailable({ SchemaURI(asciiBytes: $0) }), let parsed {
            self = parsed
        } else {
            self.init(parsingCharacters: text)
        }
    }

    /// The parse of an ASCII URI byte by byte (nil for any other text: it takes the general
    /// path). For ASCII text each byte is one `Character`, except that "\r\n" is one, and
    /// neither byte is a delimiter, letter or digit, so this finds exactly what
    /// ``init(parsingCharacters:)`` finds; `SchemaURITests` compares the two on chosen and
    /// random references. Walking `Character`s cost ~33k instructions per URI, 25 M of the
    /// 28 M it took to compile the contracts of the lint benchmark's specs.
    init?(asciiBytes u: UnsafeBufferPointer<UInt8>) {
        let n = u.count
        var i = 0
        while i < n {
            if u[i] >= 0x80 { return nil }
            i += 1
        }
        func text(_ start: Int, _ end: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: u[start..<end]), as: UTF8.self)
        }
        func first(_ byte: UInt8, from start: Int, to end: Int) -> Int? {
            var k = start
            while k < end {
                if u[k] == byte { return k }
                k += 1
            }
            return nil
        }
        var end = n
        if let hash = first(UInt8(ascii: "#"), from: 0, to: end) {
            fragment = text(hash + 1, n)
            end = hash
        }
        if let q = first(UInt8(ascii: "?"), from: 0, to: end) {
            query = text(q + 1, end)
            end = q
        }
        var start = 0
        func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
        if let colon = first(UInt8(ascii: ":"), from: 0, to: end), end > 0, isLetter(u[0]) {
            var valid = true
            for k in 0..<colon {
                let b = u[k]
                if !(isLetter(b) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")) {
                    valid = false
                    break
                }
            }
            if valid {
                scheme = text(0, colon)
                start = colon + 1
            }
        }
        if end - start >= 2, u[start] == UInt8(ascii: "/"), u[start + 1] == UInt8(ascii: "/") {
            let authorityEnd = first(UInt8(ascii: "/"), from: start + 2, to: end) ?? end
            authority = text(start + 2, authorityEnd)
            start = authorityEnd
        }
        path = text(start, end)
    }

    /// The general parse, `Character` by `Character` (any text).
    init(parsingCharacters text: String) {
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        if let colon = rest.firstIndex(of: ":"),
           let first = rest.first, first.isLetter,
           rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) {
            scheme = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        if rest.hasPrefix("//") {
            let afterSlashes = rest.dropFirst(2)
            let end = afterSlashes.firstIndex(of: "/") ?? afterSlashes.endIndex
            authority = String(afterSlashes[..<end])
            rest = afterSlashes[end...]
        }
        path = String(rest)
    }

    init(scheme: String?, authority: String?, path: String, query: String?, fragment: String?) {
        self.scheme = scheme; self.authority = authority; self.path = path; self.query = query; self.fragment = fragment
    }

    var text: String {
        var out = ""
        if let scheme { out += scheme + ":" }
        if let authority { out += "//" + authority }
        out += path
        if let query { out += "?" + query }
        if let fragment { out += "#" + fragment }
        return out
    }

    /// RFC 3986 section 5.2.2: the target of `reference` resolved against `self`.
    func resolving(_ reference: String) -> SchemaURI {
        let r = SchemaURI(parsing: reference)
        if r.scheme != nil {
            return SchemaURI(scheme: r.scheme, authority: r.authority, path: Self.removeDotSegments(r.path), query: r.query, fragment: r.fragment)
        }
        if r.authority != nil {
            return SchemaURI(scheme: scheme, authority: r.authority, path: Self.removeDotSegments(r.path), query: r.query, fragment: r.fragment)
        }
        if r.path.isEmpty {
            return SchemaURI(scheme: scheme, authority: authority, path: path, query: r.query ?? query, fragment: r.fragment)
        }
        let merged: String
        if r.path.hasPrefix("/") {
            merged = r.path
        } else if authority != nil && path.isEmpty {
            merged = "/" + r.path
        } else if let slash = path.lastIndex(of: "/") {
            merged = String(path[...slash]) + r.path
        } else {
            merged = r.path
        }
        return SchemaURI(scheme: scheme, authority: authority, path: Self.removeDotSegments(merged), query: r.query, fragment: r.fragment)
    }

    static func removeDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var input = Substring(path)
        var output: [Substring] = []
        var result = ""
        // Segment-wise implementation of RFC 3986 5.2.4.
        let absolute = input.hasPrefix("/")
        if absolute { input = input.dropFirst() }
        let segments = input.split(separator: "/", omittingEmptySubsequences: false)
        for (i, seg) in segments.enumerated() {
            let last = i == segments.count - 1
            if seg == "." {
                if last { output.append("") }
            } else if seg == ".." {
                if !output.isEmpty { output.removeLast() }
                if last { output.append("") }
            } else {
                output.append(seg)
            }
        }
        result = (absolute ? "/" : "") + output.joined(separator: "/")
        return result
    }

    /// Resolves `reference` against `base` and returns the text without an empty fragment.
    static func resolve(_ reference: String, against base: String) -> String {
        var uri = SchemaURI(parsing: base).resolving(reference)
        if uri.fragment == "" { uri.fragment = nil }
        return uri.text
    }

    /// Splits a URI at its fragment (percent-decoded).
    static func split(_ uri: String) -> (base: String, fragment: String) {
        guard let hash = uri.firstIndex(of: "#") else { return (uri, "") }
        let frag = String(uri[uri.index(after: hash)...])
        return (String(uri[..<hash]), frag.removingPercentEncodingSafely)
    }
}

extension String {
    /// Percent-decoding of UTF-8 octets; malformed escapes are kept as written.
    var removingPercentEncodingSafely: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        let u = Array(utf8)
        var i = 0
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        while i < u.count {
            if u[i] == 0x25, i + 2 < u.count, let h = hex(u[i + 1]), let l = hex(u[i + 2]) {
                bytes.append(h << 4 | l)
                i += 3
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
