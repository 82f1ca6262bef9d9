import DSJSON

/// Replaces credentials in a rendered request with `<redacted:NAME>` so fixtures can be
/// shared without the test secrets they were rendered with.
///
/// Each credential is searched in every form it can take on the wire: as is, JSON-escaped
/// (inside a JSON body), RFC 3986 percent-encoded (in a query string) and form-encoded (in a
/// form body). The URL, header values, body and signing string are redacted; signatures are
/// kept, since they only prove which test secret was used. `body_bytes` in a fixture still
/// reports the size of the real body.
public struct FixtureRedactor: Sendable {
    private let replacements: [(needle: [UInt8], replacement: [UInt8])]

    /// Creates a redactor for `credentials` (any order; longer values are replaced first so
    /// a secret that contains another is replaced whole).
    public init(credentials: [RedactableCredential]) {
        var pairs: [([UInt8], [UInt8])] = []
        for c in credentials where !c.value.isEmpty {
            let replacement = Array("<redacted:\(c.name)>".utf8)
            var escaped: [UInt8] = []
            var value = c.value
            value.withUTF8 { JSONWriter.appendEscaped($0, into: &escaped) }
            let forms = [Array(c.value.utf8), escaped, Array(PercentEncoding.queryComponent(c.value).utf8), Array(PercentEncoding.formComponent(c.value).utf8)]
            for form in forms where !pairs.contains(where: { $0.0 == form }) { pairs.append((form, replacement)) }
        }
        replacements = pairs.sorted { $0.0.count > $1.0.count }.map { (needle: $0.0, replacement: $0.1) }
    }

    /// The request with every credential form replaced.
    public func redact(_ request: RenderedRequest) -> RenderedRequest {
        var copy = request
        copy.url = redact(copy.url)
        copy.headers = copy.headers.map { HTTPHeaderField(name: $0.name, value: redact($0.value)) }
        copy.body = redact(bytes: copy.body)
        copy.signingString = copy.signingString.map { redact(bytes: $0) }
        return copy
    }

    /// `text` with every credential form replaced.
    public func redact(_ text: String) -> String {
        String(decoding: redact(bytes: Array(text.utf8)), as: UTF8.self)
    }

    /// `bytes` with every credential form replaced.
    public func redact(bytes: [UInt8]) -> [UInt8] {
        var current = bytes
        for (needle, replacement) in replacements {
            guard let first = needle.first, current.count >= needle.count else { continue }
            var out: [UInt8] = []
            var i = 0
            var changed = false
            while i < current.count {
                if current[i] == first, i + needle.count <= current.count, current[i..<(i + needle.count)].elementsEqual(needle) {
                    if !changed { out.reserveCapacity(current.count); out.append(contentsOf: current[0..<i]); changed = true }
                    out.append(contentsOf: replacement)
                    i += needle.count
                } else {
                    if changed { out.append(current[i]) }
                    i += 1
                }
            }
            if changed { current = out }
        }
        return current
    }
}
