import DSCore

/// Substring search for the URL rules, which ran Foundation's `range(of:)` and `contains` (some 10k
/// instructions a call, most of `dspec lint`'s URL checks) on every endpoint.
enum ASCIISearch {
    /// `text.range(of: needle)` for an ASCII `needle` with no CR or LF. On ASCII text it
    /// compares bytes: there every character is one scalar (bar CR LF, which the needle
    /// cannot start or end inside), so the byte match is the one Foundation finds. Other
    /// text goes to Foundation's search, unchanged.
    static func firstRange(of needle: StaticString, in text: Substring) -> Range<String.Index>? {
        let n = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        let utf8 = text.utf8
        let offset: Int?? = utf8.withContiguousStorageIfAvailable { bytes -> Int?? in
            guard !bytes.contains(where: { $0 >= 0x80 }), let first = n.first else { return .none }
            var i = 0
            while i + n.count <= bytes.count {
                if bytes[i] == first {
                    var j = 1
                    while j < n.count, bytes[i + j] == n[j] { j += 1 }
                    if j == n.count { return .some(i) }
                }
                i += 1
            }
            return .some(nil)
        } ?? .none
        guard let found = offset else { return text.range(of: needle.description) }
        guard let i = found else { return nil }
        let lower = utf8.index(utf8.startIndex, offsetBy: i)
        return lower..<utf8.index(lower, offsetBy: n.count)
    }
}
