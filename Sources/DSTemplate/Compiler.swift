import DSCore
import DSJSON

/// Where literal JSON text leaves off: inside a string literal (and right after a backslash
/// in it) or not. Holes inside strings are string-escaped, holes outside are JSON values.
struct JSONLexState: Equatable {
    var inString = false
    var escaped = false
    /// URL mode: where literal URL text leaves off (scheme, authority, or path and after).
    var urlPart = URLPart.scheme

    enum URLPart: Equatable { case scheme, authority, path }

    /// URL mode: follows literal text through `scheme://`, the authority and the path.
    mutating func scanURL(_ bytes: [UInt8]) {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch urlPart {
            case .scheme:
                if b == UInt8(ascii: ":"), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "/"), bytes[i + 2] == UInt8(ascii: "/") {
                    urlPart = .authority
                    i += 2
                } else if b == UInt8(ascii: "/") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") {
                    urlPart = .path
                }
            case .authority:
                if b == UInt8(ascii: "/") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") { urlPart = .path }
            case .path:
                return
            }
            i += 1
        }
    }

    mutating func scan(_ bytes: [UInt8]) {
        for b in bytes {
            if inString {
                if escaped { escaped = false }
                else if b == UInt8(ascii: "\\") { escaped = true }
                else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            }
        }
    }

    var name: String { inString ? "inside a JSON string" : "outside any JSON string" }
}

/// Turns a parsed template (and the partials it calls) into flat op lists, resolving every
/// helper, checking arity, deciding each hole's escaping and collecting references.
final class TemplateCompiler {
    let mode: TemplateMode
    let options: TemplateOptions
    let partialSources: [String: String]
    var tables = ProgramTables()
    var references: [TemplateReference] = []
    var helpersUsed: Set<String> = []
    var unescapedHoles: [UnescapedHole] = []
    var lookupTables: [TemplateTableUse] = []
    private var contextDepth = 0
    private var currentPartial: String?
    private var partialCache: [String: Int] = [:]
    private var callSites: [(caller: String?, callee: String, relative: Bool)] = []
    /// Indices in `references` of `@root` paths, which are absolute even inside partials.
    private var rootReferences: Set<Int> = []

    /// Data variables set by blocks rather than by the caller.
    static let frameVariables: Set<String> = ["index", "key", "first", "last"]

    init(mode: TemplateMode, options: TemplateOptions, partials: [String: String]) {
        self.mode = mode
        self.options = options
        self.partialSources = partials
    }

    /// True: a source of the simple form (`SimpleTemplateForm`) gets its AST without the lexer,
    /// parser and whitespace pass. False: every source takes the general path (the reference
    /// `SimpleTemplateFormTests` compares the simple form with).
    var usesSimpleForm = true

    func compile(_ source: String) throws(TemplateSyntaxError) {
        var state = JSONLexState()
        let ops: [Op]
        if usesSimpleForm, let pieces = SimpleTemplateForm.pieces(source) {
            // The pieces in order, as `compileBody` takes the nodes of their AST.
            var simpleOps: [Op] = []
            simpleOps.reserveCapacity(pieces.count)
            for piece in pieces {
                switch piece {
                case .text(let text, let offset):
                    try appendText(value: text, original: text, offset: offset, &simpleOps, &state)
                case .hole(let path, let offset, let length):
                    let call = ASTCall(name: path, params: [], hash: [], offset: path.offset, length: path.length)
                    try compileMustache(call: call, escaped: true, offset: offset, length: length, &simpleOps, state: state)
                }
            }
            ops = simpleOps
        } else {
            let ast = try Parser.parse(Array(source.utf8))
            WhitespaceControl.apply(ast)
            ops = try compileBody(ast, state: &state)
        }
        tables.rootProgram = install(options.optimizesRendering ? shareRootPaths(ops) : ops)
        if ops.count == 1 {
            switch ops[0] {
            case .emitPath(let path, _):
                tables.exprs.append(.path(path))
                tables.singleExpr = tables.exprs.count - 1
            case .emitExpr(let expr, _):
                tables.singleExpr = expr
            default: break
            }
        }
        finishReferences()
    }

    /// Rewrites top-level path holes into trie slots (see `Slot`).
    private func shareRootPaths(_ ops: [Op]) -> [Op] {
        // Keyed by (parent, segment) directly: no key string is formatted per path segment.
        struct SlotKey: Hashable { var parent: Int; var segment: String }
        var index: [SlotKey: Int] = [:]
        func slot(_ parent: Int, _ segment: String) -> Int {
            let key = SlotKey(parent: parent, segment: segment)
            if let existing = index[key] { return existing }
            tables.slots.append(Slot(parent: parent, segment: segment))
            index[key] = tables.slots.count - 1
            return tables.slots.count - 1
        }
        // Parents are stored: `ProgramStorage` numbers them (`numberStoredSlots`).
        return ops.map { op in
            guard case .emitPath(let path, let sink) = op else { return op }
            let spec = tables.paths[path]
            var node: Int
            switch spec.base {
            case .context(up: 0) where !spec.segments.isEmpty: node = Slot.root
            case .data(let name): node = slot(Slot.data, name)
            default: return op
            }
            for segment in spec.segments { node = slot(node, segment) }
            return .emitSlot(slot: node, sink: sink)
        }
    }

    // MARK: - Programs

    private func install(_ ops: [Op], at index: Int? = nil) -> Int {
        let start = tables.ops.count
        tables.ops.append(contentsOf: ops)
        if let index {
            tables.programs[index] = start..<tables.ops.count
            return index
        }
        tables.programs.append(start..<tables.ops.count)
        return tables.programs.count - 1
    }

    private func compileProgram(_ program: ASTProgram?, state: inout JSONLexState) throws(TemplateSyntaxError) -> Int {
        guard let program else { return -1 }
        return install(try compileBody(program, state: &state))
    }

    private func compileBody(_ program: ASTProgram, state: inout JSONLexState) throws(TemplateSyntaxError) -> [Op] {
        var ops: [Op] = []
        for node in program.body {
            switch node {
            case .content(let c), .raw(let c):
                try appendText(c, &ops, &state)
            case .comment:
                break
            case .mustache(let m):
                try compileMustache(m, &ops, state: state)
            case .block(let b):
                try compileBlock(b, &ops, state: &state)
            case .partial(let p):
                try compilePartial(p, &ops, state: &state)
            }
        }
        return ops
    }

    private func appendText(_ content: ASTContent, _ ops: inout [Op], _ state: inout JSONLexState) throws(TemplateSyntaxError) {
        try appendText(value: content.value, original: content.original, offset: content.offset, &ops, &state)
    }

    /// Literal text: what remains of a content node (`value`), its text as written and offset.
    private func appendText(value: String, original: String, offset: Int, _ ops: inout [Op], _ state: inout JSONLexState) throws(TemplateSyntaxError) {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty else { return }
        if mode == .header, let bad = bytes.firstIndex(where: Escaping.isForbiddenInHeader) {
            let lead = Self.leadingStrip(original: original, value: value)
            throw TemplateSyntaxError(message: "a header template must not contain a line break, NUL or other control character (tab excepted)",
                                      offset: offset + lead + bad, length: 1)
        }
        if mode == .json { state.scan(bytes) }
        if mode == .url { state.scanURL(bytes) }
        let start = tables.literals.count
        tables.literals.append(contentsOf: bytes)
        if case .text(let s, let e)? = ops.last, e == start {
            ops[ops.count - 1] = .text(start: s, end: tables.literals.count)
        } else {
            ops.append(.text(start: start, end: tables.literals.count))
        }
    }

    /// How many bytes whitespace control removed from the front of a content node.
    private static func leadingStrip(original: String, value: String) -> Int {
        let o = Array(original.utf8), v = Array(value.utf8)
        guard !v.isEmpty, v.count <= o.count else { return 0 }
        for k in 0...(o.count - v.count) where Array(o[k..<(k + v.count)]) == v { return k }
        return 0
    }

    private func sink(escaped: Bool, state: JSONLexState, at offset: Int, length: Int) throws(TemplateSyntaxError) -> Sink {
        switch mode {
        case .json:
            if state.escaped {
                throw TemplateSyntaxError(message: "an expression cannot follow a backslash inside a JSON string", offset: offset, length: length)
            }
            return state.inString ? .jsonString : .jsonValue
        case .text: return escaped ? .html : .textRaw
        case .header: return .header
        case .url: return escaped ? (state.urlPart == .authority ? .urlAuthority : .url) : .raw
        case .plain: return .raw
        }
    }

    private func compileMustache(_ m: ASTMustache, _ ops: inout [Op], state: JSONLexState) throws(TemplateSyntaxError) {
        try compileMustache(call: m.call, escaped: m.escaped, offset: m.offset, length: m.length, &ops, state: state)
    }

    /// A mustache: its call, whether it escapes, and the tag's offset and length.
    private func compileMustache(call: ASTCall, escaped: Bool, offset: Int, length: Int, _ ops: inout [Op], state: JSONLexState) throws(TemplateSyntaxError) {
        let sink = try sink(escaped: escaped, state: state, at: offset, length: length)
        if mode == .url && !escaped {
            let p = call.name
            let dataPath = !call.hasArguments && p.isData && p.depth == 0 ? p.parts : nil
            unescapedHoles.append(UnescapedHole(offset: offset, length: length, dataPath: dataPath, partial: currentPartial))
        }
        if !call.hasArguments {
            // With no arguments a name is always a path, even if a helper has that name
            // (no built-in helper takes zero arguments), so event fields such as `date` work.
            ops.append(.emitPath(path: try compilePath(call.name), sink: sink))
            return
        }
        let expr = try compileCall(call)
        // `{{json x}}` in value position is exactly `x` written as JSON.
        if sink == .jsonValue, case .helper(.json, let args) = tables.exprs[expr] {
            ops.append(.emitExpr(expr: args[0], sink: sink))
        } else {
            ops.append(.emitExpr(expr: expr, sink: sink))
        }
    }

    private func simpleName(_ path: ASTPath) -> String? {
        path.parts.count == 1 && !path.isData && path.depth == 0 && !path.isScoped ? path.parts[0] : nil
    }

    private func unknownHelper(_ call: ASTCall) -> TemplateSyntaxError {
        let name = call.name.original
        var message = "unknown helper '\(name)'"
        if let s = Suggestions.closest(to: name, in: TemplateHelpers.names.sorted()) { message += "; did you mean '\(s)'?" }
        return TemplateSyntaxError(message: message, offset: call.name.offset, length: call.name.length)
    }

    private func arityError(_ name: String, _ call: ASTCall, _ range: ClosedRange<Int>) -> TemplateSyntaxError {
        let expected = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
        let plural = range.upperBound == 1 ? "argument" : "arguments"
        return TemplateSyntaxError(message: "helper '\(name)' takes \(expected) \(plural) but was given \(call.params.count)",
                                   offset: call.name.offset, length: call.name.length)
    }

    private func compileCall(_ call: ASTCall) throws(TemplateSyntaxError) -> Int {
        guard let name = simpleName(call.name) else { throw unknownHelper(call) }
        if BlockHelper(rawValue: name) != nil {
            throw TemplateSyntaxError(message: "'\(name)' is a block helper; use {{#\(name) ...}}...{{/\(name)}}", offset: call.name.offset, length: call.name.length)
        }
        if name == TemplateHelpers.lookupTable { return try compileTableLookup(call) }
        guard let helper = HelperID(name: name) else { throw unknownHelper(call) }
        guard helper.arity.contains(call.params.count) else { throw arityError(name, call, helper.arity) }
        if let first = call.hash.first {
            throw TemplateSyntaxError(message: "helper '\(name)' takes no key=value arguments", offset: first.offset, length: first.key.utf8.count)
        }
        if helper == .date, case .literal(let v, let offset, let length) = call.params[1] {
            guard case .string(let format) = v, ["iso8601", "unix", "unix_ms", "datetime_utc"].contains(format) else {
                throw TemplateSyntaxError(message: "date format must be \"iso8601\", \"unix\", \"unix_ms\" or \"datetime_utc\"", offset: offset, length: length)
            }
        }
        helpersUsed.insert(name)
        var args: [Int] = []
        for p in call.params { args.append(try compileExpr(p)) }
        tables.exprs.append(.helper(helper, args))
        return tables.exprs.count - 1
    }

    /// `lookup_table "NAME" key`: the name must be a non-empty string literal.
    private func compileTableLookup(_ call: ASTCall) throws(TemplateSyntaxError) -> Int {
        let name = TemplateHelpers.lookupTable
        guard call.params.count == 2 else { throw arityError(name, call, 2...2) }
        if let first = call.hash.first {
            throw TemplateSyntaxError(message: "helper '\(name)' takes no key=value arguments", offset: first.offset, length: first.key.utf8.count)
        }
        guard case .literal(.string(let table), let offset, let length) = call.params[0], !table.isEmpty else {
            throw TemplateSyntaxError(message: "the first argument of '\(name)' must be a table name in quotes, such as \"event_names\"",
                                      offset: call.name.offset, length: call.name.length)
        }
        helpersUsed.insert(name)
        lookupTables.append(TemplateTableUse(name: table, offset: offset, length: length, partial: currentPartial))
        let key = try compileExpr(call.params[1])
        tables.exprs.append(.table(table, key))
        return tables.exprs.count - 1
    }

    private func compileExpr(_ e: ASTExpr) throws(TemplateSyntaxError) -> Int {
        switch e {
        case .path(let p):
            tables.exprs.append(.path(try compilePath(p)))
        case .literal(let v, _, _):
            tables.exprs.append(.literal(v))
        case .call(let c):
            return try compileCall(c)
        }
        return tables.exprs.count - 1
    }

    private func compilePath(_ path: ASTPath) throws(TemplateSyntaxError) -> Int {
        let spec: PathSpec
        let reference: TemplateReference
        if path.isData {
            guard let name = path.parts.first else {
                throw TemplateSyntaxError(message: "'@' must be followed by a name", offset: path.offset, length: path.length)
            }
            let rest = Array(path.parts.dropFirst())
            if name == "root" {
                spec = PathSpec(base: .root, segments: rest)
                rootReferences.insert(references.count)
                reference = TemplateReference(segments: rest, isData: false, isRelative: false, offset: path.offset, length: path.length, partial: currentPartial)
            } else {
                spec = PathSpec(base: .data(name), segments: rest)
                reference = TemplateReference(segments: path.parts, isData: true, isRelative: Self.frameVariables.contains(name),
                                              offset: path.offset, length: path.length, partial: currentPartial)
            }
        } else {
            let base: PathSpec.Base
            if path.depth > 0 { base = .context(up: path.depth) }
            else if options.mustacheCompatibleLookup && !path.isScoped && !path.parts.isEmpty { base = .compat }
            else { base = .context(up: 0) }
            spec = PathSpec(base: base, segments: path.parts)
            reference = TemplateReference(segments: path.parts, isData: false, isRelative: contextDepth - path.depth > 0,
                                          offset: path.offset, length: path.length, partial: currentPartial)
        }
        references.append(reference)
        tables.paths.append(spec)
        return tables.paths.count - 1
    }

    // MARK: - Blocks

    private func compileBlock(_ b: ASTBlock, _ ops: inout [Op], state: inout JSONLexState) throws(TemplateSyntaxError) {
        let call = b.call
        let kind: BlockKind
        let expr: Int
        var includeZero = -1
        let tag = (b.inverted ? "^" : "#") + call.name.original
        if let name = simpleName(call.name), let helper = BlockHelper(rawValue: name) {
            guard call.params.count == 1 else {
                throw TemplateSyntaxError(message: "{{\(tag)}} takes exactly 1 argument but was given \(call.params.count)",
                                          offset: call.name.offset, length: call.name.length)
            }
            for pair in call.hash {
                guard TemplateHelpers.hashKeys(name).contains(pair.key) else {
                    throw TemplateSyntaxError(message: "{{\(tag)}} does not take the argument '\(pair.key)='", offset: pair.offset, length: pair.key.utf8.count)
                }
                includeZero = try compileExpr(pair.value)
            }
            switch helper {
            case .if: kind = .ifBlock
            case .unless: kind = .unless
            case .each: kind = .each
            case .with: kind = .with
            }
            helpersUsed.insert(name)
            expr = try compileExpr(call.params[0])
        } else if call.hasArguments {
            if let name = simpleName(call.name), HelperID(name: name) != nil {
                throw TemplateSyntaxError(message: "'\(name)' is not a block helper; use {{\(name) ...}} or a subexpression", offset: call.name.offset, length: call.name.length)
            }
            throw unknownHelper(call)
        } else {
            kind = .section
            tables.exprs.append(.path(try compilePath(call.name)))
            expr = tables.exprs.count - 1
        }
        let changesContext = kind == .each || kind == .with || kind == .section
        let start = state
        var afterProgram = start
        var afterInverse = start
        if changesContext { contextDepth += 1 }
        let program = try compileProgram(b.program, state: &afterProgram)
        if changesContext { contextDepth -= 1 }
        let inverse = try compileProgram(b.inverse, state: &afterInverse)
        if mode == .json {
            let repeats = kind == .each || kind == .section
            if repeats, afterProgram != start || afterInverse != start {
                let bad = afterProgram != start ? afterProgram : afterInverse
                throw TemplateSyntaxError(message: "{{\(tag)}} starts \(start.name) but its content ends \(bad.name); a repeated block must close the quotes it opens",
                                          offset: b.offset, length: b.length)
            }
            if afterProgram != afterInverse {
                throw TemplateSyntaxError(message: "the branches of {{\(tag)}} end in different JSON contexts (\(afterProgram.name) vs \(afterInverse.name))",
                                          offset: b.offset, length: b.length)
            }
            state = afterProgram
        }
        ops.append(.block(kind: kind, expr: expr, program: program, inverse: inverse, includeZero: includeZero))
    }

    // MARK: - Partials

    private func compilePartial(_ p: ASTPartial, _ ops: inout [Op], state: inout JSONLexState) throws(TemplateSyntaxError) {
        guard let source = partialSources[p.name] else {
            var message = "unknown partial '\(p.name)'"
            if let s = Suggestions.closest(to: p.name, in: partialSources.keys.sorted()) { message += "; did you mean '\(s)'?" }
            throw TemplateSyntaxError(message: message, offset: p.offset, length: p.length)
        }
        let context = try p.context.map { e throws(TemplateSyntaxError) in try compileExpr(e) } ?? -1
        var hash = -1
        if !p.hash.isEmpty {
            var pairs: [(key: String, expr: Int)] = []
            for pair in p.hash { pairs.append((pair.key, try compileExpr(pair.value))) }
            tables.hashes.append(pairs)
            hash = tables.hashes.count - 1
        }
        callSites.append((currentPartial, p.name, contextDepth > 0 || p.context != nil || !p.hash.isEmpty))
        let key = "\(p.name)\u{0}\(state.inString)"
        let program: Int
        if let cached = partialCache[key] {
            program = cached
        } else {
            program = tables.programs.count
            tables.programs.append(0..<0)
            partialCache[key] = program
            let savedDepth = contextDepth, savedPartial = currentPartial
            defer { contextDepth = savedDepth; currentPartial = savedPartial }
            contextDepth = 0
            currentPartial = p.name
            var end = state
            do {
                let ast = try Parser.parse(Array(source.utf8))
                WhitespaceControl.apply(ast)
                _ = install(try compileBody(ast, state: &end), at: program)
            } catch {
                throw TemplateSyntaxError(message: "in partial '\(p.name)': \(error.message) (at byte \(error.offset) of the partial)",
                                          offset: p.offset, length: p.length)
            }
            if mode == .json, end != state {
                throw TemplateSyntaxError(message: "partial '\(p.name)' starts \(state.name) but ends \(end.name); a partial must close the quotes it opens",
                                          offset: p.offset, length: p.length)
            }
        }
        var indent = -1
        if !p.indent.isEmpty {
            tables.indents.append(Array(p.indent.utf8))
            indent = tables.indents.count - 1
        }
        ops.append(.partial(program: program, context: context, hash: hash, indent: indent))
    }

    /// Marks references inside partials as relative when any call of the partial (directly
    /// or through other partials) sits in a block context or passes a context, then removes
    /// duplicates (a partial compiled for two JSON contexts reports its paths once).
    private func finishReferences() {
        // No partial calls and at most one reference (most templates): nothing to mark, no
        // duplicate to remove.
        if callSites.isEmpty, references.count < 2 { return }
        var relative: Set<String> = []
        var changed = true
        while changed {
            changed = false
            for site in callSites where !relative.contains(site.callee) {
                if site.relative || site.caller.map({ relative.contains($0) }) == true {
                    relative.insert(site.callee)
                    changed = true
                }
            }
        }
        // Duplicates are equal in every field, offset included: a short list is searched by
        // offset first (no hashing of segment arrays), a long one through a set.
        let small = references.count <= 32
        var seen: Set<TemplateReference> = []
        var result: [TemplateReference] = []
        result.reserveCapacity(references.count)
        for (index, var r) in references.enumerated() {
            if let partial = r.partial, relative.contains(partial), !r.isData, !rootReferences.contains(index) { r.isRelative = true }
            if small {
                if !result.contains(where: { $0.offset == r.offset && $0 == r }) { result.append(r) }
            } else if seen.insert(r).inserted {
                result.append(r)
            }
        }
        references = result
    }
}
