import DSCore
import DSJSON

/// HTTP methods a spec may use.
public enum HTTPMethod: String, Sendable, CaseIterable {
    case POST, PUT, PATCH, GET, DELETE
}

/// Where requests are sent.
public struct Endpoint: Sendable {
    /// The endpoint node itself (for missing-field diagnostics).
    public var node: Located<Void>
    /// HTTP method (default POST).
    public var method: Located<HTTPMethod>?
    /// URL template.
    public var url: TemplateText?
    /// Query parameters: name -> template, in declaration order.
    public var query: [QueryParameter] = []
    /// Per-attempt timeout in milliseconds (default 10000).
    public var timeoutMs: Located<Int>?
}

/// One query parameter.
public struct QueryParameter: Sendable {
    /// Parameter name.
    public var name: Located<String>
    /// Value template.
    public var value: TemplateText
}

/// One request header.
public struct HeaderDeclaration: Sendable {
    /// Header name.
    public var name: Located<String>
    /// Value template (static text or `{{context.ip}}`-style).
    public var value: TemplateText
}

/// How requests authenticate. Secret-bearing fields are templates that should reference
/// `{{@secrets.NAME}}`; a literal there is warned about and hoisted out of the plan.
public enum Auth: Sendable {
    /// No authentication.
    case none(node: Located<Void>)
    /// `Authorization: Bearer <token>`.
    case bearer(node: Located<Void>, token: TemplateText?)
    /// `Authorization: Basic base64(user:password)`.
    case basic(node: Located<Void>, username: TemplateText?, password: TemplateText?)
    /// An API key in a header or in the query string.
    case apiKey(node: Located<Void>, location: Located<APIKeyLocation>?, name: Located<String>?, value: TemplateText?, prefix: Located<String>?)
    /// OAuth 2.0 client credentials grant.
    case oauth2ClientCredentials(OAuthClientCredentials)
    /// OAuth 2.0 refresh-token grant.
    case oauth2RefreshToken(OAuthRefreshToken)
    /// OAuth 2.0 JWT bearer grant from a Google-style service-account key.
    case serviceAccount(ServiceAccountAuth)
    /// AWS Signature Version 4 over each request (Kinesis, Firehose, EventBridge, API Gateway).
    case awsSigV4(AWSSigV4Auth)
    /// OAuth 1.0a HMAC-SHA1 request signing (RFC 5849; X Conversions API).
    case oauth1(OAuth1Auth)
    /// An Azure Shared Access Signature token (Event Hubs, Service Bus).
    case azureSAS(AzureSASAuth)

    /// The `type` word for messages.
    public var typeName: String {
        switch self {
        case .none: return "none"
        case .bearer: return "bearer"
        case .basic: return "basic"
        case .apiKey: return "api_key"
        case .oauth2ClientCredentials: return "oauth2_client_credentials"
        case .oauth2RefreshToken: return "oauth2_refresh_token"
        case .serviceAccount: return "service_account"
        case .awsSigV4: return "aws_sigv4"
        case .oauth1: return "oauth1"
        case .azureSAS: return "azure_sas"
        }
    }

    /// The auth node.
    public var node: Located<Void> {
        switch self {
        case .none(let n), .bearer(let n, _), .basic(let n, _, _), .apiKey(let n, _, _, _, _): return n
        case .oauth2ClientCredentials(let o): return o.node
        case .oauth2RefreshToken(let o): return o.node
        case .serviceAccount(let s): return s.node
        case .awsSigV4(let a): return a.node
        case .oauth1(let o): return o.node
        case .azureSAS(let a): return a.node
        }
    }

    /// True for the OAuth kinds (tokens fetched at run time, refresh possible).
    public var isOAuth: Bool {
        switch self {
        case .oauth2ClientCredentials, .oauth2RefreshToken, .serviceAccount: return true
        default: return false
        }
    }

    /// The secret-bearing template fields of this auth, with the field name.
    public var secretFields: [(field: String, text: TemplateText)] {
        switch self {
        case .none: return []
        case .bearer(_, let t): return [t].compactMap { $0 }.map { ("token", $0) }
        case .basic(_, _, let p): return [p].compactMap { $0 }.map { ("password", $0) }
        case .apiKey(_, _, _, let v, _): return [v].compactMap { $0 }.map { ("value", $0) }
        case .oauth2ClientCredentials(let o): return [o.clientSecret].compactMap { $0 }.map { ("client_secret", $0) }
        case .oauth2RefreshToken(let o):
            return [("client_secret", o.clientSecret), ("refresh_token", o.refreshToken)].compactMap { f, t in t.map { (f, $0) } }
        case .serviceAccount(let s): return [s.key].compactMap { $0 }.map { ("key", $0) }
        case .awsSigV4(let a):
            return [("secret_access_key", a.secretAccessKey), ("session_token", a.sessionToken)].compactMap { f, t in t.map { (f, $0) } }
        case .oauth1(let o):
            return [("consumer_secret", o.consumerSecret), ("token_secret", o.tokenSecret)].compactMap { f, t in t.map { (f, $0) } }
        case .azureSAS(let a): return [a.key].compactMap { $0 }.map { ("key", $0) }
        }
    }

    /// Every template field of this auth (secret-bearing or not), with the field name.
    public var templateFields: [(field: String, text: TemplateText)] {
        var fields: [(String, TemplateText?)] = []
        switch self {
        case .none: break
        case .bearer(_, let t): fields = [("token", t)]
        case .basic(_, let u, let p): fields = [("username", u), ("password", p)]
        case .apiKey(_, _, _, let v, _): fields = [("value", v)]
        // token_url is a template too (the token fetcher resolves its @settings and @secrets).
        case .oauth2ClientCredentials(let o):
            fields = [("token_url", o.tokenURL), ("client_id", o.clientID), ("client_secret", o.clientSecret)] + (o.tokenRequest?.parameterFields ?? [])
        case .oauth2RefreshToken(let o):
            fields = [("token_url", o.tokenURL), ("client_id", o.clientID), ("client_secret", o.clientSecret), ("refresh_token", o.refreshToken)]
                + (o.tokenRequest?.parameterFields ?? [])
        case .serviceAccount(let s): fields = [("key", s.key), ("token_url", s.tokenURL), ("subject", s.subject)]
        case .awsSigV4(let a):
            fields = [("access_key_id", a.accessKeyID), ("secret_access_key", a.secretAccessKey), ("session_token", a.sessionToken), ("region", a.region)]
        case .oauth1(let o):
            fields = [("consumer_key", o.consumerKey), ("consumer_secret", o.consumerSecret), ("token", o.token), ("token_secret", o.tokenSecret)]
        case .azureSAS(let a): fields = [("key_name", a.keyName), ("key", a.key), ("resource", a.resource)]
        }
        return fields.compactMap { f, t in t.map { (f, $0) } }
    }
}

/// Where an API key goes.
public enum APIKeyLocation: String, Sendable, CaseIterable {
    case header, query
}

/// How an OAuth client authenticates to the token endpoint.
public enum OAuthClientAuthMethod: String, Sendable, CaseIterable {
    /// HTTP Basic with client id and secret (RFC 6749 section 2.3.1, preferred).
    case basic
    /// `client_id` and `client_secret` in the form body.
    case body
}

/// OAuth 2.0 client credentials (RFC 6749 section 4.4).
public struct OAuthClientCredentials: Sendable {
    public var node: Located<Void>
    public var tokenURL: TemplateText?
    public var clientID: TemplateText?
    public var clientSecret: TemplateText?
    public var clientAuth: Located<OAuthClientAuthMethod>?
    public var scope: Located<String>?
    public var audience: Located<String>?
    /// How the token request is written (`token_request`), nil for the RFC 6749 form.
    public var tokenRequest: TokenRequestOptions? = nil
}

/// How a token body is encoded.
public enum TokenRequestEncoding: String, Sendable, CaseIterable {
    /// `application/x-www-form-urlencoded` (RFC 6749 appendix B).
    case form
    /// `application/json` (Salesforce Marketing Cloud `/v2/token`).
    case json
}

/// The `token_request` block of an OAuth auth: body encoding, grant type and extra
/// parameters, for token endpoints that depart from RFC 6749's form.
public struct TokenRequestOptions: Sendable {
    public var node: Located<Void>
    /// Body encoding (default form).
    public var encoding: Located<TokenRequestEncoding>?
    /// `grant_type` override (client credentials only, e.g. Zoom's `account_credentials`).
    public var grantType: Located<String>?
    /// Extra body parameters: name -> template of settings and secrets, in declaration order.
    public var parameters: [QueryParameter] = []
}

/// OAuth 2.0 refresh token (RFC 6749 section 6), optionally rotating.
public struct OAuthRefreshToken: Sendable {
    public var node: Located<Void>
    public var tokenURL: TemplateText?
    public var clientID: TemplateText?
    public var clientSecret: TemplateText?
    public var clientAuth: Located<OAuthClientAuthMethod>?
    public var refreshToken: TemplateText?
    public var rotates: Located<Bool>?
    public var scope: Located<String>?
    /// How the token request is written (`token_request`), nil for the RFC 6749 form.
    public var tokenRequest: TokenRequestOptions? = nil
}

/// OAuth 2.0 JWT bearer grant (RFC 7523) signed RS256 with a service-account key file.
public struct ServiceAccountAuth: Sendable {
    public var node: Located<Void>
    /// Template resolving to the key file's JSON (`{{@secrets.service_account}}`).
    public var key: TemplateText?
    public var scope: Located<String>?
    /// `aud` claim; default the key file's `token_uri`.
    public var audience: Located<String>?
    /// Override of the key file's `token_uri`.
    public var tokenURL: TemplateText?
    /// Assertion lifetime in seconds (default 3600, max 3600).
    public var lifetimeSeconds: Located<Int>?
    /// `sub` claim: the user the service account acts for (Google domain-wide delegation,
    /// Salesforce's JWT bearer flow); a template over @settings and @secrets.
    public var subject: TemplateText? = nil
}

extension TokenRequestOptions {
    /// The parameters as auth template fields (`token_request.parameters.NAME`).
    var parameterFields: [(String, TemplateText?)] { parameters.map { ("token_request.parameters.\($0.name.value)", $0.value) } }
}

/// AWS Signature Version 4: every request is signed with the secret access key over the
/// canonical request (method, path, sorted query, signed headers, payload hash).
public struct AWSSigV4Auth: Sendable {
    public var node: Located<Void>
    /// Access key id (`AKIA...`); not secret, may come from a setting or a secret.
    public var accessKeyID: TemplateText?
    /// Secret access key (`{{@secrets.aws_secret_access_key}}`).
    public var secretAccessKey: TemplateText?
    /// Temporary-credential session token, sent as `X-Amz-Security-Token` and signed.
    public var sessionToken: TemplateText?
    /// Region (`us-east-1`), a template over settings.
    public var region: TemplateText?
    /// Signing name of the service (`kinesis`, `firehose`, `events`, `execute-api`).
    public var service: Located<String>?
    /// Send (and sign) `X-Amz-Content-Sha256` with the payload hash, as S3 and some services require.
    public var contentSHA256: Located<Bool>?
}

/// OAuth 1.0a with HMAC-SHA1 signatures (RFC 5849 section 3).
public struct OAuth1Auth: Sendable {
    public var node: Located<Void>
    public var consumerKey: TemplateText?
    public var consumerSecret: TemplateText?
    /// Access token; absent for two-legged (consumer-only) requests.
    public var token: TemplateText?
    public var tokenSecret: TemplateText?
}

/// An Azure Shared Access Signature: `SharedAccessSignature sr=..&sig=..&se=..&skn=..`.
public struct AzureSASAuth: Sendable {
    public var node: Located<Void>
    /// Shared access policy name (`skn`).
    public var keyName: TemplateText?
    /// The policy's key (`{{@secrets.sas_key}}`), used as UTF-8 bytes.
    public var key: TemplateText?
    /// The resource URI the token is scoped to (`sr`), a prefix of the endpoint URL.
    public var resource: TemplateText?
    /// Seconds from signing to the token's expiry (`se`), default 3600.
    public var expirySeconds: Located<Int>?
}
