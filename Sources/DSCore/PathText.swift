/// Path arithmetic on the text of a path, for any path a user can type. Foundation's
/// `NSString.deletingLastPathComponent` and `lastPathComponent` trap on Linux for some of
/// them (`"x"`, `"a/"`, `"é"`, `"///ß/"`: swift-corelibs-foundation's
/// `_startOfLastPathComponent`), which ended `dspec compile -o x` and `dspec lint x` with
/// SIGILL; dspec never calls them.
public enum PathText {
    /// The directory part of `path` as `dirname(1)` gives it, except `""` (not `"."`) when
    /// the path has no directory part: trailing slashes are ignored, and the slashes between
    /// the directory and the last component are dropped (`"a//b"` -> `"a"`, `"a/"` -> `""`,
    /// `"/a"` and `"//"` -> `"/"`, `""` -> `""`). Works on the bytes (`/` is ASCII, so UTF-8
    /// text is never split inside a character).
    public static func deletingLastComponent(_ path: String) -> String {
        if let answer = path.utf8.withContiguousStorageIfAvailable({ directoryPart(of: $0) }) { return answer }
        return Array(path.utf8).withUnsafeBufferPointer { directoryPart(of: $0) }
    }

    private static func directoryPart(of bytes: UnsafeBufferPointer<UInt8>) -> String {
        let slash = UInt8(ascii: "/")
        var end = bytes.count
        while end > 1 && bytes[end - 1] == slash { end -= 1 }
        if end == 0 { return "" }
        if end == 1 { return bytes[0] == slash ? "/" : "" }
        var i = end - 1
        while i >= 0 && bytes[i] != slash { i -= 1 }
        if i < 0 { return "" }
        while i > 0 && bytes[i - 1] == slash { i -= 1 }
        if i == 0 { return "/" }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<i]), as: UTF8.self)
    }

    /// The last component of `path` as `basename(1)` gives it: trailing slashes are ignored
    /// (`"a/b/"` -> `"b"`), a path of slashes only is `"/"`, `""` stays `""`.
    public static func lastComponent(_ path: String) -> String {
        if let answer = path.utf8.withContiguousStorageIfAvailable({ lastPart(of: $0) }) { return answer }
        return Array(path.utf8).withUnsafeBufferPointer { lastPart(of: $0) }
    }

    private static func lastPart(of bytes: UnsafeBufferPointer<UInt8>) -> String {
        let slash = UInt8(ascii: "/")
        var end = bytes.count
        while end > 1 && bytes[end - 1] == slash { end -= 1 }
        if end == 0 { return "" }
        if end == 1 && bytes[0] == slash { return "/" }
        var start = end
        while start > 0 && bytes[start - 1] != slash { start -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
