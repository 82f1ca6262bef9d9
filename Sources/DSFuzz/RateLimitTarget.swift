import DSPlan
import DSRuntime

/// Input: a mode byte, then up to three header values separated by NUL: the reset header,
/// the remaining header (also read as the IETF `RateLimit` field) and the `RateLimit-Policy`
/// field. Mode bits: 0-1 the reset unit (seconds, epoch_seconds, epoch_ms), 2 `ietf`,
/// 3 a remaining header is configured, 4 the response was classified retry.
enum RateLimitTarget {
    static let units = ["seconds", "epoch_seconds", "epoch_ms", "seconds"]
    static let clocks: [Int64] = [1_767_225_600_000, 0, -1, Int64.max, Int64.min, 9_000_000_000_000_000_000]

    static func run(_ data: [UInt8], _ violations: inout [String]) {
        guard let mode = data.first else { return }
        let (first, rest) = splitAtNUL(Array(data.dropFirst()))
        let (second, third) = rest.map(splitAtNUL) ?? ([], nil)
        let reset = String(decoding: first, as: UTF8.self)
        let remaining = String(decoding: second, as: UTF8.self)
        let policy = third.map { String(decoding: $0, as: UTF8.self) }
        let maxMs = 60_000
        let configuration = PlanRateLimitHeaders(ietf: mode & 4 != 0, remaining: mode & 8 != 0 ? "X-RateLimit-Remaining" : nil, reset: "X-RateLimit-Reset",
                                                 resetUnit: units[Int(mode & 3)], maxMs: maxMs)
        let reader = RateLimitHeaderReader(configuration)
        let headers: [String: String] = ["x-ratelimit-reset": reset, "x-ratelimit-remaining": remaining, "ratelimit": remaining,
                                         "ratelimit-policy": policy ?? ""]
        let lookup: (String) -> String? = { headers[$0.lowercased()] }
        let show = String(decoding: data.prefix(80), as: UTF8.self).debugDescription
        for now in clocks {
            let pause = reader.pause(header: lookup, nowUnixMs: now, isRetry: mode & 16 != 0)
            if let pause, pause <= .zero || pause > .milliseconds(maxMs) {
                violations.append("pause \(pause) outside (0, \(maxMs) ms] for \(show)")
            }
            if pause != reader.pause(header: lookup, nowUnixMs: now, isRetry: mode & 16 != 0) {
                violations.append("two reads of the same headers disagree for \(show)")
            }
            for unit in units {
                if let wait = RateLimitFields.reset(reset, unit: unit, nowUnixMs: now), wait < .zero {
                    violations.append("a negative reset wait \(wait) (\(unit)) for \(show)")
                }
            }
        }
        if let n = RateLimitFields.count(remaining), n < 0 { violations.append("a negative count \(n) for \(show)") }
        if let w = RateLimitFields.ietfWait(rateLimit: remaining, policy: policy), w < .zero { violations.append("a negative IETF wait \(w) for \(show)") }
        if let list = StructuredFieldList.parse(remaining) {
            if list.count > second.count { violations.append("\(list.count) list members from \(second.count) bytes: \(show)") }
            if StructuredFieldList.parse(remaining) != list { violations.append("Structured Field parsing is not deterministic for \(show)") }
        }
    }
}
