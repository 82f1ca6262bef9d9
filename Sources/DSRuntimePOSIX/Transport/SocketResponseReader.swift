import DSRender
import DSRuntime

/// Bounds on what the socket transport accepts from a server, so a misbehaving vendor
/// cannot make a delivery run buffer without limit.
public struct SocketResponseLimits: Sendable, Equatable {
    /// The most bytes of status line plus headers (per response, interim ones included).
    public var maxHeaderBytes: Int
    /// The most body bytes.
    public var maxBodyBytes: Int
    /// The most header fields in one response head (and the most trailer fields).
    public var maxHeaderCount: Int
    /// The most interim (1xx) responses before the final one.
    public var maxInterimResponses: Int
    /// The longest chunk-size line, extensions included.
    public var maxChunkLineBytes: Int

    /// Creates limits (defaults: 64 KiB of headers, 100 header fields, 16 MiB of body,
    /// 10 interim responses, 4 KiB chunk-size lines — vendor answers are small JSON
    /// documents; anything larger is a misconfigured or hostile endpoint).
    public init(maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = 16 * 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        maxHeaderCount = 100
        maxInterimResponses = 10
        maxChunkLineBytes = 4096
    }
}

/// A parsed response and whether its connection may carry another request.
struct SocketExchangeResult {
    var response: HTTPResponse
    var keepAlive: Bool
}

func malformed(_ why: String) -> TransportError { TransportError(.connection, "malformed response: \(why)") }

extension SocketConnection {
    /// Reads one complete response to a `method` request (RFC 9112 section 6.3 framing):
    /// interim 1xx responses are skipped; HEAD, 204 and 304 have no body; otherwise
    /// `Transfer-Encoding: chunked`, then `Content-Length`, then read-until-close.
    func readResponse(method: String, limits: SocketResponseLimits, deadline: SocketDeadline) throws(TransportError) -> SocketExchangeResult {
        var interim = 0
        while true {
            let head = try readHead(limits: limits, deadline: deadline)
            let status = head.status
            if status == 101 { throw malformed("unexpected protocol switch") }
            if status < 200 {
                // 100 Continue, 103 Early Hints: the real answer follows, after a bounded number.
                interim += 1
                if interim > limits.maxInterimResponses { throw malformed("more than \(limits.maxInterimResponses) interim (1xx) responses") }
                continue
            }
            // The framing is read from the fields' bytes (ResponseFraming); the fields become
            // Strings only if the runtime asks for them (HTTPHeaderBlock).
            let framing = try ResponseFraming(head.block.bytes, offsets: head.block.offsets, version: head.version)
            var keepAlive = framing.keepAlive()
            var body: [UInt8] = []
            if HTTPName.equal(method, "head") || status == 204 || status == 304 {
                // no body by definition
            } else if let chunked = framing.chunked() {
                if chunked {
                    body = try readChunked(limits: limits, deadline: deadline)
                } else {
                    body = try readUntilClose(limits: limits, deadline: deadline)
                    keepAlive = false
                }
            } else if let length = try framing.contentLength() {
                guard length <= limits.maxBodyBytes else { throw TransportError(.other, "response body over \(limits.maxBodyBytes) bytes") }
                body = try take(length, deadline: deadline)
            } else {
                body = try readUntilClose(limits: limits, deadline: deadline)
                keepAlive = false
            }
            return SocketExchangeResult(response: HTTPResponse(status: status, headerBlock: head.block, body: body), keepAlive: keepAlive)
        }
    }

    /// The `Content-Length`, nil when absent; differing repeated values are malformed
    /// (RFC 9112 section 6.3 rule 5), as is anything but digits. The reference for
    /// ``ResponseFraming``'s byte path, and its fallback.
    static func contentLength(_ headers: [HTTPHeaderField]) throws(TransportError) -> Int? {
        var result: Int?
        for h in headers where HTTPName.equal(h.name, "content-length") {
            for part in h.value.split(separator: ",", omittingEmptySubsequences: false) {
                let text = part.trimmedOWS()
                guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(text) else {
                    throw malformed("bad Content-Length \"\(text.prefix(40))\" (digits only)")
                }
                if let result, result != n { throw malformed("conflicting Content-Length values") }
                result = n
            }
        }
        return result
    }

    /// A response head as read: its version and status, and its fields as byte ranges.
    struct Head {
        var version: String
        var status: Int
        /// The fields: a copy of their bytes, four offsets per field.
        var block: HTTPHeaderBlock
    }

    /// Reads the status line and header fields, up to and including the empty line.
    private func readHead(limits: SocketResponseLimits, deadline: SocketDeadline) throws(TransportError) -> Head {
        var scanned = 0  // relative to readIndex, which stays valid when fill compacts
        var end: Int?
        while end == nil {
            // Lines end in CRLF; a bare LF is tolerated (RFC 9112 section 2.2), so the head
            // ends at the first LF followed by an optional CR and another LF. Scanned through
            // a buffer pointer: element access through the class's stored array costs an
            // exclusivity check and a bounds check per byte.
            end = input.withUnsafeBufferPointer { b -> Int? in
                var i = readIndex + scanned
                let n = b.count
                while i < n {
                    if b[i] == 10 {
                        if i + 1 < n, b[i + 1] == 10 { return i + 2 }
                        if i + 2 < n, b[i + 1] == 13, b[i + 2] == 10 { return i + 3 }
                    }
                    i += 1
                }
                return nil
            }
            if end != nil { break }
            scanned = max(0, input.count - readIndex - 2)
            if input.count - readIndex > limits.maxHeaderBytes { throw TransportError(.other, "response headers over \(limits.maxHeaderBytes) bytes") }
            guard try fill(deadline: deadline) else {
                throw TransportError(.connection, receivedThisExchange == 0 ? "connection closed before any response" : "connection closed inside the response headers")
            }
        }
        guard let end, end - readIndex <= limits.maxHeaderBytes + 2 else { throw TransportError(.other, "response headers over \(limits.maxHeaderBytes) bytes") }
        let start = readIndex
        readIndex = end
        // The usual head (CRLF line ends, clean fields) in one pass; anything else, and
        // every error, takes the general path, which says what is wrong.
        if let head = Self.fastHead(input, from: start, end: end, maxFields: limits.maxHeaderCount) { return head }
        return try Self.generalHead(input, from: start, end: end, limits: limits)
    }

    /// The head in `buffer[start..<end]` (`end` just past the empty line that ends it), by
    /// the general rules: lines end in LF with an optional CR, trailing empty lines dropped,
    /// the status line parsed and every field checked (the reference for ``fastHead(_:from:end:maxFields:)``).
    static func generalHead(_ buffer: [UInt8], from start: Int, end: Int, limits: SocketResponseLimits) throws(TransportError) -> Head {
        // Split on LF bytes, not on the decoded String: Swift treats CRLF as one Character.
        // The lines are index ranges into the buffer (a trailing CR dropped), so no slice
        // per line is made before a line is parsed.
        var lines: [Range<Int>] = []
        lines.reserveCapacity(16)
        var lineStart = start
        buffer.withUnsafeBufferPointer { b in
            for j in start..<end where b[j] == 10 {
                lines.append(lineStart..<(j > lineStart && b[j - 1] == 13 ? j - 1 : j))
                lineStart = j + 1
            }
        }
        lines.append(lineStart..<end)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first else { throw malformed("empty status line") }
        let (version, status) = try Self.parseStatusLine(buffer[statusLine])
        if lines.count - 1 > limits.maxHeaderCount {
            throw TransportError(.other, "malformed response: more than \(limits.maxHeaderCount) header fields")
        }
        // The fields' offsets, relative to the first field line (the block keeps a copy of
        // the field lines only).
        let fieldsStart = lines.count > 1 ? lines[1].lowerBound : end
        let fieldsEnd = lines.last.map { max($0.upperBound, fieldsStart) } ?? end
        var offsets: [Int] = []
        offsets.reserveCapacity(4 * (lines.count - 1))
        for line in lines.dropFirst() {
            let (name, value) = try Self.fieldRanges(buffer[line])
            offsets.append(name.lowerBound - fieldsStart); offsets.append(name.upperBound - fieldsStart)
            offsets.append(value.lowerBound - fieldsStart); offsets.append(value.upperBound - fieldsStart)
        }
        return Head(version: version, status: status,
                    block: HTTPHeaderBlock(bytes: Array(buffer[fieldsStart..<fieldsEnd]), offsets: offsets))
    }

    /// ``generalHead(_:from:end:limits:)`` for the usual head, in one pass without a list of
    /// lines: every line ends in CRLF, the status line is `HTTP/1.1 DDD reason` as
    /// ``parseStatusLine(_:)`` accepts it, every field passes ``fieldRanges(_:)``'s checks
    /// and there are at most `maxFields`. Then the head is the general path's, field for
    /// field; otherwise nil (the general path decides, and reports any error).
    static func fastHead(_ buffer: [UInt8], from start: Int, end: Int, maxFields: Int) -> Head? {
        guard start >= 0, end <= buffer.count, end - start >= 16 else { return nil }
        let scanned = buffer.withUnsafeBufferPointer { b -> (status: Int, fieldsStart: Int, fieldsEnd: Int, offsets: [Int])? in
            // "HTTP/1.1 " then three digits, 100-599.
            let p = start
            guard b[p] == 72, b[p + 1] == 84, b[p + 2] == 84, b[p + 3] == 80, b[p + 4] == 47, b[p + 5] == 49, b[p + 6] == 46,
                  b[p + 7] == 49, b[p + 8] == 32, (49...53).contains(b[p + 9]), HTTPResponseBytes.isDigit(b[p + 10]),
                  HTTPResponseBytes.isDigit(b[p + 11]) else { return nil }
            let status = Int(b[p + 9] - 48) * 100 + Int(b[p + 10] - 48) * 10 + Int(b[p + 11] - 48)
            // The reason: SP then field-value bytes up to CRLF (or CRLF right after the code).
            var i = p + 12
            if b[i] == 32 {
                i += 1
                while i < end, b[i] != 13, b[i] != 10 {
                    guard HTTPResponseBytes.isFieldValueByte(b[i]) else { return nil }
                    i += 1
                }
            }
            guard i + 1 < end, b[i] == 13, b[i + 1] == 10 else { return nil }
            let fieldsStart = i + 2
            var offsets: [Int] = []
            offsets.reserveCapacity(32)
            var lineStart = fieldsStart
            var fieldsEnd = fieldsStart
            var count = 0
            while true {
                guard lineStart + 1 < end else { return nil }
                if b[lineStart] == 13 {
                    // The empty line: it must be the one that ends the head.
                    guard b[lineStart + 1] == 10, lineStart + 2 == end else { return nil }
                    break
                }
                // name: token bytes up to the colon (not empty).
                var colon = lineStart
                while colon < end, b[colon] != 58 {
                    guard HTTPResponseBytes.isTokenByte(b[colon]) else { return nil }
                    colon += 1
                }
                guard colon > lineStart, colon < end else { return nil }
                // value: field-value bytes up to CR, which must be followed by LF.
                var lo = colon + 1
                while lo < end, b[lo] == 32 || b[lo] == 9 { lo += 1 }
                var j = lo
                while j < end, b[j] != 13 {
                    guard HTTPResponseBytes.isFieldValueByte(b[j]) else { return nil }
                    j += 1
                }
                guard j + 1 < end, b[j + 1] == 10 else { return nil }
                var hi = j
                while hi > lo, b[hi - 1] == 32 || b[hi - 1] == 9 { hi -= 1 }
                count += 1
                guard count <= maxFields else { return nil }
                offsets.append(lineStart - fieldsStart); offsets.append(colon - fieldsStart)
                offsets.append(lo - fieldsStart); offsets.append(hi - fieldsStart)
                fieldsEnd = j
                lineStart = j + 2
            }
            return (status, fieldsStart, fieldsEnd, offsets)
        }
        guard let scanned else { return nil }
        if scanned.offsets.isEmpty {
            // No fields: the general path's block is empty.
            return Head(version: "HTTP/1.1", status: scanned.status, block: HTTPHeaderBlock(bytes: [], offsets: []))
        }
        return Head(version: "HTTP/1.1", status: scanned.status,
                    block: HTTPHeaderBlock(bytes: Array(buffer[scanned.fieldsStart..<scanned.fieldsEnd]), offsets: scanned.offsets))
    }

    /// `HTTP-version SP 3DIGIT SP reason-phrase` (RFC 9112 section 4), version `HTTP/1.x`,
    /// status 100-599, a reason of visible characters, spaces and tabs. A line that ends
    /// right after the code (no SP, no reason) is accepted, as common servers send it.
    static func parseStatusLine(_ line: ArraySlice<UInt8>) throws(TransportError) -> (String, Int) {
        // Indexed from the slice's own start (a slice keeps the buffer's indices): no copy.
        let o = line.startIndex
        func bad() -> TransportError {
            malformed("bad status line \"\(HTTPResponseBytes.printable(line.prefix(40)))\" (expected HTTP/1.x SP 3DIGIT SP reason)")
        }
        guard line.count >= 12, line[o..<(o + 7)].elementsEqual("HTTP/1.".utf8), HTTPResponseBytes.isDigit(line[o + 7]), line[o + 8] == 32,
              (49...53).contains(line[o + 9]), HTTPResponseBytes.isDigit(line[o + 10]), HTTPResponseBytes.isDigit(line[o + 11]) else {
            throw bad()
        }
        if line.count > 12 {
            guard line[o + 12] == 32, line[(o + 13)...].allSatisfy(HTTPResponseBytes.isFieldValueByte) else { throw bad() }
        }
        let status = Int(line[o + 9] - 48) * 100 + Int(line[o + 10] - 48) * 10 + Int(line[o + 11] - 48)
        return (line[o + 7] == 49 ? "HTTP/1.1" : String(decoding: line[o..<(o + 8)], as: UTF8.self), status)
    }

    /// `field-name ":" OWS field-value OWS`: a token name, no obsolete line folding, no
    /// control bytes (NUL, bare CR, DEL, ...) in the value. Also used for trailers.
    static func parseField(_ line: ArraySlice<UInt8>) throws(TransportError) -> HTTPHeaderField {
        let (name, value) = try fieldRanges(line)
        return HTTPHeaderField(name: String(decoding: line[name], as: UTF8.self), value: String(decoding: line[value], as: UTF8.self))
    }

    /// ``parseField(_:)``'s checks, returning the name's and the value's index ranges in
    /// `line` (the value without surrounding spaces and tabs) instead of Strings.
    static func fieldRanges(_ line: ArraySlice<UInt8>) throws(TransportError) -> (name: Range<Int>, value: Range<Int>) {
        // The checks below on a buffer pointer; a line they refuse takes the slice path,
        // which says why.
        let checked = line.withUnsafeBufferPointer { b -> (Int, Int, Int)? in
            guard let first = b.first, first != 32, first != 9 else { return nil }
            var colon = 0
            while colon < b.count, b[colon] != 58 {
                guard HTTPResponseBytes.isTokenByte(b[colon]) else { return nil }
                colon += 1
            }
            guard colon > 0, colon < b.count else { return nil }
            var lo = colon + 1
            var hi = b.count
            while lo < hi, b[lo] == 32 || b[lo] == 9 { lo += 1 }
            while hi > lo, b[hi - 1] == 32 || b[hi - 1] == 9 { hi -= 1 }
            for i in lo..<hi where !HTTPResponseBytes.isFieldValueByte(b[i]) { return nil }
            return (colon, lo, hi)
        }
        if let (colon, lo, hi) = checked {
            let o = line.startIndex
            return (o..<(o + colon), (o + lo)..<(o + hi))
        }
        return try slowFieldRanges(line)
    }

    static func slowFieldRanges(_ line: ArraySlice<UInt8>) throws(TransportError) -> (name: Range<Int>, value: Range<Int>) {
        guard let first = line.first, first != 32, first != 9 else { throw malformed("obsolete line folding or an empty header line") }
        guard let colon = line.firstIndex(of: 58), colon > line.startIndex else { throw malformed("header line without a field name and colon") }
        guard line[line.startIndex..<colon].allSatisfy(HTTPResponseBytes.isTokenByte) else {
            throw malformed("invalid header field name \"\(HTTPResponseBytes.printable(line[line.startIndex..<colon].prefix(40)))\"")
        }
        var lo = colon + 1
        var hi = line.endIndex
        while lo < hi, line[lo] == 32 || line[lo] == 9 { lo += 1 }
        while hi > lo, line[hi - 1] == 32 || line[hi - 1] == 9 { hi -= 1 }
        guard line[lo..<hi].allSatisfy(HTTPResponseBytes.isFieldValueByte) else { throw malformed("control byte in the value of header \(String(decoding: line[line.startIndex..<colon], as: UTF8.self))") }
        return (line.startIndex..<colon, lo..<hi)
    }

    /// `chunk-size [ chunk-ext ]` (RFC 9112 section 7.1): 1-16 hex digits, no sign, no
    /// prefix, no leading space; extensions `;name[=token|quoted-string]`, ignored. Returns
    /// nil when the size does not fit an `Int` (the caller reports it as over the limit).
    static func parseChunkSizeLine(_ line: ArraySlice<UInt8>) throws(TransportError) -> Int? {
        let b = Array(line)
        var i = 0
        var size = 0
        var overflow = false
        while i < b.count, let d = HTTPResponseBytes.hexValue(b[i]) {
            let (m, o1) = size.multipliedReportingOverflow(by: 16)
            let (a, o2) = m.addingReportingOverflow(d)
            overflow = overflow || o1 || o2
            size = a
            i += 1
        }
        guard i > 0, i <= 16 else { throw malformed("bad chunk size \"\(HTTPResponseBytes.printable(b.prefix(40)))\" (1-16 hex digits)") }
        func skipBWS() { while i < b.count, b[i] == 32 || b[i] == 9 { i += 1 } }
        func token() -> Bool {
            let start = i
            while i < b.count, HTTPResponseBytes.isTokenByte(b[i]) { i += 1 }
            return i > start
        }
        skipBWS()
        while i < b.count {
            guard b[i] == 59 else { throw malformed("bad chunk size \"\(HTTPResponseBytes.printable(b.prefix(40)))\" (1-16 hex digits)") }
            i += 1
            skipBWS()
            guard token() else { throw malformed("bad chunk extension (expected ;name[=value])") }
            skipBWS()
            if i < b.count, b[i] == 61 {
                i += 1
                skipBWS()
                if i < b.count, b[i] == 34 {
                    i += 1
                    var closed = false
                    while i < b.count {
                        if b[i] == 34 { closed = true; i += 1; break }
                        if b[i] == 92 { i += 1; guard i < b.count, HTTPResponseBytes.isFieldValueByte(b[i]) else { break } }
                        else if !HTTPResponseBytes.isFieldValueByte(b[i]) { break }
                        i += 1
                    }
                    guard closed else { throw malformed("bad chunk extension (unterminated or invalid quoted value)") }
                } else {
                    guard token() else { throw malformed("bad chunk extension (expected ;name[=value])") }
                }
                skipBWS()
            }
        }
        return overflow ? nil : size
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
    private func line(limit: Int, deadline: SocketDeadline) throws(TransportError) -> ArraySlice<UInt8> {
        while true {
            if let lf = input[readIndex...].firstIndex(of: 10) {
                guard lf - readIndex <= limit + 1 else { throw malformed("chunk line over \(limit) bytes") }
                let bytes = Array(input[readIndex..<lf])[...]
                readIndex = lf + 1
                return bytes.last == 13 ? bytes.dropLast() : bytes
            }
            if input.count - readIndex > limit { throw malformed("chunk line over \(limit) bytes") }
            guard try fill(deadline: deadline) else { throw TransportError(.connection, "connection closed inside a chunked body") }
        }
    }

    /// A chunked body (RFC 9112 section 7.1): chunk extensions are ignored, trailers read
    /// and dropped (the runtime reads no trailer).
    private func readChunked(limits: SocketResponseLimits, deadline: SocketDeadline) throws(TransportError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try line(limit: limits.maxChunkLineBytes, deadline: deadline)
            let parsed = try Self.parseChunkSizeLine(sizeLine)
            guard let size = parsed, size <= limits.maxBodyBytes - body.count else {
                throw TransportError(.other, "response body over \(limits.maxBodyBytes) bytes")
            }
            if size == 0 { break }
            body += try take(size, deadline: deadline)
            guard try line(limit: 2, deadline: deadline).isEmpty else { throw malformed("chunk data longer than its size") }
        }
        var trailerBytes = 0
        var trailerCount = 0
        while true {
            let trailer = try line(limit: limits.maxHeaderBytes, deadline: deadline)
            if trailer.isEmpty { return body }
            _ = try Self.parseField(trailer)
            trailerBytes += trailer.count
            trailerCount += 1
            if trailerBytes > limits.maxHeaderBytes { throw TransportError(.other, "response trailers over \(limits.maxHeaderBytes) bytes") }
            if trailerCount > limits.maxHeaderCount { throw TransportError(.other, "malformed response: more than \(limits.maxHeaderCount) trailer fields") }
        }
    }

    /// A body delimited by the server closing the connection (HTTP/1.0 style).
    private func readUntilClose(limits: SocketResponseLimits, deadline: SocketDeadline) throws(TransportError) -> [UInt8] {
        // Checked before each read too: the event loop's reads land before the parse runs.
        repeat {
            if input.count - readIndex > limits.maxBodyBytes { throw TransportError(.other, "response body over \(limits.maxBodyBytes) bytes") }
        } while try fill(deadline: deadline)
        let body = Array(input[readIndex...])
        readIndex = input.count
        return body
    }
}

/// Byte classes of RFC 9110 used by the response parser.
enum HTTPResponseBytes {
    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c - 48)
        case 65...70: return Int(c - 55)
        case 97...102: return Int(c - 87)
        default: return nil
        }
    }
    /// `tchar`: the characters of a token (header names, extension names).
    static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case 48...57, 65...90, 97...122: return true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: return true  // ! # $ % & ' * + - . ^ _ ` | ~
        default: return false
        }
    }
    /// HTAB, SP, VCHAR and obs-text: what a field value or reason phrase may hold.
    static func isFieldValueByte(_ c: UInt8) -> Bool { c == 9 || (c >= 32 && c != 127) }
    /// For error messages: control bytes shown as `?`.
    static func printable<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        String(decoding: bytes.map { $0 < 32 || $0 == 127 ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmedOWS() -> String {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// ASCII case-insensitive comparison of a header name (or method) with a lowercase
/// constant, without building a lowercased copy.
enum HTTPName {
    static func equal(_ name: String, _ lowercase: StaticString) -> Bool {
        var name = name
        return name.withUTF8 { a -> Bool in
            guard a.count == lowercase.utf8CodeUnitCount else { return false }
            let b = lowercase.utf8Start
            for i in 0..<a.count {
                var c = a[i]
                if c >= 65 && c <= 90 { c |= 0x20 }
                if c != b[i] { return false }
            }
            return true
        }
    }
}

/// How a response is framed and whether its connection stays open, read from the bytes of
/// its header fields: the rules (and error messages) of the String-based reference in
/// ``ResponseFraming/Reference``, without a String per field. A value holding a non-ASCII
/// byte, and every Content-Length the fast path does not accept, goes to the reference.
struct ResponseFraming {
    private let bytes: [UInt8]
    /// Four offsets into `bytes` per field (name start, end, value start, end).
    private let offsets: [Int]
    private let version: String

    /// Checks the one combination that is malformed whatever the method and status: both
    /// `Transfer-Encoding` and `Content-Length` (RFC 9112 section 6.3 rule 3).
    init(_ bytes: [UInt8], offsets: [Int], version: String) throws(TransportError) {
        self.bytes = bytes
        self.offsets = offsets
        self.version = version
        if firstField("content-length") != nil, firstField("transfer-encoding") != nil {
            // A sign of response splitting; never guess the framing.
            throw malformed("both Transfer-Encoding and Content-Length")
        }
    }

    private var count: Int { offsets.count / 4 }

    private func nameEquals(_ i: Int, _ lowercase: StaticString) -> Bool {
        let start = offsets[4 * i], end = offsets[4 * i + 1]
        guard end - start == lowercase.utf8CodeUnitCount else { return false }
        let b = lowercase.utf8Start
        var j = 0
        for k in start..<end {
            if foldASCII(bytes[k]) != b[j] { return false }
            j += 1
        }
        return true
    }

    private func firstField(_ lowercase: StaticString) -> Int? {
        for i in 0..<count where nameEquals(i, lowercase) { return i }
        return nil
    }

    private func value(_ i: Int) -> ArraySlice<UInt8> { bytes[offsets[4 * i + 2]..<offsets[4 * i + 3]] }
    private func valueString(_ i: Int) -> String { String(decoding: value(i), as: UTF8.self) }

    private static func isASCII(_ v: ArraySlice<UInt8>) -> Bool { !v.contains { $0 >= 0x80 } }

    /// Comma-separated elements of an ASCII value, each without surrounding spaces and tabs:
    /// what `split(separator: ",", omittingEmptySubsequences:)` then trimming does on the
    /// String.
    private static func elements(_ v: ArraySlice<UInt8>, omittingEmpty: Bool) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var start = v.startIndex
        var i = v.startIndex
        while true {
            if i == v.endIndex || v[i] == 44 {
                if !(omittingEmpty && i == start) {
                    var lo = start, hi = i
                    while lo < hi, v[lo] == 32 || v[lo] == 9 { lo += 1 }
                    while hi > lo, v[hi - 1] == 32 || v[hi - 1] == 9 { hi -= 1 }
                    out.append(v[lo..<hi])
                }
                if i == v.endIndex { break }
                start = i + 1
            }
            i += 1
        }
        return out
    }

    /// Whether an ASCII `Connection` value lists `close` and `keep-alive` (elements as
    /// ``elements(_:omittingEmpty:)`` makes them, without collecting them).
    private static func connectionTokens(_ v: ArraySlice<UInt8>) -> (close: Bool, keepAlive: Bool) {
        var close = false, keep = false
        var start = v.startIndex
        var i = v.startIndex
        while true {
            if i == v.endIndex || v[i] == 44 {
                if i > start {
                    var lo = start, hi = i
                    while lo < hi, v[lo] == 32 || v[lo] == 9 { lo += 1 }
                    while hi > lo, v[hi - 1] == 32 || v[hi - 1] == 9 { hi -= 1 }
                    if equalsFolded(v[lo..<hi], "close") { close = true } else if equalsFolded(v[lo..<hi], "keep-alive") { keep = true }
                }
                if i == v.endIndex { break }
                start = i + 1
            }
            i += 1
        }
        return (close, keep)
    }

    private static func equalsFolded(_ v: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        guard v.count == lowercase.utf8CodeUnitCount else { return false }
        let b = lowercase.utf8Start
        var j = 0
        for c in v {
            if foldASCII(c) != b[j] { return false }
            j += 1
        }
        return true
    }

    /// HTTP/1.1 keeps the connection unless a `Connection` field says `close`; HTTP/1.0
    /// closes it unless one says `keep-alive`. Every `Connection` field counts, in order.
    func keepAlive() -> Bool {
        var keepAlive = version == "HTTP/1.1"
        for i in 0..<count where nameEquals(i, "connection") {
            let v = value(i)
            let close: Bool, keep: Bool
            if Self.isASCII(v) {
                (close, keep) = Self.connectionTokens(v)
            } else {
                (close, keep) = Reference.connectionTokens(valueString(i))
            }
            if close { keepAlive = false } else if keep { keepAlive = true }
        }
        return keepAlive
    }

    /// Nil without a `Transfer-Encoding` field; else whether the last one ends in `chunked`.
    func chunked() -> Bool? {
        var last: Int?
        for i in 0..<count where nameEquals(i, "transfer-encoding") { last = i }
        guard let last else { return nil }
        let v = value(last)
        guard Self.isASCII(v) else { return Reference.isChunked(valueString(last)) }
        guard let final = Self.elements(v, omittingEmpty: true).last else { return false }
        return Self.equalsFolded(final, "chunked")
    }

    /// The `Content-Length` (see ``SocketConnection/contentLength(_:)``, the reference).
    func contentLength() throws(TransportError) -> Int? {
        var result: Int?
        for i in 0..<count where nameEquals(i, "content-length") {
            let v = value(i)
            guard Self.isASCII(v) else { return try reference() }
            for part in Self.elements(v, omittingEmpty: false) {
                guard !part.isEmpty, part.count <= 18, part.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return try reference() }
                var n = 0
                for d in part { n = n * 10 + Int(d - 48) }
                if let result, result != n { return try reference() }
                result = n
            }
        }
        return result
    }

    /// The String-based reference over every field (it throws the error the fast path saw).
    private func reference() throws(TransportError) -> Int? {
        var fields: [HTTPHeaderField] = []
        for i in 0..<count {
            fields.append(HTTPHeaderField(name: String(decoding: bytes[offsets[4 * i]..<offsets[4 * i + 1]], as: UTF8.self), value: valueString(i)))
        }
        return try SocketConnection.contentLength(fields)
    }

    /// The String-based rules the byte paths above reproduce (kept as the reference for the
    /// differential tests, and used for values with non-ASCII bytes).
    enum Reference {
        static func connectionTokens(_ value: String) -> (close: Bool, keepAlive: Bool) {
            let tokens = value.lowercased().split(separator: ",").map { $0.trimmedOWS() }
            return (tokens.contains("close"), tokens.contains("keep-alive"))
        }

        static func isChunked(_ value: String) -> Bool {
            value.lowercased().split(separator: ",").last?.trimmedOWS() == "chunked"
        }

        /// The whole framing decision over String fields, as the reader made it before.
        static func framing(_ headers: [HTTPHeaderField], version: String) throws(TransportError) -> (keepAlive: Bool, chunked: Bool?, contentLength: () throws(TransportError) -> Int?) {
            let hasLength = headers.contains { HTTPName.equal($0.name, "content-length") }
            if hasLength, headers.contains(where: { HTTPName.equal($0.name, "transfer-encoding") }) {
                throw malformed("both Transfer-Encoding and Content-Length")
            }
            var keepAlive = version == "HTTP/1.1"
            for h in headers where HTTPName.equal(h.name, "connection") {
                let (close, keep) = connectionTokens(h.value)
                if close { keepAlive = false } else if keep { keepAlive = true }
            }
            let chunked = headers.last(where: { HTTPName.equal($0.name, "transfer-encoding") }).map { isChunked($0.value) }
            return (keepAlive, chunked, { () throws(TransportError) in try SocketConnection.contentLength(headers) })
        }
    }
}

/// An ASCII letter in lowercase, any other byte as it is.
@inline(__always)
private func foldASCII(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b | 0x20 : b }
