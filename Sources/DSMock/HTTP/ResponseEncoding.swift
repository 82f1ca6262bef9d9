#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A response serialized ahead of time, so the hot path only copies bytes.
///
/// The `Date` header is the only per-second part, so the bytes are kept as a status line and
/// two variants of the rest (keep-alive and `Connection: close`) with the date spliced in
/// between when the response is written.
final class EncodedResponse: Sendable {
    /// `HTTP/1.1 200 OK\r\n`.
    let statusLine: [UInt8]
    /// `HTTP/1.1 200 OK`, for the journal (built once, not per request).
    let statusLineText: String
    /// Fields, framing and body for a connection that stays open.
    let keepAliveTail: [UInt8]
    /// The same, announcing `Connection: close`.
    let closeTail: [UInt8]
    /// False when the scenario supplied its own `Date`.
    let addsDate: Bool
    /// The status code, for the journal.
    let status: Int
    /// The body bytes (shared storage with the tails), for logs and tests.
    let body: [UInt8]
    /// The header fields as given (without the added `Content-Length`/`Date`), for the journal.
    let headers: [MockHeader]

    /// Encodes `status`, `headers` (in order, as given) and `body`. `Content-Length` is added
    /// unless the headers already hold one (a scenario may lie on purpose); `omitBody` is for
    /// responses to HEAD.
    init(status: Int, headers: [MockHeader], body: [UInt8], omitBody: Bool = false) {
        self.status = status
        self.body = body
        self.headers = headers
        statusLineText = "HTTP/1.1 \(status) \(ResponseEncoding.reason(status))"
        statusLine = Array("\(statusLineText)\r\n".utf8)
        var fields: [UInt8] = []
        var hasLength = false, hasDate = false
        for h in headers {
            if asciiCaseInsensitiveEquals(h.name, "Content-Length") { hasLength = true }
            if asciiCaseInsensitiveEquals(h.name, "Date") { hasDate = true }
            fields.append(contentsOf: h.name.utf8)
            fields.append(contentsOf: ": ".utf8)
            fields.append(contentsOf: h.value.utf8)
            fields.append(contentsOf: "\r\n".utf8)
        }
        // 1xx, 204 and 304 never carry a body or a Content-Length (RFC 9110 section 8.6).
        let bodyless = status < 200 || status == 204 || status == 304
        if !hasLength, !bodyless { fields.append(contentsOf: "Content-Length: \(body.count)\r\n".utf8) }
        let payload = (omitBody || bodyless) ? [] : body
        keepAliveTail = fields + Array("\r\n".utf8) + payload
        closeTail = fields + Array("Connection: close\r\n\r\n".utf8) + payload
        addsDate = !hasDate
    }

    /// Appends the full response to `out`.
    @inline(__always)
    func write(into out: inout [UInt8], close: Bool, date: inout HTTPDateCache) {
        out.append(contentsOf: statusLine)
        if addsDate { date.append(into: &out) }
        out.append(contentsOf: close ? closeTail : keepAliveTail)
    }

    /// The same bytes as ``write(into:close:date:)`` with `dateLine` as the `Date` line.
    func assembled(close: Bool, dateLine: [UInt8]) -> [UInt8] {
        statusLine + (addsDate ? dateLine : []) + (close ? closeTail : keepAliveTail)
    }
}

/// Reason phrases and small fixed responses.
enum ResponseEncoding {
    /// The standard reason phrase of `status` (RFC 9110 section 15), or a generic one.
    static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 207: return "Multi-Status"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default:
            switch status / 100 {
            case 1: return "Informational"
            case 2: return "Success"
            case 3: return "Redirection"
            case 4: return "Client Error"
            default: return "Server Error"
            }
        }
    }

    /// `HTTP/1.1 100 Continue` with its blank line.
    static let continueBytes: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// The plain-text error a refused request gets (always followed by closing).
    static func error(_ status: Int, _ reason: String) -> EncodedResponse {
        EncodedResponse(status: status, headers: [MockHeader(name: "Content-Type", value: "text/plain; charset=utf-8")],
                        body: Array("\(status) \(ResponseEncoding.reason(status)): \(reason)\n".utf8))
    }
}

/// The `Date` header line, reformatted at most once per second per event loop.
struct HTTPDateCache {
    private var second: Int = -1
    private var line: [UInt8] = []

    /// The last response written with ``write(_:close:into:)`` in this second, whole: a loop
    /// answering the same scripted response again and again copies one array per request
    /// instead of three. `EncodedResponse` is immutable, so the same object means the same bytes.
    private var lastResponse: EncodedResponse?
    private var lastClose = false
    private var lastBytes: [UInt8] = []

    /// Appends `Date: <IMF-fixdate>\r\n`.
    mutating func append(into out: inout [UInt8]) {
        append(into: &out, unix: Self.unixNow())
    }

    mutating func append(into out: inout [UInt8], unix: Int) {
        refresh(unix)
        out.append(contentsOf: line)
    }

    /// Appends `response` (what `response.write(into:close:date:)` appends).
    mutating func write(_ response: EncodedResponse, close: Bool, into out: inout [UInt8]) {
        write(response, close: close, into: &out, unix: Self.unixNow())
    }

    mutating func write(_ response: EncodedResponse, close: Bool, into out: inout [UInt8], unix: Int) {
        refresh(unix)
        if lastResponse !== response || lastClose != close {
            lastBytes = response.assembled(close: close, dateLine: line)
            lastResponse = response
            lastClose = close
        }
        out.append(contentsOf: lastBytes)
    }

    private mutating func refresh(_ unix: Int) {
        guard unix != second else { return }
        second = unix
        line = Array("Date: \(HTTPDateCache.format(unix: unix))\r\n".utf8)
        lastResponse = nil
    }

    private static func unixNow() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int(ts.tv_sec)
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func format(unix: Int) -> String {
        var t = time_t(unix)
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let day = days[Int(parts.tm_wday) % 7], month = months[Int(parts.tm_mon) % 12]
        return "\(day), \(two(parts.tm_mday)) \(month) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
