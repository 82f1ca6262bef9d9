import DSJSON
import DSTemplate

/// A field mapping: the declarative alternative to a payload template, compiled once.
///
/// A mapping node is one of:
/// - a JSON string: without `{{` a constant; exactly one `{{expr}}` keeps the value's JSON
///   type (a number stays a number, missing stays missing); otherwise a `.plain` template
///   rendered to a string;
/// - a number, boolean or null: a constant;
/// - an array: each element is a node; elements that evaluate to missing are dropped;
/// - an object whose keys do not start with `@`: an output object; members whose value is
///   missing are omitted; keys keep their declared order; an output key that must start
///   with `@` is written `@@name` and comes out as `@name`;
/// - an object whose keys all start with `@`: a directive. Mixing both kinds of key in one
///   object is a static error, except for the object modifiers `@when` (the object is
///   emitted only if its conditions hold; otherwise it is missing: omitted as a member,
///   dropped as an array element; not allowed on the root) and `@drop_empty`;
/// - `@drop_empty` (`true`/`false`, on an output object or a directive) opens a scope, inherited
///   by every nested node until one says `false`: in it an object or array that comes out
///   empty (`{}`/`[]`, whether built by the mapping or read from the event) is missing, so
///   emptiness propagates upwards; the root itself is always written.
///
/// A directive has exactly one source: `@path` (a Handlebars path: `a.b`, `[odd key].c`,
/// `@settings.x`, `@root.x` for the event root inside `@each`), `@value` (a JSON constant,
/// taken literally), `@template` (a string rendered `.plain`, always a string) or `@each`
/// (the path of a list) with `@map` (a node evaluated with each element as the root, `@root`
/// still the event and `@index` the position; missing results are dropped). Modifiers are
/// applied in this order:
/// 1. `@when`: a condition `{"path": p, "equals": v}` (or `"not_equals"`, `"in": [...]`,
///    `"exists": bool`; several operators in one condition must all hold) or an array of
///    conditions that must all hold. When it fails the field is omitted, whatever
///    `@keep_null` or `@default` say. A missing path equals nothing, is not in any list,
///    and is not-equal to everything.
/// 2. the source is read;
/// 3. if it is missing or null and `@default` is given, the default is the value and the
///    transforms are skipped (a default is written as it should be sent);
/// 4. otherwise `@transform` (a name or an array of names) is applied in order: `trim
///    lowercase uppercase sha256 sha1 base64 urlencode digits` work on the string form of
///    scalars; `unix_seconds unix_ms iso8601 datetime_utc` read an ISO 8601 string or an epoch number
///    (seconds, or milliseconds from 1e11 up); `string number integer boolean` coerce. A
///    missing value stays missing (so `sha256` never hashes an empty string) and null
///    stays null;
/// 4b. `@lookup` (a table name) translates the transformed value (see ``LookupTables``);
/// 5. `@type` (`string number integer boolean object array`) coerces last; a value that
///    cannot be coerced is a `MappingError` naming the value and the pointer;
/// 6. a value still missing is omitted, or written as `null` with `"@keep_null": true`.
///    An explicit `null` in the event is a value and is kept.
public final class CompiledMapping: Sendable {
    /// Every directive key.
    public static let directiveNames: [String] = ["@path", "@value", "@template", "@each", "@map", "@default",
                                                  "@transform", "@type", "@when", "@keep_null", "@lookup", "@drop_empty"]
    /// Every `@transform` name.
    public static let transformNames: [String] = Transform.allCases.map(\.rawValue)
    /// Every `@type` name.
    public static let typeNames: [String] = ValueType.allCases.map(\.rawValue)

    /// Every variable the mapping reads, in document order.
    public let references: [MappingReference]
    /// Every lookup table the mapping uses (`@lookup` and the `lookup_table` helper in its
    /// templates), with the pointer of each use, in document order.
    public let lookupTables: [MappingTableUse]
    let root: MappingNode
    /// The pointers of the nodes (formed as text only when shown).
    let pointers: MappingPointerTable

    private init(root: MappingNode, pointers: MappingPointerTable, references: [MappingReference], lookupTables: [MappingTableUse]) {
        self.root = root
        self.pointers = pointers
        self.references = references
        self.lookupTables = lookupTables
    }

    /// Compiles a mapping, throwing its first static problem (see `check` for all of them).
    public static func compile(_ spec: JSONValue) throws(MappingError) -> CompiledMapping {
        try build(spec)
    }

    /// Compiles a mapping from its parsed node as it stands: the same mapping as
    /// `compile(node.value)`, without converting the tree to a value first.
    public static func compile(_ spec: JSONNode) throws(MappingError) -> CompiledMapping {
        try build(spec)
    }

    /// Compiles a mapping from its parsed node with the given options for its templates
    /// (`.analysis` for a mapping compiled to be analysed and evaluated at most a few times,
    /// as lint does: the same results, a cheaper compile).
    public static func compile(_ spec: JSONNode, templateOptions: TemplateOptions) throws(MappingError) -> CompiledMapping {
        try build(spec, templateOptions: templateOptions)
    }

    /// The general path of the builder (each directive key looked up where it is read), for
    /// the tests that compare it with the one-pass read.
    static func compileReference(_ spec: JSONNode, templateOptions: TemplateOptions = TemplateOptions()) throws(MappingError) -> CompiledMapping {
        try build(spec, templateOptions: templateOptions, onePassDirectives: false)
    }

    /// `check` on the general path (see `compileReference`).
    static func checkReference(_ spec: JSONNode) -> [MappingError] {
        checkInput(spec, onePassDirectives: false)
    }

    private static func build<N: MappingInput>(_ spec: N, templateOptions: TemplateOptions = TemplateOptions(), onePassDirectives: Bool = true) throws(MappingError) -> CompiledMapping {
        var builder = MappingBuilder()
        // Room for a typical mapping's reads at once (no regrowth copies).
        builder.references.reserveCapacity(16)
        builder.templateOptions = templateOptions
        builder.onePassDirectives = onePassDirectives
        let node = builder.build(spec, MappingPointerBuilder.root, inEach: false, isRoot: true)
        // A non-ASCII object key: compiled again from the value, where `JSONObject` decides
        // which keys are the same (canonically equivalent spellings can differ in bytes).
        if builder.sawNonASCIIKey { return try build(spec.jsonValue, templateOptions: templateOptions, onePassDirectives: onePassDirectives) }
        if let first = builder.errors.first { throw first }
        guard let node else { throw MappingError(message: "invalid mapping", pointer: "") }
        let pointers = MappingPointerTable(builder.pointers.entries)
        let references = builder.references.map {
            MappingReference(segments: $0.segments, isData: $0.isData, isRelative: $0.isRelative, location: MappingPointer(table: pointers, index: $0.location.index))
        }
        return CompiledMapping(root: node, pointers: pointers, references: references, lookupTables: builder.lookups)
    }

    /// Every static problem of a mapping, in document order (empty if it compiles).
    public static func check(_ spec: JSONValue) -> [MappingError] {
        checkInput(spec)
    }

    /// Every static problem of a mapping's parsed node (the same as `check(node.value)`).
    public static func check(_ spec: JSONNode) -> [MappingError] {
        checkInput(spec)
    }

    private static func checkInput<N: MappingInput>(_ spec: N, onePassDirectives: Bool = true) -> [MappingError] {
        var builder = MappingBuilder()
        builder.onePassDirectives = onePassDirectives
        _ = builder.build(spec, MappingPointerBuilder.root, inEach: false, isRoot: true)
        if builder.sawNonASCIIKey { return checkInput(spec.jsonValue, onePassDirectives: onePassDirectives) }
        return builder.errors
    }

    /// Evaluates the mapping for an event. `data` holds the `@` variables; nil from the
    /// root node (everything missing) comes back as `null`.
    public func evaluate(_ root: JSONValue, data: [String: JSONValue]) throws(MappingError) -> JSONValue {
        var evaluator = MappingEvaluator(eventRoot: data["root"] ?? root, pointers: pointers)
        if let value = try evaluator.eval(self.root, root: root, data: data) { return value }
        // The root is always written: under @drop_empty an empty root object stays `{}`.
        switch self.root {
        case .object: return .object(JSONObject())
        case .array: return .array([])
        default: return .null
        }
    }
}
