#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory's entries with the type `readdir` reports, for ``SpecFileDiscovery``.
enum DirectoryEntries {
    struct Entry {
        enum Kind { case directory, other, unknown }
        var name: String
        /// `.unknown`: a symbolic link, or a file system that does not fill `d_type`; the
        /// caller follows it with `stat`.
        var kind: Kind
    }

    /// The entries of `directory` except `.` and `..`, or nil when it cannot be listed or a
    /// name is not UTF-8 (the caller then takes the FileManager path).
    static func read(_ directory: String) -> [Entry]? {
        #if canImport(Glibc)
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        var entries: [Entry] = []
        while let ent = readdir(dir) {
            let type = ent.pointee.d_type
            let name: String? = withUnsafePointer(to: &ent.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) { String(validatingCString: $0) }
            }
            guard let name else { return nil }
            if name == "." || name == ".." { continue }
            let kind: Entry.Kind
            switch Int32(type) {
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK), Int32(DT_UNKNOWN): kind = .unknown
            default: kind = .other
            }
            entries.append(Entry(name: name, kind: kind))
        }
        return entries
        #else
        return nil
        #endif
    }

    /// Entries in `String` order of their names. All-ASCII names are ordered by their bytes,
    /// which is the same order (`String <` is code-point order after normalization, and ASCII
    /// is already normalized), without an out-of-line String comparison per step (3.5 M
    /// instructions for a thousand names); any other name sends the whole list through
    /// `String <`. Names in a directory are distinct, so no order between equals is at stake
    /// on the byte path.
    static func sortedByName(_ entries: [Entry]) -> [Entry] {
        // Sorted as (key, index) pairs, plain values a sort moves without reference counting
        // (the entries themselves hold a String each).
        var keyed: [(key: UInt64, index: Int)] = []
        keyed.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            var key: UInt64 = 0
            var ascii = true
            var n = 0
            for b in entry.name.utf8 {
                if b >= 0x80 { ascii = false; break }
                if n < 8 { key |= UInt64(b) << (56 - 8 * UInt64(n)) }
                n += 1
            }
            guard ascii else { return entries.sorted { $0.name < $1.name } }
            keyed.append((key, index))
        }
        keyed.sort { a, b in
            if a.key != b.key { return a.key < b.key }
            return entries[a.index].name.utf8.lexicographicallyPrecedes(entries[b.index].name.utf8)
        }
        return keyed.map { entries[$0.index] }
    }

    /// Whether `path` (links followed) is a directory; nil if it does not exist.
    static func isDirectory(_ path: String) -> Bool? {
        #if canImport(Glibc)
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (st.st_mode & S_IFMT) == S_IFDIR
        #else
        return nil
        #endif
    }
}
