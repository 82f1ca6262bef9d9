import DSCrypto

/// The server side of the auth kinds that sign each request (`aws_sigv4`, `oauth1`,
/// `azure_sas`), written the way the vendor checks them: the received `Authorization`
/// header is parsed, the signed string is rebuilt from the request as it arrived (method,
/// target, the headers the client says it signed, the body), and the signature is
/// recomputed with the server's copy of the key. It shares no code with DSRender's signers.
///
/// Checks are named `auth.sigv4`, `auth.oauth1`, `auth.sas`; details never show a key or a
/// signature the server expected.
enum SignedAuthVerifier {
    /// Expected credentials of one scheme.
    enum Scheme: Sendable {
        case sigV4(accessKeyID: String, secret: String, sessionToken: String?, region: String, service: String, contentSHA256: Bool)
        case oauth1(consumerKey: String, consumerSecret: String, token: String?, tokenSecret: String)
        case sas(resource: String, keyName: String, key: String)
    }

    /// Request facts the checks need besides the request: the URL the client addressed and
    /// the server clock (nil tolerance: no freshness check, as on a virtual clock).
    struct Context {
        var url: String
        var now: Int64
        var toleranceSeconds: Int?
    }

    static func verify(_ scheme: Scheme, _ request: MockRequest, _ context: Context) -> [MockCheckResult] {
        switch scheme {
        case .sigV4(let keyID, let secret, let session, let region, let service, let contentSHA256):
            return [sigV4(request, context, keyID: keyID, secret: secret, sessionToken: session, region: region, service: service, contentSHA256: contentSHA256)]
        case .oauth1(let consumerKey, let consumerSecret, let token, let tokenSecret):
            return [oauth1(request, context, consumerKey: consumerKey, consumerSecret: consumerSecret, token: token, tokenSecret: tokenSecret)]
        case .sas(let resource, let keyName, let key):
            return [sas(request, context, resource: resource, keyName: keyName, key: key)]
        }
    }

    // MARK: AWS Signature Version 4

    static func sigV4(_ request: MockRequest, _ context: Context, keyID: String, secret: String, sessionToken: String?,
                      region: String, service: String, contentSHA256: Bool) -> MockCheckResult {
        func fail(_ detail: String) -> MockCheckResult { MockCheckResult(name: "auth.sigv4", passed: false, detail: detail) }
        guard let authorization = request.header("Authorization") else { return fail("missing Authorization") }
        let prefix = "AWS4-HMAC-SHA256 "
        guard authorization.hasPrefix(prefix) else { return fail("Authorization is not AWS4-HMAC-SHA256") }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(prefix.count).split(separator: ",") {
            let item = part.trimmingSpaces
            guard let eq = item.firstIndex(of: "=") else { return fail("Authorization has a malformed field") }
            fields[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        guard let credential = fields["Credential"], let signedList = fields["SignedHeaders"], let signature = fields["Signature"] else {
            return fail("Authorization lacks Credential, SignedHeaders or Signature")
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request" else { return fail("Credential is not KEY/DATE/REGION/SERVICE/aws4_request") }
        guard ConstantTime.equals(Array(scope[0].utf8), Array(keyID.utf8)) else { return fail("Credential names another access key id") }
        guard scope[2] == region, scope[3] == service else { return fail("Credential scope is \(scope[2])/\(scope[3]), expected \(region)/\(service)") }
        guard let amzDate = request.header("X-Amz-Date"), amzDate.count == 16, amzDate.hasPrefix(scope[1]) else {
            return fail("X-Amz-Date is missing or does not match the Credential date")
        }
        let signed = signedList.split(separator: ";").map(String.init)
        guard signed.contains("host"), signed.contains("x-amz-date") else { return fail("SignedHeaders must include host and x-amz-date") }
        guard signed == signed.sorted(), Set(signed).count == signed.count else { return fail("SignedHeaders are not sorted and unique") }
        if sessionToken != nil {
            guard let sent = request.header("X-Amz-Security-Token"), ConstantTime.equals(Array(sent.utf8), Array(sessionToken!.utf8)) else {
                return fail("X-Amz-Security-Token is missing or is not the session token")
            }
            guard signed.contains("x-amz-security-token") else { return fail("X-Amz-Security-Token is not signed") }
        }
        let bodyHash = Hex.encode(Digest.hash(.sha256, request.body))
        if contentSHA256 {
            guard request.header("X-Amz-Content-Sha256") == bodyHash else { return fail("X-Amz-Content-Sha256 is not the SHA-256 of the body") }
        }
        if let tolerance = context.toleranceSeconds {
            guard let t = parseAmzDate(amzDate), abs(t - context.now) <= Int64(tolerance) else { return fail("X-Amz-Date is more than \(tolerance) s from the server clock") }
        }
        // The canonical request, rebuilt server-side.
        let (path, query) = splitTarget(request.target)
        var canonical = request.method + "\n" + awsURI(path) + "\n" + awsQuery(query) + "\n"
        for name in signed {
            var values: [String]
            if name == "host" {
                values = [hostOf(context.url)]
            } else {
                values = request.headerValues(name)
                if values.isEmpty { return fail("signed header \(name) is not in the request") }
            }
            canonical += name + ":" + values.map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }.joined(separator: ",") + "\n"
        }
        canonical += "\n" + signedList + "\n" + bodyHash
        let stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope[1...4].joined(separator: "/") + "\n" + Hex.encode(Digest.hash(.sha256, Array(canonical.utf8)))
        var key = Array(("AWS4" + secret).utf8)
        for part in [scope[1], region, service, "aws4_request"] { key = HMAC.authenticationCode(.sha256, key: key, message: Array(part.utf8)) }
        let expected = Hex.encode(HMAC.authenticationCode(.sha256, key: key, message: Array(stringToSign.utf8)))
        guard ConstantTime.equals(Array(signature.utf8), Array(expected.utf8)) else {
            return fail("Signature does not match the canonical request the server computed (signed headers \(signedList))")
        }
        return MockCheckResult(name: "auth.sigv4", passed: true, detail: "AWS4-HMAC-SHA256 signature over \(signed.count) signed headers verified")
    }

    /// `20260101T000000Z` to Unix seconds.
    static func parseAmzDate(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        guard b.count == 16, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z") else { return nil }
        func num(_ r: Range<Int>) -> Int64? { Int64(String(decoding: b[r], as: UTF8.self)) }
        guard let y = num(0..<4), let m = num(4..<6), let d = num(6..<8), let hh = num(9..<11), let mm = num(11..<13), let ss = num(13..<15),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        // days_from_civil (Howard Hinnant).
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return (era * 146_097 + doe - 719_468) * 86_400 + hh * 3600 + mm * 60 + ss
    }

    /// AWS's canonical URI: dot and empty segments removed, then every byte but
    /// `A-Za-z0-9-._~/` percent-encoded (a second encoding of the path as sent).
    static func awsURI(_ path: String) -> String {
        var out: [Substring] = []
        for seg in path.split(separator: "/") {
            if seg == "." { continue }
            if seg == ".." { _ = out.popLast(); continue }
            out.append(seg)
        }
        var p = "/" + out.joined(separator: "/")
        if path.hasSuffix("/") && !out.isEmpty { p += "/" }
        return uriEncode(p, keepSlash: true)
    }

    /// AWS's canonical query: pairs decoded, each side UriEncoded, sorted.
    static func awsQuery(_ query: String) -> String {
        var pairs: [(String, String)] = []
        for piece in query.split(separator: "&") {
            let eq = piece.firstIndex(of: "=")
            let name = eq.map { piece[..<$0] } ?? piece
            let value = eq.map { piece[piece.index(after: $0)...] } ?? ""
            pairs.append((uriEncode(percentDecoded(name), keepSlash: false), uriEncode(percentDecoded(value), keepSlash: false)))
        }
        pairs.sort { $0.0 == $1.0 ? $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return pairs.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
    }

    static func uriEncode(_ s: String, keepSlash: Bool) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "-._~".utf8.contains(b) || (keepSlash && b == 0x2F) {
                out.append(c)
            } else {
                let hex = String(b, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// `%XX` decoded (`+` left as it is); a malformed escape is kept literally.
    static func percentDecoded(_ s: Substring) -> String {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == 0x25, i + 2 < b.count, let v = UInt8(String(decoding: b[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v); i += 3
            } else {
                out.append(b[i]); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func splitTarget(_ target: String) -> (String, String) {
        var t = Substring(target)
        if let s = t.range(of: "://") { t = t[s.upperBound...]; t = t.firstIndex(of: "/").map { t[$0...] } ?? "/" }
        if let q = t.firstIndex(of: "?") { return (String(t[..<q]), String(t[t.index(after: q)...])) }
        return (String(t), "")
    }

    /// The host (and non-default port) of an absolute URL, lowercased.
    static func hostOf(_ url: String) -> String {
        guard let s = url.range(of: "://") else { return "" }
        let scheme = url[..<s.lowerBound].lowercased()
        var authority = url[s.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let lower = authority.lowercased()
        if scheme == "https", lower.hasSuffix(":443") { return String(lower.dropLast(4)) }
        if scheme == "http", lower.hasSuffix(":80") { return String(lower.dropLast(3)) }
        return lower
    }

    // MARK: OAuth 1.0a

    static func oauth1(_ request: MockRequest, _ context: Context, consumerKey: String, consumerSecret: String, token: String?, tokenSecret: String) -> MockCheckResult {
        func fail(_ detail: String) -> MockCheckResult { MockCheckResult(name: "auth.oauth1", passed: false, detail: detail) }
        guard let authorization = request.header("Authorization") else { return fail("missing Authorization") }
        guard authorization.hasPrefix("OAuth ") else { return fail("Authorization is not OAuth") }
        var params: [String: String] = [:]
        for part in authorization.dropFirst(6).split(separator: ",") {
            let item = part.trimmingSpaces
            guard let eq = item.firstIndex(of: "=") else { return fail("Authorization has a malformed parameter") }
            let quoted = item[item.index(after: eq)...]
            guard quoted.count >= 2, quoted.first == "\"", quoted.last == "\"" else { return fail("Authorization has a malformed parameter") }
            params[String(item[..<eq])] = percentDecoded(quoted.dropFirst().dropLast())
        }
        guard params["oauth_signature_method"] == "HMAC-SHA1" else { return fail("oauth_signature_method is not HMAC-SHA1") }
        guard let sent = params["oauth_consumer_key"], ConstantTime.equals(Array(sent.utf8), Array(consumerKey.utf8)) else { return fail("oauth_consumer_key is not the consumer key") }
        if let token {
            guard let t = params["oauth_token"], ConstantTime.equals(Array(t.utf8), Array(token.utf8)) else { return fail("oauth_token is not the access token") }
        }
        guard let nonce = params["oauth_nonce"], !nonce.isEmpty else { return fail("oauth_nonce is missing") }
        // Ten digits at most: a Unix time in seconds (and no overflow in the distance below).
        guard let ts = params["oauth_timestamp"], (1...10).contains(ts.utf8.count), ts.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let timestamp = Int64(ts) else {
            return fail("oauth_timestamp is missing or not a Unix time in seconds")
        }
        if let tolerance = context.toleranceSeconds, abs(timestamp - context.now) > Int64(tolerance) {
            return fail("oauth_timestamp is more than \(tolerance) s from the server clock")
        }
        guard let signature = params["oauth_signature"], let mac = Base64.decode(signature) else { return fail("oauth_signature is missing or not base64") }
        // RFC 5849 section 3.4.1, server-side.
        var pairs: [(String, String)] = []
        func add(_ name: String, _ value: String) { pairs.append((rfc5849(name), rfc5849(value))) }
        let (path, query) = splitTarget(request.target)
        for p in FormEncoding.decode(Array(query.utf8)) ?? [] { add(p.name, p.value) }
        if (request.header("Content-Type") ?? "").lowercased().hasPrefix("application/x-www-form-urlencoded") {
            for p in FormEncoding.decode(request.body) ?? [] { add(p.name, p.value) }
        }
        for (k, v) in params where k != "oauth_signature" && k != "realm" { add(k, v) }
        pairs.sort { $0.0 == $1.0 ? $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        let scheme = context.url.prefix { $0 != ":" }.lowercased()
        let baseURI = scheme + "://" + hostOf(context.url) + path
        let base = request.method.uppercased() + "&" + rfc5849(baseURI) + "&" + rfc5849(pairs.map { $0.0 + "=" + $0.1 }.joined(separator: "&"))
        let key = rfc5849(consumerSecret) + "&" + rfc5849(tokenSecret)
        let expected = HMAC.authenticationCode(.sha1, key: Array(key.utf8), message: Array(base.utf8))
        guard ConstantTime.equals(mac, expected) else { return fail("oauth_signature does not match the signature base string the server computed") }
        return MockCheckResult(name: "auth.oauth1", passed: true, detail: "OAuth 1.0a HMAC-SHA1 signature verified")
    }

    static func rfc5849(_ s: String) -> String { uriEncode(s, keepSlash: false) }

    // MARK: Azure SAS

    static func sas(_ request: MockRequest, _ context: Context, resource: String, keyName: String, key: String) -> MockCheckResult {
        func fail(_ detail: String) -> MockCheckResult { MockCheckResult(name: "auth.sas", passed: false, detail: detail) }
        guard let authorization = request.header("Authorization") else { return fail("missing Authorization") }
        let prefix = "SharedAccessSignature "
        guard authorization.hasPrefix(prefix) else { return fail("Authorization is not a SharedAccessSignature") }
        var raw: [String: String] = [:]
        for piece in authorization.dropFirst(prefix.count).split(separator: "&") {
            guard let eq = piece.firstIndex(of: "=") else { return fail("the token has a malformed field") }
            raw[String(piece[..<eq])] = String(piece[piece.index(after: eq)...])
        }
        guard let sr = raw["sr"], let sig = raw["sig"], let se = raw["se"], let skn = raw["skn"] else { return fail("the token lacks sr, sig, se or skn") }
        guard let name = FormEncoding.percentDecode(Array(skn.utf8)), name == keyName else { return fail("skn names another policy") }
        guard let audience = FormEncoding.percentDecode(Array(sr.utf8)), audience.lowercased() == resource.lowercased() else {
            return fail("sr is not the resource the policy grants")
        }
        let target = context.url.lowercased()
        let scope = audience.lowercased().hasSuffix("/") ? audience.lowercased() : audience.lowercased() + "/"
        guard target.hasPrefix(scope) || target == audience.lowercased() else { return fail("the request URL is outside the token's resource") }
        guard (1...12).contains(se.utf8.count), se.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let expiry = Int64(se) else { return fail("se is not a Unix time") }
        if context.toleranceSeconds != nil, expiry <= context.now { return fail("the token expired (se is in the past)") }
        guard let decoded = FormEncoding.percentDecode(Array(sig.utf8)), let mac = Base64.decode(decoded) else { return fail("sig is not base64") }
        let expected = HMAC.authenticationCode(.sha256, key: Array(key.utf8), message: Array((sr + "\n" + se).utf8))
        guard ConstantTime.equals(mac, expected) else { return fail("sig does not match the HMAC-SHA256 of sr and se under the policy key") }
        return MockCheckResult(name: "auth.sas", passed: true, detail: "SharedAccessSignature for policy \(keyName) verified")
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
