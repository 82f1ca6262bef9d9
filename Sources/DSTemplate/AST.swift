import DSJSON

/// The parsed template, shaped like handlebars.js' AST so its whitespace-control pass can be
/// ported rule for rule. Nodes are classes because that pass edits content in place.
final class ASTProgram {
    var body: [ASTNode]
    /// True for the synthetic program holding an `{{else if ...}}` chain's block.
    var chained = false

    init(body: [ASTNode]) { self.body = body }
}

/// A statement of a program.
enum ASTNode {
    case content(ASTContent)
    case mustache(ASTMustache)
    case block(ASTBlock)
    case partial(ASTPartial)
    case comment(ASTComment)
    case raw(ASTContent)
}

/// `~` flags of a tag: `open` strips whitespace before it, `close` after it.
struct StripFlags {
    var open = false
    var close = false
}

/// Literal text. `original` is never changed, `value` is what remains after stripping.
final class ASTContent {
    let original: String
    var value: String
    let offset: Int
    var leftStripped = false
    var rightStripped = false

    init(_ text: String, offset: Int) {
        original = text
        value = text
        self.offset = offset
    }
}

/// A path expression: `a.b`, `../a`, `this`, `@index`, `@settings.x`, `[lit seg]`.
struct ASTPath {
    /// Segments after `this`, `.` and `..` prefixes.
    var parts: [String]
    /// Number of leading `../`.
    var depth: Int
    /// `@` data path.
    var isData: Bool
    /// Starts with `this`, `./` or `../`: never a helper, never looked up in outer contexts.
    var isScoped: Bool
    /// The source text.
    var original: String
    var offset: Int
    var length: Int
}

/// An expression used as a parameter or hash value.
indirect enum ASTExpr {
    case path(ASTPath)
    case literal(JSONValue, offset: Int, length: Int)
    case call(ASTCall)

    var offset: Int {
        switch self {
        case .path(let p): return p.offset
        case .literal(_, let o, _): return o
        case .call(let c): return c.offset
        }
    }
}

/// A helper name (or plain path) with its parameters and hash, as in `{{name a b k=v}}` or
/// the subexpression `(name a b)`.
struct ASTCall {
    var name: ASTPath
    var params: [ASTExpr]
    var hash: [(key: String, value: ASTExpr, offset: Int)]
    var offset: Int
    var length: Int
    var isSubexpression = false

    var hasArguments: Bool { !params.isEmpty || !hash.isEmpty }
}

/// `{{expr}}`, `{{{expr}}}` or `{{&expr}}`.
final class ASTMustache {
    let call: ASTCall
    let escaped: Bool
    let strip: StripFlags
    let offset: Int
    let length: Int

    init(call: ASTCall, escaped: Bool, strip: StripFlags, offset: Int, length: Int) {
        self.call = call
        self.escaped = escaped
        self.strip = strip
        self.offset = offset
        self.length = length
    }
}

/// `{{#name ...}}program{{else}}inverse{{/name}}` (or `{{^name}}` with the two swapped).
final class ASTBlock {
    let call: ASTCall
    var program: ASTProgram?
    var inverse: ASTProgram?
    let openStrip: StripFlags
    var inverseStrip = StripFlags()
    var closeStrip = StripFlags()
    /// Opened with `{{^`.
    let inverted: Bool
    let offset: Int
    let length: Int

    init(call: ASTCall, program: ASTProgram?, inverse: ASTProgram?, openStrip: StripFlags, inverted: Bool, offset: Int, length: Int) {
        self.call = call
        self.program = program
        self.inverse = inverse
        self.openStrip = openStrip
        self.inverted = inverted
        self.offset = offset
        self.length = length
    }
}

/// `{{> name context key=value}}`.
final class ASTPartial {
    let name: String
    let context: ASTExpr?
    let hash: [(key: String, value: ASTExpr, offset: Int)]
    let strip: StripFlags
    let offset: Int
    let length: Int
    /// Whitespace before a standalone partial tag; every line the partial renders gets it.
    var indent = ""

    init(name: String, context: ASTExpr?, hash: [(key: String, value: ASTExpr, offset: Int)], strip: StripFlags, offset: Int, length: Int) {
        self.name = name
        self.context = context
        self.hash = hash
        self.strip = strip
        self.offset = offset
        self.length = length
    }
}

/// `{{! ... }}` or `{{!-- ... --}}`; renders nothing but takes part in whitespace rules.
final class ASTComment {
    let strip: StripFlags

    init(strip: StripFlags) { self.strip = strip }
}
