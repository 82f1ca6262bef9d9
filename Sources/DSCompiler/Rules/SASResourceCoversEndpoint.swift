import DSCore
import DSSpec

/// A Shared Access Signature is valid for its resource URI and everything under it; Azure
/// refuses (401) a request to a URL outside it.
public struct SASResourceCoversEndpoint: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0207", name: "sas-resource-covers-endpoint", severity: .warning,
        summary: "An azure_sas resource should be the endpoint URL or a prefix of it (compared as written, templates included).",
        hint: "Write the resource as the endpoint URL up to the entity: https://NAMESPACE.servicebus.windows.net/EVENT_HUB for .../EVENT_HUB/messages.")
    public init() {}

    /// The text compared: `{{{x}}}` as `{{x}}`, scheme and host case ignored, no trailing slash.
    static func normalized(_ s: String) -> String {
        var t = s.replacingOccurrences(of: "{{{", with: "{{").replacingOccurrences(of: "}}}", with: "}}")
        if let q = t.firstIndex(of: "?") { t = String(t[..<q]) }
        while t.hasSuffix("/") { t.removeLast() }
        return t.lowercased()
    }

    public func check(_ context: ValidationContext) {
        guard case .azureSAS(let a)? = context.spec.auth, let resource = a.resource, let url = context.spec.endpoint?.url else { return }
        let r = Self.normalized(resource.value), u = Self.normalized(url.value)
        if u == r || u.hasPrefix(r + "/") { return }
        context.report(Self.self, "the SAS resource is not the endpoint URL or a prefix of it; Azure refuses a token for another resource", at: resource)
    }
}
