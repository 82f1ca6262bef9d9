/// A fixed table of the short ASCII strings that spec files repeat (object keys, enum
/// words), so the position-aware parser can hand out a shared literal instead of building a
/// new String (and, above 15 bytes, a heap allocation) for every occurrence.
///
/// A lookup takes the token's bytes as four little-endian words (bytes past the end are
/// zero) and its length; it either returns the equal literal or nil, after which the caller
/// builds the String as before. `JSONVocabularyTests` checks every word and random strings
/// against `String(decoding:as:)`. The word list is generated (`JSONVocabularyWords.swift`).
final class JSONVocabulary: @unchecked Sendable {
    // Immutable after init: the raw tables are written only there.
    /// Longest string the table holds, in bytes.
    static let maxLength = 32
    /// The table, built on first use.
    static let shared = JSONVocabulary(words: JSONVocabulary.words)

    private static let slotBits = 12
    private let mask: Int
    /// Four words per slot (owned; freed in deinit).
    private let slotWords: UnsafeMutablePointer<UInt64>
    /// Length per slot; 0 marks an empty slot.
    private let slotLengths: UnsafeMutablePointer<Int>
    private let slotStrings: [String]

    init(words: [String]) {
        var size = 1 << Self.slotBits
        while size < words.count * 2 { size <<= 1 }
        mask = size - 1
        var slotWords = [UInt64](repeating: 0, count: size * 4)
        var slotLengths = [Int](repeating: 0, count: size)
        var slotStrings = [String](repeating: "", count: size)
        for word in words {
            let bytes = Array(word.utf8)
            guard !bytes.isEmpty, bytes.count <= Self.maxLength else { continue }
            let w = bytes.withUnsafeBufferPointer { Self.words(of: $0) }
            var slot = Self.hash(w, bytes.count) & mask
            var duplicate = false
            while slotLengths[slot] != 0 {
                if slotLengths[slot] == bytes.count, slotWords[slot * 4] == w.0, slotWords[slot * 4 + 1] == w.1,
                   slotWords[slot * 4 + 2] == w.2, slotWords[slot * 4 + 3] == w.3 { duplicate = true; break }
                slot = (slot + 1) & mask
            }
            if duplicate { continue }
            slotWords[slot * 4] = w.0
            slotWords[slot * 4 + 1] = w.1
            slotWords[slot * 4 + 2] = w.2
            slotWords[slot * 4 + 3] = w.3
            slotLengths[slot] = bytes.count
            slotStrings[slot] = word
        }
        self.slotWords = .allocate(capacity: slotWords.count)
        self.slotWords.initialize(from: slotWords, count: slotWords.count)
        self.slotLengths = .allocate(capacity: slotLengths.count)
        self.slotLengths.initialize(from: slotLengths, count: slotLengths.count)
        self.slotStrings = slotStrings
    }

    deinit {
        slotWords.deallocate()
        slotLengths.deallocate()
    }

    /// The four words of up to 32 bytes (zero past the end), reading byte by byte.
    static func words(of bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64, UInt64) {
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for (i, b) in bytes.prefix(maxLength).enumerated() {
            let v = UInt64(b) << (UInt64(i & 7) * 8)
            switch i >> 3 {
            case 0: w.0 |= v
            case 1: w.1 |= v
            case 2: w.2 |= v
            default: w.3 |= v
            }
        }
        return w
    }

    @inline(__always)
    static func hash(_ w: (UInt64, UInt64, UInt64, UInt64), _ length: Int) -> Int {
        var h = (w.0 &* 0x9E37_79B9_7F4A_7C15) ^ (w.1 &* 0xC2B2_AE3D_27D4_EB4F)
        h ^= (w.2 &* 0x1656_67B1_9E37_79F9) ^ (w.3 &* 0x27D4_EB2F_1656_67C5) ^ UInt64(truncatingIfNeeded: length)
        h ^= h >> 29
        return Int(truncatingIfNeeded: h >> 20)
    }

    /// The literal equal to `count` bytes at `start` of `bytes`, or nil. `start + 32` must not
    /// pass the end of the buffer (the caller falls back otherwise).
    @inline(__always)
    func lookup(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, count: Int) -> String? {
        guard count > 0, count <= Self.maxLength, start >= 0, start + Self.maxLength <= bytes.count,
              let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base + start)
        // Keep the first `count` bytes: word k keeps min(max(count - 8k, 0), 8) bytes.
        @inline(__always) func load(_ k: Int) -> UInt64 {
            let keep = count - k * 8
            if keep <= 0 { return 0 }
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self))
            return keep >= 8 ? word : word & ((1 << UInt64(keep * 8)) - 1)
        }
        let w = (load(0), load(1), load(2), load(3))
        var slot = Self.hash(w, count) & mask
        while true {
            let length = slotLengths[slot]
            if length == 0 { return nil }
            let at = slot &* 4
            if length == count, slotWords[at] == w.0, slotWords[at &+ 1] == w.1, slotWords[at &+ 2] == w.2, slotWords[at &+ 3] == w.3 {
                return slotStrings[slot]
            }
            slot = (slot &+ 1) & mask
        }
    }
}
