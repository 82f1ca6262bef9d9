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
    /// The same mapping as a flat program over plain numbers (no reference counting, no
    /// recursion through boxes), written into one allocation: ``bytes(_:)``.
    let program: Program

    init?(_ node: MappingNode) {
        guard let op = Self.op(node) else { return nil }
        root = op
        program = Program(op)
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

    /// The mapping's compact JSON for `event` (the bytes ``write(_:into:)`` appends), nil when
    /// the general evaluator must decide this event. The flat program writes it into one
    /// allocation sized for the worst case; a value that must be parsed and rewritten (not
    /// in canonical form) sends the event to ``write(_:into:)``.
    public func bytes(_ event: EventLine) -> [UInt8]? {
        let (result, out) = flat(event)
        switch result {
        case .written: return out
        case .unsupported: return nil
        case .missing, .rewrite:
            var out: [UInt8] = []
            out.reserveCapacity(event.bytes.count + 16)
            return write(event, into: &out) ? out : nil
        }
    }

    /// The flat program's answer alone: `.written` with the bytes, `.unsupported` (the
    /// general evaluator decides), or `.rewrite` (a value must be parsed, or the worst case
    /// is too large to reserve: the tree writer decides).
    func flat(_ event: EventLine) -> (result: Program.Result, bytes: [UInt8]) {
        let (bound, overflow) = program.paths.multipliedReportingOverflow(by: event.bytes.count + 4)
        guard !overflow, bound <= (1 << 16) - program.fixedBytes else { return (.rewrite, []) }
        let capacity = program.fixedBytes + bound
        // The worst case is written on the stack when it is small (the usual case), and the
        // result copied into an array of its exact size: a small allocation, no slack.
        if capacity <= Self.stackLimit {
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { scratch in
                let (result, count) = run(event, into: scratch.baseAddress!)
                return (result, result == .written ? Array(UnsafeBufferPointer(start: scratch.baseAddress!, count: count)) : [])
            }
        }
        var result = Program.Result.unsupported
        let out = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let (r, n) = run(event, into: buffer.baseAddress!)
            result = r
            count = r == .written ? n : 0
        }
        return (result, out)
    }

    /// Bytes of stack a payload's worst case may take (else it is written on the heap).
    static let stackLimit = 4096

    /// Runs the program on `event` into `out`, which has room for the worst case; returns
    /// the result and the bytes written.
    private func run(_ event: EventLine, into out: UnsafeMutablePointer<UInt8>) -> (Program.Result, Int) {
        program.steps.withUnsafeBufferPointer { steps in
        program.segments.withUnsafeBufferPointer { segments in
        program.pool.withUnsafeBufferPointer { pool in
        event.bytes.withUnsafeBufferPointer { line in
        event.members.withUnsafeBufferPointer { members in
            var writer = FlatWriter(steps: steps, segments: segments, pool: pool, tree: Writer(line: line, members: members), out: out)
            var pc = 0
            var result = writer.value(&pc)
            if result == .missing {
                // The root always comes out: a missing root value is `null`.
                writer.put("null")
                result = .written
            }
            return (result, writer.count)
        }
        }
        }
        }
        }
    }

    /// Appends the mapping's compact JSON for `event`; false (with `out` in an unspecified
    /// state) when the general evaluator must decide this event. The tree writer: it also
    /// parses and rewrites values that are not in canonical form.
    public func write(_ event: EventLine, into out: inout [UInt8]) -> Bool {
        event.bytes.withUnsafeBufferPointer { line in
            event.members.withUnsafeBufferPointer { members in
                let writer = Writer(line: line, members: members)
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
    }

    enum Result { case written, missing, unsupported }

    struct Writer {
        let line: UnsafeBufferPointer<UInt8>
        let members: UnsafeBufferPointer<EventLine.Member>

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
            key.withUnsafeBufferPointer { member(of: range, $0.baseAddress, key.count) }
        }

        func member(of range: Range<Int>, _ key: UnsafePointer<UInt8>?, _ keyCount: Int) -> (Range<Int>, Bool)? {
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
                if keyEnd - keyStart == keyCount, EventLine.equal(line.baseAddress! + keyStart, key, keyCount) {
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

extension DirectMapping {
    /// ``Op`` flattened in pre-order: a container step is followed by its elements (an
    /// object's each as a key step, then the value's steps). Plain numbers into one byte pool.
    struct Program: Sendable {
        enum Kind: UInt8, Sendable { case constant, object, array, key, path }
        struct Step: Sendable {
            var kind: Kind
            var keepNull = false
            /// constant, key: the bytes' start in `pool`; path: the first segment in `segments`.
            var start: Int32 = 0
            /// constant, key: byte count; object, array: element count; path: segment count.
            var count: Int32 = 0
        }

        private(set) var steps: [Step] = []
        private(set) var segments: [(start: Int32, count: Int32)] = []
        private(set) var pool: [UInt8] = []
        /// Paths in the program (each copies at most a line, or writes `null`).
        private(set) var paths = 0
        /// Bytes every event's output may take besides the paths' values.
        private(set) var fixedBytes = 4

        init(_ op: Op) { add(op) }

        private mutating func bytes(_ b: [UInt8]) -> Int32 {
            let start = Int32(pool.count)
            pool.append(contentsOf: b)
            fixedBytes += b.count
            return start
        }

        private mutating func add(_ op: Op) {
            switch op {
            case .constant(let b):
                let start = bytes(b)
                steps.append(Step(kind: .constant, start: start, count: Int32(b.count)))
            case .object(let fields):
                steps.append(Step(kind: .object, count: Int32(fields.count)))
                fixedBytes += 2 + fields.count
                for f in fields {
                    let start = bytes(f.key)
                    steps.append(Step(kind: .key, start: start, count: Int32(f.key.count)))
                    add(f.op)
                }
            case .array(let ops):
                steps.append(Step(kind: .array, count: Int32(ops.count)))
                fixedBytes += 2 + ops.count
                for o in ops { add(o) }
            case .path(let segs, let keepNull):
                let first = Int32(segments.count)
                for seg in segs {
                    let start = Int32(pool.count)
                    pool.append(contentsOf: seg)
                    segments.append((start, Int32(seg.count)))
                }
                steps.append(Step(kind: .path, keepNull: keepNull, start: first, count: Int32(segs.count)))
                paths += 1
            }
        }

        enum Result { case written, missing, unsupported, rewrite }
    }

    /// Runs a ``Program`` on one line into memory with room for its worst case.
    struct FlatWriter {
        let steps: UnsafeBufferPointer<Program.Step>
        let segments: UnsafeBufferPointer<(start: Int32, count: Int32)>
        let pool: UnsafeBufferPointer<UInt8>
        let tree: Writer
        let out: UnsafeMutablePointer<UInt8>
        var count = 0

        @inline(__always)
        mutating func put(_ byte: UInt8) {
            out[count] = byte
            count += 1
        }

        mutating func put(_ text: StaticString) {
            text.withUTF8Buffer { copy($0.baseAddress!, $0.count) }
        }

        @inline(__always)
        mutating func copy(_ from: UnsafePointer<UInt8>, _ n: Int) {
            (out + count).update(from: from, count: n)
            count += n
        }

        mutating func value(_ pc: inout Int) -> Program.Result {
            let step = steps[pc]
            pc += 1
            switch step.kind {
            case .constant, .key:
                copy(pool.baseAddress! + Int(step.start), Int(step.count))
                return .written
            case .object, .array:
                let object = step.kind == .object
                put(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
                var first = true
                for _ in 0..<Int(step.count) {
                    let mark = count
                    if !first { put(UInt8(ascii: ",")) }
                    if object {
                        let key = steps[pc]
                        pc += 1
                        copy(pool.baseAddress! + Int(key.start), Int(key.count))
                    }
                    switch value(&pc) {
                    case .written: first = false
                    case .missing: count = mark
                    case .unsupported: return .unsupported
                    case .rewrite: return .rewrite
                    }
                }
                put(object ? UInt8(ascii: "}") : UInt8(ascii: "]"))
                return .written
            case .path:
                switch find(first: Int(step.start), count: Int(step.count)) {
                case .unsupported: return .unsupported
                case .missing:
                    if step.keepNull { put("null"); return .written }
                    return .missing
                case .found(let range, let canonical):
                    // A value to parse and rewrite: the tree writer does the whole event.
                    guard canonical else { return .rewrite }
                    copy(tree.line.baseAddress! + range.lowerBound, range.count)
                    return .written
                }
            }
        }

        @inline(__always)
        static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
            var i = 0
            while i < count {
                if a[i] != b[i] { return false }
                i += 1
            }
            return true
        }

        /// ``Writer/find(_:)`` on the program's segments.
        func find(first: Int, count: Int) -> Writer.Found {
            let line = tree.line
            let head = segments[first]
            let headKey = pool.baseAddress! + Int(head.start)
            var range: Range<Int>? = nil
            var canonical = false
            for m in tree.members where m.keyEnd - m.keyStart == head.count {
                if Self.equal(line.baseAddress! + Int(m.keyStart), headKey, Int(head.count)) {
                    range = Int(m.valueStart)..<Int(m.valueEnd)
                    canonical = m.canonical
                    break
                }
            }
            guard var current = range else { return .missing }
            var i = first + 1
            while i < first + count {
                let segment = segments[i]
                i += 1
                switch line[current.lowerBound] {
                case UInt8(ascii: "{"):
                    guard let (child, childCanonical) = tree.member(of: current, pool.baseAddress! + Int(segment.start), Int(segment.count)) else { return .missing }
                    current = child
                    canonical = canonical && childCanonical
                case UInt8(ascii: "["), UInt8(ascii: "\""):
                    return .unsupported
                default:
                    return .missing
                }
            }
            return .found(current, canonical: canonical)
        }
    }
}

extension CompiledMapping {
    /// The mapping as a ``DirectMapping``, when it is one of the forms that can write
    /// straight from event bytes.
    public var direct: DirectMapping? { DirectMapping(root) }
}
