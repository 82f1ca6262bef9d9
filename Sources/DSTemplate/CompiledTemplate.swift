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
    let storage: ProgramStorage
    var tables: ProgramTables { storage.tables }
    let options: TemplateOptions

    private init(mode: TemplateMode, source: String, compiler: TemplateCompiler, options: TemplateOptions) {
        self.mode = mode
        self.source = source
        self.references = compiler.references
        self.helpersUsed = compiler.helpersUsed
        self.storage = ProgramStorage(compiler.tables)
        self.options = options
    }

    /// Compiles a template. Partials are compiled too, so a missing partial, an unknown
    /// helper or a wrong argument count is reported here, with the byte position, and never
    /// at render time.
    public static func compile(_ source: String, mode: TemplateMode, partials: [String: String] = [:],
                               options: TemplateOptions = TemplateOptions()) throws(TemplateSyntaxError) -> CompiledTemplate {
        let compiler = TemplateCompiler(mode: mode, options: options, partials: partials)
        try compiler.compile(source)
        return CompiledTemplate(mode: mode, source: source, compiler: compiler, options: options)
    }

    /// True if the template is exactly one `{{expression}}` with no text around it, so
    /// `renderValue` returns the expression's typed value.
    public var isSingleExpression: Bool { tables.singleExpr != nil }

    /// Renders to a string. `data` holds the `@` variables (`settings`, `secrets`, `body`,
    /// ...); a `root` entry, if present, is what `@root` means.
    public func render(_ root: JSONValue, data: [String: JSONValue] = [:]) throws(TemplateRenderError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(tables.literals.count + 64)
        try render(root, data: data, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Renders by appending UTF-8 to `out`: the fast path, meant for a buffer reused across
    /// renders. On error `out` is left as it was.
    public func render(_ root: JSONValue, data: [String: JSONValue], into out: inout [UInt8]) throws(TemplateRenderError) {
        let start = out.count
        var renderer = Renderer(storage: storage, root: root, data: data, maxPartialDepth: options.maxPartialDepth)
        do {
            try renderer.runRoot(into: &out)
        } catch {
            out.removeSubrange(start...)
            throw error
        }
    }

    /// The template's value: for a single `{{expression}}` the typed value (nil if missing),
    /// otherwise the rendered text as a string.
    public func renderValue(_ root: JSONValue, data: [String: JSONValue]) throws(TemplateRenderError) -> JSONValue? {
        guard let expr = tables.singleExpr else { return .string(try render(root, data: data)) }
        let renderer = Renderer(storage: storage, root: root, data: data, maxPartialDepth: options.maxPartialDepth)
        let value = renderer.eval(expr)
        if mode == .header, let value, let text = TemplateValues.stringForm(value) {
            var scratch: [UInt8] = []
            try Renderer.writeText(text, .header, into: &scratch)
        }
        return value
    }
}
