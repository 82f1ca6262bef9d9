import DSJSON

/// A mapping that writes its compact JSON straight from an ``EventLine``'s bytes, for the
/// mappings made of output objects, arrays, constants and plain `@path` reads of the event
/// (with `@keep_null` at most): no event tree, no value tree. A value whose bytes are
/// already its compact writing is copied; any other value is parsed and written, so the
/// bytes are always those of `JSONWriter.write(evaluate(event), .compact)`.
///
/// ``CompiledMapping/direct`` is nil for any other mapping, and ``write(_:into:)`` returns
/// false for an event the general evaluator must decide (a path through an array or a
/// string, where `length` and indexes apply): the caller then evaluates the tree.
public struct DirectMapping: Sendable {
    indirect enum Op: Sendable {
        /// The compact bytes of a constant.
        case constant([UInt8])
        /// An output object: each member's quoted key (with its colon) and node.
        case object([(key: [UInt8], op: Op)])
        case array([Op])
        /// An event path (ASCII segments), written as `null` when missing if `keepNull`.
        case path(segments: [[UInt8]], keepNull: Bool)
    }

    let root: Op

    init?(_ node: MappingNode) {
        guard let op = Self.op(node) else { return nil }
        root = op
    }

    static func op(_ node: MappingNode) -> Op? {
        switch node {
        case .constant(let v):
            return .constant(JSONWriter.bytes(v))
        case .template:
            return nil
        case .array(let nodes, let dropEmpty):
            guard !dropEmpty else { return nil }
            var ops: [Op] = []
            for n in nodes {
                guard let op = op(n) else { return nil }
                ops.append(op)
            }
            return .array(ops)
        case .object(let object):
            guard object.when.isEmpty, !object.dropEmpty, Set(object.members.map(\.key)).count == object.members.count else { return nil }
            var members: [(key: [UInt8], op: Op)] = []
            for m in object.members {
                guard let op = op(m.node) else { return nil }
                var key = JSONWriter.bytes(.string(m.key))
                key.append(UInt8(ascii: ":"))
                members.append((key, op))
            }
            return .object(members)
        case .directive(let d):
            guard d.when.isEmpty, d.defaultValue == nil, d.transforms.isEmpty, d.type == nil, d.lookup == nil, !d.dropEmpty else { return nil }
            // `@value`: a constant taken literally.
            if case .value(let v) = d.source { return .constant(JSONWriter.bytes(v)) }
            guard case .path(let p) = d.source, p.dataName == nil, !p.isRoot, !p.segments.isEmpty,
                  p.segments.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } })
            else { return nil }
            return .path(segments: p.segments.map { Array($0.utf8) }, keepNull: d.keepNull)
        }
    }

    /// Appends the mapping's compact JSON for `event`; false (with `out` in an unspecified
    /// state) when the general evaluator must decide this event.
    public func write(_ event: EventLine, into out: inout [UInt8]) -> Bool {
        event.bytes.withUnsafeBufferPointer { line in
            var writer = Writer(line: line, members: event.members)
            switch writer.write(root, into: &out) {
            case .written: return true
            case .missing:
                // The root always comes out: a missing root value is `null`.
                out.append(contentsOf: "null".utf8)
                return true
            case .unsupported: return false
            }
        }
    }

    enum Result { case written, missing, unsupported }

    struct Writer {
        let line: UnsafeBufferPointer<UInt8>
        let members: [EventLine.Member]

        func write(_ op: Op, into out: inout [UInt8]) -> Result {
            switch op {
            case .constant(let bytes):
                out.append(contentsOf: bytes)
                return .written
            case .object(let fields):
                out.append(UInt8(ascii: "{"))
                var first = true
                for f in fields {
                    let mark = out.count
                    if !first { out.append(UInt8(ascii: ",")) }
                    out.append(contentsOf: f.key)
                    switch write(f.op, into: &out) {
                    case .written: first = false
                    case .missing: out.removeSubrange(mark...)
                    case .unsupported: return .unsupported
                    }
                }
                out.append(UInt8(ascii: "}"))
                return .written
            case .array(let ops):
                out.append(UInt8(ascii: "["))
                var first = true
                for op in ops {
                    let mark = out.count
                    if !first { out.append(UInt8(ascii: ",")) }
                    switch write(op, into: &out) {
                    case .written: first = false
                    case .missing: out.removeSubrange(mark...)
                    case .unsupported: return .unsupported
                    }
                }
                out.append(UInt8(ascii: "]"))
                return .written
            case .path(let segments, let keepNull):
                switch find(segments) {
                case .unsupported: return .unsupported
                case .missing:
                    if keepNull { out.append(contentsOf: "null".utf8); return .written }
                    return .missing
                case .found(let range, let canonical):
                    if canonical {
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: line[range]))
                    } else {
                        guard let value = try? JSONParser().parseValue(UnsafeBufferPointer(rebasing: line[range])) else { return .unsupported }
                        JSONWriter.write(value, style: .compact, into: &out)
                    }
                    return .written
                }
            }
        }

        enum Found { case found(Range<Int>, canonical: Bool), missing, unsupported }

        /// Walks `segments` from the top-level members through nested objects.
        func find(_ segments: [[UInt8]]) -> Found {
            var range: Range<Int>? = nil
            var canonical = false
            let head = segments[0]
            for m in members where Int(m.keyEnd - m.keyStart) == head.count {
                if head.withUnsafeBufferPointer({ EventLine.equal(line.baseAddress! + Int(m.keyStart), $0.baseAddress, head.count) }) {
                    range = Int(m.valueStart)..<Int(m.valueEnd)
                    canonical = m.canonical
                    break
                }
            }
            guard var current = range else { return .missing }
            for segment in segments.dropFirst() {
                switch line[current.lowerBound] {
                case UInt8(ascii: "{"):
                    guard let (child, childCanonical) = member(of: current, segment) else { return .missing }
                    current = child
                    // A canonical parent has canonical children; otherwise the child is parsed.
                    canonical = canonical && childCanonical
                case UInt8(ascii: "["), UInt8(ascii: "\""):
                    // Indexes and `length`: the evaluator's rules, not repeated here.
                    return .unsupported
                default:
                    return .missing
                }
            }
            return .found(current, canonical: canonical)
        }

        /// The value of member `key` of the (valid) object at `range`.
        func member(of range: Range<Int>, _ key: [UInt8]) -> (Range<Int>, Bool)? {
            var i = range.lowerBound + 1
            let end = range.upperBound - 1
            while i < end {
                i = skipSpace(i)
                guard i < end, line[i] == UInt8(ascii: "\"") else { return nil }
                let keyStart = i + 1
                i = skipString(i)
                let keyEnd = i - 1
                i = skipSpace(i)
                i += 1 // ':'
                i = skipSpace(i)
                let valueStart = i
                i = skipValue(i)
                let valueEnd = i
                if keyEnd - keyStart == key.count, key.withUnsafeBufferPointer({ EventLine.equal(line.baseAddress! + keyStart, $0.baseAddress, key.count) }) {
                    return (valueStart..<valueEnd, true)
                }
                i = skipSpace(i)
                if i < end, line[i] == UInt8(ascii: ",") { i += 1 }
            }
            return nil
        }

        func skipSpace(_ start: Int) -> Int {
            var i = start
            while i < line.count, line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0A || line[i] == 0x0D { i += 1 }
            return i
        }

        /// Past the string starting at the quote at `start`.
        func skipString(_ start: Int) -> Int {
            var i = start + 1
            while i < line.count {
                if line[i] == UInt8(ascii: "\\") { i += 2; continue }
                if line[i] == UInt8(ascii: "\"") { return i + 1 }
                i += 1
            }
            return i
        }

        /// Past the (valid) value starting at `start`.
        func skipValue(_ start: Int) -> Int {
            var i = start
            guard i < line.count else { return i }
            switch line[i] {
            case UInt8(ascii: "\""): return skipString(i)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while i < line.count {
                    switch line[i] {
                    case UInt8(ascii: "\""): i = skipString(i); continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { return i + 1 }
                    default: break
                    }
                    i += 1
                }
                return i
            default:
                while i < line.count {
                    switch line[i] {
                    case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: return i
                    default: i += 1
                    }
                }
                return i
            }
        }
    }
}

extension CompiledMapping {
    /// The mapping as a ``DirectMapping``, when it is one of the forms that can write
    /// straight from event bytes.
    public var direct: DirectMapping? { DirectMapping(root) }
}
