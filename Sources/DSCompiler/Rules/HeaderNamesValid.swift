import DSCore
import DSSpec

/// Header names must be RFC 9110 tokens, appear once, and not be ones the transport or
/// the plan owns (Content-Length, Host), which would produce a malformed request.
public struct HeaderNamesValid: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0803", name: "header-names-valid", severity: .error,
        summary: "Header names must be valid tokens, unique (case-insensitively) and not transport-owned.",
        hint: "Remove or rename the header.")
    public init() {}

    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    public func check(_ context: ValidationContext) {
        var seen: [String: Int] = [:]
        for h in context.spec.headers {
            let name = h.name.value
            if !Self.isToken(name) {
                context.report(Self.self, "\"\(name)\" is not a valid header name", at: h.name)
                continue
            }
            let lower = name.lowercased()
            if ["content-length", "host", "transfer-encoding", "connection"].contains(lower) {
                context.report(Self.self, "header \"\(name)\" is set by the transport and must not be declared", at: h.name)
            }
            if seen[lower] != nil {
                context.report(Self.self, "header \"\(name)\" is declared twice (header names are case-insensitive)", at: h.name)
            }
            seen[lower] = 1
            if h.value.value.contains("\r") || h.value.value.contains("\n") {
                context.report(Self.self, "header \"\(name)\" contains a line break", at: h.value)
            }
        }
    }
}
