#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a request's parsed fields lie in its head bytes, for a head that
/// ``HeadParser/parseSimple(head:lines:base:limits:)`` validated: an origin-form target,
/// `HTTP/1.1` or `HTTP/1.0`, and fields whose names are tokens and whose values hold only
/// field-value bytes. ``MockRequest`` makes its Strings from these offsets when they are read,
/// exactly as ``HeadParser/parse(head:lines:base:limits:)`` makes them when it parses
/// (`HeadParserFastPathTests` compares the two on chosen and random heads).
struct WireLayout: Sendable, Equatable {
    /// The method is `head[0..<methodEnd]`; a space follows it.
    var methodEnd: Int32
    /// The target is `head[(methodEnd + 1)..<targetEnd]`; a space and the version follow.
    var targetEnd: Int32
    /// The `x` of `HTTP/1.x` (0 or 1).
    var minorVersion: UInt8
    /// The first header line (or the blank line that ends the head).
    var fieldsStart: Int32
    /// Header lines before the blank line.
    var fieldCount: Int32

    var version: String { minorVersion == 1 ? "HTTP/1.1" : "HTTP/1.0" }

    func method(_ head: [UInt8]) -> String { Self.string(head, 0, Int(methodEnd)) }

    func target(_ head: [UInt8]) -> String { Self.string(head, Int(methodEnd) + 1, Int(targetEnd)) }

    /// The target up to its `?` (the target is origin-form, so it starts with `/`).
    func path(_ head: [UInt8]) -> String {
        let from = Int(methodEnd) + 1, to = Int(targetEnd)
        guard from < to, to <= head.count else { return "" }
        let end = head.withUnsafeBufferPointer { b -> Int in
            guard let base = b.baseAddress, let hit = memchr(base + from, Int32(UInt8(ascii: "?")), to - from) else { return to }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        }
        return Self.string(head, from, end)
    }

    func methodIs(_ head: [UInt8], _ name: StaticString) -> Bool {
        Int(methodEnd) == name.utf8CodeUnitCount && HeadParser.bytes(head, at: 0, equal: name)
    }

    /// Each header line as (name, value) ranges, in order; the value without surrounding
    /// spaces and tabs, as ``HeadParser/field(_:_:)`` takes it.
    func forEachField(_ head: [UInt8], _ body: (Range<Int>, Range<Int>) -> Bool) {
        var i = Int(fieldsStart)
        let n = head.count
        while i < n {
            guard let lf = RequestParser.index(of: HTTPBytes.lf, in: head, from: i) else { return }
            var end = lf
            if end > i, head[end - 1] == HTTPBytes.cr { end -= 1 }
            if end == i { return }  // the blank line
            guard let colon = RequestParser.index(of: HTTPBytes.colon, in: head, from: i, to: end) else { return }
            var lo = colon + 1, hi = end
            while lo < hi, HTTPBytes.isWhitespace(head[lo]) { lo += 1 }
            while hi > lo, HTTPBytes.isWhitespace(head[hi - 1]) { hi -= 1 }
            if !body(i..<colon, lo..<hi) { return }
            i = lf + 1
        }
    }

    func headers(_ head: [UInt8]) -> [MockHeader] {
        var out: [MockHeader] = []
        out.reserveCapacity(Int(fieldCount))
        forEachField(head) { name, value in
            out.append(MockHeader(name: Self.string(head, name.lowerBound, name.upperBound), value: Self.string(head, value.lowerBound, value.upperBound)))
            return true
        }
        return out
    }

    /// The value of the first field named `name` (ASCII case-insensitive), compared on the bytes.
    func header(_ name: String, in head: [UInt8]) -> String? {
        var found: String?
        var wanted = name
        wanted.withUTF8 { w in
            forEachField(head) { n, v in
                guard n.count == w.count else { return true }
                for k in 0..<w.count where asciiLower(head[n.lowerBound + k]) != asciiLower(w[k]) { return true }
                found = Self.string(head, v.lowerBound, v.upperBound)
                return false
            }
        }
        return found
    }

    private static func string(_ head: [UInt8], _ from: Int, _ to: Int) -> String {
        guard from < to, to <= head.count else { return "" }
        return head.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[from..<to]), as: UTF8.self) }
    }
}
