/// A header value of at most ``capacity`` bytes held inside the value itself: no heap
/// allocation, no reference count, and no `String` (whose public initializers allocate and
/// check the UTF-8 of every value). A request signed with one header holds its signature
/// value this way (``RenderedRequest/headerParts``) until the transport copies the bytes onto
/// the wire; readers that want text get it from ``text``.
///
/// The bytes are exactly those given (the renderer writes ASCII: a prefix from the plan, the
/// hex or base64 MAC, digits and the checked request id).
public struct InlineHeaderValue: Sendable, Hashable, CustomStringConvertible {
    /// The most bytes a value holds inline: a hex HMAC-SHA-256 with up to 32 bytes of prefix
    /// (`sha256=`, `t=<timestamp>,v1=`), a base64 HMAC-SHA-512 with a 7-byte one. Kept small:
    /// a request holds it, and is copied whole.
    public static let capacity = 96

    private typealias Words = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    private var words: Words = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    private var length: UInt8 = 0

    /// The number of bytes.
    public var count: Int { Int(length) }

    /// The empty value.
    public init() {}

    /// The UTF-8 bytes of `text`, or nil when they are more than ``capacity``.
    public init?(_ text: String) {
        var text = text
        guard let value = text.withUTF8({ InlineHeaderValue(bytes: $0) }) else { return nil }
        self = value
    }

    /// A copy of `bytes`, or nil when they are more than ``capacity``.
    public init?(bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= Self.capacity else { return nil }
        self.init(writingAtMost: bytes.count) { out in
            if let base = bytes.baseAddress { out.update(from: base, count: bytes.count) }
            return bytes.count
        }
    }

    /// A value written in place by `write`, which gets room for `maximum` (at most
    /// ``capacity``) bytes and returns how many it wrote (at most `maximum`).
    @inline(__always)
    init(writingAtMost maximum: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        overwrite(atMost: maximum, write)
    }

    /// Replaces the bytes with those `write` writes in place: it gets room for `maximum` (at
    /// most ``capacity``) bytes and returns how many it wrote (at most `maximum`).
    @inline(__always)
    mutating func overwrite(atMost maximum: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        let written = withUnsafeMutableBytes(of: &words) { raw in
            write(raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        // `write` is internal and keeps to its room (RequestSigner); a count beyond it would be a
        // defect, not input: clamp rather than read past the storage.
        length = UInt8(min(max(written, 0), min(maximum, Self.capacity)))
    }

    /// Calls `body` with the bytes (valid only inside `body`).
    @inline(__always)
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let count = Int(length)
        return try Swift.withUnsafeBytes(of: words) { raw in try body(UnsafeRawBufferPointer(rebasing: raw[..<count])) }
    }

    /// The bytes as a list.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The value as text (the bytes decoded as UTF-8).
    public var text: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    public var description: String { text }

    /// Equal when the bytes are equal.
    public static func == (a: InlineHeaderValue, b: InlineHeaderValue) -> Bool {
        a.length == b.length && a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// A header whose value is held inline (``InlineHeaderValue``): the one signature header of a
/// request signed with one header (``RenderedRequest/headerParts``).
public struct InlineHeaderField: Sendable, Hashable {
    /// The header name as the plan spells it.
    public var name: String
    /// The value's bytes.
    public var value: InlineHeaderValue

    /// Creates a header field.
    public init(name: String, value: InlineHeaderValue) {
        self.name = name
        self.value = value
    }

    /// The same header with a `String` value, or nil when the value is longer than
    /// ``InlineHeaderValue/capacity``.
    public init?(_ field: HTTPHeaderField) {
        guard let value = InlineHeaderValue(field.value) else { return nil }
        self.init(name: field.name, value: value)
    }

    /// The header with its value as text.
    public var field: HTTPHeaderField { HTTPHeaderField(name: name, value: value.text) }
}
