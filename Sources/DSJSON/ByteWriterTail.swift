/// Direct writes into a `ByteWriter`'s free space, for encoders that fill bytes themselves (the
/// template renderer's vectorised copy-and-scan): reserve room, write, then commit what was
/// written. A separate file so the writer's core stays as it is.
extension ByteWriter {
    /// Makes room for at least `count` more bytes and returns where they start. Valid until
    /// the next mutation of the writer; nothing counts as written until `commitTail(_:)`.
    @inlinable @inline(__always)
    public mutating func reserveTail(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(count > capacity &- _count) { grow(minimumFree: count) }
        return base + _count
    }

    /// Counts `count` bytes written at the pointer the last `reserveTail(_:)` returned (at most
    /// the count reserved there).
    @inlinable @inline(__always)
    public mutating func commitTail(_ count: Int) {
        precondition(count >= 0 && count <= capacity &- _count, "ByteWriter.commitTail(_:) beyond the reserved space")
        _count &+= count
    }
}
