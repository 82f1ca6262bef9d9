import DSCore

/// Replaces credentials in a rendered request with `<redacted:NAME>` so fixtures can be
/// shared without the test secrets they were rendered with, and dry runs can be shown
/// without live credentials. A request-shaped front for ``SecretRedactor`` (DSCore), which
/// searches each credential in every form it can take on the wire: as is, JSON-escaped,
/// percent-encoded (query), form-encoded and base64 (inside a Basic credential). The URL,
/// header values, body and signing string are redacted; signatures are kept, since they only
/// prove which secret was used. `body_bytes` in a fixture still reports the size of the real
/// body.
public struct FixtureRedactor: Sendable {
    /// The redactor behind it.
    public let redactor: SecretRedactor

    /// Creates a redactor for `credentials` (any order; longer values are replaced first so
    /// a secret that contains another is replaced whole).
    public init(credentials: [RedactableCredential]) {
        redactor = SecretRedactor(credentials.map { SecretRedactor.Secret(name: $0.name, value: $0.value) })
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
    public func redact(_ text: String) -> String { redactor.redact(text) }

    /// `bytes` with every credential form replaced.
    public func redact(bytes: [UInt8]) -> [UInt8] { redactor.redact(bytes: bytes) }
}

extension RequestRenderer {
    /// A redactor for every secret value and derived credential this renderer was built
    /// with (what dry runs, dead letters and reports must not show).
    public var redactor: SecretRedactor { FixtureRedactor(credentials: credentials).redactor }
}

extension RenderConfiguration {
    /// A redactor for every string value of the secrets (declared by the plan or not).
    public var redactor: SecretRedactor {
        var values: [String: String] = [:]
        for (name, value) in secrets { if let text = value.stringValue { values[name] = text } }
        return SecretRedactor(values: values)
    }
}
