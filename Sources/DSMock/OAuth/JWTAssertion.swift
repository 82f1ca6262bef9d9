import DSCrypto
import DSJSON

/// Verification of an RFC 7523 JWT-bearer assertion: RS256 signature with the issuer's key,
/// then `iss`, `aud`, `exp`, `iat` (with clock skew and a lifetime cap) and `scope`.
enum JWTAssertion {
    /// A verified assertion's claims that matter to the token endpoint.
    struct Claims {
        var issuer: String
        var scope: String?
    }

    /// Verifies `jwt`; throws a failed `oauth.assertion` check naming the first problem.
    static func verify(_ jwt: String, configuration c: MockOAuthConfiguration) throws(TokenError) -> Claims {
        func fail(_ detail: String) -> TokenError {
            TokenError(status: 400, error: "invalid_grant", description: "assertion: \(detail)", check: "oauth.assertion")
        }
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw fail("not a JWS compact serialization (expected three dot-separated parts)") }
        guard let headerBytes = Base64.decode(String(parts[0])), let header = try? JSONParser().parseValue(headerBytes),
              let claimBytes = Base64.decode(String(parts[1])), let claims = try? JSONParser().parseValue(claimBytes),
              case .object = claims
        else { throw fail("header or claims are not base64url-encoded JSON") }
        guard header["alg"]?.stringValue == "RS256" else { throw fail("alg must be RS256, not \(header["alg"].map { JSONWriter.string($0) } ?? "missing")") }
        guard let iss = claims["iss"]?.stringValue else { throw fail("missing iss") }
        guard let key = c.assertionKeys[iss] else { throw fail("unknown issuer \"\(iss)\"") }
        guard let signature = Base64.decode(String(parts[2])),
              key.verifySHA256(signature: signature, message: Array("\(parts[0]).\(parts[1])".utf8))
        else { throw fail("RS256 signature does not verify with the key of \"\(iss)\"") }
        let audiences: [String]
        switch claims["aud"] {
        case .string(let a)?: audiences = [a]
        case .array(let list)?: audiences = list.compactMap(\.stringValue)
        default: throw fail("missing aud")
        }
        if !c.assertionAudiences.isEmpty, !audiences.contains(where: c.assertionAudiences.contains) {
            throw fail("aud \(audiences) is not one of \(c.assertionAudiences)")
        }
        // Bounded to plausible Unix times so the arithmetic below cannot overflow on hostile input.
        let plausible = 0...100_000_000_000
        guard let exp = claims["exp"]?.numberValue?.intValue, plausible.contains(exp) else { throw fail("missing, non-integer or implausible exp") }
        guard let iat = claims["iat"]?.numberValue?.intValue, plausible.contains(iat) else { throw fail("missing, non-integer or implausible iat") }
        let now = Int(c.unixTime())
        if exp <= now - c.clockSkewSeconds { throw fail("expired: exp \(exp) is \(now - exp) s in the past") }
        if iat > now + c.clockSkewSeconds { throw fail("iat \(iat) is \(iat - now) s in the future") }
        if exp - iat > c.maxAssertionLifetime { throw fail("lifetime exp - iat = \(exp - iat) s exceeds \(c.maxAssertionLifetime) s") }
        if exp <= iat { throw fail("exp \(exp) is not after iat \(iat)") }
        if let required = c.requiredSubject, claims["sub"]?.stringValue != required {
            throw fail("sub \(claims["sub"].map { JSONWriter.string($0) } ?? "missing") is not \(JSONWriter.string(.string(required)))")
        }
        return Claims(issuer: iss, scope: claims["scope"]?.stringValue)
    }
}

/// A token endpoint refusal: RFC 6749 section 5.2 error JSON, and the check it fails.
struct TokenError: Error {
    var status: Int
    var error: String
    var description: String
    var check: String
    /// Sent with 401 invalid_client when the client tried HTTP Basic.
    var wwwAuthenticate: String?
}
