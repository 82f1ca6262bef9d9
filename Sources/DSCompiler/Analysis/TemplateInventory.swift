import DSCore
import DSJSON
import DSSpec
import DSTemplate

/// A template found in the spec, compiled once for every rule to inspect.
public struct AnalyzedTemplate {
    /// Human name of where it sits ("endpoint URL", "header X-Api-Key").
    public var site: String
    /// The template text and its location.
    public var text: TemplateText
    /// The escaping mode it renders in.
    public var mode: TemplateMode
    /// Data variables (`@name`) meaningful at this site besides the built-in frames.
    public var allowedData: Set<String>
    /// True for auth/signing fields that carry a credential.
    public var isSecretBearing: Bool
    /// True for templates that end up in the URL or its query string.
    public var isInURL: Bool
    /// The compiled template, or nil on a syntax error.
    public var compiled: CompiledTemplate?
    /// The syntax error, if any.
    public var error: TemplateSyntaxError?
}

/// Lists and compiles every template of a spec.
enum TemplateInventory {
    static let builtinData: Set<String> = ["root", "index", "key", "first", "last"]
    static let configData: Set<String> = ["settings", "secrets"]
    /// `@sent_at`: where the send time is available (the body, headers and signing, rendered per attempt).
    static let sendTimeData: Set<String> = ["sent_at"]

    // The sets of data variables allowed at each kind of site, built-in frames included:
    // formed once, not per template.
    static let configSiteData = configData.union(builtinData)
    static let bodySiteData = configData.union(sendTimeData).union(builtinData)
    static let signingContentData = configData.union(["body", "timestamp", "request_id", "method", "path", "url", "form_sorted"]).union(sendTimeData).union(builtinData)
    static let signingHeaderData = Set<String>(["settings", "signature", "timestamp", "request_id", "sent_at"]).union(builtinData)

    static func collect(spec: SpecDocument, source: SourceFile) -> [AnalyzedTemplate] {
        var out: [AnalyzedTemplate] = []
        let partials = Dictionary(spec.payload?.partials.map { ($0.name.value, $0.text.value) } ?? [], uniquingKeysWith: { a, _ in a })
        // `data`: the site's data variables, built-in frames included.
        func add(_ site: String, _ text: TemplateText?, _ mode: TemplateMode, data: Set<String> = configSiteData, secret: Bool = false, url: Bool = false, partials: [String: String] = [:]) {
            guard let text else { return }
            var item = AnalyzedTemplate(site: site, text: text, mode: mode, allowedData: data, isSecretBearing: secret, isInURL: url)
            do {
                // Compiled to be analysed and rendered at most once (BatchByteLimitFitsOneEvent):
                // the render-only forms are skipped.
                item.compiled = try CompiledTemplate.compile(text.value, mode: mode, partials: partials, options: .analysis)
            } catch {
                item.error = error
            }
            out.append(item)
        }
        if let endpoint = spec.endpoint {
            add("endpoint URL", endpoint.url, .url, url: true)
            for q in endpoint.query { add("query parameter \(q.name.value)", q.value, .plain, url: true) }
        }
        for h in spec.headers { add("header \(h.name.value)", h.value, .header, data: bodySiteData) }
        if let auth = spec.auth {
            let secretFields = Set(auth.secretFields.map(\.field))
            let inQuery: Bool = { if case .apiKey(_, let loc, _, _, _) = auth, loc?.value == .query { return true }; return false }()
            for (field, text) in auth.templateFields {
                add("auth \(field)", text, .plain, secret: secretFields.contains(field), url: inQuery && field == "value")
            }
        }
        if let payload = spec.payload {
            if let t = payload.template { add("payload template", t, .json, data: bodySiteData, partials: partials) }
            for p in payload.partials { add("partial \(p.name.value)", p.text, .json, data: bodySiteData, partials: partials) }
        }
        if let signing = spec.signing {
            add("signing secret", signing.secret, .plain, secret: true)
            for (i, previous) in signing.previousSecrets.enumerated() { add("signing previous secret \(i + 1)", previous, .plain, secret: true) }
            add("signing content", signing.content, .plain, data: signingContentData)
            add("signing header value", signing.value, .header, data: signingHeaderData)
            for h in signing.extraHeaders { add("signing header \(h.name.value)", h.value, .header, data: signingHeaderData) }
        }
        return out
    }
}
