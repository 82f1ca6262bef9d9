import DSJSON
import DSRender

enum EncodersTarget {
    static func run(_ data: [UInt8], _ violations: inout [String]) {
        // Raw bytes (possibly invalid UTF-8) through the byte-level encoders.
        for form in [false, true] {
            var out: [UInt8] = []
            data.withUnsafeBufferPointer {
                if form { PercentEncoding.appendFormComponent(bytes: $0, into: &out) } else { PercentEncoding.appendQueryComponent(bytes: $0, into: &out) }
            }
            check(out, decodesTo: data, form: form, &violations)
        }
        // The same bytes as a Swift string (invalid UTF-8 repaired) through the string API.
        let text = String(decoding: data, as: UTF8.self)
        check(Array(PercentEncoding.queryComponent(text).utf8), decodesTo: Array(text.utf8), form: false, &violations)
        check(Array(PercentEncoding.formComponent(text).utf8), decodesTo: Array(text.utf8), form: true, &violations)
        // Form bodies from JSON objects.
        guard let value = try? JSONParser().parseValue(data), let body = try? FormBodyEncoder.encode(value) else { return }
        if body.isEmpty { return }
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            let parts = pair.split(separator: UInt8(ascii: "="), omittingEmptySubsequences: false)
            if parts.count != 2 { violations.append("form body pair without exactly one '=': \(String(decoding: pair.prefix(100), as: UTF8.self))"); return }
            for part in parts where decode(Array(part), form: true) == nil {
                violations.append("form body component is not valid form encoding: \(String(decoding: part.prefix(100), as: UTF8.self))"); return
            }
        }
    }

    static func check(_ encoded: [UInt8], decodesTo original: [UInt8], form: Bool, _ violations: inout [String]) {
        guard let decoded = decode(encoded, form: form) else {
            violations.append("\(form ? "form" : "query") encoding emitted a byte it must escape: \(String(decoding: encoded.prefix(200), as: UTF8.self))")
            return
        }
        if decoded != original { violations.append("\(form ? "form" : "query") encoding does not decode to its input") }
    }

    /// Strict percent-decoding: only unreserved (query) or form-safe bytes, `%XX`, and `+` for a
    /// space in form encoding; nil on anything else.
    static func decode(_ bytes: [UInt8], form: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) else { return nil }
                out.append(h << 4 | l)
                i += 3
                continue
            }
            if form, b == UInt8(ascii: "+") { out.append(0x20) } else if form ? PercentEncoding.isFormSafe(b) : PercentEncoding.isUnreserved(b) { out.append(b) } else { return nil }
            i += 1
        }
        return out
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil  // the encoders write upper-case hex
        }
    }
}
