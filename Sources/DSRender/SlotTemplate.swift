/// A signing template of the common shape, literal text and `{{@name}}` holes only (for
/// example `{{@timestamp}}.{{@body}}` or `t={{@timestamp}},v1={{@signature}}`), compiled to a
/// list of parts that are copied straight into a buffer.
///
/// Signing runs once per request on the hot path; building the template engine's data
/// dictionary (and a `String` copy of the body for `@body`) would cost more than the HMAC.
/// Any other shape (helpers, settings, blocks, escapes) is left to the template engine, so
/// this is an optimisation with identical output, never a second template language: the
/// literal parts are restricted to text without `{`, `}` or `\`, where Handlebars' output is
/// the text itself.
struct SlotTemplate: Sendable, Equatable {
    /// The per-request values a slot can hold.
    enum Slot: String, Sendable, Equatable {
        case body, timestamp, method, path, url, signature
        case requestID = "request_id"
        /// The form body's parameters sorted by name, each written as name then value
        /// (Twilio's request validation scheme).
        case formSorted = "form_sorted"
    }

    /// A piece of the output.
    enum Part: Sendable, Equatable {
        case literal([UInt8])
        case slot(Slot)
    }

    let parts: [Part]

    /// Parses `source`, or returns nil if it has any other shape or uses a slot outside `allowed`.
    static func parse(_ source: String, allowed: Set<Slot>) -> SlotTemplate? {
        let bytes = Array(source.utf8)
        var parts: [Part] = []
        var literal: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "{"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{") {
                guard let close = findClose(bytes, from: i + 2) else { return nil }
                var inner = bytes[(i + 2)..<close]
                while inner.first == 0x20 { inner = inner.dropFirst() }
                while inner.last == 0x20 { inner = inner.dropLast() }
                guard inner.first == UInt8(ascii: "@"),
                      let slot = Slot(rawValue: String(decoding: inner.dropFirst(), as: UTF8.self)), allowed.contains(slot)
                else { return nil }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = [] }
                parts.append(.slot(slot))
                i = close + 2
                continue
            }
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "}") || b == UInt8(ascii: "\\") { return nil }
            literal.append(b)
            i += 1
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return SlotTemplate(parts: parts)
    }

    /// The index of the `}}` closing a hole that starts at `start`, if the hole holds no braces.
    private static func findClose(_ bytes: [UInt8], from start: Int) -> Int? {
        var j = start
        while j + 1 < bytes.count {
            if bytes[j] == UInt8(ascii: "{") { return nil }
            if bytes[j] == UInt8(ascii: "}") { return bytes[j + 1] == UInt8(ascii: "}") ? j : nil }
            j += 1
        }
        return nil
    }

    /// True if the output is exactly `{{@name}}` for this slot.
    func isExactly(_ slot: Slot) -> Bool { parts == [.slot(slot)] }

    /// True if any part is this slot.
    func uses(_ slot: Slot) -> Bool { parts.contains(.slot(slot)) }
}

/// Appends the decimal digits of `value` without going through `String`.
@inline(__always)
func appendDecimal(_ value: Int64, into out: inout [UInt8]) {
    if value < 0 {
        out.append(UInt8(ascii: "-"))
        appendDecimal(UInt64(-(value + 1)) + 1, into: &out)
    } else {
        appendDecimal(UInt64(value), into: &out)
    }
}

@inline(__always)
private func appendDecimal(_ value: UInt64, into out: inout [UInt8]) {
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    var v = value
    withUnsafeMutableBytes(of: &digits) { buf in
        repeat {
            buf[19 - count] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            count += 1
        } while v > 0
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[(20 - count)...]))
    }
}
