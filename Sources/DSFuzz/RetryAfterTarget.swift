import DSRuntime

/// Input: a `Retry-After` header value.
enum RetryAfterTarget {
    static let now = 1_767_225_600.0

    static func run(_ data: [UInt8], _ violations: inout [String]) {
        let value = String(decoding: data, as: UTF8.self)
        for nowUnix in [now, 0, -1e12, 1e15] {
            if let wait = RetryAfter.parse(value, nowUnix: nowUnix), wait < .zero {
                violations.append("a negative wait \(wait) for \(value.debugDescription.prefix(100))")
            }
        }
    }
}
