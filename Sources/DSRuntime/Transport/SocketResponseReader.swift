import DSRender

/// Bounds on what the socket transport accepts from a server, so a misbehaving vendor
/// cannot make a delivery run buffer without limit.
public struct SocketResponseLimits: Sendable, Equatable {
    /// The most bytes of status line plus headers (per response, interim ones included).
    public var maxHeaderBytes: Int
    /// The most body bytes.
    public var maxBodyBytes: Int

    /// Creates limits (defaults: 64 KiB of headers, 16 MiB of body — vendor answers are
    /// small JSON documents; anything larger is a misconfigured endpoint).
    public init(maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = 16 * 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }
}

/// A parsed response and whether its connection may carry another request.
struct SocketExchangeResult {
    var response: HTTPResponse
    var keepAlive: Bool
}

private func malformed(_ why: String) -> TransportError { TransportError(.connection, "malformed response: \(why)") }

extension SocketConnection {
    /// Reads one complete response to a `method` request (RFC 9112 section 6.3 framing):
    /// interim 1xx responses are skipped; HEAD, 204 and 304 have no body; otherwise
    /// `Transfer-Encoding: chunked`, then `Content-Length`, then read-until-close.
    func readResponse(method: String, limits: SocketResponseLimits, deadline: SocketDeadline) throws(TransportError) -> SocketExchangeResult {
        while true {
            let (version, status, headers) = try readHead(limits: limits, deadline: deadline)
            if status == 101 { throw malformed("unexpected protocol switch") }
            if status < 200 { continue }  // 100 Continue, 103 Early Hints: the real answer follows
            var keepAlive = version == "HTTP/1.1"
            for h in headers where h.name.lowercased() == "connection" {
                let tokens = h.value.lowercased().split(separator: ",").map { $0.trimmedOWS() }
                if tokens.contains("close") { keepAlive = false } else if tokens.contains("keep-alive") { keepAlive = true }
            }
            var body: [UInt8] = []
            if method.uppercased() == "HEAD" || status == 204 || status == 304 {
                // no body by definition
            } else if let te = headers.last(where: { $0.name.lowercased() == "transfer-encoding" }) {
                if te.value.lowercased().split(separator: ",").last?.trimmedOWS() == "chunked" {
                    body = try readChunked(limits: limits, deadline: deadline)
                } else {
                    body = try readUntilClose(limits: limits, deadline: deadline)
                    keepAlive = false
                }
            } else if let length = try contentLength(headers) {
                guard length <= limits.maxBodyBytes else { throw TransportError(.other, "response body over \(limits.maxBodyBytes) bytes") }
                body = try take(length, deadline: deadline)
            } else {
                body = try readUntilClose(limits: limits, deadline: deadline)
                keepAlive = false
            }
            return SocketExchangeResult(response: HTTPResponse(status: status, headers: headers, body: body), keepAlive: keepAlive)
        }
    }

    /// The `Content-Length`, nil when absent; differing repeated values are malformed
    /// (RFC 9112 section 6.3 rule 5), as is anything but digits.
    private func contentLength(_ headers: [HTTPHeaderField]) throws(TransportError) -> Int? {
        var result: Int?
        for h in headers where h.name.lowercased() == "content-length" {
            for part in h.value.split(separator: ",") {
                let text = part.trimmedOWS()
                guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(text) else { throw malformed("bad Content-Length") }
                if let result, result != n { throw malformed("conflicting Content-Length values") }
                result = n
            }
        }
        return result
    }

    /// Reads the status line and header fields, up to and including the empty line.
    private func readHead(limits: SocketResponseLimits, deadline: SocketDeadline) throws(TransportError) -> (String, Int, [HTTPHeaderField]) {
        var scanned = 0  // relative to readIndex, which stays valid when fill compacts
        var end: Int?
        while end == nil {
            // Lines end in CRLF; a bare LF is tolerated (RFC 9112 section 2.2), so the head
            // ends at the first LF followed by an optional CR and another LF.
            var i = readIndex + scanned
            while i < input.count {
                if input[i] == 10 {
                    if i + 1 < input.count, input[i + 1] == 10 { end = i + 2; break }
                    if i + 2 < input.count, input[i + 1] == 13, input[i + 2] == 10 { end = i + 3; break }
                }
                i += 1
            }
            if end != nil { break }
            scanned = max(0, input.count - readIndex - 2)
            if input.count - readIndex > limits.maxHeaderBytes { throw TransportError(.other, "response headers over \(limits.maxHeaderBytes) bytes") }
            guard try fill(deadline: deadline) else {
                throw TransportError(.connection, receivedThisExchange == 0 ? "connection closed before any response" : "connection closed inside the response headers")
            }
        }
        guard let end, end - readIndex <= limits.maxHeaderBytes + 2 else { throw TransportError(.other, "response headers over \(limits.maxHeaderBytes) bytes") }
        // Split on LF bytes, not on the decoded String: Swift treats CRLF as one Character.
        var lines = input[readIndex..<end].split(separator: 10, omittingEmptySubsequences: false).map { line -> Substring in
            String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self)[...]
        }
        readIndex = end
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first else { throw malformed("empty status line") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]), status >= 100 else {
            throw malformed("bad status line")
        }
        var headers: [HTTPHeaderField] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { throw malformed("bad header line") }
            let name = line[..<colon]
            guard !name.contains(where: { $0 == " " || $0 == "\t" }) else { throw malformed("whitespace in a header name") }
            headers.append(HTTPHeaderField(name: String(name), value: line[line.index(after: colon)...].trimmedOWS()))
        }
        return (String(parts[0]), status, headers)
    }

    /// Exactly `count` body bytes.
    private func take(_ count: Int, deadline: SocketDeadline) throws(TransportError) -> [UInt8] {
        while input.count - readIndex < count {
            guard try fill(deadline: deadline) else { throw TransportError(.connection, "connection closed inside the response body") }
        }
        let bytes = Array(input[readIndex..<(readIndex + count)])
        readIndex += count
        return bytes
    }

    /// One line (without its line ending), for chunk sizes and trailers.
    private func line(limit: Int, deadline: SocketDeadline) throws(TransportError) -> Substring {
        while true {
            if let lf = input[readIndex...].firstIndex(of: 10) {
                let bytes = input[readIndex..<lf]
                readIndex = lf + 1
                return String(decoding: bytes.last == 13 ? bytes.dropLast() : bytes, as: UTF8.self)[...]
            }
            if input.count - readIndex > limit { throw malformed("chunk line too long") }
            guard try fill(deadline: deadline) else { throw TransportError(.connection, "connection closed inside a chunked body") }
        }
    }

    /// A chunked body (RFC 9112 section 7.1): chunk extensions are ignored, trailers read
    /// and dropped (the runtime reads no trailer).
    private func readChunked(limits: SocketResponseLimits, deadline: SocketDeadline) throws(TransportError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try line(limit: 4096, deadline: deadline)
            let hex = sizeLine.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmedOWS()
            guard !hex.isEmpty, hex.count <= 15, let size = Int(hex, radix: 16) else { throw malformed("bad chunk size") }
            if size == 0 { break }
            guard body.count + size <= limits.maxBodyBytes else { throw TransportError(.other, "response body over \(limits.maxBodyBytes) bytes") }
            body += try take(size, deadline: deadline)
            guard try line(limit: 2, deadline: deadline).isEmpty else { throw malformed("chunk data longer than its size") }
        }
        var trailerBytes = 0
        while true {
            let trailer = try line(limit: limits.maxHeaderBytes, deadline: deadline)
            if trailer.isEmpty { return body }
            trailerBytes += trailer.utf8.count
            if trailerBytes > limits.maxHeaderBytes { throw TransportError(.other, "response trailers over \(limits.maxHeaderBytes) bytes") }
        }
    }

    /// A body delimited by the server closing the connection (HTTP/1.0 style).
    private func readUntilClose(limits: SocketResponseLimits, deadline: SocketDeadline) throws(TransportError) -> [UInt8] {
        while try fill(deadline: deadline) {
            if input.count - readIndex > limits.maxBodyBytes { throw TransportError(.other, "response body over \(limits.maxBodyBytes) bytes") }
        }
        let body = Array(input[readIndex...])
        readIndex = input.count
        return body
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    fileprivate func trimmedOWS() -> String {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
