import DSCrypto
import DSJSON
import DSPlan

/// The header a plan's auth block adds: `Authorization: Bearer <token>`,
/// `Authorization: Basic base64(user:password)`, or `NAME: <prefix><key>` for a header API
/// key. An API key in the query is added by ``URLBuilder``; OAuth kinds take the current
/// access token at render time (the token fetch is the runtime's job, not a render's).
struct AuthHeader: Sendable {
    private enum Source: Sendable {
        case none
        case bearer(SiteTemplate)
        case basic(user: SiteTemplate, password: SiteTemplate)
        case apiKey(name: String, prefix: String, value: SiteTemplate)
        case oauth
    }

    private let source: Source
    /// The header when it is the same for every request.
    let constantField: HTTPHeaderField?
    /// Rendered credentials (not plain secret values) to redact from fixtures.
    let derivedCredentials: [RedactableCredential]

    init(_ auth: PlanAuth, data: [String: JSONValue], configuration: ResolvedConfiguration) throws(RenderError) {
        func template(_ text: String, _ site: String) throws(RenderError) -> SiteTemplate {
            try SiteTemplate(text, mode: .plain, site: site, isHeader: true, data: data, configuration: configuration)
        }
        var credentials: [RedactableCredential] = []
        func credentialName(_ text: String, fallback: String) -> String {
            SecretReferenceScanner.names(inTemplate: text).first ?? fallback
        }
        switch auth {
        case .none:
            source = .none
        case .bearer(let token):
            let t = try template(token, "auth token (Authorization header)")
            source = .bearer(t)
            if let v = t.constantText { credentials.append(RedactableCredential(name: credentialName(token, fallback: "auth_token"), value: v)) }
        case .basic(let user, let password):
            let u = try template(user, "auth username (Authorization header)")
            let p = try template(password, "auth password (Authorization header)")
            source = .basic(user: u, password: p)
            if let uv = u.constantText, let pv = p.constantText {
                credentials.append(RedactableCredential(name: credentialName(password, fallback: "auth_password"), value: Base64.encode(Array((uv + ":" + pv).utf8))))
            }
        case .apiKey(let location, let name, let value, let prefix):
            if location == "query" {
                source = .none
            } else {
                let v = try template(value, "auth api key (header \"\(name)\")")
                source = .apiKey(name: name, prefix: prefix, value: v)
                if let text = v.constantText { credentials.append(RedactableCredential(name: credentialName(value, fallback: "api_key"), value: text)) }
            }
        case .oauth2ClientCredentials, .oauth2RefreshToken, .serviceAccount:
            source = .oauth
        case .awsSigV4, .oauth1, .azureSAS:
            // Signed per request by ``AuthSigning`` once every other header is in place.
            source = .none
        }
        derivedCredentials = credentials
        constantField = try Self.makeField(source, event: .null, configuration: configuration, constantOnly: true)
    }

    /// True for OAuth kinds, whose header carries the access token passed to the render.
    var isOAuth: Bool { if case .oauth = source { return true }; return false }

    /// True if the header is built from the plan's templates (bearer, basic, header API key).
    var rendersHeader: Bool {
        switch source {
        case .bearer, .basic, .apiKey: return true
        case .none, .oauth: return false
        }
    }

    /// The header for `event`, or nil for kinds that add none here.
    func field(_ event: JSONValue, configuration: ResolvedConfiguration) throws(RenderError) -> HTTPHeaderField? {
        if let constantField { return constantField }
        return try Self.makeField(source, event: event, configuration: configuration, constantOnly: false)
    }

    private static func makeField(_ source: Source, event: JSONValue, configuration: ResolvedConfiguration, constantOnly: Bool) throws(RenderError) -> HTTPHeaderField? {
        let data = configuration.data
        switch source {
        case .none, .oauth:
            return nil
        case .bearer(let token):
            if constantOnly && !token.isConstant { return nil }
            return HTTPHeaderField(name: "Authorization", value: "Bearer " + (try token.string(event, data: data, configuration: configuration)))
        case .basic(let user, let password):
            if constantOnly && !(user.isConstant && password.isConstant) { return nil }
            let pair = try user.string(event, data: data, configuration: configuration) + ":" + (try password.string(event, data: data, configuration: configuration))
            return HTTPHeaderField(name: "Authorization", value: "Basic " + Base64.encode(Array(pair.utf8)))
        case .apiKey(let name, let prefix, let value):
            if constantOnly && !value.isConstant { return nil }
            let text = prefix + (try value.string(event, data: data, configuration: configuration))
            if SiteTemplate.hasHeaderBreak(Array(text.utf8)) {
                throw RenderError(.headerInjection, "header \"\(name)\": the value contains CR, LF, NUL or another control character (header injection)")
            }
            return HTTPHeaderField(name: name, value: text)
        }
    }
}

/// Builds the request URL: the endpoint's `.url` template (path segments and query values
/// percent-encoded by the template engine), then the plan's query parameters (names and
/// values RFC 3986-encoded), then an API key sent in the query. Also yields the path for
/// `@path` in signing strings.
struct URLBuilder: Sendable {
    private let base: SiteTemplate
    private let query: [(name: String, value: SiteTemplate)]
    /// The URL and path when neither depends on the event (held apart: reading one copies only it).
    private let constantURL: String?
    private let constantPath: String
    /// The authority the template gives with no event (settings only): event data never
    /// changes the host a request goes to.
    private let expectedAuthority: String?
    private let endpointOverride: EndpointOverride?
    /// Credentials as they appear in the URL, to redact from fixtures.
    let derivedCredentials: [RedactableCredential]

    init(_ endpoint: PlanEndpoint, auth: PlanAuth, data: [String: JSONValue], configuration: ResolvedConfiguration,
         endpointOverride: EndpointOverride? = nil) throws(RenderError) {
        base = try SiteTemplate(endpoint.url, mode: .url, site: "endpoint URL", isHeader: false, data: data, configuration: configuration)
        self.endpointOverride = endpointOverride
        var query: [(String, SiteTemplate)] = []
        for q in endpoint.query {
            query.append((q.name, try SiteTemplate(q.value, mode: .plain, site: "query parameter \"\(q.name)\"", isHeader: false, data: data, configuration: configuration)))
        }
        var credentials: [RedactableCredential] = []
        if case .apiKey(let location, let name, let value, let prefix) = auth, location == "query" {
            let t = try SiteTemplate(prefix + value, mode: .plain, site: "auth api key (query parameter \"\(name)\")", isHeader: false, data: data, configuration: configuration)
            query.append((name, t))
            if let text = t.constantText {
                credentials.append(RedactableCredential(name: SecretReferenceScanner.names(inTemplate: value).first ?? "api_key", value: text))
            }
        }
        self.query = query
        derivedCredentials = credentials
        if base.isConstant {
            expectedAuthority = nil
        } else {
            // Rendered with an empty event, the scheme and authority are the ones settings
            // give: checked once here, so a bad setting stops the run before anything is sent
            // instead of failing every event. A host that depends on the event differs from
            // this one for every real event and is refused. With no event data, a URL-mode
            // render can only fail on a host[:port] value (or runaway partials): a setting.
            var probe: [UInt8] = []
            do {
                try base.render(.object(JSONObject()), data: configuration.data, configuration: configuration, into: &probe)
            } catch {
                throw RenderError(.url, error.message + Self.settingsClause(base))
            }
            var end = Self.findSchemeEnd(probe) ?? probe.count
            while end < probe.count, probe[end] != UInt8(ascii: "/"), probe[end] != UInt8(ascii: "?"), probe[end] != UInt8(ascii: "#") { end += 1 }
            try Self.validate(Array(probe[..<end]), base: base, expectedAuthority: nil, overridden: endpointOverride != nil)
            expectedAuthority = Self.authority(of: probe).lowercased()
        }
        if base.isConstant && query.allSatisfy({ $0.1.isConstant }) {
            let constant = try Self.assemble(base, query, event: .null, configuration: configuration, expectedAuthority: nil, endpointOverride: endpointOverride)
            constantURL = constant.url
            constantPath = constant.path
        } else {
            constantURL = nil
            constantPath = ""
        }
    }

    /// True when the URL does not depend on the event (``build(_:configuration:)`` ignores it).
    var isConstant: Bool { constantURL != nil }

    /// The URL and its path for a request whose (first) event is `event`; the path of a
    /// constant URL is given only when `needsPath` (otherwise empty: no copy to count).
    @inline(__always)
    func build(_ event: JSONValue, configuration: ResolvedConfiguration, needsPath: Bool = true) throws(RenderError) -> (url: String, path: String) {
        if let constantURL { return (constantURL, needsPath ? constantPath : "") }
        return try Self.assemble(base, query, event: event, configuration: configuration, expectedAuthority: expectedAuthority, endpointOverride: endpointOverride)
    }

    private static func assemble(_ base: SiteTemplate, _ query: [(name: String, value: SiteTemplate)], event: JSONValue,
                                 configuration: ResolvedConfiguration, expectedAuthority: String?,
                                 endpointOverride: EndpointOverride?) throws(RenderError) -> (url: String, path: String) {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        try base.render(event, data: configuration.data, configuration: configuration, into: &out)
        try validate(out, base: base, expectedAuthority: expectedAuthority, overridden: endpointOverride != nil)
        if let endpointOverride {
            out = Array(endpointOverride.apply(to: String(decoding: out, as: UTF8.self)).utf8)
        }
        var fragment: [UInt8] = []
        if let hash = out.firstIndex(of: UInt8(ascii: "#")) {
            fragment = Array(out[hash...])
            out.removeSubrange(hash...)
        }
        if !query.isEmpty {
            var separator: UInt8? = out.contains(UInt8(ascii: "?")) ? UInt8(ascii: "&") : UInt8(ascii: "?")
            if let last = out.last, last == UInt8(ascii: "?") || last == UInt8(ascii: "&") { separator = nil }
            var value: [UInt8] = []
            for (name, template) in query {
                if let separator { out.append(separator) }
                separator = UInt8(ascii: "&")
                PercentEncoding.appendQueryComponent(name, into: &out)
                out.append(UInt8(ascii: "="))
                value.removeAll(keepingCapacity: true)
                try template.render(event, data: configuration.data, configuration: configuration, into: &value)
                value.withUnsafeBufferPointer { PercentEncoding.appendQueryComponent(bytes: $0, into: &out) }
            }
        }
        out.append(contentsOf: fragment)
        return (String(decoding: out, as: UTF8.self), path(of: out))
    }

    /// Re-parses the rendered URL (before the plan's query parameters, which are always
    /// fully encoded): it must be a sendable http(s) URL (``RequestURL``), keep the
    /// template's host, and use https unless the host is loopback or an endpoint override
    /// sends everything to a loopback receiver. Messages never quote the URL.
    private static func validate(_ bytes: [UInt8], base: SiteTemplate, expectedAuthority: String?, overridden: Bool) throws(RenderError) {
        let from = settingsClause(base)
        let url: RequestURL
        do {
            url = try RequestURL(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw RenderError(.url, "endpoint URL: \(error.message)\(from)")
        }
        if let expectedAuthority, url.authority.lowercased() != expectedAuthority {
            throw RenderError(.url, "endpoint URL: event data changed the host the request goes to; the request was not built")
        }
        if url.scheme == "http" && !url.isLoopback && !overridden {
            throw RenderError(.url, "endpoint URL uses http:// for host \"\(url.host)\"\(from); events and credentials would travel unencrypted. Use https:// (http:// is allowed only for localhost, 127.0.0.0/8 and [::1], or with --endpoint-override)")
        }
    }

    /// ` (it is built from setting "a", "b")`, or "" for a URL that reads no setting.
    private static func settingsClause(_ base: SiteTemplate) -> String {
        base.settingNames.isEmpty ? "" : " (it is built from setting\(base.settingNames.count == 1 ? "" : "s") "
            + base.settingNames.map { "\"\($0)\"" }.joined(separator: ", ") + ")"
    }

    /// The authority of a rendered URL (between `://` and the path), or "" without one.
    private static func authority(of url: [UInt8]) -> String {
        guard let start = findSchemeEnd(url) else { return "" }
        var end = start
        while end < url.count, url[end] != UInt8(ascii: "/"), url[end] != UInt8(ascii: "?"), url[end] != UInt8(ascii: "#") { end += 1 }
        return String(decoding: url[start..<end], as: UTF8.self)
    }

    /// The path of an absolute URL as sent (percent-encoded, no query or fragment); `/` if empty.
    static func path(of url: [UInt8]) -> String {
        var i = 0
        if let scheme = findSchemeEnd(url) { i = scheme }
        while i < url.count, url[i] != UInt8(ascii: "/"), url[i] != UInt8(ascii: "?"), url[i] != UInt8(ascii: "#") { i += 1 }
        guard i < url.count, url[i] == UInt8(ascii: "/") else { return "/" }
        var end = i
        while end < url.count, url[end] != UInt8(ascii: "?"), url[end] != UInt8(ascii: "#") { end += 1 }
        return String(decoding: url[i..<end], as: UTF8.self)
    }

    /// The index just past `://`, if the URL has a scheme.
    static func findSchemeEnd(_ url: [UInt8]) -> Int? {
        var i = 0
        while i + 2 < url.count {
            if url[i] == UInt8(ascii: ":") { return url[i + 1] == UInt8(ascii: "/") && url[i + 2] == UInt8(ascii: "/") ? i + 3 : nil }
            if url[i] == UInt8(ascii: "/") || url[i] == UInt8(ascii: "?") { return nil }
            i += 1
        }
        return nil
    }
}
