/// An append-only byte buffer for hot serializers (the template renderer, `JSONWriter`).
///
/// Why not `[UInt8]`: `Array.append(contentsOf:)` is a generic, non-inlined call that checks
/// uniqueness and capacity and costs ~65 instructions even for a 3-byte chunk; a render
/// appends ~35 chunks. Here an append is a capacity compare, one `memcpy` and an add.
///
/// The writer usually starts on caller-provided scratch memory (a stack buffer from
/// `withScratch`), so a render allocates nothing; if the output outgrows it, the bytes move
/// to a heap buffer that doubles as needed. Non-copyable, so the heap buffer has exactly
/// one owner and is freed exactly once.
public struct ByteWriter: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var _count: Int
    /// False while writing into borrowed scratch memory, true once on an own heap buffer.
    @usableFromInline var ownsStorage: Bool

    /// A writer with its own heap buffer of at least `capacity` bytes.
    public init(capacity: Int) {
        let capacity = max(capacity, 16)
        base = .allocate(capacity: capacity)
        self.capacity = capacity
        _count = 0
        ownsStorage = true
    }

    /// Bytes written so far.
    @inlinable
    public var count: Int { _count }

    /// A writer that fills `scratch` (not owned, not freed) and moves to the heap when full.
    /// `scratch` must outlive the writer.
    @inlinable
    public init(scratch: UnsafeMutableBufferPointer<UInt8>) {
        if let address = scratch.baseAddress, scratch.count > 0 {
            base = address
            capacity = scratch.count
            ownsStorage = false
        } else {
            base = .allocate(capacity: 64)
            capacity = 64
            ownsStorage = true
        }
        _count = 0
    }

    deinit {
        if ownsStorage { base.deallocate() }
    }

    /// Runs `body` with a writer on a stack buffer of `capacity` bytes (the stdlib puts
    /// temporary allocations on the stack when they are small enough, otherwise on the heap).
    @inlinable
    public static func withScratch<R, E: Error>(capacity: Int, _ body: (inout ByteWriter) throws(E) -> R) throws(E) -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(capacity, 16)) { (scratch) throws(E) -> R in
            var writer = ByteWriter(scratch: scratch)
            return try body(&writer)
        }
    }

    /// The bytes written so far; valid until the next mutation of the writer.
    @inlinable
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: _count) }

    /// Appends one byte.
    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        if _slowPath(_count == capacity) { grow(minimumFree: 1) }
        base[_count] = byte
        _count &+= 1
    }

    /// Appends bytes with a single copy.
    @inlinable @inline(__always)
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        guard n > 0, let source = bytes.baseAddress else { return }
        if _slowPath(n > capacity &- _count) { grow(minimumFree: n) }
        (base + _count).initialize(from: source, count: n)
        _count &+= n
    }

    /// Appends the UTF-8 of a string (small strings are read from a stack copy).
    @inlinable
    public mutating func append(_ string: String) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { append($0) }
        if done == nil {
            var copy = string
            copy.withUTF8 { append($0) }
        }
    }

    /// Appends a literal.
    @inlinable @inline(__always)
    public mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { append($0) }
    }

    /// Drops the bytes after the first `newCount`.
    @inlinable
    public mutating func truncate(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= _count, "ByteWriter.truncate(to:) out of range")
        _count = newCount
    }

    /// Moves to a heap buffer with room for `minimumFree` more bytes (at least doubling, so
    /// appends stay amortized O(1)). Out of line: it runs at most a few times per writer.
    @usableFromInline @inline(never)
    mutating func grow(minimumFree: Int) {
        let newCapacity = max(capacity * 2, count + minimumFree)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        if ownsStorage { base.deallocate() }
        base = newBase
        capacity = newCapacity
        ownsStorage = true
    }
}

extension Array where Element == UInt8 {
    /// Appends everything a `ByteWriter` holds (one bulk copy). An array with no storage yet
    /// (the usual fresh body) becomes an exact-size copy, without the append path's growth
    /// step (`ByteWriterTests.testAppendContentsOfWriterMatchesTheGeneralAppend`).
    @inlinable
    public mutating func append(contentsOf writer: borrowing ByteWriter) {
        if capacity == 0 && writer.count > 0 {
            self = Array(writer.bytes)
        } else {
            append(contentsOf: writer.bytes)
        }
    }
}

/// What the JSON serializer writes to: `[UInt8]` for the public array API, `ByteWriter` for
/// the fast paths. Internal; the generic code is specialized for both.
@usableFromInline
protocol JSONByteSink: ~Copyable {
    mutating func append(_ byte: UInt8)
    mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONByteSink where Element == UInt8 {
    @inlinable @inline(__always)
    mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}

extension ByteWriter: JSONByteSink {
    @inlinable @inline(__always)
    mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) { append(bytes) }
}
