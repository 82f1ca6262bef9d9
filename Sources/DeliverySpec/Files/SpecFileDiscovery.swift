import Foundation

/// Finds spec files by the layout convention and their content: `NAME.json` with the
/// `"dspec"` marker or the Custom Webhook form is a spec; companions carry a second
/// suffix (`NAME.secrets.json`, `NAME.settings.json`, `NAME.suite.json`, ...) and are
/// never linted as specs. Directories are searched recursively, in sorted order, so
/// reports are stable across machines.
public enum SpecFileDiscovery {
    /// Second suffixes that mark companion files, not specs.
    public static let companionSuffixes = [".secrets.json", ".settings.json", ".suite.json", ".schema.json", ".plan.json", ".expected.json", ".events.json"]

    private static let jsonSuffixBytes = Array(".json".utf8)
    private static let companionSuffixBytes = companionSuffixes.map { Array($0.utf8) }

    /// A path that could not be used.
    public struct Problem: Error, Sendable {
        public let path: String
        public let message: String
    }

    /// True if a file name is a spec by the convention.
    public static func isSpecFile(_ name: String) -> Bool {
        var name = name
        // An ASCII name by its bytes (`hasSuffix` compares characters, a cost per suffix that
        // a directory of a thousand specs pays seven thousand times); others as characters,
        // where a combining or prepended mark can change what a suffix is.
        let ascii: Bool? = name.withUTF8 { b in
            for byte in b where byte >= 0x80 { return nil }
            func ends(_ suffix: [UInt8]) -> Bool {
                guard b.count >= suffix.count else { return false }
                return suffix.withUnsafeBufferPointer { s in memcmp(b.baseAddress! + (b.count - s.count), s.baseAddress!, s.count) == 0 }
            }
            guard ends(jsonSuffixBytes), b[0] != 0x2E else { return false }
            return !companionSuffixBytes.contains(where: ends)
        }
        return ascii ?? (name.hasSuffix(".json") && !companionSuffixes.contains { name.hasSuffix($0) } && !name.hasPrefix("."))
    }

    /// Expands files and directories into spec file paths. A file named explicitly is
    /// always included, whatever its name. In a directory a file is taken only if it is a
    /// spec by its content (the `"dspec"` marker or the Custom Webhook form, as
    /// ``InputDocument`` decides; a `.json` file that is not even JSON is taken too, so a
    /// spec with a syntax error is reported rather than silently skipped).
    /// Hidden entries and companion files are skipped; so are fixture trees, whose request
    /// and `outcomes.json` files are JSON without a spec's marker.
    public static func expand(_ paths: [String]) -> (files: [String], problems: [Problem]) {
        let (candidates, problems) = candidates(paths)
        let files = candidates.filter { c in
            c.named || ((try? SourceLoader.load(c.path)).map { isSpecContent($0.bytes) } ?? false)
        }
        return (files.map(\.path), problems)
    }

    /// A file ``expand(_:)`` may return: `named` files always, the others (found in a
    /// directory) only when readable and a spec by ``isSpecContent(_:)``.
    public struct Candidate: Sendable {
        public var path: String
        public var named: Bool
    }

    /// ``expand(_:)`` before the content check, in the same order: a caller that reads the
    /// files anyway (`dspec lint`) checks their content itself, on several threads.
    public static func candidates(_ paths: [String]) -> (files: [Candidate], problems: [Problem]) {
        var files: [Candidate] = []
        var problems: [Problem] = []
        let fm = FileManager.default
        for path in paths {
            if path == "-" { files.append(Candidate(path: path, named: true)); continue }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                problems.append(Problem(path: path, message: "no such file or directory"))
                continue
            }
            if !isDir.boolValue {
                files.append(Candidate(path: path, named: true))
                continue
            }
            let found: [String]
            if fm.isReadableFile(atPath: path), let entries = DirectoryEntries.read(path) {
                found = specs(in: path, depth: 0, entries: entries)
            } else if fm.isReadableFile(atPath: path), let names = try? fm.contentsOfDirectory(atPath: path) {
                found = specs(in: path, depth: 0, names: names)
            } else {
                problems.append(Problem(path: path, message: "cannot read directory"))
                continue
            }
            files += found.sorted().map { Candidate(path: $0, named: false) }
        }
        return (files, problems)
    }

    /// True if a file found in a directory is a spec by its content.
    public static func isSpecContent(_ bytes: [UInt8]) -> Bool {
        isSpecKind(InputDocument.kind(of: bytes))
    }

    /// True if a file of this kind, found in a directory, is a spec.
    public static func isSpecKind(_ kind: InputKind) -> Bool {
        switch kind {
        case .deliverySpec, .customWebhook: return true
        case .notJSON: return true
        case .plan, .suite, .other: return false
        }
    }

    /// Deepest directory level searched (a symlink loop ends here).
    static let maxDepth = 32

    /// Spec files under `directory` (whose entries are `names` when already read).
    private static func specs(in directory: String, depth: Int, names known: [String]? = nil) -> [String] {
        if depth > maxDepth { return [] }
        if known == nil, let entries = DirectoryEntries.read(directory) {
            return specs(in: directory, depth: depth, entries: entries)
        }
        return specsByFileManager(in: directory, depth: depth, names: known)
    }

    /// ``specs(in:depth:names:)`` from `readdir` entries: the entry's type says whether it is a
    /// directory or a file, so only symbolic links and entries of unknown type cost a `stat`
    /// (a thousand specs took a thousand `FileManager.fileExists` calls, ~5k instructions and a
    /// system call each, on the main thread before any file was linted). Same result as
    /// ``specsByFileManager(in:depth:names:)``, which follows links the same way
    /// (`LintFastPathTests` compares the two on random trees with links, FIFOs and hidden names).
    private static func specs(in directory: String, depth: Int, entries: [DirectoryEntries.Entry]) -> [String] {
        var found: [String] = []
        for entry in DirectoryEntries.sortedByName(entries) where !entry.name.hasPrefix(".") {
            let full = FilePaths.join(directory, entry.name)
            let isDirectory: Bool
            switch entry.kind {
            case .directory: isDirectory = true
            case .other: isDirectory = false
            case .unknown:
                // A symbolic link (followed, like FileManager.fileExists) or a file system that
                // does not report types.
                guard let followed = DirectoryEntries.isDirectory(full) else { continue }
                isDirectory = followed
            }
            if isDirectory {
                if depth + 1 > maxDepth { continue }
                if let entries = DirectoryEntries.read(full) {
                    found += specs(in: full, depth: depth + 1, entries: entries)
                } else {
                    found += specsByFileManager(in: full, depth: depth + 1, names: nil)
                }
            } else if isSpecFile(entry.name) {
                found.append(full)
            }
        }
        return found
    }

    /// The general walk, through FileManager (a directory `readdir` could not list, or whose
    /// names are not all UTF-8).
    private static func specsByFileManager(in directory: String, depth: Int, names known: [String]?) -> [String] {
        let fm = FileManager.default
        if depth > maxDepth { return [] }
        guard let names = known ?? (try? fm.contentsOfDirectory(atPath: directory)) else { return [] }
        var found: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let full = FilePaths.join(directory, name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                found += specsByFileManager(in: full, depth: depth + 1, names: nil)
            } else if isSpecFile(name) {
                found.append(full)
            }
        }
        return found
    }

    /// The companion of a spec: `dir/NAME.json` + `.events.ndjson` -> `dir/NAME.events.ndjson`.
    public static func companion(of specPath: String, suffix: String) -> String {
        let base = specPath.hasSuffix(".json") ? String(specPath.dropLast(5)) : specPath
        return base + suffix
    }
}
