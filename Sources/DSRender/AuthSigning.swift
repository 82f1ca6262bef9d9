import DSCrypto
import DSJSON
import DSPlan

/// The auth kinds that sign each request rather than send a fixed credential: AWS Signature
/// Version 4, OAuth 1.0a HMAC-SHA1 and Azure Shared Access Signatures. Each runs after every
/// other header is in place (plan headers, the idempotency key, an HMAC `signing` block), at
/// the request's `@timestamp`, so a retried attempt is signed again at its own time.
///
/// The string each scheme signs is returned as the request's signing string (fixtures show
/// it: the canonical request, the OAuth signature base string, the SAS `resource\nexpiry`).
struct AuthSigning: Sendable {
    private enum Kind: Sendable {
        case sigV4(accessKeyID: SiteTemplate, secret: SiteTemplate, sessionToken: SiteTemplate?, region: SiteTemplate, service: String, contentSHA256: Bool)
        case oauth1(consumerKey: SiteTemplate, consumerSecret: SiteTemplate, token: SiteTemplate?, tokenSecret: SiteTemplate?)
        case sas(keyName: SiteTemplate, key: SiteTemplate, resource: SiteTemplate, expirySeconds: Int64)
    }

    /// What a signature adds to a request.
    struct Signed: Sendable {
        var headers: [HTTPHeaderField]
        var signingString: [UInt8]
    }

    private let kind: Kind

    /// The signer for `auth`, or nil for kinds that do not sign requests.
    init?(_ auth: PlanAuth, data: [String: JSONValue], configuration: ResolvedConfiguration) throws(RenderError) {
        func template(_ text: String, _ site: String) throws(RenderError) -> SiteTemplate {
            try SiteTemplate(text, mode: .plain, site: site, isHeader: true, data: data, configuration: configuration)
        }
        switch auth {
        case .awsSigV4(let keyID, let secret, let session, let region, let service, let contentSHA256):
            kind = .sigV4(accessKeyID: try template(keyID, "auth access_key_id (aws_sigv4)"), secret: try template(secret, "auth secret_access_key (aws_sigv4)"),
                          sessionToken: try session.map { s throws(RenderError) in try template(s, "auth session_token (X-Amz-Security-Token)") },
                          region: try template(region, "auth region (aws_sigv4)"), service: service, contentSHA256: contentSHA256)
        case .oauth1(let consumerKey, let consumerSecret, let token, let tokenSecret, _):
            kind = .oauth1(consumerKey: try template(consumerKey, "auth consumer_key (oauth1)"), consumerSecret: try template(consumerSecret, "auth consumer_secret (oauth1)"),
                           token: try token.map { t throws(RenderError) in try template(t, "auth token (oauth1)") },
                           tokenSecret: try tokenSecret.map { t throws(RenderError) in try template(t, "auth token_secret (oauth1)") })
        case .azureSAS(let keyName, let key, let resource, let expiry):
            kind = .sas(keyName: try template(keyName, "auth key_name (azure_sas)"), key: try template(key, "auth key (azure_sas)"),
                        resource: try template(resource, "auth resource (azure_sas)"), expirySeconds: Int64(expiry))
        default:
            return nil
        }
    }

    /// True if the scheme needs a nonce (OAuth 1.0a).
    var needsNonce: Bool { if case .oauth1 = kind { return true }; return false }

    /// Signs one request whose other headers are `headers`.
    func sign(method: String, url: String, headers: [HTTPHeaderField], body: [UInt8], timestamp: Int64, nonce: String,
              event: JSONValue, configuration: ResolvedConfiguration) throws(RenderError) -> Signed {
        func text(_ t: SiteTemplate) throws(RenderError) -> String { try t.string(event, data: configuration.data, configuration: configuration) }
        switch kind {
        case .sigV4(let keyID, let secret, let session, let region, let service, let contentSHA256):
            return try AWSSigV4.sign(method: method, url: url, headers: headers, body: body, timestamp: timestamp,
                                     accessKeyID: try text(keyID), secretAccessKey: try text(secret), sessionToken: try session.map { s throws(RenderError) in try text(s) },
                                     region: try text(region), service: service, contentSHA256: contentSHA256)
        case .oauth1(let consumerKey, let consumerSecret, let token, let tokenSecret):
            return try OAuth1Signature.sign(method: method, url: url, headers: headers, body: body, timestamp: timestamp, nonce: nonce,
                                            consumerKey: try text(consumerKey), consumerSecret: try text(consumerSecret),
                                            token: try token.map { t throws(RenderError) in try text(t) },
                                            tokenSecret: try tokenSecret.map { t throws(RenderError) in try text(t) } ?? "")
        case .sas(let keyName, let key, let resource, let expiry):
            return try AzureSAS.sign(resource: try text(resource), keyName: try text(keyName), key: try text(key), expiry: timestamp + expiry)
        }
    }
}

/// Shared pieces of the three schemes.
enum SigningText {
    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Percent-encodes every byte but `keep`, uppercase hex; space as `+` when asked.
    static func encode(_ bytes: some Sequence<UInt8>, keep: (UInt8) -> Bool, spaceAsPlus: Bool = false) -> String {
        var out: [UInt8] = []
        for b in bytes {
            if keep(b) {
                out.append(b)
            } else if spaceAsPlus && b == 0x20 {
                out.append(UInt8(ascii: "+"))
            } else {
                out += [UInt8(ascii: "%"), upperHex[Int(b >> 4)], upperHex[Int(b & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3986 unreserved (`A-Z a-z 0-9 - . _ ~`): the set AWS's UriEncode and RFC 5849
    /// section 3.6 leave as they are.
    static func rfc3986(_ text: some Sequence<UInt8>) -> String { encode(text, keep: PercentEncoding.isUnreserved) }

    /// Python's `urllib.parse.quote_plus`: alphanumerics and `_.-~` kept, space as `+`
    /// (what the Azure SDKs encode SAS fields with).
    static func quotePlus(_ text: String) -> String { encode(text.utf8, keep: PercentEncoding.isUnreserved, spaceAsPlus: true) }

    /// Decodes `%XX` escapes (and `+` as space when asked); a malformed escape stays as it is.
    static func decode(_ bytes: some Collection<UInt8>, plusAsSpace: Bool) -> [UInt8] {
        let b = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = hex(b[i + 1]), let l = hex(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(plusAsSpace && b[i] == UInt8(ascii: "+") ? 0x20 : b[i])
                i += 1
            }
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// `name=value` pairs of a query string or form body (`a` alone is `a` with an empty
    /// value), decoded; empty pieces (`&&`) are skipped.
    static func pairs(_ text: Substring, plusAsSpace: Bool) -> [(name: [UInt8], value: [UInt8])] {
        text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { piece in
            if let eq = piece.firstIndex(of: UInt8(ascii: "=")) {
                return (decode(piece[..<eq], plusAsSpace: plusAsSpace), decode(piece[piece.index(after: eq)...], plusAsSpace: plusAsSpace))
            }
            return (decode(piece, plusAsSpace: plusAsSpace), [])
        }
    }

    /// The parts of an absolute URL: lowercase scheme, lowercase host (brackets kept for
    /// IPv6), the port if one is written, the path as sent (`/` when empty) and the raw query.
    struct URLParts {
        var scheme: String
        var host: String
        var port: Int?
        var path: String
        var query: Substring

        init(_ url: String) throws(RenderError) {
            guard let sep = url.range(of: "://") else { throw RenderError(.url, "auth signing: the request URL is not absolute") }
            scheme = url[..<sep.lowerBound].lowercased()
            var rest = url[sep.upperBound...]
            if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
            var authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            let afterAuthority = rest[authorityEnd...]
            if let q = afterAuthority.firstIndex(of: "?") {
                path = String(afterAuthority[..<q])
                query = afterAuthority[afterAuthority.index(after: q)...]
            } else {
                path = String(afterAuthority)
                query = ""
            }
            if path.isEmpty { path = "/" }
            // host[:port], with [v6]:port.
            var hostPart = authority
            port = nil
            if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
                hostPart = authority[..<colon]
                let digits = authority[authority.index(after: colon)...]
                if !digits.isEmpty {
                    guard let p = Int(digits), (0...65535).contains(p) else { throw RenderError(.url, "auth signing: the request URL has an invalid port") }
                    port = p
                }
            }
            host = hostPart.lowercased()
        }

        /// Host as signed: with `:port` unless it is the scheme's default.
        var hostWithPort: String {
            guard let port, port != (scheme == "https" ? 443 : scheme == "http" ? 80 : -1) else { return host }
            return "\(host):\(port)"
        }
    }
}

/// AWS Signature Version 4 (docs.aws.amazon.com, "Create a signed AWS API request"), with
/// the header selection and path normalization of botocore's `SigV4Auth`: every header but
/// the hop-by-hop ones and `User-Agent` is signed, plus `host`; the path has its dot
/// segments and empty segments removed and is URI-encoded a second time (every service but
/// S3); the query is decoded, re-encoded (RFC 3986) and sorted.
enum AWSSigV4 {
    /// Headers never signed (botocore's `SIGNED_HEADERS_BLACKLIST`): they may change hop by hop.
    static let unsignedHeaders: Set<String> = ["connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                                               "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id", "authorization"]

    static func sign(method: String, url: String, headers: [HTTPHeaderField], body: [UInt8], timestamp: Int64, accessKeyID: String,
                     secretAccessKey: String, sessionToken: String?, region: String, service: String, contentSHA256: Bool) throws(RenderError) -> AuthSigning.Signed {
        let amzDate = amzDate(timestamp)
        let payloadHash = Hex.encode(Digest.hash(.sha256, body))
        var added = [HTTPHeaderField(name: "X-Amz-Date", value: amzDate)]
        if let sessionToken {
            guard !containsHeaderBreak(sessionToken) else {
                throw RenderError(.headerInjection, "header \"X-Amz-Security-Token\": the session token contains CR, LF, NUL or another control character")
            }
            added.append(HTTPHeaderField(name: "X-Amz-Security-Token", value: sessionToken))
        }
        if contentSHA256 { added.append(HTTPHeaderField(name: "X-Amz-Content-Sha256", value: payloadHash)) }
        let parts = try SigningText.URLParts(url)
        let (canonical, signedHeaders) = canonicalRequest(method: method, parts: parts, headers: headers + added, payloadHash: payloadHash)
        let date = String(amzDate.prefix(8))
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n" + Hex.encode(Digest.hash(.sha256, canonical))
        let signature = Hex.encode(HMAC.authenticationCode(.sha256, key: signingKey(secretAccessKey, date: date, region: region, service: service),
                                                           message: Array(stringToSign.utf8)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        guard !containsHeaderBreak(authorization) else {
            throw RenderError(.headerInjection, "header \"Authorization\": the access key id, region or service contains CR, LF, NUL or another control character")
        }
        return AuthSigning.Signed(headers: added + [HTTPHeaderField(name: "Authorization", value: authorization)], signingString: canonical)
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
    static func signingKey(_ secret: String, date: String, region: String, service: String) -> [UInt8] {
        var key = HMAC.authenticationCode(.sha256, key: Array(("AWS4" + secret).utf8), message: Array(date.utf8))
        for part in [region, service, "aws4_request"] { key = HMAC.authenticationCode(.sha256, key: key, message: Array(part.utf8)) }
        return key
    }

    /// The canonical request and the `SignedHeaders` list.
    static func canonicalRequest(method: String, parts: SigningText.URLParts, headers: [HTTPHeaderField], payloadHash: String) -> ([UInt8], String) {
        var map: [String: [String]] = [:]
        var order: [String] = []
        for h in headers {
            let name = h.name.lowercased()
            if unsignedHeaders.contains(name) { continue }
            if map[name] == nil { order.append(name) }
            map[name, default: []].append(trimAll(h.value))
        }
        if map["host"] == nil { map["host"] = [parts.hostWithPort]; order.append("host") }
        let names = order.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var out = method.uppercased() + "\n" + canonicalURI(parts.path) + "\n" + canonicalQuery(parts.query) + "\n"
        for name in names { out += name + ":" + map[name]!.joined(separator: ",") + "\n" }
        let signed = names.joined(separator: ";")
        out += "\n" + signed + "\n" + payloadHash
        return (Array(out.utf8), signed)
    }

    /// Leading and trailing whitespace removed, inner runs collapsed to one space.
    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// The path with dot segments and empty segments removed, each byte outside the
    /// unreserved set and `/` percent-encoded (so `%20` as sent becomes `%2520`).
    static func canonicalURI(_ path: String) -> String {
        var segments: [Substring] = []
        for s in path.split(separator: "/", omittingEmptySubsequences: true) where s != "." {
            if s == ".." { if !segments.isEmpty { segments.removeLast() } } else { segments.append(s) }
        }
        var normalized = "/" + segments.joined(separator: "/")
        if path.hasSuffix("/") && !segments.isEmpty { normalized += "/" }
        return SigningText.encode(normalized.utf8, keep: { PercentEncoding.isUnreserved($0) || $0 == UInt8(ascii: "/") })
    }

    /// Query parameters decoded, re-encoded (RFC 3986) and sorted by name, then value.
    static func canonicalQuery(_ query: Substring) -> String {
        SigningText.pairs(query, plusAsSpace: false)
            .map { (SigningText.rfc3986($0.name), SigningText.rfc3986($0.value)) }
            .sorted { a, b in a.0 != b.0 ? Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8)) : Array(a.1.utf8).lexicographicallyPrecedes(Array(b.1.utf8)) }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` of a Unix time (proleptic Gregorian, UTC).
    static func amzDate(_ t: Int64) -> String {
        let (days, secs) = (t.floorDivided(by: 86_400), t.floorModulo(86_400))
        let (y, m, d) = civil(days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        let paddedYear = String(repeating: "0", count: max(0, 4 - year.count)) + year
        return paddedYear + two(m) + two(d) + "T" + two(secs / 3600) + two(secs % 3600 / 60) + two(secs % 60) + "Z"
    }

    /// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civil(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension Int64 {
    func floorDivided(by d: Int64) -> Int64 { let q = self / d; return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q }
    func floorModulo(_ d: Int64) -> Int64 { self - floorDivided(by: d) * d }
}

/// OAuth 1.0a HMAC-SHA1 (RFC 5849 section 3): the signature base string is the method, the
/// base string URI and the normalized parameters (the query's, a form body's, and the
/// `oauth_*` protocol parameters), each encoded per section 3.6; the key is
/// `consumer_secret&token_secret`. The `Authorization: OAuth ...` header lists the protocol
/// parameters in name order, as X's documentation shows them.
enum OAuth1Signature {
    static func sign(method: String, url: String, headers: [HTTPHeaderField], body: [UInt8], timestamp: Int64, nonce: String,
                     consumerKey: String, consumerSecret: String, token: String?, tokenSecret: String,
                     version: String? = "1.0") throws(RenderError) -> AuthSigning.Signed {
        var oauth: [(String, String)] = [("oauth_consumer_key", consumerKey), ("oauth_nonce", nonce), ("oauth_signature_method", "HMAC-SHA1"),
                                         ("oauth_timestamp", String(timestamp))]
        if let token { oauth.append(("oauth_token", token)) }
        // `oauth_version` is optional (RFC 5849 section 3.1); X's documentation sends it, the RFC's own examples do not.
        if let version { oauth.append(("oauth_version", version)) }
        let parts = try SigningText.URLParts(url)
        var params: [(String, String)] = SigningText.pairs(parts.query, plusAsSpace: true).map { (SigningText.rfc3986($0.name), SigningText.rfc3986($0.value)) }
        let contentType = headers.last { $0.name.lowercased() == "content-type" }?.value.lowercased() ?? ""
        if contentType.hasPrefix("application/x-www-form-urlencoded") {
            params += SigningText.pairs(Substring(String(decoding: body, as: UTF8.self)), plusAsSpace: true)
                .map { (SigningText.rfc3986($0.name), SigningText.rfc3986($0.value)) }
        }
        params += oauth.map { (SigningText.rfc3986($0.0.utf8), SigningText.rfc3986($0.1.utf8)) }
        params.sort { a, b in a.0 != b.0 ? Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8)) : Array(a.1.utf8).lexicographicallyPrecedes(Array(b.1.utf8)) }
        let normalized = params.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let baseURI = parts.scheme + "://" + parts.hostWithPort + parts.path
        let base = method.uppercased() + "&" + SigningText.rfc3986(baseURI.utf8) + "&" + SigningText.rfc3986(normalized.utf8)
        let key = SigningText.rfc3986(consumerSecret.utf8) + "&" + SigningText.rfc3986(tokenSecret.utf8)
        let signature = Base64.encode(HMAC.authenticationCode(.sha1, key: Array(key.utf8), message: Array(base.utf8)))
        var fields = oauth
        fields.append(("oauth_signature", signature))
        fields.sort { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        let value = "OAuth " + fields.map { "\($0.0)=\"\(SigningText.rfc3986($0.1.utf8))\"" }.joined(separator: ", ")
        return AuthSigning.Signed(headers: [HTTPHeaderField(name: "Authorization", value: value)], signingString: Array(base.utf8))
    }
}

/// Azure Shared Access Signature (learn.microsoft.com, "Generate SAS token"), written as the
/// Azure SDKs write it (`azure-eventhub`'s `generate_sas_token`): `sr` is the resource URI
/// `quote_plus`-encoded, the signed string is that encoded URI, `\n` and the expiry, the key
/// is the policy key's UTF-8 bytes, and `sig` is the base64 HMAC-SHA256, `quote_plus`-encoded.
enum AzureSAS {
    static func sign(resource: String, keyName: String, key: String, expiry: Int64) throws(RenderError) -> AuthSigning.Signed {
        let sr = SigningText.quotePlus(resource)
        let stringToSign = sr + "\n" + String(expiry)
        let sig = Base64.encode(HMAC.authenticationCode(.sha256, key: Array(key.utf8), message: Array(stringToSign.utf8)))
        let value = "SharedAccessSignature sr=\(sr)&sig=\(SigningText.quotePlus(sig))&se=\(expiry)&skn=\(SigningText.quotePlus(keyName))"
        return AuthSigning.Signed(headers: [HTTPHeaderField(name: "Authorization", value: value)], signingString: Array(stringToSign.utf8))
    }
}
