/// Why events were dead-lettered or requests retried, grouped by cause with counts, for the
/// end-of-run summary ("3 x connection refused (127.0.0.1:9)", "2 x HTTP 400: payload
/// rejected"). Thread-safe; memory is bounded: a cause is cut to ``maxCauseLength``
/// characters (control characters replaced, so vendor text cannot drive a terminal) and at
/// most ``maxCauses`` distinct causes are kept, the rest counted under "other causes".
public final class ReasonTally: Sendable {
    /// Longest cause kept, in characters.
    public static let maxCauseLength = 200
    /// Distinct causes kept.
    public static let maxCauses = 100
    /// The group that collects causes beyond ``maxCauses``.
    public static let overflowCause = "other causes"

    private struct State {
        var order: [String] = []
        var counts: [String: Int] = [:]
    }

    private let state = Locked(State())

    /// Creates an empty tally.
    public init() {}

    /// Counts `count` occurrences of `cause`.
    public func add(_ cause: String, count: Int = 1) {
        guard count > 0 else { return }
        let key = Self.clean(cause)
        state.withLock { s in
            var k = key
            if s.counts[k] == nil && s.order.count >= Self.maxCauses { k = Self.overflowCause }
            if s.counts[k] == nil { s.order.append(k) }
            s.counts[k, default: 0] += count
        }
    }

    /// Every cause with its count, most frequent first (ties in first-seen order).
    public var grouped: [(cause: String, count: Int)] {
        state.withLock { s in
            s.order.enumerated().map { (index: $0.offset, cause: $0.element, count: s.counts[$0.element]!) }
                .sorted { ($0.count, -$0.index) > ($1.count, -$1.index) }
                .map { ($0.cause, $0.count) }
        }
    }

    /// The total count.
    public var total: Int { state.withLock { $0.counts.values.reduce(0, +) } }

    static func clean(_ text: String) -> String {
        var out = ""
        var length = 0
        for scalar in text.unicodeScalars {
            if length == maxCauseLength { out += "..."; break }
            let isControl = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
            out.unicodeScalars.append(isControl ? " " : scalar)
            length += 1
        }
        return out.isEmpty ? "(no reason given)" : out
    }
}

extension DeadLetter {
    /// What made the event fail, for grouping: the last HTTP status and the vendor's error
    /// message, or the last network error, or else the reason itself.
    public var cause: String {
        if let status { return "HTTP \(status)" + (errorMessage.map { ": \($0)" } ?? "") }
        return errorMessage ?? reason
    }
}

/// The `host:port` of a URL, for messages (never its path, query or user info, which can
/// carry credentials). Nil if the URL has no authority.
func urlAuthority(_ url: String) -> String? {
    guard let schemeEnd = url.range(of: "://") else { return nil }
    let scheme = url[..<schemeEnd.lowerBound].lowercased()
    var authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
    guard !authority.isEmpty else { return nil }
    let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
    if hasPort { return String(authority) }
    return String(authority) + (scheme == "https" ? ":443" : scheme == "http" ? ":80" : "")
}
