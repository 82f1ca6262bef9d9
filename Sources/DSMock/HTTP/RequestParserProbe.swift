/// Fuzzing entry point for the request parser (see fuzz/README.md). `package` access: only
/// this package's `DSFuzz` target sees it; the server never calls it.
package enum RequestParserProbe {
    /// Runs the parser over `bytes` as a client would have sent them, delivered `step` bytes per
    /// read (0: all at once), and returns one line per outcome: `request ...` for a complete
    /// request (every parsed field, so two runs can be compared) or `failure STATUS` for the
    /// error the server would answer before closing. Interim `100 Continue` events are left
    /// out because when they occur depends on how the bytes were split.
    /// `fastPath: false` parses every head with the general parser (for comparing the two).
    package static func outcomes(_ bytes: [UInt8], step: Int, limits: MockLimits, fastPath: Bool = true) -> [String] {
        var parser = RequestParser(limits: limits, fastPath: fastPath)
        var outcomes: [String] = []
        var offset = 0
        let stride = step <= 0 ? max(bytes.count, 1) : step
        repeat {
            let end = min(bytes.count, offset + stride)
            bytes[offset..<end].withUnsafeBytes { parser.append($0) }
            offset = end
            loop: while true {
                switch parser.next() {
                case .needMore: break loop
                case .sendContinue: continue
                case .request(let r, let keepAlive):
                    let headers = r.headers.map(\.description).joined(separator: "|")
                    let trailers = r.trailers.map(\.description).joined(separator: "|")
                    outcomes.append("request \(r.method) \(r.target) \(r.version) [\(headers)] body=\(r.body) trailers=[\(trailers)] head=\(r.head) chunked=\(r.chunked) keepAlive=\(keepAlive) path=\(r.path) query=\(r.query ?? "-") host=\(r.header("host") ?? "-") head=\(r.isHEAD)")
                case .failure(let error):
                    outcomes.append("failure \(error.status)")
                    return outcomes
                }
            }
        } while offset < bytes.count
        return outcomes
    }
}
