import DSCore
import DSSpec

/// SigV4's credential scope names a region and a service's signing name; AWS answers a
/// signature over any other scope with 403 (`SignatureDoesNotMatch` or "Credential should be
/// scoped to a valid region"), on every request.
public struct AWSCredentialScopeValid: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0205", name: "aws-credential-scope-valid", severity: .error,
        summary: "An aws_sigv4 region must be a region code (us-east-1), the endpoint host's region when it names one, and service a lowercase signing name (kinesis, execute-api); S3 is not supported.",
        hint: "Use the region code, not an availability zone or a host name, and the service's signing name as in its endpoint (events, firehose, kinesis, execute-api).")
    public init() {}

    /// `us-east-1`, `us-gov-west-1`, `cn-northwest-1`, `us-isob-east-1`, `il-central-1`.
    static func isRegion(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, !last.isEmpty, last.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
    }

    /// The host of a URL template when it is literal text (`https://kinesis.us-east-1.amazonaws.com/`), lowercased.
    static func literalHost(_ url: String?) -> String? {
        guard let url, let scheme = url.range(of: "://") else { return nil }
        let host = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" && $0 != ":" }
        return host.contains("{{") || host.isEmpty ? nil : host.lowercased()
    }

    static func isSigningName(_ s: String) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    public func check(_ context: ValidationContext) {
        guard case .awsSigV4(let a)? = context.spec.auth else { return }
        if let region = a.region, !region.value.contains("{{") {
            if !Self.isRegion(region.value) {
                context.report(Self.self, "aws_sigv4 region \"\(region.value)\" is not an AWS region code (like us-east-1)", at: region)
            } else if let host = Self.literalHost(context.spec.endpoint?.url?.value), host.hasSuffix(".amazonaws.com") || host.hasSuffix(".amazonaws.com.cn"),
                      let hostRegion = host.split(separator: ".").map(String.init).first(where: Self.isRegion), hostRegion != region.value {
                context.report(Self.self, "aws_sigv4 region \"\(region.value)\" differs from the endpoint's region \"\(hostRegion)\"; AWS refuses a signature scoped to another region",
                               at: region, suggestion: hostRegion)
            }
        }
        if let service = a.service {
            if service.value == "s3" {
                context.report(Self.self, "aws_sigv4 does not sign for S3, which needs its own path rules and X-Amz-Content-Sha256 on every request", at: service)
            } else if !Self.isSigningName(service.value) {
                context.report(Self.self, "aws_sigv4 service \"\(service.value)\" is not a signing name (lowercase letters, digits and hyphens, like kinesis)",
                               at: service, suggestion: Self.isSigningName(service.value.lowercased()) ? service.value.lowercased() : nil)
            }
        }
    }
}
