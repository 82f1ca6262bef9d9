/// Creates a `String` of exactly `count` ASCII bytes written by `fill`.
///
/// Writes straight into the string's storage where the standard library allows it (always on
/// Linux; macOS 11 and later), otherwise into a temporary array. `fill` must initialise every
/// byte with ASCII.
@inline(__always)
func makeASCIIString(count: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Void) -> String {
    if #available(macOS 11.0, iOS 14.0, tvOS 14.0, watchOS 7.0, *) {
        return String(unsafeUninitializedCapacity: count) { buffer in
            fill(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
            return count
        }
    }
    let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        fill(buffer)
        initialized = count
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Calls `body` with the UTF-8 bytes of `string`, without copying native strings.
@inline(__always)
func withUTF8Bytes<Result>(_ string: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
    var string = string
    return try string.withUTF8(body)
}
