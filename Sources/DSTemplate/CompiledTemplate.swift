import DSJSON

/// A template compiled once into flat op lists and rendered many times. Immutable and
/// `Sendable`: one instance serves every event on every thread.
///
/// The language is Handlebars (paths, `this`, `../`, `@index`/`@key`/`@first`/`@last`/`@root`,
/// `#if #unless #each #with` with `{{else}}` and `{{else if}}` chains, mustache sections,
/// whitespace control, comments, raw blocks, partials, subexpressions, hash arguments and
/// literals) with a fixed set of built-in helpers (`TemplateHelpers`). Everything that is not
/// the event is a data variable: `{{@settings.region}}` reads `data["settings"]`.
/// Escaping is decided by `TemplateMode`, per hole, at compile time.
public final class CompiledTemplate: Sendable {
    /// The mode the template was compiled for.
    public let mode: TemplateMode
    /// The template source.
    public let source: String
    /// Every variable the template (and the partials it calls) reads, in source order.
    public let references: [TemplateReference]
    /// Every helper the template calls, block helpers (`if`, `each`, ...) included.
    public let helpersUsed: Set<String>
    /// URL mode: every `{{{expression}}}` / `{{&expression}}`, whose value is inserted
    /// without percent-encoding, in source order.
    public let unescapedHoles: [UnescapedHole]
    /// Every `lookup_table` call: the table named and where, in source order.
    public let lookupTables: [TemplateTableUse]
    let storage: ProgramStorage
    var tables: ProgramTables { storage.tables }
    let options: TemplateOptions

    private init(mode: TemplateMode, source: String, compiler: TemplateCompiler, options: TemplateOptions) {
        self.mode = mode
        self.source = source
        self.references = compiler.references
        self.helpersUsed = compiler.helpersUsed
        self.unescapedHoles = compiler.unescapedHoles
        self.lookupTables = compiler.lookupTables
        self.storage = ProgramStorage(compiler.tables, flatForm: options.optimizesRendering)
        self.options = options
    }

    /// Compiles a template. Partials are compiled too, so a missing partial, an unknown
    /// helper or a wrong argument count is reported here, with the byte position, and never
    /// at render time.
    public static func compile(_ source: String, mode: TemplateMode, partials: [String: String] = [:],
                               options: TemplateOptions = TemplateOptions()) throws(TemplateSyntaxError) -> CompiledTemplate {
        try compile(source, mode: mode, partials: partials, options: options, simpleForm: true)
    }

    /// `compile` with every source on the general path (lexer, parser, whitespace pass): the
    /// reference `SimpleTemplateFormTests` compares the simple form with.
    static func compileReference(_ source: String, mode: TemplateMode, partials: [String: String] = [:],
                                 options: TemplateOptions = TemplateOptions()) throws(TemplateSyntaxError) -> CompiledTemplate {
        try compile(source, mode: mode, partials: partials, options: options, simpleForm: false)
    }

    private static func compile(_ source: String, mode: TemplateMode, partials: [String: String],
                                options: TemplateOptions, simpleForm: Bool) throws(TemplateSyntaxError) -> CompiledTemplate {
        let limit = options.maxSourceBytes
        if source.utf8.count > limit {
            throw TemplateSyntaxError(message: "the template is \(source.utf8.count) bytes, over the template size limit of \(limit) bytes", offset: 0, length: 1)
        }
        for (name, partial) in partials where partial.utf8.count > limit {
            throw TemplateSyntaxError(message: "partial \"\(name)\" is \(partial.utf8.count) bytes, over the template size limit of \(limit) bytes", offset: 0, length: 1)
        }
        let compiler = TemplateCompiler(mode: mode, options: options, partials: partials)
        compiler.usesSimpleForm = simpleForm
        try compiler.compile(source)
        return CompiledTemplate(mode: mode, source: source, compiler: compiler, options: options)
    }

    /// True if the template is exactly one `{{expression}}` with no text around it, so
    /// `renderValue` returns the expression's typed value.
    public var isSingleExpression: Bool { tables.singleExpr != nil }

    /// Renders to a string. `data` holds the `@` variables (`settings`, `secrets`, `body`,
    /// ...); a `root` entry, if present, is what `@root` means.
    public func render(_ root: JSONValue, data: [String: JSONValue] = [:]) throws(TemplateRenderError) -> String {
        // The event and data are turned into pointers first, so the closures below capture
        // only pointers (a closure capturing the event copies it: a retain per array in it).
        try withUnsafePointer(to: root) { (root) throws(TemplateRenderError) -> String in
            try withUnsafePointer(to: data) { (data) throws(TemplateRenderError) -> String in
                try ByteWriter.withScratch(capacity: CompiledTemplate.scratchCapacity) { (out) throws(TemplateRenderError) -> String in
                    try Renderer.render(storage, root, data, maxPartialDepth: options.maxPartialDepth, into: &out)
                    return String(decoding: out.bytes, as: UTF8.self)
                }
            }
        }
    }

    /// Renders by appending UTF-8 to `out`: the fast path, meant for a buffer reused across
    /// renders. On error `out` is left as it was.
    public func render(_ root: JSONValue, data: [String: JSONValue], into out: inout [UInt8]) throws(TemplateRenderError) {
        // Render into a stack buffer, then append to `out` in one copy (an error leaves
        // `out` untouched for free). Pointers first, as in `render(_:data:)`.
        try withUnsafePointer(to: root) { (root) throws(TemplateRenderError) in
            try withUnsafePointer(to: data) { (data) throws(TemplateRenderError) in
                try ByteWriter.withScratch(capacity: CompiledTemplate.scratchCapacity) { (scratch) throws(TemplateRenderError) in
                    try Renderer.render(storage, root, data, maxPartialDepth: options.maxPartialDepth, into: &scratch)
                    out.append(contentsOf: scratch)
                }
            }
        }
    }

    /// Renders by appending UTF-8 to a `ByteWriter`. On error the writer is truncated back
    /// to where it was.
    public func render(_ root: JSONValue, data: [String: JSONValue], into out: inout ByteWriter) throws(TemplateRenderError) {
        let start = out.count
        do {
            try withUnsafePointer(to: root) { (root) throws(TemplateRenderError) in
                try withUnsafePointer(to: data) { (data) throws(TemplateRenderError) in
                    try Renderer.render(storage, root, data, maxPartialDepth: options.maxPartialDepth, into: &out)
                }
            }
        } catch {
            out.truncate(to: start)
            throw error
        }
    }

    /// Stack scratch for one render. At most 1 KiB, so `withUnsafeTemporaryAllocation` always
    /// uses the stack without asking the runtime how much stack is left; larger output moves
    /// to the heap once.
    static let scratchCapacity = 1024

    /// The template's value: for a single `{{expression}}` the typed value (nil if missing),
    /// otherwise the rendered text as a string.
    public func renderValue(_ root: JSONValue, data: [String: JSONValue]) throws(TemplateRenderError) -> JSONValue? {
        guard let expr = tables.singleExpr else { return .string(try render(root, data: data)) }
        let value = try Renderer.with(storage, root, data, maxPartialDepth: options.maxPartialDepth) { (renderer) throws(TemplateRenderError) in
            renderer.eval(expr)
        }
        if mode == .header, let value, let text = TemplateValues.stringForm(value) {
            try ByteWriter.withScratch(capacity: 256) { (scratch) throws(TemplateRenderError) in
                try Renderer.writeText(text, .header, into: &scratch)
            }
        }
        return value
    }
}
