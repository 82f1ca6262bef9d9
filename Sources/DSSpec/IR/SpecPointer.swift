import DSJSON

/// The RFC 6901 pointer of a decoded spec value, kept as an entry (parent + one token) of
/// a per-document table and joined into a String only when it is read (a diagnostic, a
/// reference). Most pointers of a valid spec are never shown, and building each as a String
/// while decoding cost the linter about 32k instructions per spec (see `MappingPointerTable`
/// for the same idea in mappings). Two words wide, as a String, so a `Located` is no larger
/// and no dearer to copy than before.
public struct SpecPointer: Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
    let table: SpecPointerTable
    let entry: Int32

    /// A pointer given as text.
    public init(_ text: String) {
        table = SpecPointerTable(text)
        entry = 0
    }

    public init(stringLiteral text: String) { self.init(text) }

    /// The root pointer ("") of a document being decoded, with room for its pointers.
    static func documentRoot() -> SpecPointer {
        SpecPointer(table: SpecPointerTable("", capacity: 128), entry: 0)
    }

    private init(table: SpecPointerTable, entry: Int32) {
        self.table = table
        self.entry = entry
    }

    /// The pointer text: exactly what `JSONPointer.appending` gives, token by token.
    public var string: String { table.string(entry) }

    public var description: String { string }

    /// This pointer with a key token appended. Only the decoder appends (while it builds the
    /// document, on one thread); a decoded document's tables are never changed.
    func appending(_ key: String) -> SpecPointer {
        SpecPointer(table: table, entry: table.append(SpecPointerTable.Entry(parent: entry, index: -1, key: key)))
    }

    /// This pointer with an array index token appended (decoder only, as above).
    func appending(_ index: Int) -> SpecPointer {
        SpecPointer(table: table, entry: table.append(SpecPointerTable.Entry(parent: entry, index: index, key: "")))
    }

    /// Equal when the texts are equal, however each was formed.
    public static func == (a: SpecPointer, b: SpecPointer) -> Bool {
        if a.table === b.table && a.entry == b.entry { return true }
        return a.string == b.string
    }
}

/// The pointers formed while decoding one document: entry 0 is a text, every other entry a
/// token appended to an earlier entry. Appended to only by the decoder that made it, before
/// the document is shared, so reading it later from any thread is safe.
final class SpecPointerTable: @unchecked Sendable {
    struct Entry {
        var parent: Int32
        /// The array index token, or -1 for a key token.
        var index: Int
        /// The key token (unescaped), or the whole text for entry 0.
        var key: String
    }

    // Unchecked: only the decoder that made the table appends, on its own thread (above).
    @exclusivity(unchecked) private(set) var entries: [Entry]

    init(_ text: String, capacity: Int = 1) {
        entries = []
        entries.reserveCapacity(capacity)
        entries.append(Entry(parent: -1, index: -1, key: text))
    }

    func append(_ e: Entry) -> Int32 {
        entries.append(e)
        return Int32(entries.count - 1)
    }

    func string(_ entry: Int32) -> String {
        if entry == 0 { return entries[0].key }
        let e = entries[Int(entry)]
        let base = string(e.parent)
        return e.index >= 0 ? JSONPointer.appending(base, e.index) : JSONPointer.appending(base, e.key)
    }
}
