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

    /// `(path as NSString).deletingLastPathComponent`, the same string: a spec's directory is
    /// asked once per linted file, and the Foundation call cost ~25k instructions of ~690k.
    /// Plain paths take a byte-level fast path (which also answers `""` for a one-character
    /// path such as `x`, where NSString traps); any other path goes to NSString as before.
    public static func deletingLastComponent(_ path: String) -> String {
        deletingLastComponentFast(path) ?? (path as NSString).deletingLastPathComponent
    }

    /// The fast path: plain ASCII with no doubled or trailing `/`, so NSString has nothing
    /// to normalize and every byte is a whole character; nil for any other path.
    static func deletingLastComponentFast(_ path: String) -> String? {
        let slash = UInt8(ascii: "/")
        let result: String?? = path.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            guard let last = bytes.last, last != slash else { return nil }
            var lastSlash = -1
            var previous: UInt8 = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                if b >= 0x80 { return nil }
                if b == slash {
                    if previous == slash { return nil }
                    lastSlash = i
                }
                previous = b
            }
            if lastSlash < 0 { return "" }
            if lastSlash == 0 { return "/" }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<lastSlash]), as: UTF8.self)
        }
        return result ?? nil
    }

    /// The directory part of `path` as typed: `""` for a bare name, `"."` stays `"."`.
    public static func directory(ofTyped path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }
}
