import DSJSON

/// The base protocol's framing (LSP 3.17, "Base Protocol"): `Content-Length: N\r\n\r\n` then N
/// bytes of JSON. Pure: bytes in, frames out; the edge feeds it whatever `read` returned.
///
/// Nothing a client sends can make it allocate without bound: a header longer than
/// `maxHeaderBytes` is dropped, and a body over `maxContentLength` is skipped as it
/// arrives (reported once, never buffered).
public struct LSPFrameDecoder: Sendable {
    /// One result of `next()`.
    public enum Frame: Sendable, Equatable {
        /// A complete body (not yet parsed).
        case message([UInt8])
        /// A framing problem; the decoder has already resynchronised past it.
        case error(String)
    }

    /// The largest body accepted (default 64 MiB).
    public var maxContentLength: Int
    /// The largest header block accepted.
    public var maxHeaderBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var skipping = 0

    /// Creates a decoder.
    public init(maxContentLength: Int = 64 << 20, maxHeaderBytes: Int = 8192) {
        self.maxContentLength = maxContentLength
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// Bytes not yet consumed (a partial message at end of input).
    public var pendingByteCount: Int { buffer.count - start + skipping }

    /// Appends bytes read from the client.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        var bytes = Array(bytes)
        if skipping > 0 {
            let n = min(skipping, bytes.count)
            skipping -= n
            bytes.removeFirst(n)
        }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func next() -> Frame? {
        guard skipping == 0 else { return nil }
        let available = buffer.count - start
        guard available > 0 else { return nil }
        // Find the blank line that ends the header block.
        var end: Int?
        var i = start
        let limit = min(buffer.count, start + maxHeaderBytes + 4)
        while i + 3 < limit {
            if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { end = i; break }
            i += 1
        }
        guard let headerEnd = end else {
            if available > maxHeaderBytes + 4 {
                buffer.removeAll()
                start = 0
                return .error("a header block longer than \(maxHeaderBytes) bytes without a blank line; input discarded")
            }
            return nil
        }
        let headerBytes = buffer[start..<headerEnd]
        let bodyStart = headerEnd + 4
        var length: Int?
        var problem: String?
        for line in String(decoding: headerBytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { problem = "a header line without a colon"; continue }
            let name = line[..<colon].trimmingSpaces.lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces
            if name == "content-length" {
                if value.isEmpty || value.count > 18 || !value.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    problem = "Content-Length \"\(value.prefix(40))\" is not a number"
                } else {
                    length = Int(value)
                }
            }
        }
        guard let length, problem == nil else {
            start = bodyStart
            return .error(problem ?? "a message without Content-Length")
        }
        if length > maxContentLength {
            let have = buffer.count - bodyStart
            if have >= length {
                start = bodyStart + length
            } else {
                skipping = length - have
                buffer.removeAll()
                start = 0
            }
            return .error("Content-Length \(length) is over the limit of \(maxContentLength) bytes; the message is skipped")
        }
        guard buffer.count - bodyStart >= length else { return nil }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        start = bodyStart + length
        return .message(body)
    }

    /// One framed message.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        let body = JSONWriter.bytes(value, style: .compact)
        return Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }
}

extension Substring {
    var trimmingSpaces: String {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
