import DSJSON

/// The JSON layout of fixture files: two-space indentation, keys in the value's own order
/// (the fixture's keys are inserted sorted; a body keeps its wire order), and short arrays
/// of scalars on one line, so a header reads `["Content-Type", "application/json"]`
/// instead of four lines. The rule is purely syntactic, so output stays deterministic.
enum FixtureJSONWriter {
    /// Arrays of scalars whose one-line form is at most this long are written inline.
    static let inlineLimit = 100

    static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(value, indent: 0, into: &out)
        out.append(0x0A)
        return out
    }

    private static func newline(_ indent: Int, _ out: inout [UInt8]) {
        out.append(0x0A)
        for _ in 0..<indent { out.append(0x20); out.append(0x20) }
    }

    private static func isScalar(_ v: JSONValue) -> Bool {
        switch v {
        case .array, .object: return false
        default: return true
        }
    }

    private static func write(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .array(let elements) where !elements.isEmpty:
            if elements.allSatisfy(isScalar) {
                var line: [UInt8] = [UInt8(ascii: "[")]
                for (i, e) in elements.enumerated() {
                    if i > 0 { line.append(contentsOf: ", ".utf8) }
                    JSONWriter.write(e, style: .compact, into: &line)
                }
                line.append(UInt8(ascii: "]"))
                if line.count <= inlineLimit { out.append(contentsOf: line); return }
            }
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1, &out)
                write(e, indent: indent + 1, into: &out)
            }
            newline(indent, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (i, member) in object.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1, &out)
                JSONWriter.writeString(member.key, into: &out)
                out.append(contentsOf: ": ".utf8)
                write(member.value, indent: indent + 1, into: &out)
            }
            newline(indent, &out)
            out.append(UInt8(ascii: "}"))
        default:
            JSONWriter.write(value, style: .compact, into: &out)
        }
    }
}
