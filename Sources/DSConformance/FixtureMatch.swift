import DSJSON
import DSMock
import DSPlan
import DSRender

/// Compares the requests the vendor received with the spec's golden fixtures, in order:
/// method, path and query, body (structurally: JSON bodies as JSON values, others as text)
/// and headers. Volatile headers (the signature and the signing scheme's extra headers, the
/// idempotency key, the OAuth bearer token) cannot equal a fixture rendered at a fixed
/// clock, so they are compared by **shape**: request ids, Unix timestamps and long
/// signature-like tokens are replaced by placeholders (`sha256=<signature>`), which still
/// catches a changed prefix, scheme or header name. Headers the HTTP client adds for framing
/// (`Host`, `Content-Length`, `Connection`, and libcurl's `Accept*`) are ignored.
/// `@sent_at` (the send time) is volatile too: headers that read it are compared by shape,
/// and in a JSON body a fixture value that is the fixture send time (``SendTime/fixtureForms``)
/// matches any value of its shape.
struct FixtureMatch {
    let fixtures: GoldenFixtures
    let observation: CaseObservation

    /// Headers added on the wire by the transport, never in a fixture.
    static let transportHeaders: Set<String> = ["host", "content-length", "connection", "accept", "accept-encoding", "accept-language",
                                                "expect", "transfer-encoding"]

    func failures() -> [ExpectationFailure] {
        var out: [ExpectationFailure] = []
        let vendor = observation.vendor
        if vendor.count != fixtures.requests.count {
            out.append(ExpectationFailure("fixtures", "expected \(fixtures.requests.count) request\(fixtures.requests.count == 1 ? "" : "s") (\(fixtures.directory)), actual \(vendor.count)",
                                          details: vendor.prefix(10).map { "\($0.request.method) \($0.request.target) (\($0.request.body.count) bytes)" }))
        }
        for (fixture, entry) in zip(fixtures.requests, vendor) {
            let diffs = differences(fixture.value, entry.request)
            if !diffs.isEmpty {
                out.append(ExpectationFailure("fixtures", "request \(entry.request.method) \(entry.request.path) differs from \(fixtures.directory)/\(fixture.name)",
                                              details: Array(diffs.prefix(12)) + (diffs.count > 12 ? ["... and \(diffs.count - 12) more differences"] : [])))
            }
        }
        return out
    }

    /// Names of the headers compared by shape only.
    var volatileHeaders: Set<String> {
        let plan = observation.plan
        var names: Set<String> = []
        if let s = plan.signing {
            names.insert(s.header.lowercased())
            for h in s.headers { names.insert(h.name.lowercased()) }
        }
        if let h = plan.response.idempotencyKeyHeader { names.insert(h.lowercased()) }
        if plan.auth.isOAuth { names.insert("authorization") }
        if case .awsSigV4 = plan.auth { names.formUnion(["x-amz-date", "authorization"]) }
        for h in plan.headers where h.value.contains("@sent_at") { names.insert(h.name.lowercased()) }
        return names
    }

    /// Headers compared by their scheme word only (`AWS4-HMAC-SHA256`, `OAuth`,
    /// `SharedAccessSignature`): a per-request signature carries the date, nonce or expiry
    /// of its own attempt, and the mock verifies the rest of it (`auth.sigv4`, `auth.oauth1`, `auth.sas`).
    private var schemeOnlyHeaders: Set<String> {
        switch observation.plan.auth {
        case .awsSigV4, .oauth1, .azureSAS: return ["authorization"]
        default: return []
        }
    }

    /// Human-readable differences between one fixture and one received request.
    func differences(_ fixture: JSONValue, _ request: MockRequest) -> [String] {
        var out: [String] = []
        if let m = fixture["method"]?.stringValue, m != request.method { out.append("method: expected \(m), actual \(request.method)") }
        if let url = fixture["url"]?.stringValue {
            let target = LoopbackRedirectTransport.target(of: url)
            if target != request.target { out.append("path and query: expected \(target), actual \(request.target)") }
        }
        out += headerDifferences(fixture["headers"]?.arrayValue ?? [], request)
        switch fixture["body"] {
        case .string(let text)?:
            let sendTimeShaped = SendTime.uses(observation.plan).body && SendTime.textMatches(expected: Array(text.utf8), actual: request.body)
            if text != request.bodyText && !sendTimeShaped { out.append("body: expected \(JSONWriter.string(.string(text))), actual \(JSONWriter.string(.string(request.bodyText)))") }
        case let expected?:
            if let actual = try? JSONParser().parseValue(request.body) {
                var lines: [String] = []
                Self.diff(expected, actual, at: "", into: &lines, sendTime: SendTime.uses(observation.plan).body)
                out += lines.map { "body" + $0 }
            } else {
                out.append("body: expected JSON, actual \(JSONWriter.string(.string(String(request.bodyText.prefix(200)))))")
            }
        case nil:
            break
        }
        return out
    }

    private func headerDifferences(_ fixtureHeaders: [JSONValue], _ request: MockRequest) -> [String] {
        var expected: [(name: String, value: String)] = []
        for h in fixtureHeaders {
            if let pair = h.arrayValue, pair.count == 2, let n = pair[0].stringValue, let v = pair[1].stringValue { expected.append((n, v)) }
        }
        let volatile = volatileHeaders
        let schemeOnly = schemeOnlyHeaders
        var out: [String] = []
        var seen: Set<String> = []
        for (name, _) in expected where seen.insert(name.lowercased()).inserted {
            let lower = name.lowercased()
            let want = expected.filter { $0.name.lowercased() == lower }.map(\.value).joined(separator: ", ")
            let values = request.headerValues(name)
            guard !values.isEmpty else {
                out.append("header \(name): expected \(JSONWriter.string(.string(want))), actual missing")
                continue
            }
            let got = values.joined(separator: ", ")
            if schemeOnly.contains(lower) {
                let (a, b) = (want.prefix { $0 != " " }, got.prefix { $0 != " " })
                if a != b { out.append("header \(name) (compared by scheme): expected \(JSONWriter.string(.string(String(a)))), actual \(JSONWriter.string(.string(String(b))))") }
            } else if volatile.contains(lower) {
                let (a, b) = (Self.shape(want), Self.shape(got))
                if a != b { out.append("header \(name) (compared by shape): expected \(JSONWriter.string(.string(a))), actual \(JSONWriter.string(.string(b)))") }
            } else if want != got {
                out.append("header \(name): expected \(JSONWriter.string(.string(want))), actual \(JSONWriter.string(.string(got)))")
            }
        }
        var extra: Set<String> = []
        let idempotency = observation.plan.response.idempotencyKeyHeader?.lowercased()
        for h in request.headers {
            let lower = h.name.lowercased()
            // The runtime adds the idempotency key after rendering, so fixtures never have it.
            if lower == idempotency { continue }
            if !seen.contains(lower), !Self.transportHeaders.contains(lower), extra.insert(lower).inserted {
                out.append("header \(h.name): not in the fixture, actual \(JSONWriter.string(.string(volatile.contains(lower) ? Self.shape(h.value) : h.value)))")
            }
        }
        return out
    }

    /// See ``FixtureShape/of(_:)``.
    static func shape(_ value: String) -> String { FixtureShape.of(value) }

    /// Structural differences, as `POINTER: expected X, actual Y` lines. Object member
    /// order is ignored; numbers compare by value.
    static func diff(_ expected: JSONValue, _ actual: JSONValue, at pointer: String, into out: inout [String], sendTime: Bool = false) {
        guard out.count < 20 else { return }
        if sendTime, SendTime.fixtureForms.contains(expected), SendTime.sameShape(expected, actual) { return }
        switch (expected, actual) {
        case (.object(let a), .object(let b)):
            for (k, v) in a {
                let p = JSONPointer.appending(pointer, k)
                if let w = b[k] { diff(v, w, at: p, into: &out, sendTime: sendTime) } else { out.append("\(p): expected \(brief(v)), actual missing") }
            }
            for (k, v) in b where a[k] == nil { out.append("\(JSONPointer.appending(pointer, k)): not expected, actual \(brief(v))") }
        case (.array(let a), .array(let b)):
            for i in 0..<min(a.count, b.count) { diff(a[i], b[i], at: JSONPointer.appending(pointer, i), into: &out, sendTime: sendTime) }
            if a.count != b.count { out.append("\(pointer.isEmpty ? "/" : pointer): expected \(a.count) elements, actual \(b.count)") }
        case (.number(let x), .number(let y)):
            if x.text != y.text && x.doubleValue != y.doubleValue { out.append("\(pointer): expected \(x.text), actual \(y.text)") }
        default:
            if expected != actual { out.append("\(pointer.isEmpty ? "/" : pointer): expected \(brief(expected)), actual \(brief(actual))") }
        }
    }

    static func brief(_ v: JSONValue) -> String {
        let s = JSONWriter.string(v)
        return s.count > 80 ? String(s.prefix(77)) + "..." : s
    }
}

extension Character {
    /// `0`-`9` only (not other Unicode digits).
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// The shape of a volatile header value, as fixtures and `headers` expectations compare it.
public enum FixtureShape {
    /// A volatile value with its variable parts replaced: 10-digit Unix timestamps by
    /// `<timestamp>`, runs of 16 or more token characters (signatures, request ids, access
    /// tokens) by `<token>`; `=` ends a token, so `sha256=` and base64 padding stay visible.
    /// What remains is the scheme: prefixes, separators, names.
    public static func of(_ value: String) -> String {
        var out = ""
        var token = ""
        func flush() {
            if token.count == 10, token.allSatisfy(\.isASCIIDigit) {
                out += "<timestamp>"
            } else if token.count >= 16 {
                out += "<token>"
            } else {
                out += token
            }
            token = ""
        }
        for c in isoTimestampsMarked(value) {
            if c == "\u{0}" { flush(); out += "<timestamp>"; continue }
            if c.isASCII && (c.isLetter || c.isNumber || "+/_-".contains(c)) {
                token.append(c)
            } else {
                flush()
                out.append(c)
            }
        }
        flush()
        return out
    }

    /// `value` with each ISO 8601 UTC timestamp with milliseconds (`2026-01-01T00:00:00.000Z`,
    /// what `@sent_at` writes) replaced by a NUL marker.
    static func isoTimestampsMarked(_ value: String) -> [Character] {
        let pattern = Array("0000-00-00T00:00:00.000Z")
        let chars = Array(value)
        var out: [Character] = []
        var i = 0
        func matches(at start: Int) -> Bool {
            guard start + pattern.count <= chars.count else { return false }
            for (k, p) in pattern.enumerated() {
                let c = chars[start + k]
                if p == "0" { guard c.isASCII, c.isNumber else { return false } } else if c != p { return false }
            }
            return true
        }
        while i < chars.count {
            if matches(at: i) {
                out.append("\u{0}")
                i += pattern.count
            } else {
                out.append(chars[i])
                i += 1
            }
        }
        return out
    }
}
