#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the parser has to say after new bytes arrive.
enum ParseEvent {
    /// The next request is incomplete; read more.
    case needMore
    /// The head asked for `100 Continue` and no body byte has arrived yet: send it now.
    case sendContinue
    /// A complete request, and whether the connection may carry another one.
    case request(MockRequest, keepAlive: Bool)
    /// The request is malformed or over a limit: answer `status` and close.
    case failure(HTTPParseError)
}

/// Incremental HTTP/1.1 request parser: the connection appends whatever `read` returned and
/// calls ``next()`` until it says `needMore`. Pipelined requests come out one at a time.
///
/// Memory is bounded: the head may grow only to `maxHeadBytes` before a 431, and body bytes
/// are moved out of the input buffer as they arrive, so one connection never holds more
/// than a head, a read's worth of input and at most `maxBodyBytes` of body.
struct RequestParser {
    private let limits: MockLimits
    /// Received bytes; `start` is the first one not yet consumed.
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the end of the head resumes (absolute index into `buffer`).
    private var scan = 0
    /// Line ranges of the head found so far (absolute indexes).
    private var lines: [Range<Int>] = []
    private var lineStart = 0
    private var phase = Phase.head
    private var current: ParsedHead?
    private var body: [UInt8] = []
    private var trailers: [MockHeader] = []
    private var trailerBytes = 0
    private var continueSent = false
    /// Empty-line bytes skipped before the current request line, counted across reads so the
    /// allowance does not depend on how the bytes were split.
    private var skippedEmptyLineBytes = 0

    private enum Phase: Equatable {
        case head, fixed(remaining: Int), chunkSize, chunkData(remaining: Int), chunkDataEnd, trailers, failed
    }

    /// Whether common heads take ``HeadParser/parseSimple(head:lines:base:limits:)`` (off only
    /// in tests that compare the two paths).
    private let fastPath: Bool

    init(limits: MockLimits, fastPath: Bool = true) {
        self.limits = limits
        self.fastPath = fastPath
        buffer.reserveCapacity(4096)
    }

    /// True while part of a request has arrived (the read timeout applies) rather than the
    /// connection sitting idle between requests.
    var hasPartialRequest: Bool { start < buffer.count || phase != .head }
    /// True while no request head is complete (the next bytes, if any, are part of a head).
    var isReadingHead: Bool { phase == .head }

    /// Appends received bytes.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0; scan = 0; lineStart = 0
        } else if start > 65536 {
            compact()
        }
        buffer.append(contentsOf: bytes)
    }

    /// Drops consumed bytes so a long pipelined stream cannot grow the buffer forever.
    private mutating func compact() {
        let shift = start
        buffer.removeFirst(shift)
        start = 0
        scan -= min(scan, shift)
        lineStart -= min(lineStart, shift)
        lines = lines.map { ($0.lowerBound - shift)..<($0.upperBound - shift) }
    }

    /// Advances as far as the buffered bytes allow.
    mutating func next() -> ParseEvent {
        do throws(HTTPParseError) {
            while true {
                switch phase {
                case .failed:
                    return .needMore
                case .head:
                    guard let found = try parseHead() else { return .needMore }
                    body = []
                    trailers = []
                    continueSent = false
                    let head: ParsedHead
                    switch found {
                    case .simple(let simple):
                        // A bodiless request on the fast path is done: no ParsedHead at all.
                        if simple.contentLength == 0 { return finishSimple(simple) }
                        head = simple.parsed
                    case .general(let general):
                        head = general
                    }
                    switch head.framing {
                    case .none: return finish(head)  // not stored: a bodiless request is done
                    case .length(let n): phase = .fixed(remaining: n)
                    case .chunked: phase = .chunkSize
                    }
                    current = head
                    if head.expectsContinue, start == buffer.count {
                        continueSent = true
                        return .sendContinue
                    }
                case .fixed(let remaining):
                    let n = min(remaining, buffer.count - start)
                    guard n > 0 else { return .needMore }
                    body.append(contentsOf: buffer[start..<(start + n)])
                    start += n
                    if n == remaining { return finish(current.take()) }
                    phase = .fixed(remaining: remaining - n)
                case .chunkSize:
                    guard let line = try takeLine(limit: limits.maxChunkLineBytes, what: "chunk size line") else { return .needMore }
                    let size = try chunkSize(line)
                    if body.count + size > limits.maxBodyBytes {
                        throw HTTPParseError(status: 413, reason: "chunked body exceeds \(limits.maxBodyBytes) bytes")
                    }
                    if size == 0 { trailerBytes = 0; phase = .trailers } else { body.reserveCapacity(body.count + size); phase = .chunkData(remaining: size) }
                case .chunkData(let remaining):
                    let n = min(remaining, buffer.count - start)
                    guard n > 0 else { return .needMore }
                    body.append(contentsOf: buffer[start..<(start + n)])
                    start += n
                    phase = n == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - n)
                case .chunkDataEnd:
                    guard buffer.count - start >= 2 else { return .needMore }
                    guard buffer[start] == HTTPBytes.cr, buffer[start + 1] == HTTPBytes.lf else {
                        throw HTTPParseError(status: 400, reason: "chunk data not followed by CRLF")
                    }
                    start += 2
                    phase = .chunkSize
                case .trailers:
                    let remainingAllowance = limits.maxHeadBytes - trailerBytes
                    guard let line = try takeLine(limit: max(remainingAllowance, 0), what: "trailer section", status: 431) else { return .needMore }
                    trailerBytes += line.count + 2
                    if line.isEmpty { return finish(current.take()) }
                    trailers.append(try HeadParser.field(buffer, line))
                }
            }
        } catch {
            phase = .failed
            return .failure(error)
        }
    }

    /// ``finish(_:)`` for a bodiless head from the fast path.
    private mutating func finishSimple(_ simple: SimpleHead) -> ParseEvent {
        resetForNextRequest()
        let request = MockRequest(head: simple.head, layout: simple.layout, body: [], trailers: [], chunked: false)
        return .request(request, keepAlive: simple.keepAlive)
    }

    private mutating func resetForNextRequest() {
        phase = .head
        skippedEmptyLineBytes = 0
        scan = start
        lineStart = start
        lines.removeAll(keepingCapacity: true)
    }

    /// Emits the finished request and resets for the next one on the connection.
    private mutating func finish(_ taken: ParsedHead?) -> ParseEvent {
        phase = .head
        skippedEmptyLineBytes = 0
        scan = start
        lineStart = start
        lines.removeAll(keepingCapacity: true)
        guard let head = taken else { return .failure(HTTPParseError(status: 500, reason: "parser state lost")) }
        let request = if let layout = head.layout {
            MockRequest(head: head.head, layout: layout, body: body, trailers: trailers, chunked: head.framing == .chunked)
        } else {
            MockRequest(method: head.method, target: head.target, version: head.version, headers: head.headers, body: body,
                        trailers: trailers, head: head.head, chunked: head.framing == .chunked)
        }
        body = []
        trailers = []
        return .request(request, keepAlive: head.keepAlive)
    }

    /// A complete head, from the fast path or the general parser.
    private enum FoundHead {
        case simple(SimpleHead)
        case general(ParsedHead)
    }

    /// Finds the blank line ending the head; nil if it has not arrived yet.
    private mutating func parseHead() throws(HTTPParseError) -> FoundHead? {
        // RFC 9112 section 2.2: ignore a few empty lines before the request line (some
        // clients send a stray CRLF after a POST body).
        if lines.isEmpty, scan == start {
            while start < buffer.count, skippedEmptyLineBytes < 4, buffer[start] == HTTPBytes.cr || buffer[start] == HTTPBytes.lf {
                start += 1
                skippedEmptyLineBytes += 1
            }
            scan = start
            lineStart = start
        }
        while scan < buffer.count {
            // The next LF by memchr; the limits apply to the bytes before it exactly as if
            // they were checked one by one (the request line's 414 bound is the lower one, so
            // it wins while no line is complete).
            let lf = Self.index(of: HTTPBytes.lf, in: buffer, from: scan)
            let reach = lf ?? buffer.count
            if reach > scan {
                let length = reach - start
                if lines.isEmpty, length > min(limits.maxRequestLineBytes, limits.maxHeadBytes) {
                    throw HTTPParseError(status: 414, reason: "request line longer than \(min(limits.maxRequestLineBytes, limits.maxHeadBytes)) bytes")
                }
                if length > limits.maxHeadBytes {
                    throw HTTPParseError(status: 431, reason: "request head larger than \(limits.maxHeadBytes) bytes")
                }
            }
            guard let lf else { scan = buffer.count; break }
            scan = lf + 1
            var end = lf
            if end > lineStart, buffer[end - 1] == HTTPBytes.cr { end -= 1 }
            if Self.index(of: HTTPBytes.cr, in: buffer, from: lineStart, to: end) != nil {
                throw HTTPParseError(status: 400, reason: "bare CR in request head")
            }
            if end == lineStart {
                // Blank line: the head is complete.
                guard !lines.isEmpty else { throw HTTPParseError(status: 400, reason: "empty request line") }
                // A copy of exactly the head's bytes. (`Array(buffer[start..<scan])` shares the
                // buffer's storage when the head fills it, as it usually does: the journal then
                // kept a whole read buffer per request, and the next read had to allocate one.)
                let headBytes = buffer.withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[start..<scan])) }
                let base = start
                start = scan
                defer { lines.removeAll(keepingCapacity: true) }
                if fastPath, let simple = HeadParser.parseSimple(head: headBytes, lines: lines, base: base, limits: limits) { return .simple(simple) }
                return .general(try HeadParser.parse(head: headBytes, lines: lines, base: base, limits: limits))
            }
            lines.append(lineStart..<end)
            lineStart = scan
        }
        return nil
    }

    /// Takes one CRLF-terminated line (strict CRLF: chunk framing is where smuggling hides).
    private mutating func takeLine(limit: Int, what: String, status: Int = 400) throws(HTTPParseError) -> Range<Int>? {
        let available = buffer.count - start
        let window = buffer[start..<(start + min(available, limit + 2))]
        guard let lf = window.firstIndex(of: HTTPBytes.lf) else {
            if available > limit + 1 { throw HTTPParseError(status: status, reason: "\(what) longer than \(limit) bytes") }
            return nil
        }
        guard lf > start, buffer[lf - 1] == HTTPBytes.cr else { throw HTTPParseError(status: 400, reason: "\(what) not terminated by CRLF") }
        let line = start..<(lf - 1)
        if buffer[line].contains(where: { $0 == HTTPBytes.cr || $0 == 0 }) {
            throw HTTPParseError(status: 400, reason: "control character in \(what)")
        }
        start = lf + 1
        return line
    }

    /// `chunk-size [ chunk-ext ]`: hex digits, then optional `;name[=value]` extensions,
    /// which are accepted and ignored as RFC 9112 section 7.1.1 requires.
    private func chunkSize(_ line: Range<Int>) throws(HTTPParseError) -> Int {
        var i = line.lowerBound
        var size = 0
        var digits = 0
        while i < line.upperBound, let v = hexValue(buffer[i]) {
            digits += 1
            guard digits <= 15 else { throw HTTPParseError(status: 400, reason: "chunk size too long") }
            size = size << 4 | v
            i += 1
        }
        guard digits > 0 else { throw HTTPParseError(status: 400, reason: "invalid chunk size") }
        while i < line.upperBound, HTTPBytes.isWhitespace(buffer[i]) { i += 1 }
        if i < line.upperBound {
            guard buffer[i] == UInt8(ascii: ";") else { throw HTTPParseError(status: 400, reason: "invalid chunk size") }
            for c in buffer[i..<line.upperBound] where !HTTPBytes.isFieldValueByte(c) {
                throw HTTPParseError(status: 400, reason: "invalid chunk extension")
            }
        }
        return size
    }

    /// The first index of `byte` in `bytes[from..<to]` (`to` defaults to the end), by memchr.
    @inline(__always)
    static func index(of byte: UInt8, in bytes: [UInt8], from: Int, to: Int? = nil) -> Int? {
        let end = min(to ?? bytes.count, bytes.count)
        guard from < end else { return nil }
        return bytes.withUnsafeBufferPointer { b -> Int? in
            guard let base = b.baseAddress, let hit = memchr(base + from, Int32(byte), end - from) else { return nil }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        }
    }

    @inline(__always)
    private func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        default: return nil
        }
    }
}
