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

    /// Slots per word, at least: a sparse table probes little, a small one stays in cache.
    private static let slotsPerWord = 2
    private let mask: Int
    /// One record per slot, so a probe reads one place (owned; freed in deinit).
    private let slots: UnsafeMutablePointer<Slot>
    private let slotStrings: [String]

    /// A slot: the length (0 marks an empty slot) and the four words of the bytes.
    struct Slot {
        var length: Int
        var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64
    }

    init(words: [String]) {
        var size = 64
        while size < words.count * Self.slotsPerWord { size <<= 1 }
        mask = size - 1
        var slots = [Slot](repeating: Slot(length: 0, w0: 0, w1: 0, w2: 0, w3: 0), count: size)
        var slotStrings = [String](repeating: "", count: size)
        for word in words {
            let bytes = Array(word.utf8)
            guard !bytes.isEmpty, bytes.count <= Self.maxLength else { continue }
            let w = bytes.withUnsafeBufferPointer { Self.words(of: $0) }
            var slot = Self.hash(w, bytes.count) & mask
            var duplicate = false
            while slots[slot].length != 0 {
                let s = slots[slot]
                if s.length == bytes.count, s.w0 == w.0, s.w1 == w.1, s.w2 == w.2, s.w3 == w.3 { duplicate = true; break }
                slot = (slot + 1) & mask
            }
            if duplicate { continue }
            slots[slot] = Slot(length: bytes.count, w0: w.0, w1: w.1, w2: w.2, w3: w.3)
            slotStrings[slot] = word
        }
        self.slots = .allocate(capacity: slots.count)
        self.slots.initialize(from: slots, count: slots.count)
        self.slotStrings = slotStrings
    }

    deinit {
        slots.deallocate()
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
        if count <= 16 {
            // Most tokens: two words. Words 2 and 3 are zero here and in every slot of this
            // length, so the hash is `hash` with them zero and they need no comparison.
            let w0 = load(0), w1 = load(1)
            var slot = Self.hash((w0, w1, 0, 0), count) & mask
            while true {
                let s = slots + slot
                let length = s.pointee.length
                if length == 0 { return nil }
                if length == count, s.pointee.w0 == w0, s.pointee.w1 == w1 { return slotStrings[slot] }
                slot = (slot &+ 1) & mask
            }
        }
        let w = (load(0), load(1), load(2), load(3))
        var slot = Self.hash(w, count) & mask
        while true {
            let s = slots + slot
            let length = s.pointee.length
            if length == 0 { return nil }
            if length == count, s.pointee.w0 == w.0, s.pointee.w1 == w.1, s.pointee.w2 == w.2, s.pointee.w3 == w.3 {
                return slotStrings[slot]
            }
            slot = (slot &+ 1) & mask
        }
    }
}
