/// RFC 6901 JSON pointers: building them for diagnostics and resolving them in values
/// (error-message extraction from vendor error bodies uses the same code).
public enum JSONPointer {
    /// Escapes one reference token (`~` -> `~0`, `/` -> `~1`).
    public static func escape(_ token: String) -> String {
        guard needsEscape(token) else { return token }
        // On UTF-8 bytes, as RFC 6901 defines tokens on code points: a `~` or `/` followed by
        // a combining mark is still escaped (comparing Characters would miss it).
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count + 4)
        for b in token.utf8 {
            switch b {
            case 0x7E: out += [0x7E, 0x30]
            case 0x2F: out += [0x7E, 0x31]
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends a key token to a pointer.
    public static func appending(_ pointer: String, _ key: String) -> String {
        var pointer = pointer
        var key = key
        let built: String = pointer.withUTF8 { p in
            key.withUTF8 { k in
                var escapes = 0
                for b in k where b == 0x7E || b == 0x2F { escapes += 1 }
                return String(unsafeUninitializedCapacity: p.count + 1 + k.count + escapes) { out in
                    var i = 0
                    if let base = p.baseAddress, p.count > 0 {
                        UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: base, byteCount: p.count)
                        i = p.count
                    }
                    out[i] = 0x2F
                    i += 1
                    if escapes == 0 {
                        if let base = k.baseAddress, k.count > 0 {
                            UnsafeMutableRawPointer(out.baseAddress! + i).copyMemory(from: base, byteCount: k.count)
                            i += k.count
                        }
                    } else {
                        for b in k {
                            if b == 0x7E || b == 0x2F {
                                out[i] = 0x7E
                                out[i + 1] = b == 0x7E ? 0x30 : 0x31
                                i += 2
                            } else {
                                out[i] = b
                                i += 1
                            }
                        }
                    }
                    return i
                }
            }
        }
        return built
    }

    /// True if the token holds `~` or `/` (a byte loop over contiguous UTF-8, no closure).
    @inline(__always)
    static func needsEscape(_ token: String) -> Bool {
        var token = token
        return token.withUTF8 { bytes in
            for b in bytes where b == 0x7E || b == 0x2F { return true }
            return false
        }
    }

    /// Appends an array index to a pointer.
    public static func appending(_ pointer: String, _ index: Int) -> String {
        pointer + "/" + String(index)
    }

    /// Splits a pointer into unescaped tokens; nil if it is not a valid pointer.
    public static func tokens(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.utf8.first == 0x2F else { return nil }
        if let plain = plainTokens(pointer) { return plain }
        // On UTF-8 bytes (RFC 6901 works on code points): a `/` or `~0` followed by a combining
        // mark is still a separator or an escape, as `escape` wrote it.
        var result: [String] = []
        for raw in pointer.utf8.dropFirst().split(separator: 0x2F, omittingEmptySubsequences: false) {
            var token: [UInt8] = []
            token.reserveCapacity(raw.count)
            var iterator = raw.makeIterator()
            while let b = iterator.next() {
                if b == 0x7E {
                    switch iterator.next() {
                    case 0x30: token.append(0x7E)
                    case 0x31: token.append(0x2F)
                    default: return nil
                    }
                } else {
                    token.append(b)
                }
            }
            result.append(String(decoding: token, as: UTF8.self))
        }
        return result
    }

    /// The tokens of a pointer without `~` escapes, split on "/" bytes in one pass over its
    /// UTF-8 (room reserved for all of them); nil when it has an escape. The pieces between
    /// ASCII slashes of valid UTF-8 are valid UTF-8, so they decode as the general path's do
    /// (`JSONPointerTokensTests` compares the two).
    static func plainTokens(_ pointer: String) -> [String]? {
        var text = pointer
        return text.withUTF8 { u -> [String]? in
            var slashes = 0
            for b in u {
                if b == 0x2F { slashes &+= 1 } else if b == 0x7E { return nil }
            }
            var result: [String] = []
            result.reserveCapacity(slashes)
            var start = 1
            var i = 1
            while i < u.count {
                if u[i] == 0x2F {
                    result.append(String(decoding: UnsafeBufferPointer(rebasing: u[start..<i]), as: UTF8.self))
                    start = i &+ 1
                }
                i &+= 1
            }
            result.append(String(decoding: UnsafeBufferPointer(rebasing: u[start..<u.count]), as: UTF8.self))
            return result
        }
    }

    /// True if the string is a syntactically valid pointer.
    /// `tokens(pointer) != nil` without forming the tokens: empty, or a leading `/` and every
    /// `~` followed by `0` or `1` (`JSONPointerValidityTests` compares the two).
    public static func isValid(_ pointer: String) -> Bool {
        var bytes = pointer.utf8.makeIterator()
        guard let first = bytes.next() else { return true }
        guard first == 0x2F else { return false }
        while let b = bytes.next() {
            if b == 0x7E {
                let next = bytes.next()
                if next != 0x30 && next != 0x31 { return false }
            }
        }
        return true
    }

    /// Resolves a pointer in a value.
    public static func resolve(_ pointer: String, in value: JSONValue) -> JSONValue? {
        guard let tokens = tokens(pointer) else { return nil }
        var current = value
        for token in tokens {
            switch current {
            case .object(let o):
                guard let next = o[token] else { return nil }
                current = next
            case .array(let a):
                guard let i = Int(token), i >= 0, i < a.count, token == String(i) else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        return current
    }
}

extension JSONNode {
    /// Resolves a pointer in a node tree, returning the node (with its span).
    public func resolve(_ pointer: String) -> JSONNode? {
        guard let tokens = JSONPointer.tokens(pointer) else { return nil }
        var current = self
        for token in tokens {
            switch current.kind {
            case .object(let members):
                guard let i = JSONNode.firstIndex(of: token, in: members) else { return nil }
                current = members[i].value
            case .array(let a):
                guard let i = Int(token), i >= 0, i < a.count else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        return current
    }
}
