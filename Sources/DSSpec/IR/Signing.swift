import DSCore
import DSJSON

/// HMAC algorithms for request signing.
public enum SigningAlgorithm: String, Sendable, CaseIterable {
    case hmacSHA1 = "hmac-sha1"
    case hmacSHA256 = "hmac-sha256"
    case hmacSHA384 = "hmac-sha384"
    case hmacSHA512 = "hmac-sha512"
}

/// Signature encodings.
public enum SignatureEncoding: String, Sendable, CaseIterable {
    case hex, base64
}

/// Named signing schemes that expand to the explicit form (the plan shows the expansion).
public enum SigningPreset: String, Sendable, CaseIterable {
    case github, stripe, slack, shopify
    case standardWebhooks = "standard-webhooks"
    case seed
}

/// How a secret string becomes HMAC key bytes.
public enum SigningKeyEncoding: String, Sendable, CaseIterable {
    /// The UTF-8 bytes of the secret.
    case utf8
    /// Base64 after stripping a `whsec_` prefix (Standard Webhooks).
    case whsecBase64 = "whsec_base64"
    /// Base64.
    case base64
    /// Hexadecimal (Adyen's HMAC keys), either case.
    case hex
}

/// Request signing.
public struct Signing: Sendable {
    public var node: Located<Void>
    public var preset: Located<SigningPreset>?
    public var algorithm: Located<SigningAlgorithm>?
    /// Template resolving to the secret (`{{@secrets.signing_key}}`).
    public var secret: TemplateText?
    public var keyEncoding: Located<SigningKeyEncoding>?
    /// Signing string template over `@body`, `@timestamp`, `@request_id`, `@method`, `@path`.
    public var content: TemplateText?
    public var encoding: Located<SignatureEncoding>?
    /// Header carrying the signature.
    public var header: Located<String>?
    /// Header value template over `@signature` and `@timestamp` (default `{{@signature}}`).
    public var value: TemplateText?
    /// Extra headers the scheme sends (e.g. `webhook-id`, `X-Slack-Request-Timestamp`).
    public var extraHeaders: [HeaderDeclaration] = []
    /// Secrets that also sign each request while a key is rotated (old keys, after `secret`).
    public var previousSecrets: [TemplateText] = []
    /// Pointer of `previous_secrets`.
    public var previousSecretsNode: Located<Void>?
    /// Text between signatures in the `@signature` slot when several secrets sign
    /// (Stripe `,v1=`, Standard Webhooks ` v1,`).
    public var signatureJoiner: Located<String>?
}
