import DSRuntime

/// Input: the bytes a Redis server sends. The RESP2 parser must be total (a value, "need
/// more" or an error, never a crash), consistent with itself on every prefix, and a value it
/// returns must re-encode to exactly the bytes it consumed (when they are canonical UTF-8:
/// simple strings and errors are decoded as text).
enum RESPTarget {
    static let parser = RESPParser(limits: RESPLimits(maxBulkBytes: 4096, maxArrayElements: 256, maxDepth: 8, maxLineBytes: 512, maxTotalElements: 2048))

    static func run(_ data: [UInt8], _ violations: inout [String]) {
        let bytes = Array(data.prefix(8192))
        var start = 0
        var values = 0
        while start < bytes.count, values < 64 {
            switch parser.parse(bytes, from: start) {
            case .value(let v, let next):
                guard next > start, next <= bytes.count else { violations.append("next index \(next) outside \(start + 1)...\(bytes.count)"); return }
                let consumed = Array(bytes[start..<next])
                // Canonical input (no "-0", no leading zeros) re-encodes byte for byte; any
                // value must at least re-parse to itself.
                let encoded = RESPEncoder.value(v)
                // Default limits: replaced invalid UTF-8 grows a line up to 3x past the fuzz limits.
                if case .value(let again, let end) = RESPParser().parse(encoded), again == v, end == encoded.count {} else {
                    violations.append("a parsed value does not round-trip through the encoder")
                }
                // Simple strings and errors are text: invalid UTF-8 in them is replaced (U+FFFD).
                let validUTF8 = String(validating: consumed, as: UTF8.self) != nil
                if encoded != consumed, validUTF8, !hasNonCanonicalInteger(consumed) { violations.append("re-encoding differs from the consumed bytes") }
                // Every strict prefix is incomplete (only check short values: quadratic).
                if consumed.count <= 256 {
                    for k in 0..<consumed.count {
                        if case .incomplete = parser.parse(Array(consumed[0..<k])) { continue }
                        if k == 0 { continue }
                        violations.append("the prefix of \(k) bytes of a value is not incomplete")
                        break
                    }
                }
                start = next
                values += 1
            case .incomplete:
                return
            case .invalid:
                return
            }
        }
    }

    /// Integers and lengths like "-0", "007" or "+1" parse but re-encode differently.
    static func hasNonCanonicalInteger(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if (c == UInt8(ascii: ":") || c == UInt8(ascii: "$") || c == UInt8(ascii: "*")) && i + 1 < bytes.count {
                var j = i + 1
                if bytes[j] == UInt8(ascii: "-") { j += 1; if j < bytes.count, bytes[j] == UInt8(ascii: "0") { return true } }
                if j + 1 < bytes.count, bytes[j] == UInt8(ascii: "0"), bytes[j + 1] != 0x0D { return true }
            }
            i += 1
        }
        return false
    }
}
