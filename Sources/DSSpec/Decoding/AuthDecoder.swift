import DSCore
import DSJSON

/// Reads the `auth` block; the allowed keys depend on `type`.
enum AuthDecoder {
    static let keysByType: [String: [String]] = [
        "none": ["type"],
        "bearer": ["type", "token"],
        "basic": ["type", "username", "password"],
        "api_key": ["type", "in", "name", "value", "prefix"],
        "oauth2_client_credentials": ["type", "token_url", "client_id", "client_secret", "client_auth", "scope", "audience", "token_request"],
        "oauth2_refresh_token": ["type", "token_url", "client_id", "client_secret", "client_auth", "refresh_token", "rotates", "scope", "token_request"],
        "service_account": ["type", "key", "scope", "audience", "token_url", "lifetime_seconds", "subject"],
        "aws_sigv4": ["type", "access_key_id", "secret_access_key", "session_token", "region", "service", "content_sha256"],
        "oauth1": ["type", "consumer_key", "consumer_secret", "token", "token_secret", "signature_method"],
        "azure_sas": ["type", "key_name", "key", "resource", "expiry_seconds"],
    ]

    static let typeNames = ["none", "bearer", "basic", "api_key", "oauth2_client_credentials", "oauth2_refresh_token", "service_account", "aws_sigv4", "oauth1", "azure_sas"]

    static func read(_ r: ObjectReader) -> Auth? {
        guard let type = r.string("type", required: true, what: "\"auth\"") else { return nil }
        guard let keys = keysByType[type.value] else {
            let suggestion = Suggestions.closest(to: type.value, in: typeNames)
            var message = "unknown auth type \"\(type.value)\"; expected one of \(typeNames.joined(separator: ", "))"
            if let suggestion { message += "; did you mean \"\(suggestion)\"?" }
            r.diagnostics.emit(DecodingRules.invalidValue, message, span: type.span, pointer: type.pointer, suggestion: suggestion)
            return nil
        }
        let reader = ObjectReader(r.node, pointer: r.location, allowed: keys, diagnostics: r.diagnostics, what: "\"auth\"")!
        reader.reportUnknownKeys()
        let node = reader.located
        let what = "\"auth\" of type \(type.value)"
        func template(_ key: String, required: Bool = true) -> TemplateText? { reader.string(key, required: required, what: what) }
        switch type.value {
        case "none":
            return .none(node: node)
        case "bearer":
            return .bearer(node: node, token: template("token"))
        case "basic":
            return .basic(node: node, username: template("username"), password: template("password", required: false))
        case "api_key":
            return .apiKey(node: node, location: reader.enumeration("in", APIKeyLocation.self, required: true, what: what),
                           name: reader.string("name", required: true, what: what), value: template("value"), prefix: reader.string("prefix"))
        case "oauth2_client_credentials":
            return .oauth2ClientCredentials(OAuthClientCredentials(
                node: node, tokenURL: template("token_url"), clientID: template("client_id"), clientSecret: template("client_secret"),
                clientAuth: reader.enumeration("client_auth", OAuthClientAuthMethod.self), scope: reader.string("scope"), audience: reader.string("audience"),
                tokenRequest: readTokenRequest(reader, grantTypeAllowed: true)))
        case "oauth2_refresh_token":
            return .oauth2RefreshToken(OAuthRefreshToken(
                node: node, tokenURL: template("token_url"), clientID: template("client_id"), clientSecret: template("client_secret", required: false),
                clientAuth: reader.enumeration("client_auth", OAuthClientAuthMethod.self), refreshToken: template("refresh_token"),
                rotates: reader.bool("rotates"), scope: reader.string("scope"), tokenRequest: readTokenRequest(reader, grantTypeAllowed: false)))
        case "aws_sigv4":
            return .awsSigV4(AWSSigV4Auth(
                node: node, accessKeyID: template("access_key_id"), secretAccessKey: template("secret_access_key"),
                sessionToken: template("session_token", required: false), region: template("region"),
                service: reader.string("service", required: true, what: what), contentSHA256: reader.bool("content_sha256")))
        case "oauth1":
            if let m = reader.string("signature_method"), m.value != "HMAC-SHA1" {
                reader.diagnostics.emit(DecodingRules.invalidValue, "oauth1 signature_method must be \"HMAC-SHA1\", not \"\(m.value)\" (the only method dspec signs with)",
                                        span: m.span, pointer: m.pointer)
            }
            return .oauth1(OAuth1Auth(node: node, consumerKey: template("consumer_key"), consumerSecret: template("consumer_secret"),
                                      token: template("token", required: false), tokenSecret: template("token_secret", required: false)))
        case "azure_sas":
            return .azureSAS(AzureSASAuth(node: node, keyName: template("key_name"), key: template("key"), resource: template("resource"),
                                          expirySeconds: reader.int("expiry_seconds", range: NumericRanges.sasExpirySeconds)))
        default:
            return .serviceAccount(ServiceAccountAuth(
                node: node, key: template("key"), scope: reader.string("scope", required: true, what: what), audience: reader.string("audience"),
                tokenURL: template("token_url", required: false), lifetimeSeconds: reader.int("lifetime_seconds", range: NumericRanges.lifetimeSeconds),
                subject: template("subject", required: false)))
        }
    }

    /// Parameter names dspec writes itself; `token_request.parameters` may not set them.
    static let reservedTokenParameters = ["grant_type", "client_id", "client_secret", "scope", "audience", "refresh_token", "assertion"]

    /// Reads `token_request`: `encoding` (form | json), `grant_type` (client credentials
    /// only) and `parameters` (name -> template).
    static func readTokenRequest(_ auth: ObjectReader, grantTypeAllowed: Bool) -> TokenRequestOptions? {
        let keys = grantTypeAllowed ? ["encoding", "grant_type", "parameters"] : ["encoding", "parameters"]
        guard let r = auth.object("token_request", allowed: keys) else { return nil }
        r.reportUnknownKeys()
        var options = TokenRequestOptions(node: r.located)
        options.encoding = r.enumeration("encoding", TokenRequestEncoding.self)
        if grantTypeAllowed {
            options.grantType = r.string("grant_type")
            if let g = options.grantType, g.value.isEmpty || g.value.contains(where: { $0.isWhitespace }) {
                r.diagnostics.emit(DecodingRules.invalidValue, "token_request.grant_type must be one word, not \"\(g.value)\"", span: g.span, pointer: g.pointer)
                options.grantType = nil
            }
        }
        if let p = r.raw("parameters"), let params = ObjectReader(p, pointer: r.path("parameters"), allowed: [], diagnostics: r.diagnostics, what: "\"parameters\"") {
            for member in params.node.members {
                let pointer = params.path(member.key)
                if reservedTokenParameters.contains(member.key) {
                    params.diagnostics.emit(DecodingRules.invalidValue,
                                            "token_request.parameters cannot set \"\(member.key)\": dspec writes it from the auth fields (\(reservedTokenParameters.joined(separator: ", ")))",
                                            span: member.keySpan, pointer: pointer.string)
                    continue
                }
                guard let value = member.value.stringValue else {
                    params.wrongType(member.key, member.value, expected: "a string (literal text and {{@settings.NAME}} / {{@secrets.NAME}} references)")
                    continue
                }
                options.parameters.append(QueryParameter(name: Located(member.key, span: member.keySpan, pointer: pointer),
                                                         value: Located(value, span: member.value.span, pointer: pointer)))
            }
        }
        return options
    }
}
