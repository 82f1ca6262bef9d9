import DSCore
import DSJSON
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
        guard let url = context.spec.endpoint?.url else { return }
        checkSettingPrefix(url.value, context)
        guard let parts = URLParts(url.value), parts.scheme == "http" else { return }
        if parts.isLoopback { return }
        context.report(Self.self, "endpoint URL uses http://; events and credentials would travel unencrypted", at: url,
                       suggestion: "https://" + url.value.dropFirst("http://".count))
    }

    /// A URL that starts with a setting (`{{{@settings.base_url}}}/v1`) takes its scheme from
    /// it: the setting's default and allowed values must be https too (the renderer checks
    /// the value actually given, at run time).
    private func checkSettingPrefix(_ template: String, _ context: ValidationContext) {
        var rest = Substring(template)
        guard rest.hasPrefix("{{") else { return }
        rest = rest.drop { $0 == "{" || $0 == " " }
        guard rest.hasPrefix("@settings.") else { return }
        let name = String(rest.dropFirst("@settings.".count).prefix { $0 != "}" && $0 != " " })
        guard let setting = context.spec.settings.first(where: { $0.name.value == name }) else { return }
        var values: [(JSONValue, SourceSpan, String)] = []
        if let d = setting.defaultValue { values.append((d.value, d.span, d.pointer)) }
        if let a = setting.allowed { values += a.value.map { ($0, a.span, a.pointer) } }
        for (value, span, pointer) in values {
            guard let text = value.stringValue, let parts = URLParts(text), parts.scheme == "http", !parts.isLoopback else { continue }
            context.report(Self.self, "setting \"\(name)\" starts the endpoint URL, and its value \"\(text.prefix(80))\" uses http://; events and credentials would travel unencrypted",
                           span: span, pointer: pointer, suggestion: "https://" + text.dropFirst("http://".count))
        }
    }
}

/// The literal scheme and host of a URL template (holes after the host are fine).
struct URLParts {
    var scheme: String
    var host: String?

    init?(_ template: String) {
        var text = template
        switch text.withUTF8({ Self.parseASCII($0) }) {
        case .parsed(let parts): self = parts; return
        case .noScheme: return nil
        case .notASCII: break
        }
        guard let colon = ASCIISearch.firstRange(of: "://", in: Substring(template)) else { return nil }
        scheme = template[template.startIndex..<colon.lowerBound].lowercased()
        let rest = template[colon.upperBound...]
        let hostPart = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if ASCIISearch.firstRange(of: "{{", in: hostPart) != nil {
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

    private init(scheme: String, host: String?) {
        self.scheme = scheme
        self.host = host
    }

    private enum ASCIIParse {
        case parsed(URLParts)
        case noScheme
        case notASCII
    }

    /// The same parse on the bytes of an all-ASCII template (no Character walking, ASCII
    /// lowercasing): for ASCII text both find the same `://`, `/?#`, `@`, `[`, `]` and `:`
    /// (a CR LF pair, one Character, never equals any of them).
    private static func parseASCII(_ b: UnsafeBufferPointer<UInt8>) -> ASCIIParse {
        for byte in b where byte >= 0x80 { return .notASCII }
        let n = b.count
        var colon = -1
        var i = 0
        while i + 2 < n {
            if b[i] == 0x3A && b[i + 1] == 0x2F && b[i + 2] == 0x2F { colon = i; break }
            i += 1
        }
        guard colon >= 0 else { return .noScheme }
        let scheme = lowercased(b, 0, colon)
        let hostStart = colon + 3
        var hostEnd = hostStart
        while hostEnd < n, b[hostEnd] != 0x2F, b[hostEnd] != 0x3F, b[hostEnd] != 0x23 { hostEnd += 1 }
        var j = hostStart
        while j + 1 < hostEnd {
            if b[j] == 0x7B && b[j + 1] == 0x7B { return .parsed(URLParts(scheme: scheme, host: nil)) }
            j += 1
        }
        var start = hostStart
        if let at = (hostStart..<hostEnd).last(where: { b[$0] == 0x40 }) { start = at + 1 }
        if start < hostEnd, b[start] == 0x5B {
            var end = start
            while end < hostEnd, b[end] != 0x5D { end += 1 }
            return .parsed(URLParts(scheme: scheme, host: lowercased(b, start, end) + "]"))
        }
        var end = hostEnd
        if let c = (start..<hostEnd).last(where: { b[$0] == 0x3A }) { end = c }
        return .parsed(URLParts(scheme: scheme, host: lowercased(b, start, end)))
    }

    private static func lowercased(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> String {
        String(unsafeUninitializedCapacity: to - from) { out in
            for k in 0..<(to - from) {
                let byte = b[from + k]
                out[k] = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            }
            return to - from
        }
    }

    var isLoopback: Bool {
        guard let host else { return false }
        return host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "[::1]"
    }
}
