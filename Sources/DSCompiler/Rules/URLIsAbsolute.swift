import DSCore
import DSSpec

/// URLs must be absolute http(s) URLs with a host, so a plan always knows where it sends.
public struct URLIsAbsolute: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0202", name: "url-is-absolute", severity: .error,
        summary: "Endpoint and token URLs must be absolute http(s) URLs with a host.",
        hint: "Write the full URL, e.g. https://api.example.com/v1/events.")
    public init() {}
    public func check(_ context: ValidationContext) {
        var urls: [(String, TemplateText)] = []
        if let u = context.spec.endpoint?.url { urls.append(("endpoint URL", u)) }
        if let u = OAuthTokenURLHTTPS.tokenURL(context.spec.auth) { urls.append(("token_url", u)) }
        for (what, url) in urls {
            let text = url.value
            if text.hasPrefix("{{") { continue }  // wholly templated: checked at run time
            guard let parts = URLParts(text), parts.scheme == "http" || parts.scheme == "https" else {
                context.report(Self.self, "\(what) \"\(text)\" is not an absolute http(s) URL", at: url)
                continue
            }
            if parts.host == "" {
                context.report(Self.self, "\(what) \"\(text)\" has no host", at: url)
            }
            if Self.hasSpaceInLiteralText(text) {
                context.report(Self.self, "\(what) contains a space; encode it as %20", at: url)
            }
        }
    }

    /// True when the template's literal text (`literalText`) has a space. A template without
    /// any space byte is answered without forming the literal text: that text is made of the
    /// template's own bytes (`URLIsAbsoluteSpaceTests` compares both answers).
    static func hasSpaceInLiteralText(_ template: String) -> Bool {
        guard template.utf8.contains(0x20) else { return false }
        return ASCIISearch.firstRange(of: " ", in: Substring(literalText(template))) != nil
    }

    /// The template's literal text, without its `{{...}}` expressions (where spaces
    /// separate a helper from its arguments and never reach the URL).
    static func literalText(_ template: String) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = ASCIISearch.firstRange(of: "{{", in: rest) {
            out += rest[..<open.lowerBound]
            guard let close = ASCIISearch.firstRange(of: "}}", in: rest[open.upperBound...]) else { return out }
            rest = rest[close.upperBound...].drop { $0 == "}" }
        }
        return out + rest
    }
}
