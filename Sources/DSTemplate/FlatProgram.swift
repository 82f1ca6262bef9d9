import CFastScan
import DSJSON

/// The compiled form of a *flat* template: one whose root program is only literal text and
/// holes on root-level paths (`{{a.b}}`, `{{@settings.x}}`), with no blocks, partials,
/// helpers or `@root`. Most payload templates are flat. Rendering one skips the op loop and
/// the closures of the general renderer: it runs the template's *bind program*, computed
/// here once, a list of steps in the template's order that looks up each interior node of
/// the path trie (`Slot`) once, where its first hole needs it, and writes each hole (the
/// literal bytes before it, then its value; JSON string content through a vectorised
/// copy-and-scan, `CFastScan`).
///
/// It gives exactly the general renderer's bytes and errors (the same lookups, through
/// `Renderer.child` and the same member matching as `Renderer.position`; the same writers
/// for every value that is not a plain string in a JSON sink): `FlatProgramTests` compares
/// the two on chosen and random templates and events.
struct FlatProgram: @unchecked Sendable {
    /// One hole: the literal bytes `literals[literalStart..<literalStart + literalCount]`
    /// written before it, then member `segment` of the binding `parent` (an index into the
    /// render's bindings; `FlatProgram.dataParent`: the data variable `segment`) through `sink`.
    struct Hole {
        var literalStart: Int
        var literalCount: Int
        var parent: Int
        var key: Key
        var sink: Sink
    }

    /// A member name looked up in an object binding, with what makes the lookup cheap.
    struct Key {
        var segment: String
        /// `segment`'s 16 bytes if it is a small ASCII string (see `Renderer.position`): then
        /// one member at most matches it, so its lookup may start anywhere, and a candidate
        /// costs one 16-byte compare.
        var words: (UInt64, UInt64)
        var isSmallASCII: Bool

        init(_ segment: String) {
            self.segment = segment
            words = (0, 0)
            isSmallASCII = false
            #if arch(x86_64) || arch(arm64)
            words = unsafeBitCast(segment, to: (UInt64, UInt64).self)
            isSmallASCII = words.1 & Renderer.smallASCIIBits == Renderer.smallASCIIBits
            #endif
        }
    }

    /// `Hole.parent` of a hole on a data variable (`{{@name}}`).
    static let dataParent = -1

    /// A node of the root-level path trie (`Slot`), in an order where parents precede children.
    struct Node {
        /// A node index, or `Slot.root` / `Slot.data`.
        var parent: Int
        var key: Key
        /// Where this node's binding is kept if other nodes hang below it, else -1.
        var bound: Int
        /// The binding of `parent` (its `bound`, `interiorCount` for the root), or
        /// `FlatProgram.dataParent`.
        var parentBinding: Int
    }

    let holes: UnsafeMutableBufferPointer<Hole>
    let nodes: UnsafeMutableBufferPointer<Node>
    /// The bind program: per step, a hole index `h >= 0` (write hole `h`) or `~k` for an
    /// interior node `k` (bind it), in the template's order, each interior node just before
    /// the first hole below it (so parents before children). A template that reads an
    /// event's members in the event's order then finds each one where the previous lookup
    /// in the same object stopped.
    let steps: UnsafeMutableBufferPointer<Int>
    /// The literal text after the last hole: `literals[tailStart..<tailEnd]`.
    let tailStart: Int
    let tailEnd: Int

    /// The flat form of a template, or nil if its root program is not flat.
    init?(_ tables: ProgramTables) {
        guard tables.rootProgram >= 0, tables.rootProgram < tables.programs.count else { return nil }
        var holes: [Hole] = []
        var holeSlots: [Int] = []
        var literalStart = -1, literalEnd = -1
        let storedCount = tables.slots.reduce(0) { $1.stored >= 0 ? $0 + 1 : $0 }
        func binding(ofParent parent: Int) -> Int {
            switch parent {
            case Slot.data: return FlatProgram.dataParent
            case Slot.root: return storedCount
            default: return tables.slots[parent].stored
            }
        }
        for op in tables.ops[tables.programs[tables.rootProgram]] {
            switch op {
            case .text(let start, let end):
                if literalStart < 0 { (literalStart, literalEnd) = (start, end) }
                else if literalEnd == start { literalEnd = end }
                else { return nil }  // the compiler merges adjacent text; anything else is unexpected
            case .emitSlot(let slot, let sink):
                if literalStart < 0 { (literalStart, literalEnd) = (0, 0) }
                let node = tables.slots[slot]
                holes.append(Hole(literalStart: literalStart, literalCount: literalEnd - literalStart, parent: binding(ofParent: node.parent),
                                  key: Key(node.segment), sink: sink))
                holeSlots.append(slot)
                (literalStart, literalEnd) = (-1, -1)
            default:
                return nil
            }
        }
        if literalStart < 0 { (literalStart, literalEnd) = (0, 0) }
        let nodes = tables.slots.map { Node(parent: $0.parent, key: Key($0.segment), bound: $0.stored, parentBinding: binding(ofParent: $0.parent)) }
        // Parents first (the slot table's order), and every parent is bound.
        for (i, node) in nodes.enumerated() where node.parent >= 0 {
            guard node.parent < i, nodes[node.parent].bound >= 0 else { return nil }
        }
        // The render keeps node `k`'s binding in `bound[k]` and its copy in `copies[k]`,
        // buffers of `storedCount` entries written without checks: every stored index must be
        // in range and used once (the compiler numbers them densely; anything else takes the
        // general path).
        var isTaken = Array(repeating: false, count: storedCount)
        for node in nodes where node.bound >= 0 {
            guard node.bound < storedCount, !isTaken[node.bound] else { return nil }
            isTaken[node.bound] = true
        }
        // The bind program: before each hole, the interior nodes on its path not bound yet,
        // outermost first.
        var steps: [Int] = []
        var isBound = Array(repeating: false, count: nodes.count)
        for (h, slot) in holeSlots.enumerated() {
            var path: [Int] = []
            var p = nodes[slot].parent
            while p >= 0 {
                path.append(p)
                p = nodes[p].parent
            }
            for k in path.reversed() where !isBound[k] {
                isBound[k] = true
                steps.append(~k)
            }
            steps.append(h)
        }
        self.holes = .allocate(capacity: max(1, holes.count))
        _ = self.holes.initialize(from: holes)
        self.nodes = .allocate(capacity: max(1, nodes.count))
        _ = self.nodes.initialize(from: nodes)
        self.steps = .allocate(capacity: max(1, steps.count))
        _ = self.steps.initialize(from: steps)
        self.holeCount = holes.count
        self.nodeCount = nodes.count
        self.stepCount = steps.count
        self.interiorCount = storedCount
        tailStart = literalStart
        tailEnd = literalEnd
    }

    let holeCount: Int
    let nodeCount: Int
    let stepCount: Int
    /// The number of interior nodes (bound ones); the root's binding comes after theirs.
    let interiorCount: Int
    /// `StringBytes.isSupported`, read once.
    let readsStringsInPlace = StringBytes.isSupported

    /// Frees the buffers (called by the owning `ProgramStorage`).
    func deallocate() {
        holes.baseAddress?.deinitialize(count: holeCount)
        holes.deallocate()
        nodes.baseAddress?.deinitialize(count: nodeCount)
        nodes.deallocate()
        steps.deallocate()
    }
}

/// A bound interior node (or the root): an object's members in place, any other value in
/// place, or missing.
struct FlatBinding {
    enum Kind: UInt8 { case missing, members, value }
    var kind: Kind
    var keys: UnsafePointer<String>?
    /// `members`: the values' base; `value`: the value.
    var values: UnsafePointer<JSONValue>?
    var count: Int
    /// Where the next hole's member lookup starts: the general renderer's cursor (see
    /// `Renderer.position(of:in:startingAt:)`), moved by holes only, as there. It decides
    /// which member a key matches only when several could (keys that are not small ASCII).
    var cursor: Int
    /// Where the next lookup of a small ASCII key starts: after the last member found by any
    /// lookup. Such a key matches one member at most, so the start changes only the cost.
    var hint: Int

    @inline(__always)
    static var missing: FlatBinding { FlatBinding(kind: .missing, keys: nil, values: nil, count: 0, cursor: 0, hint: 0) }

    /// The binding of the value at `pointer`: an object without a hash index is viewed in
    /// place (its members stay valid while the value is alive and unchanged), anything else
    /// is read through `pointer`.
    @inline(__always)
    init(_ pointer: UnsafePointer<JSONValue>) {
        if let members = JSONObject.unsafeMembers(at: pointer) {
            self.init(kind: .members, keys: members.keys, values: members.values, count: members.count, cursor: 0, hint: 0)
        } else {
            self.init(kind: .value, keys: nil, values: pointer, count: 0, cursor: 0, hint: 0)
        }
    }

    @inline(__always)
    init(kind: Kind, keys: UnsafePointer<String>?, values: UnsafePointer<JSONValue>?, count: Int, cursor: Int, hint: Int) {
        self.kind = kind
        self.keys = keys
        self.values = values
        self.count = count
        self.cursor = cursor
        self.hint = hint
    }
}

/// Renders a `FlatProgram`: runs its bind program over one event.
enum FlatRenderer {
    /// Renders `root` with `data` (both read in place for the duration of the call).
    /// - Parameters:
    ///   - literals: the template's literal bytes (`ProgramStorage.literals`).
    ///   - javaScriptForm: when set, cleared as soon as a hole writes anything but a value in
    ///     `JSON.stringify` form (see `FlatProgram.isJavaScriptFormSkeleton`); nil for a plain render.
    static func render(_ flat: FlatProgram, _ literals: UnsafePointer<UInt8>, _ rootPointer: UnsafePointer<JSONValue>,
                       _ dataPointer: UnsafePointer<[String: JSONValue]>, into out: inout ByteWriter,
                       javaScriptForm: UnsafeMutablePointer<Bool>? = nil) throws(TemplateRenderError) {
        // One stack buffer: the interior nodes' bindings (by `Node.bound`) then the root's,
        // and a value slot per interior node for a value that is a copy (a data variable, an
        // array element) rather than in place in the event.
        let bindingCount = flat.interiorCount &+ 1
        let copyOffset = bindingCount &* MemoryLayout<FlatBinding>.stride
        let byteCount = copyOffset &+ flat.interiorCount &* MemoryLayout<JSONValue>.stride
        try withUnsafeTemporaryAllocation(byteCount: max(byteCount, 1), alignment: 16) { (raw) throws(TemplateRenderError) in
            let base = raw.baseAddress!
            let bound = base.bindMemory(to: FlatBinding.self, capacity: bindingCount)
            let copies = (base + copyOffset).bindMemory(to: JSONValue.self, capacity: flat.interiorCount)
            var copied = false
            defer { if copied { copies.deinitialize(count: flat.interiorCount) } }
            bound[flat.interiorCount] = FlatBinding(rootPointer)
            let steps = flat.steps.baseAddress!, holes = flat.holes.baseAddress!, nodes = flat.nodes.baseAddress!
            var s = 0
            while s < flat.stepCount {
                let step = steps[s]
                s &+= 1
                if step < 0 {
                    bind(nodes + ~step, bound, copies, flat.interiorCount, &copied, dataPointer)
                    continue
                }
                let hole = holes + step
                appendLiteral(literals + hole.pointee.literalStart, hole.pointee.literalCount, into: &out)
                let start = out.count
                // A string written through the clean copy is in form already (no byte it would
                // escape: `JSON.stringify` writes such content as it is); anything else is
                // checked on the bytes written.
                let clean = try writeHole(hole, bound, dataPointer, flat.readsStringsInPlace, into: &out)
                if !clean, let form = javaScriptForm, form.pointee {
                    form.pointee = isJavaScriptForm(UnsafeBufferPointer(rebasing: out.bytes[start...]), hole.pointee.sink)
                }
            }
            appendLiteral(literals + flat.tailStart, flat.tailEnd &- flat.tailStart, into: &out)
        }
    }

    /// Appends a literal run. The usual run between two holes (`","user":"`: 8 to 32 bytes) is
    /// copied inline with two to four overlapping 8-byte moves rather than a `memcpy` call;
    /// anything else through `ByteWriter.append`. The same bytes either way.
    @inline(__always)
    static func appendLiteral(_ source: UnsafePointer<UInt8>, _ n: Int, into out: inout ByteWriter) {
        guard n >= 8 && n <= 32 else {
            out.append(UnsafeBufferPointer(start: source, count: n))
            return
        }
        let src = UnsafeRawPointer(source), dst = UnsafeMutableRawPointer(out.reserveTail(n))
        let a = src.loadUnaligned(as: UInt64.self), b = src.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
        if n > 16 {
            let c = src.loadUnaligned(fromByteOffset: 8, as: UInt64.self), d = src.loadUnaligned(fromByteOffset: n &- 16, as: UInt64.self)
            dst.storeBytes(of: c, toByteOffset: 8, as: UInt64.self)
            dst.storeBytes(of: d, toByteOffset: n &- 16, as: UInt64.self)
        }
        dst.storeBytes(of: a, as: UInt64.self)
        dst.storeBytes(of: b, toByteOffset: n &- 8, as: UInt64.self)
        out.commitTail(n)
    }

    /// Binds interior node `node` from its parent's binding (bound before it).
    @inline(__always)
    private static func bind(_ node: UnsafeMutablePointer<FlatProgram.Node>, _ bound: UnsafeMutablePointer<FlatBinding>,
                             _ copies: UnsafeMutablePointer<JSONValue>, _ copyCount: Int, _ copied: inout Bool,
                             _ dataPointer: UnsafePointer<[String: JSONValue]>) {
        let k = node.pointee.bound
        let parentIndex = node.pointee.parentBinding
        var value: JSONValue?
        if parentIndex == FlatProgram.dataParent {
            // Kept in `copies[k]` below like any value that is not in place in the event (one
            // retain): an object's members (the usual `settings`, `secrets`) are then read
            // through storage the render holds until its end.
            value = dataValue(dataPointer, node.pointee.key.segment)
        } else {
            let parent = bound + parentIndex
            switch parent.pointee.kind {
            case .missing:
                bound[k] = .missing
                return
            case .members:
                // As the general renderer: a node's lookup starts at the object's first member.
                if let i = find(node.pointee.key, in: parent, from: 0) {
                    bound[k] = FlatBinding(parent.pointee.values! + i)
                } else {
                    bound[k] = .missing
                }
                return
            case .value:
                value = Renderer.child(parent.pointee.values!.pointee, node.pointee.key.segment)
            }
        }
        guard let value else {
            bound[k] = .missing
            return
        }
        if !copied {
            // Every slot holds a value from here on, so the render's end can release them all.
            copies.initialize(repeating: .null, count: copyCount)
            copied = true
        }
        copies[k] = value
        bound[k] = FlatBinding(UnsafePointer(copies + k))
    }

    /// The member of an object binding matching `key` (as `Renderer.position` matches it),
    /// or nil; moves the binding's hint past it. A small ASCII key is looked for from the
    /// hint (it matches one member at most, so only the cost depends on where the scan
    /// starts); any other key from `start`, as the general renderer.
    @inline(__always)
    static func find(_ key: FlatProgram.Key, in binding: UnsafeMutablePointer<FlatBinding>, from start: Int) -> Int? {
        let count = binding.pointee.count
        guard let keys = binding.pointee.keys, count > 0 else { return nil }
        let found: Int?
        #if arch(x86_64) || arch(arm64)
        if key.isSmallASCII {
            found = smallASCIIPosition(key, keys, count, from: binding.pointee.hint)
        } else {
            found = Renderer.position(of: key.segment, in: UnsafeBufferPointer(start: keys, count: count), startingAt: start)
        }
        #else
        found = Renderer.position(of: key.segment, in: UnsafeBufferPointer(start: keys, count: count), startingAt: start)
        #endif
        if let i = found { binding.pointee.hint = i &+ 1 == count ? 0 : i &+ 1 }
        return found
    }

    /// `Renderer.position` of a small ASCII key (same result), from `start` (in `0..<count`):
    /// a member matches if its 16 bytes are the key's, or if it is not a small string and
    /// equals the key with the same UTF-8 length.
    #if arch(x86_64) || arch(arm64)
    @inline(__always)
    private static func smallASCIIPosition(_ key: FlatProgram.Key, _ keys: UnsafePointer<String>, _ count: Int, from start: Int) -> Int? {
        let raw = UnsafeRawPointer(keys)
        var i = start
        for _ in 0..<count {
            let offset = i &* MemoryLayout<String>.stride
            let w1 = raw.load(fromByteOffset: offset &+ 8, as: UInt64.self)
            if w1 == key.words.1 && raw.load(fromByteOffset: offset, as: UInt64.self) == key.words.0 { return i }
            if w1 & Renderer.smallBit == 0, sameLargeKey(keys + i, key.segment) { return i }
            i = i &+ 1 == count ? 0 : i &+ 1
        }
        return nil
    }

    /// A key that is not a small string compared as `Renderer.position` does (out of line:
    /// parsed keys of up to 15 bytes are small, so this is rare).
    @inline(never)
    private static func sameLargeKey(_ candidate: UnsafePointer<String>, _ key: String) -> Bool {
        candidate.pointee.utf8.count == key.utf8.count && candidate.pointee == key
    }
    #endif

    /// Writes one hole's value (not its literal text). True if it was a string in a JSON
    /// sink that needed no escaping (`dspec_json_copy_clean` took it whole).
    @inline(__always)
    private static func writeHole(_ hole: UnsafeMutablePointer<FlatProgram.Hole>, _ bound: UnsafeMutablePointer<FlatBinding>,
                                  _ dataPointer: UnsafePointer<[String: JSONValue]>, _ readsStringsInPlace: Bool,
                                  into out: inout ByteWriter) throws(TemplateRenderError) -> Bool {
        let parentIndex = hole.pointee.parent
        if parentIndex == FlatProgram.dataParent {
            try Renderer.write(dataValue(dataPointer, hole.pointee.key.segment), hole.pointee.sink, into: &out)
            return false
        }
        let parent = bound + parentIndex
        switch parent.pointee.kind {
        case .members:
            if let i = find(hole.pointee.key, in: parent, from: parent.pointee.cursor) {
                parent.pointee.cursor = parent.pointee.hint
                let value = parent.pointee.values! + i
                let sink = hole.pointee.sink
                // A string or number in a JSON sink, the usual hole: its bytes read where they are.
                if readsStringsInPlace, sink == .jsonString || sink == .jsonValue, let kind = textKind(value),
                   let (bytes, count) = StringBytes.utf8(at: UnsafeRawPointer(value)) {
                    let text = UnsafeBufferPointer(start: bytes, count: count)
                    if kind == .number && sink == .jsonValue {
                        // As `Renderer.write(inPlace:)`: a number's text as it is.
                        out.append(text)
                    } else {
                        return appendJSONString(text, quoted: kind == .string && sink == .jsonValue, into: &out)
                    }
                } else {
                    try write(value, sink, into: &out)
                }
            } else {
                Renderer.writeMissing(hole.pointee.sink, into: &out)
            }
        case .value:
            try Renderer.write(Renderer.child(parent.pointee.values!.pointee, hole.pointee.key.segment), hole.pointee.sink, into: &out)
        case .missing:
            Renderer.writeMissing(hole.pointee.sink, into: &out)
        }
        return false
    }

    /// Whether a hole's output leaves a skeleton in `JSON.stringify` form in that form: string
    /// content that needs no rewriting in a string, one such scalar in a value position.
    static func isJavaScriptForm(_ written: UnsafeBufferPointer<UInt8>, _ sink: Sink) -> Bool {
        switch sink {
        case .jsonString: return JavaScriptJSON.isNormalStringContent(written)
        case .jsonValue: return JavaScriptJSON.isNormalScalar(written)
        default: return false
        }
    }

    /// `data[name]` (same result): a small dictionary (the usual `settings`, `secrets`,
    /// `lookups`) is scanned rather than hashed, comparing two small ASCII keys by their 16
    /// bytes (see `Renderer.position`) and any other pair with `==`, as the dictionary does.
    @inline(__always)
    static func dataValue(_ data: UnsafePointer<[String: JSONValue]>, _ name: String) -> JSONValue? {
        #if arch(x86_64) || arch(arm64)
        let dictionary = data.pointee
        guard dictionary.count <= 8 else { return dictionary[name] }
        let words = unsafeBitCast(name, to: (UInt64, UInt64).self)
        let smallASCII = words.1 & Renderer.smallASCIIBits == Renderer.smallASCIIBits
        var i = dictionary.startIndex
        while i != dictionary.endIndex {
            let key = dictionary.keys[i]
            let keyWords = unsafeBitCast(key, to: (UInt64, UInt64).self)
            if keyWords == words { return dictionary.values[i] }
            if !(smallASCII && keyWords.1 & Renderer.smallASCIIBits == Renderer.smallASCIIBits), key == name { return dictionary.values[i] }
            dictionary.formIndex(after: &i)
        }
        return nil
        #else
        return data.pointee[name]
        #endif
    }

    enum TextKind { case string, number }

    /// Whether a value is a string or a number, both of which hold one `String` (a number its
    /// text) where `StringBytes` reads it; nil for anything else.
    @inline(__always)
    static func textKind(_ value: UnsafePointer<JSONValue>) -> TextKind? {
        switch value.pointee {
        case .string: return .string
        case .number: return .number
        default: return nil
        }
    }

    /// A member value, read in place (lent, see `Renderer.withLent`): a string in a JSON sink
    /// through the vectorised copy, anything else through the general renderer's writer.
    /// (Not inlined, for the reason given at `Renderer.write(inPlace:_:into:)`.)
    @inline(never)
    static func write(_ pointer: UnsafePointer<JSONValue>, _ sink: Sink, into out: inout ByteWriter) throws(TemplateRenderError) {
        try Renderer.withLent(pointer) { (value) throws(TemplateRenderError) in
            if case .string(let s) = value, sink == .jsonString || sink == .jsonValue {
                writeJSONString(s, quoted: sink == .jsonValue, into: &out)
            } else {
                try Renderer.write(inPlace: &value, sink, into: &out)
            }
        }
    }

    /// A string as JSON string content, in quotes if `quoted`. Out of line so the string is
    /// borrowed, not copied (see `Renderer.write(inPlace:_:into:)`).
    @inline(never)
    static func writeJSONString(_ s: String, quoted: Bool, into out: inout ByteWriter) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { appendJSONString($0, quoted: quoted, into: &out) }
        if done == nil {
            var copy = s
            copy.withUTF8 { appendJSONString($0, quoted: quoted, into: &out) }
        }
    }

    /// JSON-string-escapes bytes, in quotes if `quoted`, exactly as `JSONWriter.appendEscaped`:
    /// the clean prefix is copied and scanned 16 bytes at a time (`dspec_json_copy_clean`),
    /// and from the first byte that may need escaping on, `JSONWriter` writes the rest. (Its
    /// output for the whole equals the prefix followed by its output for the rest: a clean
    /// prefix holds no byte it escapes or looks ahead from.)
    /// Returns true if no byte needed escaping (the whole was copied as it is).
    @inline(__always) @discardableResult
    static func appendJSONString(_ buf: UnsafeBufferPointer<UInt8>, quoted: Bool, into out: inout ByteWriter) -> Bool {
        let n = buf.count
        let open = quoted ? 1 : 0
        let tail = out.reserveTail(n &+ 2)
        tail.pointee = UInt8(ascii: "\"")
        let clean = buf.baseAddress.map { dspec_json_copy_clean(tail + open, $0, n) } ?? 0
        if clean == n {
            if quoted { tail[open &+ n] = UInt8(ascii: "\"") }
            out.commitTail(n &+ 2 &* open)
            return true
        }
        out.commitTail(open &+ clean)
        JSONWriter.appendEscaped(UnsafeBufferPointer(rebasing: buf[clean...]), into: &out)
        if quoted { out.append(UInt8(ascii: "\"")) }
        return false
    }

    /// `dspec_json_copy_clean` on a buffer (for tests).
    static func copyClean(_ dst: UnsafeMutablePointer<UInt8>, _ src: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = src.baseAddress else { return 0 }
        return dspec_json_copy_clean(dst, base, src.count)
    }

    /// `appendJSONString` without quotes (for tests).
    static func appendJSONEscaped(_ buf: UnsafeBufferPointer<UInt8>, into out: inout ByteWriter) {
        appendJSONString(buf, quoted: false, into: &out)
    }
}

extension CompiledTemplate {
    /// True if the template renders through its flat form (`FlatProgram`).
    var hasFlatForm: Bool { storage.flat != nil }

    /// Renders through the general renderer even if the template is flat: for the tests
    /// that compare the two paths.
    func renderGeneral(_ root: JSONValue, data: [String: JSONValue] = [:]) throws(TemplateRenderError) -> String {
        try ByteWriter.withScratch(capacity: 64) { (out) throws(TemplateRenderError) -> String in
            try Renderer.renderGeneral(storage, root, data, maxPartialDepth: options.maxPartialDepth, into: &out)
            return String(decoding: out.bytes, as: UTF8.self)
        }
    }
}

/// A string's UTF-8 read from the 16 bytes of a `String` in place, with no call and no
/// reference counting, for the flat renderer's holes. Swift's 64-bit `String` layout (ABI-stable
/// on Apple platforms, the same on Linux): a *small* string (bit 61 of the second word) holds
/// its up to 15 bytes inline, its count in bits 56-59 of the second word; a large one whose
/// storage is tail-allocated (bit 60 of the first word; native strings and literals) has its
/// count in the low 48 bits of the first word and its bytes 32 bytes past the address in the
/// low 60 bits of the second. Anything else (bridged, foreign, shared storage) gives nil and
/// takes the standard library's path. `isSupported` checks the decoding on sample strings once,
/// so a layout that differs turns the in-place read off rather than reading wrong memory; the
/// check compares decoded addresses with the standard library's (`withContiguousStorageIfAvailable`)
/// and reads only bytes inside the value itself, so a different layout cannot crash it either.
enum StringBytes {
    /// True if `utf8(at:)` decodes this platform's strings, checked on samples (small and
    /// large, ASCII and not, literal and built at run time) held in a `JSONValue.string` and
    /// as a `JSONValue.number`'s text.
    static let isSupported: Bool = {
        #if (arch(x86_64) || arch(arm64)) && _endian(little)
        guard MemoryLayout<String>.size == 16 else { return false }
        // Built at run time (native storage) as well as literals (immortal storage).
        let built = String(repeating: "x", count: 40) + "é" + String(MemoryLayout<String>.size)
        let samples: [String] = ["", "a", "abc", "é😀", "fifteen-bytes!!", "sixteen-bytes!!!", "a literal longer than fifteen bytes",
                                 built, String(built.prefix(3)), "\(built.utf8.count)-ok", String(decoding: Array(built.utf8.dropFirst(20)), as: UTF8.self)]
        for sample in samples {
            // The standard library's own view of the sample's bytes: for a large string, the
            // address of its storage, which the held copies share.
            guard let expected = sample.utf8.withContiguousStorageIfAvailable({ (UInt(bitPattern: $0.baseAddress), Array($0)) }) else { return false }
            for var value in [JSONValue.string(sample), JSONValue.number(JSONNumber(text: sample))] {
                let agrees: Bool = withUnsafePointer(to: &value) { pointer in
                    let p = UnsafeRawPointer(pointer)
                    guard let (start, count) = utf8(at: p), count == expected.1.count else { return false }
                    // The check itself never reads through a decoded address it has not proved:
                    // inline bytes lie within the value's own 16 bytes; out-of-line bytes must be
                    // at the very address the standard library gives for the same storage.
                    if UnsafeRawPointer(start) == p { return count <= 15 && Array(UnsafeBufferPointer(start: start, count: count)) == expected.1 }
                    return UInt(bitPattern: start) == expected.0 && expected.0 != 0
                }
                if !agrees { return false }
            }
        }
        return true
        #else
        return false
        #endif
    }()

    /// The UTF-8 of the `String` whose 16 bytes are at `p` (see the type's comment), or nil.
    /// Valid while that string is alive and unchanged.
    @inline(__always)
    static func utf8(at p: UnsafeRawPointer) -> (UnsafePointer<UInt8>, Int)? {
        #if (arch(x86_64) || arch(arm64)) && _endian(little)
        let w0 = p.load(as: UInt64.self), w1 = p.load(fromByteOffset: 8, as: UInt64.self)
        if w1 & (1 << 61) != 0 {
            return (p.assumingMemoryBound(to: UInt8.self), Int(truncatingIfNeeded: (w1 >> 56) & 0xF))
        }
        // Large: not bridged (bit 62), not foreign (bit 60), and tail-allocated.
        guard (w1 >> 60) & 0b0101 == 0, w0 & (1 << 60) != 0,
              let start = UnsafePointer<UInt8>(bitPattern: UInt(truncatingIfNeeded: w1 & 0x0FFF_FFFF_FFFF_FFFF) &+ 32) else { return nil }
        return (start, Int(truncatingIfNeeded: w0 & 0xFFFF_FFFF_FFFF))
        #else
        return nil
        #endif
    }
}

extension FlatProgram {
    /// True if the template's literal text is JSON in `JSON.stringify` form whatever scalar
    /// in that form each hole writes, so that a render whose every hole did
    /// (`FlatRenderer.isJavaScriptForm`) is in that form as a whole and needs no
    /// normalization. Checked on the skeleton, the literal text with an empty string content
    /// for each hole inside a string and `0` for each hole in a value position:
    /// - the skeleton is unchanged by `JavaScriptJSON.normalize` (valid JSON, no whitespace,
    ///   no repeated or array-index key, every literal string and number in normal form);
    /// - every string hole lies inside a JSON string that is not a key (a key written by a
    ///   hole could repeat another or be an array index, which the normalization reorders);
    /// - every value hole stands alone between structural characters (so the scalar it writes
    ///   cannot merge with the text around it into another token).
    /// Holes of any other sink make it false. A hole's scalar then only replaces a scalar of
    /// the same token structure, which is why the whole stays in normal form.
    func isJavaScriptFormSkeleton(_ literals: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        guard let base = literals.baseAddress else { return false }
        var skeleton: [UInt8] = []
        var holeOffsets: [(offset: Int, sink: Sink)] = []
        for h in 0..<holeCount {
            let hole = holes[h]
            skeleton.append(contentsOf: UnsafeBufferPointer(start: base + hole.literalStart, count: hole.literalCount))
            switch hole.sink {
            case .jsonString: holeOffsets.append((skeleton.count, .jsonString))
            case .jsonValue:
                holeOffsets.append((skeleton.count, .jsonValue))
                skeleton.append(UInt8(ascii: "0"))
            default: return false
            }
        }
        skeleton.append(contentsOf: UnsafeBufferPointer(start: base + tailStart, count: tailEnd - tailStart))
        guard let normal = try? JavaScriptJSON.normalize(skeleton), normal == skeleton else { return false }
        // Where strings are: the skeleton is valid compact JSON, so a quote outside a string
        // opens one and an unescaped quote inside closes it.
        let n = skeleton.count
        var inString = false, escaped = false
        var stringAt = Array(repeating: false, count: n + 1)  // inside a string's content before byte i
        var closeAfter = Array(repeating: -1, count: n + 1)   // the index of the quote closing the string open at i
        var escapeAt = Array(repeating: false, count: n + 1)  // before byte i is inside an escape (`\"`, `\u00e9`)
        var openSince = -1
        for i in 0..<n {
            stringAt[i] = inString
            let c = skeleton[i]
            if inString {
                if escaped { escaped = false } else if c == 0x5C {
                    escaped = true
                    // After the backslash up to the escape's last byte: `\u` and its four hex
                    // digits, or the one character of a short escape. A hole there would write
                    // into the escape (`\u00{{x}}1f` with x = "41" is `\u00411f`, "A1f").
                    let end = i + 1 < n && skeleton[i + 1] == UInt8(ascii: "u") ? i + 6 : i + 2
                    for k in (i + 1)..<min(end, n + 1) { escapeAt[k] = true }
                } else if c == 0x22 {
                    inString = false
                    for k in (openSince + 1)...i { closeAfter[k] = i }
                }
            } else if c == 0x22 {
                inString = true
                openSince = i
            }
        }
        stringAt[n] = inString
        let structuralBefore: Set<UInt8> = [UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "[")]
        let structuralAfter: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")]
        for (offset, sink) in holeOffsets {
            switch sink {
            case .jsonString:
                // Inside a string (after its opening quote, up to its closing one), not inside an
                // escape, and the string is not followed by `:`.
                guard offset < n, stringAt[offset], closeAfter[offset] >= 0, !escapeAt[offset] else { return false }
                let close = closeAfter[offset]
                if close + 1 < n, skeleton[close + 1] == UInt8(ascii: ":") { return false }
            default:
                guard !stringAt[offset] else { return false }
                if offset > 0, !structuralBefore.contains(skeleton[offset - 1]) { return false }
                if offset + 1 < n, !structuralAfter.contains(skeleton[offset + 1]) { return false }
            }
        }
        return true
    }
}

extension CompiledTemplate {
    /// A template's proof, made once, that its literal text is JSON in `JSON.stringify` form
    /// whatever scalar in that form each hole writes (`FlatProgram.isJavaScriptFormSkeleton`);
    /// nil when the template is not flat or the proof fails. Computed on each call: keep it.
    public var javaScriptFormSkeleton: JavaScriptFormSkeleton? {
        guard let flat = storage.flat, flat.isJavaScriptFormSkeleton(storage.literals) else { return nil }
        return JavaScriptFormSkeleton(storage: storage, flat: flat)
    }

    /// Renders like ``render(_:data:into:)-([UInt8])`` (the same bytes, the same errors) and
    /// returns true if the output is provably `JSON.stringify(JSON.parse(output))` already:
    /// `skeleton` is this template's ``javaScriptFormSkeleton`` and every hole wrote a value
    /// in that form. False says nothing (the caller normalizes as before). Checking a hole
    /// costs at most a scan of the bytes it wrote (none for a string copied clean), not a
    /// scan of the whole output.
    public func renderJavaScriptForm(_ root: JSONValue, data: [String: JSONValue], skeleton: JavaScriptFormSkeleton,
                                     into out: inout [UInt8]) throws(TemplateRenderError) -> Bool {
        guard skeleton.storage === storage else {
            try render(root, data: data, into: &out)
            return false
        }
        return try skeleton.render(root, data: data, into: &out)
    }
}

/// See ``CompiledTemplate/javaScriptFormSkeleton``: valid for the template that made it only,
/// which it keeps alive. It renders that template by itself (``render(_:data:into:)``).
public struct JavaScriptFormSkeleton: @unchecked Sendable {
    /// The template's program: kept alive by this reference, read through `flat` and
    /// `literals`, which are plain pointers (a render touches no reference count).
    let storage: ProgramStorage
    let flat: FlatProgram
    let literals: UnsafePointer<UInt8>

    init(storage: ProgramStorage, flat: FlatProgram) {
        self.storage = storage
        self.flat = flat
        literals = UnsafePointer(storage.literals.baseAddress!)
    }

    /// `template.renderJavaScriptForm(root, data: data, skeleton: self, into: &out)`, called on
    /// the skeleton (so that a caller holding both in optionals reads them in place).
    @inline(__always)
    public func render(_ template: CompiledTemplate, _ root: JSONValue, data: [String: JSONValue], into out: inout [UInt8]) throws(TemplateRenderError) -> Bool {
        try template.renderJavaScriptForm(root, data: data, skeleton: self, into: &out)
    }

    /// Renders the template that made this skeleton, as
    /// ``CompiledTemplate/renderJavaScriptForm(_:data:skeleton:into:)`` does (the same bytes,
    /// the same errors, the same answer), without the template: the render reads the
    /// program through plain pointers, so it retains and releases nothing.
    public func render(_ root: JSONValue, data: [String: JSONValue], into out: inout [UInt8]) throws(TemplateRenderError) -> Bool {
        // Locals, so the closures below capture pointers and plain values only (capturing
        // `self` would retain `storage`).
        let flat = self.flat, literals = self.literals
        var form = true
        try withUnsafePointer(to: root) { (root) throws(TemplateRenderError) in
            try withUnsafePointer(to: data) { (data) throws(TemplateRenderError) in
                try withUnsafeMutablePointer(to: &form) { (form) throws(TemplateRenderError) in
                    try ByteWriter.withScratch(capacity: CompiledTemplate.scratchCapacity) { (scratch) throws(TemplateRenderError) in
                        try FlatRenderer.render(flat, literals, root, data, into: &scratch, javaScriptForm: form)
                        out.append(contentsOf: scratch)
                    }
                }
            }
        }
        return form
    }
}
