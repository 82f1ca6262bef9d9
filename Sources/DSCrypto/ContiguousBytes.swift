import CLibCrypto

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
    // A collection without contiguous storage: a temporary copy, wiped before it is freed
    // (the bytes may be a key).
    var copy = Array(bytes)
    defer { copy.withUnsafeMutableBytes { wipeTemporaryCopy($0) } }
    return try copy.withUnsafeBytes(body)
}

/// Overwrites a temporary copy of bytes with zeros in a way the optimiser cannot drop
/// (`OPENSSL_cleanse`).
@usableFromInline
func wipeTemporaryCopy(_ buffer: UnsafeMutableRawBufferPointer) {
    OPENSSL_cleanse(buffer.baseAddress, buffer.count)
}

/// An empty buffer with a valid, static, non-NULL address, for empty inputs where OpenSSL
/// needs a real pointer (a NULL key means "keep the previous key" to `EVP_MAC_init`).
@inline(__always)
func emptyNonNullBuffer() -> UnsafeRawBufferPointer {
    let empty: StaticString = ""
    return UnsafeRawBufferPointer(start: UnsafeRawPointer(empty.utf8Start), count: 0)
}
