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

    /// `value.contains("\r") || value.contains("\n")`, answered from the bytes when the value
    /// has no CR or LF byte (nothing else is equivalent to either), through the search otherwise
    /// (`HeaderLineBreakTests` compares the two).
    static func hasLineBreak(_ value: String) -> Bool {
        guard value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return false }
        return value.contains("\r") || value.contains("\n")
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
            if Self.hasLineBreak(h.value.value) {
                context.report(Self.self, "header \"\(name)\" contains a line break", at: h.value)
            }
        }
    }
}
