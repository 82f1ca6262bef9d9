import DSJSON

/// The RFC 6901 pointers of a mapping's nodes, kept as (parent, token) entries while the
/// mapping is built and joined into a String only when one is asked for (a diagnostic, an
/// evaluation error). Most pointers of a valid mapping are never shown, and building each
/// as a String cost the linter about 50k instructions per spec.
public final class MappingPointerTable: Sendable {
    let entries: [MappingPointerEntry]

    init(_ entries: [MappingPointerEntry]) { self.entries = entries }

    /// The pointer of an entry: exactly what `JSONPointer.appending` gives, token by token.
    func string(_ index: Int32) -> String { MappingPointerEntry.string(index, in: entries) }
}

/// One pointer: the root (index 0, the empty pointer) or a token appended to a parent.
struct MappingPointerEntry: Sendable {
    enum Token: Sendable {
        case root
        case key(String)
        case index(Int)
    }

    var parent: Int32
    var token: Token

    static let root = MappingPointerEntry(parent: -1, token: .root)

    static func string(_ index: Int32, in entries: [MappingPointerEntry]) -> String {
        var chain: [Int32] = []
        var i = index
        while i > 0 {
            chain.append(i)
            i = entries[Int(i)].parent
        }
        var pointer = ""
        for i in chain.reversed() {
            switch entries[Int(i)].token {
            case .root: break
            case .key(let key): pointer = JSONPointer.appending(pointer, key)
            case .index(let n): pointer = JSONPointer.appending(pointer, n)
            }
        }
        return pointer
    }
}

/// The entries being built (the builder's side of the table).
struct MappingPointerBuilder {
    /// Room for a typical mapping's nodes from the start (no regrowth copies).
    var entries: [MappingPointerEntry] = {
        var entries: [MappingPointerEntry] = []
        entries.reserveCapacity(32)
        entries.append(.root)
        return entries
    }()

    /// The root pointer ("").
    static let root: Int32 = 0

    mutating func appending(_ parent: Int32, _ key: String) -> Int32 {
        entries.append(MappingPointerEntry(parent: parent, token: .key(key)))
        return Int32(entries.count - 1)
    }

    mutating func appending(_ parent: Int32, _ index: Int) -> Int32 {
        entries.append(MappingPointerEntry(parent: parent, token: .index(index)))
        return Int32(entries.count - 1)
    }

    func string(_ index: Int32) -> String { MappingPointerEntry.string(index, in: entries) }
}

/// A pointer into the mapping JSON, formed as a String only when it is read.
public struct MappingPointer: Sendable {
    let table: MappingPointerTable?
    let index: Int32
    let literal: String

    /// A pointer given as text.
    public init(_ pointer: String) {
        table = nil
        index = 0
        literal = pointer
    }

    init(table: MappingPointerTable?, index: Int32) {
        self.table = table
        self.index = index
        literal = ""
    }

    /// The pointer's text.
    public var string: String { table?.string(index) ?? literal }
}
