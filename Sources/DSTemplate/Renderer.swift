import DSJSON

/// Variables a block sets for its body: `@index`, `@key`, `@first`, `@last`.
struct Frame {
    var index: Int
    var key: JSONValue
    var first: Bool
    var last: Bool
}

/// Executes a compiled op list against an event. One renderer per render call: it holds the
/// context stack and block frames; the tables it reads are immutable and shared.
struct Renderer {
    let storage: ProgramStorage
    let data: [String: JSONValue]
    let renderRoot: JSONValue
    let maxPartialDepth: Int
    var current: JSONValue
    var stack: [JSONValue] = []
    var frames: [Frame] = []
    var partialDepth = 0
    /// Values of the root-level path trie (`Slot`), resolved when rendering starts.
    var slotValues: [JSONValue?] = []

    init(storage: ProgramStorage, root: JSONValue, data: [String: JSONValue], maxPartialDepth: Int) {
        self.storage = storage
        self.data = data
        self.renderRoot = root
        self.maxPartialDepth = maxPartialDepth
        self.current = root
    }

    @inline(__always)
    var tables: ProgramTables { storage.tables }

    /// Renders the root program: resolves the interior nodes of the slot trie (parents
    /// first), then runs the ops.
    mutating func runRoot(into out: inout [UInt8]) throws(TemplateRenderError) {
        if storage.storedSlots > 0 {
            slotValues.reserveCapacity(storage.storedSlots)
            let slots = storage.slots
            for i in slots.indices where slots[i].stored >= 0 {
                slotValues.append(slotValue(slots[i]))
            }
        }
        try run(storage.tables.rootProgram, into: &out)
    }

    @inline(__always)
    func slotValue(_ slot: Slot) -> JSONValue? {
        switch slot.parent {
        case Slot.root: return Renderer.child(renderRoot, slot.segment)
        case Slot.data: return data[slot.segment]
        default:
            guard let parent = slotValues[storage.slots[slot.parent].stored] else { return nil }
            return Renderer.child(parent, slot.segment)
        }
    }

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
        }
    }

    // MARK: - Output

    static func write(_ value: JSONValue?, _ sink: Sink, into out: inout [UInt8]) throws(TemplateRenderError) {
        if sink == .jsonValue {
            switch value {
            case nil: out.append(contentsOf: "null".utf8)
            case .string(let s)?:
                out.append(UInt8(ascii: "\""))
                try writeText(s, .jsonString, into: &out)
                out.append(UInt8(ascii: "\""))
            case .number(let n)?: out.append(contentsOf: n.text.utf8)
            case let v?: JSONWriter.write(v, style: .compact, into: &out)
            }
            return
        }
        guard let value else { return }
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
    static func writeText(_ s: String, _ sink: Sink, into out: inout [UInt8]) throws(TemplateRenderError) {
        // withUTF8 reads small (inline) strings from a stack copy instead of allocating.
        var s = s
        let ok = s.withUTF8 { writeBytes($0, sink, into: &out) }
        if !ok {
            throw TemplateRenderError(message: "header value would contain a line break or NUL (possible header injection); refusing to render it")
        }
    }

    private static func writeBytes(_ bytes: [UInt8], _ sink: Sink, into out: inout [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { writeBytes($0, sink, into: &out) }
    }

    /// Appends bytes escaped for a sink; false if a header value would carry CR, LF or NUL.
    @inline(__always)
    private static func writeBytes(_ buf: UnsafeBufferPointer<UInt8>, _ sink: Sink, into out: inout [UInt8]) -> Bool {
        switch sink {
        case .html: Escaping.appendHTML(buf, into: &out)
        case .textRaw, .raw: out.append(contentsOf: buf)
        case .jsonString, .jsonValue: Escaping.appendJSONEscaped(buf, into: &out)
        case .url: Escaping.appendPercentEncoded(buf, into: &out)
        case .header:
            if Escaping.hasHeaderBreak(buf) { return false }
            out.append(contentsOf: buf)
        }
        return true
    }

    // MARK: - Programs

    mutating func run(_ programIndex: Int, into out: inout [UInt8]) throws(TemplateRenderError) {
        guard programIndex >= 0 else { return }
        let range = storage.programs[programIndex]
        let ops = storage.ops
        var i = range.lowerBound
        while i < range.upperBound {
            switch ops[i] {
            case .text(let start, let end):
                out.append(contentsOf: UnsafeBufferPointer(rebasing: storage.literals[start..<end]))
            case .emitSlot(let index, let sink):
                let slot = storage.slots[index]
                try Renderer.write(slot.stored >= 0 ? slotValues[slot.stored] : slotValue(slot), sink, into: &out)
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

    private mutating func withContext(_ value: JSONValue, _ program: Int, into out: inout [UInt8]) throws(TemplateRenderError) {
        guard program >= 0 else { return }
        stack.append(current)
        current = value
        defer { current = stack.removeLast() }
        try run(program, into: &out)
    }

    private mutating func block(_ kind: BlockKind, _ value: JSONValue?, _ program: Int, _ inverse: Int, _ includeZero: Int,
                                into out: inout [UInt8]) throws(TemplateRenderError) {
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

    private mutating func each(_ value: JSONValue?, _ program: Int, _ inverse: Int, into out: inout [UInt8]) throws(TemplateRenderError) {
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

    private mutating func partial(_ program: Int, _ context: Int, _ hash: Int, _ indent: Int, into out: inout [UInt8]) throws(TemplateRenderError) {
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
