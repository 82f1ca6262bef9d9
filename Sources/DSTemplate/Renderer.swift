import DSJSON

/// Variables a block sets for its body: `@index`, `@key`, `@first`, `@last`.
struct Frame {
    var index: Int
    var key: JSONValue
    var first: Bool
    var last: Bool
}

/// A resolved interior node of the root-level path trie (see `Slot`), or the render root.
/// Trivial to copy: the holes below a node read their values through it with no
/// reference counting on the objects they sit in.
///
/// Read-only: a value is lent from one `inout` to the writers through a private bitwise
/// copy (`Renderer.withLent`), never by an access to the event's own memory.
enum SlotBinding {
    /// The path is missing.
    case missing
    /// An object (without a hash index) read in place: its key and value buffers, valid
    /// while the `withUnsafeMembers` call that `Renderer.withBinding` makes for it runs,
    /// which spans the rest of the render.
    case members(keys: UnsafeBufferPointer<String>, values: UnsafeBufferPointer<JSONValue>)
    /// Anything else (arrays, strings, scalars, objects with a hash index), valid likewise.
    case value(UnsafePointer<JSONValue>)
}

/// A binding and where the next member lookup in it starts (see
/// `JSONObject.position(of:in:startingAt:)`).
struct BoundSlot {
    var binding: SlotBinding
    var cursor: Int
}

/// Executes a compiled op list against an event. One renderer per render call: it holds the
/// context stack and block frames; the tables it reads are immutable and shared.
///
/// Output goes to a `ByteWriter` (one capacity check and one memcpy per chunk). Holes at
/// the top level read event values in place through `SlotBinding`s rather than copying
/// the objects they sit in (a copy retains and releases each of the object's arrays).
struct Renderer {
    /// Owned by the `CompiledTemplate` being rendered, which outlives the render.
    unowned(unsafe) let storage: ProgramStorage
    /// The caller's data and root, read in place: both are parameters of the render call
    /// (`Renderer.with`), alive and unchanged for its whole duration, so the renderer
    /// retains neither (a copy of the root retains each of its arrays).
    let dataPointer: UnsafePointer<[String: JSONValue]>
    let rootPointer: UnsafePointer<JSONValue>
    let maxPartialDepth: Int
    /// The context when it is not the render root (inside `#each`, `#with`, partials).
    /// Optional so that starting a render does not copy the root a second time.
    var contextOverride: JSONValue?
    var stack: [JSONValue] = []
    var frames: [Frame] = []
    var partialDepth = 0
    /// The bound interior nodes of the slot trie, indexed by `Slot.stored`, then the render
    /// root at `rootBindingIndex`; stack memory owned by `runRoot` for the duration of the
    /// render (no per-render allocation).
    var boundSlots = UnsafeMutableBufferPointer<BoundSlot>(start: nil, count: 0)

    private init(storage: ProgramStorage, root: UnsafePointer<JSONValue>, data: UnsafePointer<[String: JSONValue]>, maxPartialDepth: Int) {
        self.storage = storage
        self.dataPointer = data
        self.rootPointer = root
        self.maxPartialDepth = maxPartialDepth
    }

    /// Runs `body` with a renderer for `root` and `data`, which it reads in place for the
    /// duration of the call.
    @inline(__always)
    static func with<R>(_ storage: ProgramStorage, _ root: JSONValue, _ data: [String: JSONValue], maxPartialDepth: Int,
                        _ body: (inout Renderer) throws(TemplateRenderError) -> R) throws(TemplateRenderError) -> R {
        try withUnsafePointer(to: root) { (rootPointer) throws(TemplateRenderError) -> R in
            try withUnsafePointer(to: data) { (dataPointer) throws(TemplateRenderError) -> R in
                var renderer = Renderer(storage: storage, root: rootPointer, data: dataPointer, maxPartialDepth: maxPartialDepth)
                return try body(&renderer)
            }
        }
    }

    /// The `@` variables.
    @inline(__always)
    var data: [String: JSONValue] { dataPointer.pointee }
    /// The render root.
    @inline(__always)
    var renderRoot: JSONValue { rootPointer.pointee }

    @inline(__always)
    var tables: ProgramTables { storage.tables }

    /// The current context (`this`).
    var current: JSONValue {
        get { contextOverride ?? renderRoot }
        set { contextOverride = newValue }
    }

    @inline(__always)
    var rootBindingIndex: Int { storage.storedSlots }

    /// Renders a template's root program. (The render entry points of `CompiledTemplate`
    /// all come here rather than calling each other, which also keeps callgrind's
    /// `--toggle-collect=*CompiledTemplate*render*` from toggling twice on nested calls.)
    /// A flat template (`FlatProgram`) takes its own, shorter path. `root` and `data` are read
    /// in place for the duration of the call.
    static func render(_ storage: ProgramStorage, _ root: UnsafePointer<JSONValue>, _ data: UnsafePointer<[String: JSONValue]>,
                       maxPartialDepth: Int, into out: inout ByteWriter) throws(TemplateRenderError) {
        if let flat = storage.flat { return try FlatRenderer.render(flat, storage.literals.baseAddress!, root, data, into: &out) }
        var renderer = Renderer(storage: storage, root: root, data: data, maxPartialDepth: maxPartialDepth)
        try renderer.runRoot(into: &out)
    }

    /// The general path only (what `render` does for a template that is not flat): for tests
    /// comparing the flat path with it.
    static func renderGeneral(_ storage: ProgramStorage, _ root: JSONValue, _ data: [String: JSONValue], maxPartialDepth: Int,
                              into out: inout ByteWriter) throws(TemplateRenderError) {
        try Renderer.with(storage, root, data, maxPartialDepth: maxPartialDepth) { (renderer) throws(TemplateRenderError) in
            try renderer.runRoot(into: &out)
        }
    }

    /// Renders the root program: binds the render root and the interior nodes of the slot
    /// trie (parents first), then runs the ops.
    mutating func runRoot(into out: inout ByteWriter) throws(TemplateRenderError) {
        try withUnsafeTemporaryAllocation(of: BoundSlot.self, capacity: storage.storedSlots + 1) { (bound) throws(TemplateRenderError) in
            boundSlots = bound
            defer { boundSlots = UnsafeMutableBufferPointer(start: nil, count: 0) }
            try Renderer.withLent(rootPointer) { (root) throws(TemplateRenderError) in
                try Renderer.withBinding(&root, &self, &out) { (binding, renderer, out) throws(TemplateRenderError) in
                    renderer.boundSlots.initializeElement(at: renderer.rootBindingIndex, to: BoundSlot(binding: binding, cursor: 0))
                    try renderer.bindSlots(from: 0, into: &out)
                }
            }
        }
    }

    /// Calls `body` with the binding for `value`: an object is viewed in place for the
    /// duration of `body`. `value` is `inout` only so it is borrowed rather than copied
    /// (see `write(inPlace:)`); it is not modified, and it is a local or a lent copy
    /// (``withLent(_:_:)``), never the event's own memory. (Static, with the renderer
    /// passed through, so the closure does not capture `self` while it is being mutated.)
    @inline(__always)
    private static func withBinding(
        _ value: inout JSONValue, _ renderer: inout Renderer, _ out: inout ByteWriter,
        _ body: (SlotBinding, inout Renderer, inout ByteWriter) throws(TemplateRenderError) -> Void
    ) throws(TemplateRenderError) {
        if case .object(let object) = value, !object.hasHashIndex {
            try object.withUnsafeMembers { (keys, values) throws(TemplateRenderError) in
                try body(.members(keys: keys, values: values), &renderer, &out)
            }
        } else {
            try withUnsafeMutablePointer(to: &value) { (pointer) throws(TemplateRenderError) in
                try body(.value(UnsafePointer(pointer)), &renderer, &out)
            }
        }
    }

    /// Binds interior slots `k...` (each inside the scope of its parent's binding, so the
    /// buffers it points into stay valid), then runs the root program.
    private mutating func bindSlots(from k: Int, into out: inout ByteWriter) throws(TemplateRenderError) {
        guard k < storage.storedSlots else { return try run(storage.tables.rootProgram, into: &out) }
        let slot = storage.slots[storage.interiorSlots[k]]
        // The node's value: in place in its parent object, or else a copy.
        var found: UnsafePointer<JSONValue>?
        var copy: JSONValue?
        switch slot.parent {
        case Slot.data: copy = dataPointer.pointee[slot.segment]
        default:
            let parent = slot.parent == Slot.root ? rootBindingIndex : storage.slots[slot.parent].stored
            switch boundSlots[parent].binding {
            case .missing: break
            case .members(let keys, let values):
                if let i = Renderer.position(of: slot.segment, in: keys, startingAt: 0) { found = values.baseAddress! + i }
            case .value(let value): copy = Renderer.child(value.pointee, slot.segment)
            }
        }
        if let found {
            try Renderer.withLent(found) { (value) throws(TemplateRenderError) in
                try Renderer.withBinding(&value, &self, &out) { (binding, renderer, out) throws(TemplateRenderError) in
                    try renderer.bind(k, to: binding, thenContinueInto: &out)
                }
            }
        } else if var copy {
            try Renderer.withBinding(&copy, &self, &out) { (binding, renderer, out) throws(TemplateRenderError) in
                try renderer.bind(k, to: binding, thenContinueInto: &out)
            }
        } else {
            try bind(k, to: .missing, thenContinueInto: &out)
        }
    }

    private mutating func bind(_ k: Int, to binding: SlotBinding, thenContinueInto out: inout ByteWriter) throws(TemplateRenderError) {
        boundSlots.initializeElement(at: k, to: BoundSlot(binding: binding, cursor: 0))
        try bindSlots(from: k + 1, into: &out)
    }

    /// Writes slot `index` (usually a leaf; an interior node written as a hole too is
    /// written the same way), reading it from its parent's binding.
    @inline(__always)
    func emitSlot(_ index: Int, _ sink: Sink, into out: inout ByteWriter) throws(TemplateRenderError) {
        let slot = storage.slots.baseAddress! + index
        let parent = slot.pointee.parent
        if parent == Slot.data { return try Renderer.write(dataPointer.pointee[slot.pointee.segment], sink, into: &out) }
        let bound = boundSlots.baseAddress! + (parent == Slot.root ? rootBindingIndex : storage.slots[parent].stored)
        switch bound.pointee.binding {
        case .members(let keys, let values):
            if let i = Renderer.position(of: slot.pointee.segment, in: keys, startingAt: bound.pointee.cursor) {
                bound.pointee.cursor = i &+ 1 == keys.count ? 0 : i &+ 1
                try Renderer.withLent(values.baseAddress! + i) { (value) throws(TemplateRenderError) in
                    try Renderer.write(inPlace: &value, sink, into: &out)
                }
            } else {
                Renderer.writeMissing(sink, into: &out)
            }
        case .value(let value): try Renderer.write(Renderer.child(value.pointee, slot.pointee.segment), sink, into: &out)
        case .missing: Renderer.writeMissing(sink, into: &out)
        }
    }

    /// `JSONObject.position(of:in:startingAt:)` (same result), faster for the usual key: a
    /// small ASCII string (at most 15 bytes, stored inline). Two small strings with the
    /// same content have the same 16 bytes, and a small string whose bytes differ from an
    /// ASCII key's cannot equal it under `position`'s rule (equal UTF-8 length and `==`: a
    /// non-ASCII string is canonically equivalent to an ASCII one only when it is longer,
    /// as U+212A KELVIN SIGN is to "K"). So a candidate costs one 16-byte compare, and only
    /// one that is not small (a heap string) is compared the general way.
    @inline(__always)
    static func position(of key: String, in keys: UnsafeBufferPointer<String>, startingAt start: Int) -> Int? {
        let n = keys.count
        guard n > 0, let base = keys.baseAddress, start >= 0, start < n else { return nil }
        #if arch(x86_64) || arch(arm64)
        let k = unsafeBitCast(key, to: (UInt64, UInt64).self)
        guard k.1 & smallASCIIBits == smallASCIIBits else { return JSONObject.position(of: key, in: keys, startingAt: start) }
        let raw = UnsafeRawPointer(base)
        let length = key.utf8.count
        var i = start
        for _ in 0..<n {
            let offset = i &* MemoryLayout<String>.stride
            let w0 = raw.load(fromByteOffset: offset, as: UInt64.self), w1 = raw.load(fromByteOffset: offset &+ 8, as: UInt64.self)
            if w0 == k.0 && w1 == k.1 { return i }
            if w1 & smallBit == 0, base[i].utf8.count == length, base[i] == key { return i }
            i = i &+ 1 == n ? 0 : i &+ 1
        }
        return nil
        #else
        return JSONObject.position(of: key, in: keys, startingAt: start)
        #endif
    }

    /// In the second word of a string's 16 bytes (64-bit little-endian platforms): bit 61 marks a small
    /// (inline) string; bits 63 and 62 with it, an immortal small ASCII one.
    @inline(__always) static var smallBit: UInt64 { 1 << 61 }
    @inline(__always) static var smallASCIIBits: UInt64 { 0b111 << 61 }

    /// One step of a path: an object member, an array index or `length`.
    @inline(__always)
    static func child(_ value: JSONValue, _ segment: String) -> JSONValue? {
        switch value {
        case .object(let o): return o[segment]
        case .array(let a):
            if segment == "length" { return .int(a.count) }
            guard let k = Int(segment), k >= 0, k < a.count else { return nil }
            return a[k]
        case .string(let s) where segment == "length":
            // JavaScript's string length, as `{{length}}` on a string context gives in Handlebars.
            return .int(s.utf16.count)
        default:
            return nil
        }
    }

    // MARK: - Values

    /// Walks path segments from a value. Arrays accept numeric segments and `length`.
    @inline(__always)
    static func walk(_ start: JSONValue, _ segments: [String], from first: Int = 0) -> JSONValue? {
        var value = start
        var i = first
        while i < segments.count {
            guard let next = child(value, segments[i]) else { return nil }
            value = next
            i += 1
        }
        return value
    }

    func dataVariable(_ name: String) -> JSONValue? {
        if let frame = frames.last {
            switch name {
            case "index": return .int(frame.index)
            case "key": return frame.key
            case "first": return .bool(frame.first)
            case "last": return .bool(frame.last)
            default: break
            }
        }
        return data[name]
    }

    func resolve(_ pathIndex: Int) -> JSONValue? {
        let spec = tables.paths[pathIndex]
        switch spec.base {
        case .context(let up):
            if up == 0 { return Renderer.walk(current, spec.segments) }
            guard up <= stack.count else { return nil }
            return Renderer.walk(stack[stack.count - up], spec.segments)
        case .compat:
            if let v = Renderer.walk(current, spec.segments) { return v }
            // Mustache lookup: the first context (innermost first) holding the first segment.
            for context in stack.reversed() {
                if case .object(let o) = context, let head = o[spec.segments[0]] {
                    return Renderer.walk(head, spec.segments, from: 1)
                }
            }
            return nil
        case .root:
            return Renderer.walk(data["root"] ?? renderRoot, spec.segments)
        case .data(let name):
            guard let head = dataVariable(name) else { return nil }
            return Renderer.walk(head, spec.segments)
        }
    }

    func eval(_ e: Int) -> JSONValue? {
        switch tables.exprs[e] {
        case .path(let p): return resolve(p)
        case .literal(let v): return v
        case .helper(let h, let args):
            var values: [JSONValue?] = []
            values.reserveCapacity(args.count)
            for a in args { values.append(eval(a)) }
            return h.apply(values)
        case .table(let name, let key):
            // An unknown table is refused before rendering (lint, and the renderer's plan
            // check); should one get here it reads as missing.
            return (try? LookupTables.resolve(data[LookupTables.dataName], name, eval(key)).get()) ?? nil
        }
    }

    // MARK: - Output

    /// Writes a value, or what a missing value writes.
    @inline(__always)
    static func write(_ value: JSONValue?, _ sink: Sink, into out: inout ByteWriter) throws(TemplateRenderError) {
        if let value { try write(value, sink, into: &out) } else { writeMissing(sink, into: &out) }
    }

    /// A missing value is `null` in a JSON value position and writes nothing elsewhere.
    @inline(__always)
    static func writeMissing(_ sink: Sink, into out: inout ByteWriter) {
        if sink == .jsonValue { out.append("null" as StaticString) }
    }

    /// Writes a value.
    @inline(__always)
    static func write(_ value: JSONValue, _ sink: Sink, into out: inout ByteWriter) throws(TemplateRenderError) {
        var value = value
        try write(inPlace: &value, sink, into: &out)
    }

    /// Lends the value at `source` to `body` as `inout` without a copy and without an
    /// access to `source`'s memory beyond reading its bytes: `body` gets a bitwise copy in a
    /// private stack slot, which holds no reference of its own (nothing is retained when it
    /// is made, nothing released when it ends; `source` keeps the value alive meanwhile).
    ///
    /// Why: the event a template renders can be shared by threads (the conformance battery
    /// renders clones of one sample event on several tasks), and an `inout` access to the
    /// event's own memory is, to the thread sanitizer, a write by each thread (a "Swift
    /// access race"), although nothing is stored. A `borrowing` parameter or an
    /// `UnsafePointer` read makes the caller retain the payload (the compiler cannot prove
    /// the output writes leave the event's memory alone), which is what `write(inPlace:)`
    /// exists to avoid. `body` must not modify or consume the value it is lent.
    @inline(__always)
    static func withLent<R>(_ source: UnsafePointer<JSONValue>,
                            _ body: (inout JSONValue) throws(TemplateRenderError) -> R) throws(TemplateRenderError) -> R {
        try withUnsafeTemporaryAllocation(of: JSONValue.self, capacity: 1) { (slot) throws(TemplateRenderError) -> R in
            let lent = slot.baseAddress!
            UnsafeMutableRawPointer(lent).copyMemory(from: UnsafeRawPointer(source), byteCount: MemoryLayout<JSONValue>.size)
            // Not deinitialized on purpose: the slot never owned the reference it holds.
            return try body(&lent.pointee)
        }
    }

    /// Writes a value that stays where it is. Strings and numbers (nearly every hole) are
    /// handled inline; the rest goes out of line.
    ///
    /// `inout` is how this borrows (event memory is lent through ``withLent(_:_:)``, so the
    /// access is to a private slot): a value read from memory and passed by value is copied
    /// (its string or arrays retained, then released), because the compiler cannot tell
    /// that writing the output leaves that memory alone; an `inout` argument is exclusive
    /// for the call, so the payload is read in place. The value is never modified.
    /// (Not inlined: once inlined into the caller, the exclusivity is lost and the copy
    /// comes back.)
    @inline(never)
    static func write(inPlace value: inout JSONValue, _ sink: Sink, into out: inout ByteWriter) throws(TemplateRenderError) {
        // The payloads go to out-of-line functions: a write to the output inlined here
        // (a store through the writer's pointer) would make the compiler copy the payload
        // again, as it cannot tell that store from one into `value`.
        switch value {
        case .string(let s):
            try writeString(s, sink, into: &out)
        case .number(let n):
            // Number text is valid JSON as it is and holds nothing any sink escapes.
            try writeString(n.text, sink == .jsonValue ? .raw : sink, into: &out)
        default:
            try writeOther(value, sink, into: &out)
        }
    }

    /// A string value: quoted in a JSON value position, escaped for the sink.
    @inline(never)
    static func writeString(_ s: String, _ sink: Sink, into out: inout ByteWriter) throws(TemplateRenderError) {
        if sink == .jsonValue {
            out.append(UInt8(ascii: "\""))
            try writeText(s, .jsonString, into: &out)
            out.append(UInt8(ascii: "\""))
        } else {
            try writeText(s, sink, into: &out)
        }
    }

    /// Booleans, null, arrays and objects.
    @inline(never)
    static func writeOther(_ value: JSONValue, _ sink: Sink, into out: inout ByteWriter) throws(TemplateRenderError) {
        if sink == .jsonValue {
            JSONWriter.write(value, style: .compact, into: &out)
            return
        }
        switch value {
        case .string(let s): try writeText(s, sink, into: &out)
        case .number(let n): try writeText(n.text, sink, into: &out)
        case .bool(let b): try writeText(b ? "true" : "false", sink, into: &out)
        case .null: return
        case .array, .object:
            let text = sink == .html || sink == .textRaw ? TemplateValues.javaScriptString(value) : JSONWriter.string(value)
            try writeText(text, sink, into: &out)
        }
    }

    @inline(__always)
    static func writeText(_ s: String, _ sink: Sink, into out: inout ByteWriter) throws(TemplateRenderError) {
        // Contiguous UTF-8 is read in place (small strings from a stack copy), so the string
        // is neither copied nor retained.
        let ok = s.utf8.withContiguousStorageIfAvailable { writeBytes($0, sink, into: &out) } ?? writeNonContiguous(s, sink, into: &out)
        if !ok {
            if sink == .urlAuthority {
                throw TemplateRenderError(message: "a value in the URL's host must be host[:port] (letters, digits, '-', '.', '_', '~', ':', '[', ']'); refusing to render it")
            }
            throw TemplateRenderError(message: "header value would contain a line break, NUL or other control character (possible header injection); refusing to render it")
        }
    }

    /// Strings without contiguous UTF-8 (bridged ones). Out of line so the copy it needs
    /// does not make callers retain every string they write.
    @inline(never)
    private static func writeNonContiguous(_ s: String, _ sink: Sink, into out: inout ByteWriter) -> Bool {
        var copy = s
        return copy.withUTF8 { writeBytes($0, sink, into: &out) }
    }

    /// Appends bytes escaped for a sink; false if a header value would carry CR, LF or NUL.
    @inline(__always)
    private static func writeBytes(_ buf: UnsafeBufferPointer<UInt8>, _ sink: Sink, into out: inout ByteWriter) -> Bool {
        switch sink {
        case .html: Escaping.appendHTML(buf, into: &out)
        case .textRaw, .raw: out.append(buf)
        case .jsonString, .jsonValue: Escaping.appendJSONEscaped(buf, into: &out)
        case .url: Escaping.appendPercentEncoded(buf, into: &out)
        case .header:
            if Escaping.hasHeaderBreak(buf) { return false }
            out.append(buf)
        case .urlAuthority:
            for b in buf where !Escaping.isAuthorityByte(b) { return false }
            out.append(buf)
        }
        return true
    }

    // MARK: - Programs

    mutating func run(_ programIndex: Int, into out: inout ByteWriter) throws(TemplateRenderError) {
        guard programIndex >= 0 else { return }
        let range = storage.programs[programIndex]
        let ops = storage.ops
        var i = range.lowerBound
        while i < range.upperBound {
            switch ops[i] {
            case .text(let start, let end):
                out.append(UnsafeBufferPointer(rebasing: storage.literals[start..<end]))
            case .emitSlot(let index, let sink):
                try emitSlot(index, sink, into: &out)
            case .emitPath(let path, let sink):
                try Renderer.write(resolve(path), sink, into: &out)
            case .emitExpr(let expr, let sink):
                try Renderer.write(eval(expr), sink, into: &out)
            case .block(let kind, let expr, let program, let inverse, let includeZero):
                try block(kind, eval(expr), program, inverse, includeZero, into: &out)
            case .partial(let program, let context, let hash, let indent):
                try partial(program, context, hash, indent, into: &out)
            }
            i += 1
        }
    }

    private mutating func withContext(_ value: JSONValue, _ program: Int, into out: inout ByteWriter) throws(TemplateRenderError) {
        guard program >= 0 else { return }
        stack.append(current)
        current = value
        defer { current = stack.removeLast() }
        try run(program, into: &out)
    }

    private mutating func block(_ kind: BlockKind, _ value: JSONValue?, _ program: Int, _ inverse: Int, _ includeZero: Int,
                                into out: inout ByteWriter) throws(TemplateRenderError) {
        switch kind {
        case .ifBlock, .unless:
            let zero = includeZero >= 0 && TemplateValues.isTruthy(eval(includeZero))
            let truthy = TemplateValues.isTruthy(value, includeZero: zero)
            try run((truthy == (kind == .ifBlock)) ? program : inverse, into: &out)
        case .with:
            if let value, !TemplateValues.isEmpty(value) {
                try withContext(value, program, into: &out)
            } else {
                try run(inverse, into: &out)
            }
        case .each:
            try each(value, program, inverse, into: &out)
        case .section:
            // Handlebars' blockHelperMissing.
            switch value {
            case .bool(true)?: try run(program, into: &out)
            case nil, .null?, .bool(false)?: try run(inverse, into: &out)
            case .array(let a)?:
                if a.isEmpty { try run(inverse, into: &out) } else { try each(value, program, inverse, into: &out) }
            case let v?: try withContext(v, program, into: &out)
            }
        }
    }

    private mutating func each(_ value: JSONValue?, _ program: Int, _ inverse: Int, into out: inout ByteWriter) throws(TemplateRenderError) {
        switch value {
        case .array(let a)? where !a.isEmpty:
            guard program >= 0 else { return }
            stack.append(current)
            frames.append(Frame(index: 0, key: .int(0), first: true, last: false))
            defer {
                frames.removeLast()
                current = stack.removeLast()
            }
            let last = a.count - 1
            for (i, item) in a.enumerated() {
                current = item
                frames[frames.count - 1] = Frame(index: i, key: .int(i), first: i == 0, last: i == last)
                try run(program, into: &out)
            }
        case .object(let o)? where !o.isEmpty:
            guard program >= 0 else { return }
            stack.append(current)
            frames.append(Frame(index: 0, key: .null, first: true, last: false))
            defer {
                frames.removeLast()
                current = stack.removeLast()
            }
            let keys = o.keys
            let last = keys.count - 1
            for (i, key) in keys.enumerated() {
                current = o[key] ?? .null
                frames[frames.count - 1] = Frame(index: i, key: .string(key), first: i == 0, last: i == last)
                try run(program, into: &out)
            }
        default:
            try run(inverse, into: &out)
        }
    }

    private mutating func partial(_ program: Int, _ context: Int, _ hash: Int, _ indent: Int, into out: inout ByteWriter) throws(TemplateRenderError) {
        guard partialDepth < maxPartialDepth else {
            throw TemplateRenderError(message: "partials nest deeper than \(maxPartialDepth) levels (runaway recursion?)")
        }
        var value = current
        var changed = false
        if context >= 0 {
            value = eval(context) ?? .null
            changed = true
        }
        if hash >= 0 {
            var object = value.objectValue ?? JSONObject()
            for pair in tables.hashes[hash] { object[pair.key] = eval(pair.expr) }
            value = .object(object)
            changed = true
        }
        let start = out.count
        partialDepth += 1
        defer { partialDepth -= 1 }
        if changed { try withContext(value, program, into: &out) } else { try run(program, into: &out) }
        if indent >= 0 { Escaping.indentLines(&out, from: start, indent: tables.indents[indent]) }
    }
}
