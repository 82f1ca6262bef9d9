// UTF-8 helpers of the parser: encoding a decoded \u escape and locating the first
// invalid byte, so an error can point at it.

func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        out.append(UInt8(scalar))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | (scalar >> 6)))
        out.append(UInt8(0x80 | (scalar & 0x3F)))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | (scalar >> 12)))
        out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (scalar & 0x3F)))
    default:
        out.append(UInt8(0xF0 | (scalar >> 18)))
        out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (scalar & 0x3F)))
    }
}

/// Offset of the first byte that makes the buffer invalid UTF-8 (overlongs, surrogates
/// and values past U+10FFFF included), or nil when it is valid.
func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    var i = 0
    let n = bytes.count
    while i < n {
        let b0 = bytes[i]
        if b0 < 0x80 { i += 1; continue }
        var need = 0
        var minScalar: UInt32 = 0
        var scalar: UInt32 = 0
        switch b0 {
        case 0xC2...0xDF: need = 1; scalar = UInt32(b0 & 0x1F); minScalar = 0x80
        case 0xE0...0xEF: need = 2; scalar = UInt32(b0 & 0x0F); minScalar = 0x800
        case 0xF0...0xF4: need = 3; scalar = UInt32(b0 & 0x07); minScalar = 0x10000
        default: return i
        }
        if i + need >= n { return i }
        for k in 1...need {
            let b = bytes[i + k]
            guard b & 0xC0 == 0x80 else { return i + k }
            scalar = scalar << 6 | UInt32(b & 0x3F)
        }
        if scalar < minScalar || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF) { return i }
        i += need + 1
    }
    return nil
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
