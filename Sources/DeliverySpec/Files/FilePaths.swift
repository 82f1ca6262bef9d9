import Foundation

/// Path arithmetic on plain strings. Foundation's `NSString` path methods trap on some
/// relative inputs (`"."` has no parent it can compute), so code that walks directories
/// works on absolute, normalized paths made here: no `.`, `..`, empty components or
/// trailing slash, whatever shape (`.`, `./x`, `../x`, absolute, with spaces) the user typed.
public enum FilePaths {
    /// `path` made absolute against `workingDirectory` and normalized.
    public static func absolute(_ path: String, workingDirectory: String = FileManager.default.currentDirectoryPath) -> String {
        let joined = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The directory holding `path` (for `/` itself, `/`). Works on any shape: the result
    /// is absolute.
    public static func parent(_ path: String) -> String {
        let a = absolute(path)
        guard let slash = a.lastIndex(of: "/"), slash != a.startIndex else { return "/" }
        return String(a[..<slash])
    }

    /// The last component of `path` (`"x.json"` for `"../a/x.json"`).
    public static func name(_ path: String) -> String {
        let a = absolute(path)
        return String(a[a.index(after: a.lastIndex(of: "/")!)...])
    }

    /// `relative` resolved against `directory` as typed (kept relative when `directory`
    /// is), unless it is absolute already.
    public static func join(_ directory: String, _ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        if directory.isEmpty { return relative }
        return directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
    }

    /// The directory part of `path`, `""` for a bare name (``PathText/deletingLastComponent(_:)``:
    /// `NSString.deletingLastPathComponent` traps on Linux for paths such as `x` or `a/`).
    public static func deletingLastComponent(_ path: String) -> String { PathText.deletingLastComponent(path) }

    /// The directory part of `path` as typed: `""` for a bare name, `"."` stays `"."`.
    public static func directory(ofTyped path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }
}
