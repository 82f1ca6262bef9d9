import Foundation

/// Finds spec files by the layout convention: `NAME.json` is a spec; companions carry a
/// second suffix (`NAME.secrets.json`, `NAME.settings.json`, `NAME.suite.json`, ...) and
/// are never linted as specs. Directories are searched recursively, in sorted order, so
/// reports are stable across machines.
public enum SpecFileDiscovery {
    /// Second suffixes that mark companion files, not specs.
    public static let companionSuffixes = [".secrets.json", ".settings.json", ".suite.json", ".schema.json", ".plan.json", ".expected.json", ".events.json"]

    /// A path that could not be used.
    public struct Problem: Error, Sendable {
        public let path: String
        public let message: String
    }

    /// True if a file name is a spec by the convention.
    public static func isSpecFile(_ name: String) -> Bool {
        name.hasSuffix(".json") && !companionSuffixes.contains { name.hasSuffix($0) } && !name.hasPrefix(".")
    }

    /// Expands files and directories into spec file paths. A file named explicitly is
    /// always included, whatever its name.
    public static func expand(_ paths: [String]) -> (files: [String], problems: [Problem]) {
        var files: [String] = []
        var problems: [Problem] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                problems.append(Problem(path: path, message: "no such file or directory"))
                continue
            }
            if !isDir.boolValue {
                files.append(path)
                continue
            }
            guard let enumerator = fm.enumerator(atPath: path) else {
                problems.append(Problem(path: path, message: "cannot read directory"))
                continue
            }
            var found: [String] = []
            while let rel = enumerator.nextObject() as? String {
                let name = (rel as NSString).lastPathComponent
                if name.hasPrefix(".") { enumerator.skipDescendants(); continue }
                if isSpecFile(name) { found.append(path.hasSuffix("/") ? path + rel : path + "/" + rel) }
            }
            files += found.sorted()
        }
        return (files, problems)
    }

    /// The companion of a spec: `dir/NAME.json` + `.events.ndjson` -> `dir/NAME.events.ndjson`.
    public static func companion(of specPath: String, suffix: String) -> String {
        let base = specPath.hasSuffix(".json") ? String(specPath.dropLast(5)) : specPath
        return base + suffix
    }
}
