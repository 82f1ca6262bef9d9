/// Base64 encoding (RFC 4648) in the standard and URL-safe alphabets.
///
/// A table-driven implementation that writes directly into the result's storage; it does not go
/// through Foundation.
public enum Base64 {
    /// Returns the standard base64 encoding of `bytes` (alphabet `A-Z a-z 0-9 + /`), padded with
    /// `=` to a multiple of four characters.
    ///
    /// ```swift
    /// Base64.encode(Array("hi".utf8))   // "aGk="
    /// ```
    @inlinable
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        withContiguousBytes(bytes) { encode(buffer: $0, urlSafe: false) }
    }

    /// Returns the unpadded base64url encoding of `bytes` (alphabet `A-Z a-z 0-9 - _`, RFC 4648
    /// section 5), as used by JWT (RFC 7515).
    ///
    /// ```swift
    /// Base64.encodeURLSafe([0xfb, 0xff])   // "-_8"
    /// ```
    @inlinable
    public static func encodeURLSafe(_ bytes: some Collection<UInt8>) -> String {
        withContiguousBytes(bytes) { encode(buffer: $0, urlSafe: true) }
    }

    /// Decodes base64 text in either alphabet, padded or unpadded, returning `nil` on invalid
    /// input.
    ///
    /// Accepted: characters from the standard (`+ /`) or URL-safe (`- _`) alphabet; either no
    /// padding or exactly the canonical `=` padding (then the length must be a multiple of 4).
    /// Rejected: whitespace and line breaks, any other character, `=` anywhere but the end,
    /// wrong padding, a length that leaves a single dangling character, and non-zero unused
    /// bits in the final character (so every byte sequence has exactly one accepted unpadded
    /// and one accepted padded form per alphabet).
    ///
    /// ```swift
    /// Base64.decode("aGk=")   // [0x68, 0x69]
    /// Base64.decode("aGk")    // [0x68, 0x69]
    /// Base64.decode("@@@")    // nil
    /// ```
    public static func decode(_ s: String) -> [UInt8]? {
        withUTF8Bytes(s) { decode(input: $0) }
    }

    /// Non-generic core of the encoders.
    @usableFromInline
    static func encode(buffer: UnsafeRawBufferPointer, urlSafe: Bool) -> String {
        let count = buffer.count
        guard count > 0 else { return "" }
        let standard: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let urlAlphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        let table = urlSafe ? urlAlphabet.utf8Start : standard.utf8Start
        let fullGroups = count / 3
        let remainder = count - fullGroups * 3
        let outputCount = urlSafe ? (count * 4 + 2) / 3 : (count + 2) / 3 * 4
        return makeASCIIString(count: outputCount) { out in
            var i = 0, o = 0
            for _ in 0..<fullGroups {
                let value = UInt32(buffer[i]) << 16 | UInt32(buffer[i + 1]) << 8 | UInt32(buffer[i + 2])
                out[o] = table[Int(value >> 18)]
                out[o + 1] = table[Int(value >> 12 & 0x3F)]
                out[o + 2] = table[Int(value >> 6 & 0x3F)]
                out[o + 3] = table[Int(value & 0x3F)]
                i += 3
                o += 4
            }
            guard remainder > 0 else { return }
            let second: UInt32 = remainder == 2 ? UInt32(buffer[i + 1]) : 0
            let value = UInt32(buffer[i]) << 16 | second << 8
            out[o] = table[Int(value >> 18)]
            out[o + 1] = table[Int(value >> 12 & 0x3F)]
            if remainder == 2 {
                out[o + 2] = table[Int(value >> 6 & 0x3F)]
            } else if !urlSafe {
                out[o + 2] = UInt8(ascii: "=")
            }
            if !urlSafe { out[o + 3] = UInt8(ascii: "=") }
        }
    }

    /// Marks characters outside both alphabets in ``decodeTable``.
    private static let invalid: UInt8 = 0xFF

    /// Maps an ASCII byte to its 6-bit value in either alphabet, or ``invalid``.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        table[Int(UInt8(ascii: "+"))] = 62
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "/"))] = 63
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    private static func decode(input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var length = input.count
        // Strip up to two trailing "=", which are only legal in a multiple-of-4 input.
        var padding = 0
        while padding < 2, length > 0, input[length - 1] == UInt8(ascii: "=") {
            length -= 1
            padding += 1
        }
        if padding > 0, input.count % 4 != 0 { return nil }
        let tail = length % 4
        if tail == 1 { return nil }
        let fullGroups = length / 4
        let outputCount = fullGroups * 3 + (tail == 0 ? 0 : tail - 1)
        return decodeTable.withUnsafeBufferPointer { table -> [UInt8]? in
            var valid = true
            let output = [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
                var i = 0, o = 0
                for _ in 0..<fullGroups {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    let c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                    // Any invalid entry (0xFF) sets bits above the low six.
                    if (a | b | c | d) & 0xC0 != 0 { valid = false; break }
                    let value = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out[o] = UInt8(truncatingIfNeeded: value >> 16)
                    out[o + 1] = UInt8(truncatingIfNeeded: value >> 8)
                    out[o + 2] = UInt8(truncatingIfNeeded: value)
                    i += 4
                    o += 3
                }
                if valid && tail > 0 {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    let c = tail == 3 ? table[Int(input[i + 2])] : 0
                    // The unused low bits of the last character must be zero (canonical form).
                    let unusedBitsSet = tail == 2 ? b & 0x0F != 0 : c & 0x03 != 0
                    if (a | b | c) & 0xC0 != 0 || unusedBitsSet {
                        valid = false
                    } else {
                        out[o] = a << 2 | b >> 4
                        if tail == 3 { out[o + 1] = b << 4 | c >> 2 }
                    }
                }
                initialized = valid ? outputCount : 0
            }
            return valid ? output : nil
        }
    }
}
