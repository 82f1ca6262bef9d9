import DSRender

/// An HTTP response as the runtime needs it.
///
/// The socket transport hands its header fields over as an ``HTTPHeaderBlock`` (the received
/// bytes and the fields' byte ranges): the runtime reads one or two of them (`Retry-After`,
/// rate-limit headers) and usually none, so the `String`s of ``headers`` are made only when
/// asked for. ``header(_:)`` looks a name up on the bytes.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// Header fields in the order received (names as sent by the server).
    public var headers: [HTTPHeaderField] {
        get { block?.fields ?? fields }
        set {
            fields = newValue
            block = nil
        }
    }
    /// The body bytes.
    public var body: [UInt8]
    private var fields: [HTTPHeaderField]
    private var block: HTTPHeaderBlock?

    /// Creates a response.
    public init(status: Int, headers: [HTTPHeaderField] = [], body: [UInt8] = []) {
        self.status = status
        self.fields = headers
        self.body = body
    }

    /// Creates a response whose header fields stay bytes until read.
    package init(status: Int, headerBlock: HTTPHeaderBlock, body: [UInt8]) {
        self.status = status
        self.fields = []
        self.block = headerBlock
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        if let block { return block.firstValue(named: name) }
        return Self.firstValue(named: name, in: fields)
    }

    /// ``header(_:)`` over materialised fields (also the byte path's reference and fallback).
    static func firstValue(named name: String, in fields: [HTTPHeaderField]) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    public static func == (a: HTTPResponse, b: HTTPResponse) -> Bool {
        a.status == b.status && a.body == b.body && a.headers == b.headers
    }
}

/// Header fields as received: the bytes of the response head and, per field, the byte
/// ranges of its name and value (value without its surrounding whitespace). Immutable, so a
/// response copies it by reference.
package final class HTTPHeaderBlock: Sendable {
    /// The bytes the ranges point into.
    package let bytes: [UInt8]
    /// Four offsets per field: name start and end, value start and end.
    package let offsets: [Int]

    /// Wraps `bytes` and the fields' ranges (checked: a range outside `bytes` is clamped to
    /// an empty one, never trapped on).
    package init(bytes: [UInt8], offsets: [Int]) {
        let n = bytes.count
        var checked = offsets
        if checked.count % 4 != 0 { checked.removeLast(checked.count % 4) }
        for i in stride(from: 0, to: checked.count, by: 2) where !(checked[i] >= 0 && checked[i] <= checked[i + 1] && checked[i + 1] <= n) {
            checked[i] = 0
            checked[i + 1] = 0
        }
        self.bytes = bytes
        self.offsets = checked
    }

    /// The number of fields.
    package var count: Int { offsets.count / 4 }

    /// Every field, as `String`s (invalid UTF-8 repaired, as `String(decoding:as:)` does).
    package var fields: [HTTPHeaderField] {
        var out: [HTTPHeaderField] = []
        out.reserveCapacity(count)
        for i in 0..<count { out.append(field(i)) }
        return out
    }

    private func field(_ i: Int) -> HTTPHeaderField {
        HTTPHeaderField(name: string(offsets[4 * i], offsets[4 * i + 1]), value: string(offsets[4 * i + 2], offsets[4 * i + 3]))
    }

    private func string(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }

    /// The value of the first field named `name`, compared as ``HTTPResponse/header(_:)``
    /// compares (`lowercased()` on both sides), without making a `String` of any other field.
    /// An ASCII name against an ASCII field name is compared byte for byte, ASCII letters
    /// folded, which is what `lowercased()` equality means there; anything else takes the
    /// `String` comparison.
    package func firstValue(named name: String) -> String? {
        var query = name
        let ascii = query.withUTF8 { q in q.allSatisfy { $0 < 0x80 } }
        guard ascii else { return HTTPResponse.firstValue(named: name, in: fields) }
        return query.withUTF8 { q -> String? in
            for i in 0..<count {
                let start = offsets[4 * i], end = offsets[4 * i + 1]
                if bytes[start..<end].contains(where: { $0 >= 0x80 }) {
                    if field(i).name.lowercased() == name.lowercased() { return field(i).value }
                    continue
                }
                guard end - start == q.count else { continue }
                var same = true
                var j = 0
                for b in bytes[start..<end] {
                    if Self.fold(b) != Self.fold(q[j]) { same = false; break }
                    j += 1
                }
                if same { return string(offsets[4 * i + 2], offsets[4 * i + 3]) }
            }
            return nil
        }
    }

    @inline(__always)
    package static func fold(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b | 0x20 : b }
}

/// A request that got no HTTP response. Every kind but ``Kind/invalidRequest`` is retried
/// like a `retry` outcome (spec section 16.1: "Network errors and timeouts are retried").
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of network failure.
    public enum Kind: String, Sendable {
        /// No complete response within the per-attempt timeout (`endpoint.timeout_ms`).
        case timeout
        /// The connection was refused, reset or closed before a complete response.
        case connection
        /// TLS handshake or certificate verification failed.
        case tls
        /// The host name did not resolve.
        case dns
        /// Anything else (a local resource problem).
        case other
        /// The request cannot be sent as it is: a malformed URL, an unsupported scheme, or a
        /// byte that would break the request line or a header line. Nothing was sent, and
        /// sending again cannot help: the runtime dead-letters it at once, without retries.
        case invalidRequest = "invalid_request"
    }

    /// The kind.
    public var kind: Kind
    /// A one-line explanation (never contains request headers or body).
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

/// Sends rendered requests. The runtime never builds requests itself: it hands the render
/// stage's ``RenderedRequest`` over unchanged, and an implementation must put exactly those
/// headers and bytes on the wire (adding only what HTTP/1.1 framing needs: `Host`,
/// `Content-Length`, `Connection`).
public protocol HTTPTransport: Sendable {
    /// Sends `request`, waiting at most `timeout` for the complete response.
    nonisolated(nonsending) func send(_ request: RenderedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse
}
