/// Why a request (or a whole renderer) could not be built.
///
/// Messages name the setting, secret, header or template at fault and never contain a
/// secret's value: they end up in logs, CI output and fixture files. Messages that come from
/// the template or mapping engines are scrubbed of every known secret value before they are
/// wrapped (see ``RenderConfiguration``).
public struct RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad class of failure, for callers that react differently (a missing secret is a
    /// configuration problem; header injection is a property of one event).
    public enum Kind: String, Sendable, Equatable {
        /// A required setting has no value, or a value breaks the setting's type or enum.
        case setting
        /// A secret referenced by the plan has no value, or cannot be used (bad base64 key).
        case secret
        /// A header value would contain CR, LF, NUL or another control byte other than HTAB
        /// (header injection); nothing is emitted.
        case headerInjection = "header_injection"
        /// A template or mapping failed while rendering this event.
        case render
        /// The rendered URL cannot be sent: malformed, an unsupported scheme, a control byte
        /// or space, a dot segment, a host other than the template's, or `http://` to a
        /// host that is not loopback (see ``RequestURL``).
        case url
        /// The payload cannot be encoded in the body format (e.g. a form body that is not an object).
        case payload
        /// One event's encoded body alone exceeds `batching.max_bytes`.
        case tooLarge = "too_large"
        /// An OAuth plan was rendered without an access token.
        case accessToken = "access_token"
        /// The plan itself cannot be executed (a template that does not compile, an unknown
        /// algorithm). Compiled plans never produce this; hand-built ones can.
        case plan
    }

    /// The class of failure.
    public var kind: Kind
    /// A one-line, secret-free explanation.
    public var message: String

    /// Creates an error. The caller guarantees `message` holds no secret value.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
