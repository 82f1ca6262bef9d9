/// Calls `body` with the bytes of `bytes` as one contiguous buffer.
///
/// Arrays, array slices, `Data`-like contiguous collections and native strings' UTF-8 views
/// take the zero-copy `withContiguousStorageIfAvailable` path; other collections are copied
/// into a temporary array first. The buffer may have a nil base address when it is empty.
@inlinable
func withContiguousBytes<Bytes: Collection<UInt8>, Result>(
    _ bytes: Bytes, _ body: (UnsafeRawBufferPointer) throws -> Result
) rethrows -> Result {
    if let result = try bytes.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return try Array(bytes).withUnsafeBytes(body)
}

/// An empty buffer with a valid, static, non-NULL address, for empty inputs where OpenSSL
/// needs a real pointer (a NULL key means "keep the previous key" to `EVP_MAC_init`).
@inline(__always)
func emptyNonNullBuffer() -> UnsafeRawBufferPointer {
    let empty: StaticString = ""
    return UnsafeRawBufferPointer(start: UnsafeRawPointer(empty.utf8Start), count: 0)
}
