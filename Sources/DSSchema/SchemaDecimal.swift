import DSJSON

/// An exact decimal read from a JSON number's text: `0.d1d2d3... × 10^exponent`, with no
/// leading or trailing zero digits (zero has no digits). Comparisons, integer tests and
/// `multipleOf` are exact, so `1.0` equals `1`, a 30-digit id compares digit by digit and
/// `0.0075` is a multiple of `0.0001`.
struct SchemaDecimal: Comparable, Hashable, CustomStringConvertible {
    var negative: Bool
    var digits: [UInt8]
    var exponent: Int
    /// The value as an Int when it is an integer that fits (fast comparisons).
    var intValue: Int?
    /// The text the value was read from (for messages).
    var text: String
    /// `mantissa / 10^scale` when the text is a plain decimal with at most 18 digits.
    var fast: (mantissa: Int, scale: Int)?

    init?(_ text: String) {
        self.text = text
        var neg = false
        var ds: [UInt8] = []
        var pointPos = 0
        var seenPoint = false
        var expValue = 0
        var it = text.utf8.makeIterator()
        var c = it.next()
        if c == UInt8(ascii: "-") { neg = true; c = it.next() } else if c == UInt8(ascii: "+") { c = it.next() }
        var any = false
        while let b = c {
            if b >= 0x30 && b <= 0x39 {
                any = true
                if ds.isEmpty && b == 0x30 {
                    if seenPoint { pointPos -= 1 }
                } else {
                    ds.append(b - 0x30)
                    if !seenPoint { pointPos += 1 }
                }
            } else if b == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                var eneg = false
                var e = it.next()
                if e == UInt8(ascii: "-") { eneg = true; e = it.next() } else if e == UInt8(ascii: "+") { e = it.next() }
                var anyExp = false
                while let d = e, d >= 0x30 && d <= 0x39 {
                    anyExp = true
                    if expValue < 1_000_000_000 { expValue = expValue * 10 + Int(d - 0x30) }
                    e = it.next()
                }
                if !anyExp || e != nil { return nil }
                if eneg { expValue = -expValue }
                c = nil
                break
            } else {
                return nil
            }
            c = it.next()
        }
        guard any else { return nil }
        while ds.last == 0 { ds.removeLast() }
        negative = neg && !ds.isEmpty
        digits = ds
        exponent = ds.isEmpty ? 0 : pointPos + expValue
        intValue = nil
        fast = SchemaDecimal.fastParse(text)
        if ds.isEmpty {
            intValue = 0
        } else if exponent >= ds.count && exponent <= 18 {
            var v = 0
            for d in ds { v = v * 10 + Int(d) }
            for _ in 0..<(exponent - ds.count) { v *= 10 }
            intValue = neg ? -v : v
        }
    }

    /// `text` as `mantissa / 10^scale` without allocating, for plain decimals (no exponent)
    /// with at most 18 digits; nil otherwise.
    @inline(__always)
    static func fastParse(_ text: String) -> (mantissa: Int, scale: Int)? {
        var m = 0
        var scale = 0
        var digits = 0
        var neg = false
        var point = false
        var first = true
        for b in text.utf8 {
            if b >= 0x30 && b <= 0x39 {
                m = m &* 10 &+ Int(b &- 0x30)
                digits &+= 1
                if point { scale &+= 1 }
            } else if b == 0x2E && !point {
                point = true
            } else if b == 0x2D && first {
                neg = true
            } else {
                return nil
            }
            first = false
        }
        guard digits > 0 && digits <= 18 else { return nil }
        return (neg ? -m : m, scale)
    }

    static let powersOf10: [Int] = (0...18).map { e in (0..<e).reduce(1) { r, _ in r * 10 } }

    /// Brings two fast decimals to a common scale; nil on overflow.
    @inline(__always)
    static func aligned(_ a: (mantissa: Int, scale: Int), _ b: (mantissa: Int, scale: Int)) -> (Int, Int)? {
        if a.scale == b.scale { return (a.mantissa, b.mantissa) }
        if a.scale < b.scale {
            let (r, o) = a.mantissa.multipliedReportingOverflow(by: powersOf10[b.scale - a.scale])
            return o ? nil : (r, b.mantissa)
        }
        let (r, o) = b.mantissa.multipliedReportingOverflow(by: powersOf10[a.scale - b.scale])
        return o ? nil : (a.mantissa, r)
    }

    init(_ number: JSONNumber) {
        self = SchemaDecimal(number.text) ?? SchemaDecimal("0")!
    }

    var isZero: Bool { digits.isEmpty }
    var isInteger: Bool { digits.isEmpty || exponent >= digits.count }

    var description: String {
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + "0." + digits.map { String($0) }.joined() + "e" + String(exponent)
    }

    static func < (a: SchemaDecimal, b: SchemaDecimal) -> Bool {
        if let x = a.intValue, let y = b.intValue { return x < y }
        if a.negative != b.negative { return a.negative }
        let mag = compareMagnitude(a, b)
        return a.negative ? mag > 0 : mag < 0
    }

    static func == (a: SchemaDecimal, b: SchemaDecimal) -> Bool {
        a.negative == b.negative && a.exponent == b.exponent && a.digits == b.digits
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(negative); hasher.combine(exponent); hasher.combine(digits)
    }

    /// -1, 0, 1 comparing absolute values.
    static func compareMagnitude(_ a: SchemaDecimal, _ b: SchemaDecimal) -> Int {
        if a.isZero || b.isZero { return a.isZero ? (b.isZero ? 0 : -1) : 1 }
        if a.exponent != b.exponent { return a.exponent < b.exponent ? -1 : 1 }
        let n = min(a.digits.count, b.digits.count)
        for i in 0..<n where a.digits[i] != b.digits[i] { return a.digits[i] < b.digits[i] ? -1 : 1 }
        if a.digits.count == b.digits.count { return 0 }
        return a.digits.count < b.digits.count ? -1 : 1
    }

    /// The digits as an integer mantissa with scale `exponent - digits.count`, when they fit.
    private var mantissa: UInt64? {
        guard digits.count <= 19 else { return nil }
        var v: UInt64 = 0
        for d in digits {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = s
        }
        return v
    }

    private static func mulmod(_ x: UInt64, _ y: UInt64, _ m: UInt64) -> UInt64 {
        let p = x.multipliedFullWidth(by: y)
        return m.dividingFullWidth((p.high, p.low)).remainder
    }

    private static func powmod10(_ e: Int, _ m: UInt64) -> UInt64 {
        var result: UInt64 = 1 % m
        var base: UInt64 = 10 % m
        var e = e
        while e > 0 {
            if e & 1 == 1 { result = mulmod(result, base, m) }
            base = mulmod(base, base, m)
            e >>= 1
        }
        return result
    }

    /// True if `self` is an integer multiple of `divisor` (exact; divisor > 0).
    func isMultiple(of divisor: SchemaDecimal) -> Bool {
        if isZero { return true }
        if divisor.isZero { return false }
        guard let ma = mantissa, let mb = divisor.mantissa else {
            // Mantissas beyond 19 digits: fall back to binary floating point.
            let a = Double(description) ?? 0, b = Double(divisor.description) ?? 1
            let q = a / b
            return q.isFinite ? q == q.rounded() : true
        }
        let sa = exponent - digits.count, sb = divisor.exponent - divisor.digits.count
        if sa >= sb {
            // a = ma·10^(sa-sb) in units of 10^sb; b = mb.
            return Self.mulmod(ma % mb, Self.powmod10(sa - sb, mb), mb) == 0
        }
        // b = mb·10^(sb-sa) in units of 10^sa; a = ma.
        var b = mb
        for _ in 0..<(sb - sa) {
            let (m, o) = b.multipliedReportingOverflow(by: 10)
            if o { return false }  // b > ma, and ma is not zero
            b = m
        }
        return ma % b == 0
    }
}
