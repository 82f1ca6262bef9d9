/// Hexadecimal (base16) encoding of byte sequences.
public enum Hex {
    /// Returns the lowercase hexadecimal form of `bytes`, two characters per byte.
    ///
    /// ```swift
    /// Hex.encode([0xde, 0xad, 0xbe, 0xef])   // "deadbeef"
    /// ```
    @inlinable
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        withContiguousBytes(bytes) { encode(buffer: $0) }
    }

    /// Decodes hexadecimal text (upper- or lowercase digits), returning `nil` if `s` has an odd
    /// length or contains anything other than `0-9`, `a-f`, `A-F` (including whitespace or a
    /// `0x` prefix). The empty string decodes to an empty array.
    ///
    /// ```swift
    /// Hex.decode("DEADbeef")   // [0xde, 0xad, 0xbe, 0xef]
    /// Hex.decode("abc")        // nil
    /// ```
    public static func decode(_ s: String) -> [UInt8]? {
        withUTF8Bytes(s) { input -> [UInt8]? in
            guard input.count % 2 == 0 else { return nil }
            var valid = true
            let output = [UInt8](unsafeUninitializedCapacity: input.count / 2) { out, initialized in
                for i in 0..<(input.count / 2) {
                    let high = nibble(input[2 * i]), low = nibble(input[2 * i + 1])
                    if high > 0x0F || low > 0x0F { valid = false; break }
                    out[i] = high << 4 | low
                }
                // Report a full count only on success; the array is discarded otherwise.
                initialized = valid ? input.count / 2 : 0
            }
            return valid ? output : nil
        }
    }

    /// Non-generic core of ``encode(_:)``.
    @usableFromInline
    static func encode(buffer: UnsafeRawBufferPointer) -> String {
        guard !buffer.isEmpty else { return "" }
        let digits: StaticString = "0123456789abcdef"
        let table = digits.utf8Start
        return makeASCIIString(count: buffer.count * 2) { out in
            var o = 0
            for byte in buffer {
                out[o] = table[Int(byte >> 4)]
                out[o + 1] = table[Int(byte & 0x0F)]
                o += 2
            }
        }
    }

    /// The value of one hex digit, or `0xFF` if `c` is not a hex digit.
    @inline(__always)
    private static func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
        default: return 0xFF
        }
    }
}
