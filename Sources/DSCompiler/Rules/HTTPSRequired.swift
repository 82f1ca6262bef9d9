import DSCore
import DSSpec

/// Endpoints must use https, except loopback hosts used for local testing: events carry
/// personal data and credentials that must not cross the network in clear text.
public struct HTTPSRequired: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0201", name: "https-required", severity: .error,
        summary: "The endpoint URL must use https (http is allowed only for loopback hosts).",
        hint: "Change the scheme to https://; http:// is accepted only for localhost, 127.0.0.0/8 and [::1].")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let url = context.spec.endpoint?.url, let parts = URLParts(url.value), parts.scheme == "http" else { return }
        if parts.isLoopback { return }
        context.report(Self.self, "endpoint URL uses http://; events and credentials would travel unencrypted", at: url,
                       suggestion: "https://" + url.value.dropFirst("http://".count))
    }
}

/// The literal scheme and host of a URL template (holes after the host are fine).
struct URLParts {
    var scheme: String
    var host: String?

    init?(_ template: String) {
        guard let colon = template.range(of: "://") else { return nil }
        scheme = template[template.startIndex..<colon.lowerBound].lowercased()
        let rest = template[colon.upperBound...]
        let hostPart = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if hostPart.contains("{{") {
            host = nil
        } else {
            var h = String(hostPart)
            if let at = h.lastIndex(of: "@") { h = String(h[h.index(after: at)...]) }
            if h.hasPrefix("[") {
                h = String(h.prefix { $0 != "]" }) + "]"
            } else if let c = h.lastIndex(of: ":") {
                h = String(h[..<c])
            }
            host = h.lowercased()
        }
    }

    var isLoopback: Bool {
        guard let host else { return false }
        return host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "[::1]"
    }
}
