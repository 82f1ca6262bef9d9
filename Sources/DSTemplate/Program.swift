import DSJSON

/// How a hole writes its value; decided at compile time from the mode and, in JSON mode,
/// from where the hole sits in the JSON text.
enum Sink: UInt8 {
    /// Text mode `{{x}}`: HTML-escaped JavaScript string form.
    case html
    /// Text mode `{{{x}}}`: JavaScript string form, unescaped.
    case textRaw
    /// Plain mode, and `{{{x}}}` in URL mode: string form, unescaped.
    case raw
    /// JSON mode, inside a string literal: JSON-string-escaped string form.
    case jsonString
    /// JSON mode, value position: the value as JSON; missing is `null`.
    case jsonValue
    /// URL mode: percent-encoded string form.
    case url
    /// Header mode: string form, rejected if it holds a control byte other than HTAB
    /// (CR, LF, NUL, 0x01-0x1F, 0x7F; RFC 9110 section 5.5).
    case header
    /// URL mode `{{x}}` in the authority (after `scheme://`, before the path): the value
    /// must be host[:port] (letters, digits, `-._~:[]`) and is written as it is, so
    /// `127.0.0.1:18081` stays a host and port; anything else fails the render.
    case urlAuthority
}

/// Control-flow blocks.
enum BlockKind: UInt8 {
    case ifBlock, unless, each, with
    /// A mustache-style section `{{#path}}` (Handlebars' `blockHelperMissing`).
    case section
}

/// One instruction of a compiled program. Payloads are plain integers (indices into the
/// template's tables), so the op list is a flat array of trivial values.
enum Op {
    /// Literal bytes `literals[start..<end]`.
    case text(start: Int, end: Int)
    /// Writes the value of `paths[path]`.
    case emitPath(path: Int, sink: Sink)
    /// Writes the value of `exprs[expr]`.
    case emitExpr(expr: Int, sink: Sink)
    /// A block; `program`/`inverse` are program indices or -1, `includeZero` an expr or -1.
    case block(kind: BlockKind, expr: Int, program: Int, inverse: Int, includeZero: Int)
    /// Writes `slots[slot]`, a root-level path resolved once per render (see `Slot`).
    case emitSlot(slot: Int, sink: Sink)
    /// A partial call; `context` is an expr or -1, `hash` an index into `hashes` or -1,
    /// `indent` an index into `indents` or -1.
    case partial(program: Int, context: Int, hash: Int, indent: Int)
}

/// A compiled path: where it starts and the segments to walk.
struct PathSpec {
    enum Base {
        /// The current context, or `up` levels above it (`../`).
        case context(up: Int)
        /// Mustache-compatible lookup: the first segment is searched outward through the
        /// context stack.
        case compat
        /// `@root`: `data["root"]` if given, else the render root.
        case root
        /// `@name`: block frame variables (`index`, `key`, `first`, `last`) first, then
        /// the data dictionary.
        case data(String)
    }

    var base: Base
    var segments: [String]
}

/// One node of the root-level path trie. Paths written at the top level of a template
/// (outside blocks) always read from the event root or the data dictionary, so they are
/// merged into a trie at compile time: `context.page.url` and `context.page.title` share the
/// lookups of `context` and `context.page`, and each node is resolved once per render.
struct Slot: Sendable {
    /// The parent slot, or `Slot.root` (the render root) or `Slot.data` (`segment` names a
    /// data variable).
    var parent: Int
    var segment: String
    /// Index in the per-render value array for slots that are parents of other slots;
    /// -1 for leaves, which are resolved at their hole (each value is written once, so
    /// storing it would only add reference counting).
    var stored = -1

    static let root = -1
    static let data = -2
}

/// An expression in a helper argument, hash value or hole.
enum Expr {
    case path(Int)
    case literal(JSONValue)
    case helper(HelperID, [Int])
    /// `lookup_table "NAME" key`: a table of the `@lookups` data and the key's expression.
    case table(String, Int)
}

/// The immutable tables a compiled template renders from.
struct ProgramTables: Sendable {
    var ops: [Op] = []
    /// `ops` range of each program.
    var programs: [Range<Int>] = []
    var literals: [UInt8] = []
    var paths: [PathSpec] = []
    var exprs: [Expr] = []
    var hashes: [[(key: String, expr: Int)]] = []
    var indents: [[UInt8]] = []
    var rootProgram = 0
    /// The root-level path trie, in an order where parents precede children.
    var slots: [Slot] = []
    /// The expression of a template that is exactly one `{{expr}}`.
    var singleExpr: Int?
}

extension Op: Sendable {}
extension Sink: Sendable {}
extension BlockKind: Sendable {}
extension PathSpec: Sendable {}
extension PathSpec.Base: Sendable {}
extension Expr: Sendable {}

/// The tables behind one reference, so a render retains one object rather than every
/// array. The op list and literal bytes are also copied into raw buffers owned by this
/// object: the render loop then reads them without any reference counting.
final class ProgramStorage: @unchecked Sendable {
    let tables: ProgramTables
    let ops: UnsafeMutableBufferPointer<Op>
    let literals: UnsafeMutableBufferPointer<UInt8>
    let programs: UnsafeMutableBufferPointer<Range<Int>>
    let slots: UnsafeMutableBufferPointer<Slot>
    /// Number of stored (interior) slots.
    let storedSlots: Int
    /// The slot index of each stored slot, by `Slot.stored` (parents first).
    let interiorSlots: UnsafeMutableBufferPointer<Int>
    /// The flat form (`FlatProgram`) if the root program is only text and root-level holes.
    let flat: FlatProgram?

    init(_ tables: ProgramTables, flatForm: Bool = true) {
        var tables = tables
        Self.numberStoredSlots(&tables.slots)
        self.tables = tables
        flat = flatForm ? FlatProgram(tables) : nil
        ops = .allocate(capacity: max(1, tables.ops.count))
        _ = ops.initialize(from: tables.ops)
        literals = .allocate(capacity: max(1, tables.literals.count))
        _ = literals.initialize(from: tables.literals)
        programs = .allocate(capacity: max(1, tables.programs.count))
        _ = programs.initialize(from: tables.programs)
        slots = .allocate(capacity: max(1, tables.slots.count))
        _ = slots.initialize(from: tables.slots)
        let storedCount = tables.slots.reduce(0) { $1.stored >= 0 ? $0 + 1 : $0 }
        storedSlots = storedCount
        interiorSlots = .allocate(capacity: max(1, storedCount))
        for (i, slot) in tables.slots.enumerated() where slot.stored >= 0 {
            (interiorSlots.baseAddress! + slot.stored).initialize(to: i)
        }
    }

    /// Numbers the stored slots here, where the raw buffers indexed by `Slot.stored` are
    /// made, so their bounds hold by construction whatever the tables say: the slots that
    /// are parents of other slots get 0, 1, 2... in slot order, every other slot -1. A slot
    /// is appended after its parent, so a parent's number is below its children's (the
    /// render binds them in that order).
    static func numberStoredSlots(_ slots: inout [Slot]) {
        var isParent = [Bool](repeating: false, count: slots.count)
        for slot in slots where slot.parent >= 0 && slot.parent < slots.count { isParent[slot.parent] = true }
        var next = 0
        for i in slots.indices {
            if isParent[i] {
                slots[i].stored = next
                next += 1
            } else {
                slots[i].stored = -1
            }
        }
    }

    deinit {
        ops.deallocate()
        literals.deallocate()
        programs.deallocate()
        slots.baseAddress?.deinitialize(count: tables.slots.count)
        slots.deallocate()
        interiorSlots.deallocate()
        flat?.deallocate()
    }
}
