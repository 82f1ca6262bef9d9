import DSMock

/// Input: what a client sends. Parsed whole, then again in pieces (1 byte, and a size
/// chosen from the first byte); every way of splitting must give the same requests and
/// the same final error status; and the parser's fast path (common heads parsed on the bytes,
/// fields left as views) must give what the general parser gives.
enum MockRequestTarget {
    static let limits = MockLimits(maxRequestLineBytes: 1024, maxHeadBytes: 4096, maxHeaderCount: 32, maxBodyBytes: 65536, maxChunkLineBytes: 64)

    static func run(_ data: [UInt8], _ violations: inout [String]) {
        let whole = RequestParserProbe.outcomes(data, step: 0, limits: limits)
        let general = RequestParserProbe.outcomes(data, step: 0, limits: limits, fastPath: false)
        if general != whole {
            violations.append("the fast path differs from the general parser: \(whole.prefix(3)) vs \(general.prefix(3))")
            return
        }
        let steps = [1, 1 + Int(data.first ?? 0) % 17]
        for step in steps {
            let pieces = RequestParserProbe.outcomes(data, step: step, limits: limits)
            if pieces != whole {
                violations.append("parsing in \(step)-byte reads differs from one read: \(pieces.prefix(3)) vs \(whole.prefix(3))")
                return
            }
        }
    }
}
