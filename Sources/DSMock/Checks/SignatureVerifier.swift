import DSCrypto
import DSPlan

/// A header value template turned into a matcher: `sha256={{@signature}}` or
/// `t={{@timestamp}},v1={{@signature}}` read backwards, capturing the variables.
///
/// A capture runs up to the first occurrence of the literal after it (or to the end of the
/// value). Two captures back to back are only allowed when the first is `timestamp`, which
/// then takes the leading digits; any other adjacency would be ambiguous.
struct HeaderPattern: Sendable {
    enum Piece: Sendable, Equatable {
        case literal([UInt8])
        case capture(String)
    }

    let pieces: [Piece]
    /// The template source, for messages.
    let source: String

    init(_ source: String, values: TemplateValues) throws(CheckSetupError) {
        guard let template = PlanTemplate(source) else {
            throw CheckSetupError("the template \"\(source)\" uses more than @signature, @timestamp, @request_id and @settings")
        }
        var pieces: [Piece] = []
        for part in template.parts {
            switch part {
            case .literal(let l): pieces.append(.literal(l))
            case .setting: pieces.append(.literal(try PlanTemplate(parts: [part]).render(values)))
            case .secret: throw CheckSetupError("a signing header template reads a secret")
            case .variable(let v): pieces.append(.capture(v))
            }
        }
        // Merge adjacent literals (a setting next to text) so matching sees one delimiter.
        var merged: [Piece] = []
        for p in pieces {
            if case .literal(let b) = p, case .literal(let a)? = merged.last { merged[merged.count - 1] = .literal(a + b) } else { merged.append(p) }
        }
        self.pieces = merged
        self.source = source
    }

    /// The captured variables, or nil if `value` does not have the template's shape.
    func match(_ value: [UInt8]) -> [String: [UInt8]]? {
        var captures: [String: [UInt8]] = [:]
        var p = 0
        for (i, piece) in pieces.enumerated() {
            switch piece {
            case .literal(let l):
                guard value.count - p >= l.count, Array(value[p..<(p + l.count)]) == l else { return nil }
                p += l.count
            case .capture(let name):
                var end: Int
                switch pieces[safe: i + 1] {
                case nil:
                    end = value.count
                case .literal(let l)?:
                    guard let at = Self.find(l, in: value, from: p) else { return nil }
                    end = at
                case .capture?:
                    guard name == "timestamp" else { return nil }
                    end = p
                    while end < value.count, value[end] >= 0x30, value[end] <= 0x39 { end += 1 }
                }
                let captured = Array(value[p..<end])
                if let previous = captures[name], previous != captured { return nil }
                captures[name] = captured
                p = end
            }
        }
        return p == value.count ? captures : nil
    }

    private static func find(_ needle: [UInt8], in b: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, b.count >= needle.count else { return nil }
        var i = from
        while i <= b.count - needle.count {
            if b[i] == needle[0], b[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}

extension PlanTemplate {
    /// A template made of the given parts (used to render one part on its own).
    init(parts: [Part]) { self.parts = parts }
}

extension Array {
    /// The element at `index`, or nil when out of range.
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// Verifies a plan's HMAC signing scheme over a received request, independently of the
/// renderer: it recomputes the MAC from the plan's `content` template, the raw body and
/// the timestamp / request id found in the headers the scheme writes them to.
///
/// Like the vendors' SDKs during a key rotation, it accepts a request when any signature in
/// the header (several are separated by the plan's `signature_joiner`: Stripe's
/// `t=..,v1=..,v1=..`, Standard Webhooks' space-separated `v1,..` list) verifies under any of
/// the plan's keys (`secret` and `previous_secrets`).
struct SignatureVerifier: Sendable {
    let algorithm: HashAlgorithm
    /// The key of `secret`, then those of `previous_secrets`.
    let keys: [[UInt8]]
    /// Separator between signatures in the `@signature` capture (empty: one signature).
    let joiner: [UInt8]
    let content: PlanTemplate
    let hex: Bool
    let header: String
    let value: HeaderPattern
    let extraHeaders: [(name: String, pattern: HeaderPattern)]
    let values: TemplateValues
    /// Where the request id may also be found (the plan's idempotency-key header).
    let idempotencyHeader: String?

    init(_ signing: PlanSigning, values: TemplateValues, idempotencyHeader: String?) throws(CheckSetupError) {
        switch signing.algorithm {
        case "hmac-sha1": algorithm = .sha1
        case "hmac-sha256": algorithm = .sha256
        case "hmac-sha384": algorithm = .sha384
        case "hmac-sha512": algorithm = .sha512
        default: throw CheckSetupError("unknown signing algorithm \"\(signing.algorithm)\"")
        }
        switch signing.encoding {
        case "hex": hex = true
        case "base64": hex = false
        default: throw CheckSetupError("unknown signature encoding \"\(signing.encoding)\"")
        }
        var keys: [[UInt8]] = []
        for source in [signing.secret] + signing.previousSecrets {
            guard let secretTemplate = PlanTemplate(source) else { throw CheckSetupError("the signing secret template is not a plain secret reference") }
            let secret = try secretTemplate.string(values)
            switch signing.keyEncoding {
            case "utf8": keys.append(Array(secret.utf8))
            case "whsec_base64", "base64":
                let text = signing.keyEncoding == "whsec_base64" && secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
                guard let decoded = Base64.decode(text) else { throw CheckSetupError("the signing secret is not valid base64 (key_encoding \(signing.keyEncoding))") }
                keys.append(decoded)
            case "hex":
                guard secret.utf8.count % 2 == 0, let decoded = Hex.decode(secret) else { throw CheckSetupError("the signing secret is not valid hex (key_encoding hex)") }
                keys.append(decoded)
            default: throw CheckSetupError("unknown key_encoding \"\(signing.keyEncoding)\"")
            }
        }
        self.keys = keys
        joiner = Array(signing.signatureJoiner.utf8)
        guard let content = PlanTemplate(signing.content) else {
            throw CheckSetupError("the signing content template \"\(signing.content)\" uses more than the signing variables, settings and secrets")
        }
        self.content = content
        header = signing.header
        value = try HeaderPattern(signing.value, values: values)
        extraHeaders = try signing.headers.map { h throws(CheckSetupError) in (h.name, try HeaderPattern(h.value, values: values)) }
        self.values = values
        self.idempotencyHeader = idempotencyHeader
    }

    /// Twilio's concatenation of the form body's parameters: names sorted, each followed by its
    /// sorted distinct values (decoded independently of the renderer, by `FormEncoding`).
    static func sortedForm(_ body: [UInt8]) -> [UInt8] {
        guard let pairs = FormEncoding.decode(body) else { return [] }
        var values: [String: Set<String>] = [:]
        for p in pairs { values[p.name, default: []].insert(p.value) }
        var out = ""
        for name in values.keys.sorted(by: { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes(Array($1.unicodeScalars.map(\.value))) }) {
            for value in values[name]!.sorted(by: { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes(Array($1.unicodeScalars.map(\.value))) }) {
                out += name + value
            }
        }
        return Array(out.utf8)
    }

    /// `bytes` split at each occurrence of `separator`.
    static func split(_ bytes: [UInt8], by separator: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0, i = 0
        while i + separator.count <= bytes.count {
            if bytes[i..<(i + separator.count)].elementsEqual(separator) {
                parts.append(Array(bytes[start..<i]))
                i += separator.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(Array(bytes[start...]))
        return parts
    }

    /// The `signing.signature` check, plus `signing.timestamp` when a timestamp was sent and
    /// a tolerance is set.
    func verify(_ request: MockRequest, url: String, now: Int64, toleranceSeconds: Int?) -> [MockCheckResult] {
        let name = "signing.signature"
        guard let received = request.header(header) else {
            return [MockCheckResult(name: name, passed: false, detail: "missing signature header \(header)")]
        }
        guard var captures = value.match(Array(received.utf8)) else {
            return [MockCheckResult(name: name, passed: false, detail: "\(header): \"\(received)\" does not have the form \"\(value.source)\"")]
        }
        for extra in extraHeaders {
            guard let v = request.header(extra.name) else {
                return [MockCheckResult(name: name, passed: false, detail: "missing signing header \(extra.name)")]
            }
            guard let c = extra.pattern.match(Array(v.utf8)) else {
                return [MockCheckResult(name: name, passed: false, detail: "\(extra.name): \"\(v)\" does not have the form \"\(extra.pattern.source)\"")]
            }
            for (k, v) in c {
                if let existing = captures[k], existing != v {
                    return [MockCheckResult(name: name, passed: false, detail: "@\(k) differs between \(header) and \(extra.name)")]
                }
                captures[k] = v
            }
        }
        if captures["request_id"] == nil, let h = idempotencyHeader, let id = request.header(h) { captures["request_id"] = Array(id.utf8) }
        var variables = captures
        variables["signature"] = nil
        variables["body"] = request.body
        variables["method"] = Array(request.method.utf8)
        variables["path"] = Array(request.path.utf8)
        variables["url"] = Array(url.utf8)
        variables["form_sorted"] = Self.sortedForm(request.body)
        let signingString: [UInt8]
        do {
            signingString = try content.render(values, variables: variables)
        } catch {
            return [MockCheckResult(name: name, passed: false, detail: "cannot rebuild the signing string: \(error.message), and no signing header carries it")]
        }
        let expectedAll = keys.map { key -> [UInt8] in
            let mac = HMAC.authenticationCode(algorithm, key: key, message: signingString)
            return Array((hex ? Hex.encode(mac) : Base64.encode(mac)).utf8)
        }
        let expected = String(decoding: expectedAll[0], as: UTF8.self)
        let sent = captures["signature"] ?? []
        let sentAll = joiner.isEmpty ? [sent] : Self.split(sent, by: joiner)
        // Every pair is compared (no early exit), each in constant time.
        var matched = false
        for s in sentAll { for e in expectedAll { if ConstantTime.equals(e, s) { matched = true } } }
        var results: [MockCheckResult]
        if matched {
            let how = sentAll.count > 1 || keys.count > 1 ? ", one of \(sentAll.count) signatures under one of \(keys.count) keys" : ""
            results = [MockCheckResult(name: name, passed: true, detail: "\(header) verified (\(algorithm.rawValue), \(hex ? "hex" : "base64")\(how))")]
        } else {
            results = [MockCheckResult(name: name, passed: false,
                                       detail: "\(header): signature \"\(String(decoding: sent, as: UTF8.self))\" does not match the expected \"\(expected)\" over a \(signingString.count)-byte signing string")]
        }
        if let tolerance = toleranceSeconds, let ts = captures["timestamp"] {
            let text = String(decoding: ts, as: UTF8.self)
            if let t = Int64(text) {
                // The client chose t: a difference beyond Int64 (t near Int64.min) saturates.
                let (difference, overflow) = now.subtractingReportingOverflow(t)
                let skew = overflow || difference == .min ? Int64.max : abs(difference)
                results.append(MockCheckResult(name: "signing.timestamp", passed: skew <= Int64(tolerance),
                                               detail: "timestamp \(t) is \(skew) s from the server clock (tolerance \(tolerance) s)"))
            } else {
                results.append(MockCheckResult(name: "signing.timestamp", passed: false, detail: "timestamp \"\(text)\" is not a whole number of seconds"))
            }
        }
        return results
    }
}
