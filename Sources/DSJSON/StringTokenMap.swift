/// Maps a byte offset inside a decoded JSON string back to the byte offset of the same
/// character in the source file, across escape sequences. This is what lets an error at
/// column 17 of a template report the line and column in the *spec file*, even when the
/// template string contains `\"` or `\n` escapes before the error.
public enum StringTokenMap {
    /// - Parameters:
    ///   - decodedOffset: UTF-8 offset in the decoded string.
    ///   - tokenStart: offset of the opening quote of the string token in `source`.
    ///   - source: the file's bytes.
    /// - Returns: the source offset (clamped to the token).
    public static func sourceOffset(decodedOffset: Int, tokenStart: Int, in source: [UInt8]) -> Int {
        guard tokenStart < source.count, source[tokenStart] == UInt8(ascii: "\"") else { return tokenStart }
        var raw = tokenStart + 1
        var decoded = 0
        while raw < source.count, decoded < decodedOffset {
            let b = source[raw]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\"), raw + 1 < source.count {
                if source[raw + 1] == UInt8(ascii: "u") {
                    // \uXXXX (possibly a surrogate pair) decodes to 1-4 UTF-8 bytes.
                    let scalar = hex(source, raw + 2) ?? 0
                    if scalar >= 0xD800 && scalar <= 0xDBFF, raw + 11 < source.count, source[raw + 6] == UInt8(ascii: "\\") {
                        decoded += 4
                        raw += 12
                    } else {
                        decoded += scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : 3
                        raw += 6
                    }
                } else {
                    decoded += 1
                    raw += 2
                }
                continue
            }
            decoded += 1
            raw += 1
        }
        return raw
    }

    private static func hex(_ s: [UInt8], _ at: Int) -> UInt32? {
        guard at + 4 <= s.count else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 {
            let c = s[at + i]
            switch c {
            case 0x30...0x39: v = v << 4 | UInt32(c - 0x30)
            case 0x41...0x46: v = v << 4 | UInt32(c - 0x37)
            case 0x61...0x66: v = v << 4 | UInt32(c - 0x57)
            default: return nil
            }
        }
        return v
    }
}
