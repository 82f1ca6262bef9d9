import Foundation
import DSCrypto
import DSJSON
import DSRender

/// A token endpoint's answer (RFC 6749 section 5.1).
public struct TokenResponse: Sendable, Equatable {
    /// The access token.
    public var accessToken: String
    /// Lifetime in seconds, if the server said.
    public var expiresIn: Int?
    /// A new refresh token, if the server issued one (rotation).
    public var refreshToken: String?
}

/// Posts token requests (`application/x-www-form-urlencoded`, RFC 6749 appendix B) through
/// the run's transport and reads the JSON answer. Errors carry the endpoint, the status and
/// the OAuth `error` / `error_description`, with every secret of the request scrubbed.
public struct TokenEndpoint: Sendable {
    /// The token URL.
    public let url: String
    private let transport: any HTTPTransport
    private let timeout: Duration

    /// Creates the endpoint.
    public init(url: String, transport: any HTTPTransport, timeout: Duration = .seconds(30)) {
        self.url = url
        self.transport = transport
        self.timeout = timeout
    }

    /// Requests a token with `form` fields; `basicAuth` is the client id and secret for
    /// HTTP Basic client authentication (RFC 6749 section 2.3.1), `secrets` the values to
    /// keep out of error messages.
    public func request(form: [(String, String)], basicAuth: (id: String, secret: String)?, secrets: [String]) async throws(OAuthError) -> TokenResponse {
        try await request(parameters: form.map { ($0.0, JSONValue.string($0.1)) }, encoding: .form, basicAuth: basicAuth, secrets: secrets)
    }

    /// How a token request body is written.
    public enum BodyEncoding: String, Sendable {
        /// `application/x-www-form-urlencoded` (RFC 6749 appendix B); numbers and booleans as their text.
        case form
        /// `application/json`: one compact object, parameters in order, numbers and booleans kept as such.
        case json
    }

    /// Requests a token with `parameters` written in `encoding`.
    public func request(parameters: [(String, JSONValue)], encoding: BodyEncoding, basicAuth: (id: String, secret: String)?,
                        secrets: [String]) async throws(OAuthError) -> TokenResponse {
        var headers = [HTTPHeaderField(name: "Content-Type", value: encoding == .json ? "application/json" : "application/x-www-form-urlencoded"),
                       HTTPHeaderField(name: "Accept", value: "application/json"),
                       HTTPHeaderField(name: "User-Agent", value: "dspec/1.0")]
        if let basicAuth {
            // RFC 6749 2.3.1: the id and secret are form-encoded before base64.
            let pair = Self.formEncode(basicAuth.id) + ":" + Self.formEncode(basicAuth.secret)
            headers.append(HTTPHeaderField(name: "Authorization", value: "Basic " + Base64.encode(Array(pair.utf8))))
        }
        let body: [UInt8]
        switch encoding {
        case .json:
            body = JSONWriter.bytes(.object(JSONObject(parameters)))
        case .form:
            body = Array(parameters.map { Self.formEncode($0.0) + "=" + Self.formEncode(Self.text($0.1)) }.joined(separator: "&").utf8)
        }
        let request = RenderedRequest(method: "POST", url: url, headers: headers, body: body, signingString: nil,
                                      eventIDs: [], timestamp: 0, requestID: "")
        let response: HTTPResponse
        do {
            response = try await transport.send(request, timeout: timeout)
        } catch {
            throw OAuthError("token endpoint \(url): \(error.description)")
        }
        let json = try? JSONParser().parseValue(response.body)
        guard (200..<300).contains(response.status) else {
            var message = "token endpoint \(url) answered \(response.status)"
            if let code = json?["error"]?.stringValue { message += ": \(code)" }
            if let detail = json?["error_description"]?.stringValue { message += " (\(detail))" }
            throw OAuthError(Self.scrub(message, secrets))
        }
        guard let token = json?["access_token"]?.stringValue, !token.isEmpty else {
            throw OAuthError("token endpoint \(url) answered \(response.status) without an access_token")
        }
        // The server chose expires_in: clamped to 0...1 year, so instant arithmetic on it
        // cannot overflow (a negative value means "refresh at once").
        let expires = json?["expires_in"].flatMap { $0.numberValue?.intValue ?? $0.stringValue.flatMap { Int($0) } }.map { min(max($0, 0), 31_536_000) }
        return TokenResponse(accessToken: token, expiresIn: expires, refreshToken: json?["refresh_token"]?.stringValue)
    }

    /// `application/x-www-form-urlencoded` encoding of one name or value: unreserved
    /// characters as is, space as `+`, everything else percent-encoded UTF-8.
    static func formEncode(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += "%" + String(b >> 4, radix: 16, uppercase: true) + String(b & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// A parameter's text in a form body.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .number(let n): return n.text
        case .bool(let b): return b ? "true" : "false"
        default: return JSONWriter.string(value)
        }
    }

    /// `message` with every non-empty secret replaced by `<redacted>`, in each form a token
    /// request body carries it (as is, form-encoded, JSON-escaped), since an endpoint's error
    /// description may echo the body as it was sent.
    static func scrub(_ message: String, _ secrets: [String]) -> String {
        var text = message
        let forms = Set(secrets.filter { !$0.isEmpty }.flatMap { s in [s, formEncode(s), String(JSONWriter.string(.string(s)).dropFirst().dropLast())] })
        for s in forms.sorted(by: { $0.count > $1.count || ($0.count == $1.count && $0 < $1) }) where text.contains(s) {
            text = text.replacingOccurrences(of: s, with: "<redacted>")
        }
        return text
    }
}
