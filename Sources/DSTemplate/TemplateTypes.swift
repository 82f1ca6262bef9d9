import DSJSON

/// The output context a template renders into. The mode decides how every `{{expression}}`
/// is escaped, so a template is safe for its destination by construction rather than by
/// the author remembering to escape.
public enum TemplateMode: String, Sendable, Hashable, CaseIterable {
    /// The literal text is JSON with holes. A hole inside a JSON string literal is
    /// JSON-string-escaped; a hole in value position is written as a JSON value (missing ->
    /// `null`), so the output is valid JSON whatever the event contains.
    case json
    /// Handlebars' HTML escaping for `{{x}}` (`& < > " ' \` =`), raw output for `{{{x}}}`.
    /// Used for the Mustache and Handlebars conformance suites.
    case text
    /// An HTTP header value: no escaping, but a render that would put CR, LF or NUL into the
    /// header throws (header injection).
    case header
    /// A URL: values are percent-encoded (everything but RFC 3986 unreserved characters),
    /// literal text is untouched. `{{{x}}}` inserts a value verbatim (e.g. a base URL setting).
    case url
    /// No escaping at all, for signing strings such as `{{@timestamp}}.{{@body}}`.
    case plain
}

/// A template that cannot be compiled: bad syntax, an unknown helper, a wrong number of
/// arguments, a missing partial. Positions are UTF-8 byte offsets into the template source
/// so the spec linter can map them onto the JSON string the template came from.
public struct TemplateSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in one line.
    public var message: String
    /// UTF-8 byte offset of the offending text in the template source.
    public var offset: Int
    /// Length in bytes of the offending text (at least 1 unless the source is empty).
    public var length: Int

    /// Creates an error.
    public init(message: String, offset: Int, length: Int) {
        self.message = message
        self.offset = offset
        self.length = length
    }

    /// The message with its byte offset, for logs and test failures.
    public var description: String { "\(message) (at byte \(offset))" }
}

/// A failure while rendering: a header value containing a line break, runaway partial
/// recursion. Missing data is never an error; it renders as empty (or `null`).
public struct TemplateRenderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Never contains the offending value, which may be a secret.
    public var message: String

    /// Creates an error.
    public init(message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// One variable read by a template, for static analysis (unknown fields, unused settings,
/// secrets used in the wrong place).
public struct TemplateReference: Hashable, Sendable {
    /// Path segments after any `@name`, `../` or `this` prefix: `{{context.page.url}}` gives
    /// `["context", "page", "url"]`, `{{@settings.region}}` gives `["settings", "region"]`,
    /// `{{this}}` gives `[]`. `{{@root.x}}` is reported as the event path `["x"]`.
    public var segments: [String]
    /// True for `@` data variables (settings, secrets, body, index, ...), false for event paths.
    public var isData: Bool
    /// True if the path is read relative to a block context (`#each`, `#with`, a section or a
    /// partial called with a context), so its segments are not a path from the event root.
    public var isRelative: Bool
    /// UTF-8 byte offset of the path in the template source (in the partial's source when
    /// `partial` is set).
    public var offset: Int
    /// Length in bytes of the path text.
    public var length: Int
    /// The partial the reference occurs in, or nil for the template itself.
    public var partial: String?

    /// Creates a reference.
    public init(segments: [String], isData: Bool, isRelative: Bool, offset: Int, length: Int, partial: String? = nil) {
        self.segments = segments
        self.isData = isData
        self.isRelative = isRelative
        self.offset = offset
        self.length = length
        self.partial = partial
    }
}

/// A URL-mode hole written without percent-encoding (`{{{x}}}` or `{{&x}}`). Only a
/// setting may be inserted that way: event data inserted verbatim could add path segments,
/// a query, or break the request line.
public struct UnescapedHole: Hashable, Sendable {
    /// UTF-8 byte offset of the tag in the template source (the partial's when `partial` is set).
    public var offset: Int
    /// Length in bytes of the tag.
    public var length: Int
    /// The data path when the hole is exactly one `@` variable with no helper
    /// (`{{{@settings.host}}}` gives `["settings", "host"]`), else nil.
    public var dataPath: [String]?
    /// The partial the hole occurs in, or nil for the template itself.
    public var partial: String?

    /// Creates a hole.
    public init(offset: Int, length: Int, dataPath: [String]?, partial: String? = nil) {
        self.offset = offset
        self.length = length
        self.dataPath = dataPath
        self.partial = partial
    }

    /// The setting name when the hole is exactly `{{{@settings.NAME}}}`, else nil.
    public var settingName: String? {
        guard let dataPath, dataPath.count == 2, dataPath[0] == "settings" else { return nil }
        return dataPath[1]
    }
}

/// Less common compile options. The defaults are Handlebars' own.
public struct TemplateOptions: Sendable, Hashable {
    /// Mustache-style lookup (Handlebars' `compat` option): a simple path not found in the
    /// current context is looked up in the enclosing contexts. Off by default, as in
    /// Handlebars, because it makes a path's meaning depend on the data.
    public var mustacheCompatibleLookup: Bool
    /// How deeply partials may call partials at render time before rendering fails; bounds
    /// data-driven recursion such as a partial rendering a tree.
    public var maxPartialDepth: Int
    /// The largest template (and each partial) accepted, in UTF-8 bytes. Compiling costs
    /// tens of bytes of memory per source byte, so an unbounded template is a memory bomb
    /// (an 8 MB header template once took 643 MB); real templates are a few KB.
    public var maxSourceBytes: Int
    /// True (the default): compile the render-only forms as well, the root-path trie and the
    /// flat form (`FlatProgram`), which make every render faster. False: skip them; the template
    /// renders the same bytes and errors through the general op loop, and compiling costs less.
    /// For callers that compile to analyse and render at most a few times (lint, the compiler's
    /// rules): `TemplateAnalysisOnlyTests` compares both forms on chosen and random templates.
    public var optimizesRendering: Bool

    /// Options for a template compiled to be analysed (references, helpers, holes) and rendered
    /// at most a few times: ``optimizesRendering`` off.
    public static let analysis: TemplateOptions = {
        var o = TemplateOptions()
        o.optimizesRendering = false
        return o
    }()

    /// The default ``maxSourceBytes``: 64 KiB.
    public static let defaultMaxSourceBytes = 65_536

    /// Creates options.
    public init(mustacheCompatibleLookup: Bool = false, maxPartialDepth: Int = 64) {
        self.mustacheCompatibleLookup = mustacheCompatibleLookup
        self.maxPartialDepth = maxPartialDepth
        self.maxSourceBytes = TemplateOptions.defaultMaxSourceBytes
        self.optimizesRendering = true
    }
}

/// One `{{lookup_table "NAME" ...}}` call in a template.
public struct TemplateTableUse: Hashable, Sendable {
    /// The table named.
    public var name: String
    /// UTF-8 byte offset of the name literal (in the partial's source when `partial` is set).
    public var offset: Int
    /// Length in bytes of the name literal.
    public var length: Int
    /// The partial the call occurs in, or nil for the template itself.
    public var partial: String?

    /// Creates a use.
    public init(name: String, offset: Int, length: Int, partial: String? = nil) {
        self.name = name
        self.offset = offset
        self.length = length
        self.partial = partial
    }
}
