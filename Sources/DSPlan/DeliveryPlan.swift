import DSJSON

/// The executable delivery plan: the validated, fully defaulted form of a spec that every
/// downstream stage (render, deliver, test, diff) runs from. It holds templates and secret
/// *references* (`{{@secrets.NAME}}`), never secret values, and serializes to canonical
/// JSON (sorted keys) so the same spec gives the same bytes everywhere.
public struct DeliveryPlan: Sendable, Equatable {
    /// Version of the plan layout.
    public static let currentVersion = 1

    public var planVersion: Int = DeliveryPlan.currentVersion
    public var name: String
    public var description: String?
    /// `sha256:<hex>` of the spec file's bytes.
    public var specDigest: String
    /// The input form the spec was written in.
    public var sourceForm: String
    public var settings: [PlanSetting]
    /// Declared secret names, sorted.
    public var secrets: [String]
    public var events: PlanEvents
    public var endpoint: PlanEndpoint
    public var auth: PlanAuth
    /// Every header the request carries, in order, `Content-Type` and `User-Agent` included.
    public var headers: [PlanHeader]
    public var payload: PlanPayload
    public var batching: PlanBatching
    public var signing: PlanSigning?
    public var rateLimit: PlanRateLimit?
    public var response: PlanResponse
    /// Lookup tables, in declaration order (empty when the spec declares none).
    public var lookups: [PlanLookupTable] = []
    /// Per-partition request ordering: `none` (the default) or `strict`.
    public var ordering: String = PlanOrdering.none

    /// Creates a plan.
    public init(name: String, description: String?, specDigest: String, sourceForm: String, settings: [PlanSetting], secrets: [String],
                events: PlanEvents, endpoint: PlanEndpoint, auth: PlanAuth, headers: [PlanHeader], payload: PlanPayload,
                batching: PlanBatching, signing: PlanSigning?, rateLimit: PlanRateLimit?, response: PlanResponse) {
        self.name = name
        self.description = description
        self.specDigest = specDigest
        self.sourceForm = sourceForm
        self.settings = settings
        self.secrets = secrets
        self.events = events
        self.endpoint = endpoint
        self.auth = auth
        self.headers = headers
        self.payload = payload
        self.batching = batching
        self.signing = signing
        self.rateLimit = rateLimit
        self.response = response
    }
}

/// A declared setting with its explicit type and default.
public struct PlanSetting: Sendable, Equatable {
    public var name: String
    public var type: String
    public var required: Bool
    public var defaultValue: JSONValue?
    public var allowed: [JSONValue]?
    public init(name: String, type: String, required: Bool, defaultValue: JSONValue?, allowed: [JSONValue]?) {
        self.name = name; self.type = type; self.required = required; self.defaultValue = defaultValue; self.allowed = allowed
    }
}

/// Event selection with every default explicit (`names` nil = every name).
public struct PlanEvents: Sendable, Equatable {
    public var types: [String]
    public var names: [String]?
    public var consent: [String]
    public init(types: [String], names: [String]?, consent: [String]) {
        self.types = types; self.names = names; self.consent = consent
    }
}

/// Endpoint.
public struct PlanEndpoint: Sendable, Equatable {
    public var method: String
    public var url: String
    public var query: [PlanHeader]
    public var timeoutMs: Int
    public init(method: String, url: String, query: [PlanHeader], timeoutMs: Int) {
        self.method = method; self.url = url; self.query = query; self.timeoutMs = timeoutMs
    }
}

/// A name and a value template (headers and query parameters).
public struct PlanHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) { self.name = name; self.value = value }
}

/// How an OAuth token request is written: body encoding (`form` or `json`), the grant type
/// and extra parameters (templates of settings and secrets), every field explicit.
public struct PlanTokenRequest: Sendable, Equatable {
    /// `form` or `json`.
    public var encoding: String
    /// The `grant_type` sent.
    public var grantType: String
    /// Extra parameters, in name order (byte-wise).
    public var parameters: [PlanHeader]
    public init(encoding: String, grantType: String, parameters: [PlanHeader]) {
        self.encoding = encoding
        self.grantType = grantType
        self.parameters = parameters
    }
}

/// Auth with every field explicit.
public enum PlanAuth: Sendable, Equatable {
    case none
    case bearer(token: String)
    case basic(username: String, password: String)
    case apiKey(location: String, name: String, value: String, prefix: String)
    /// `tokenRequest`: the spec's `token_request`, nil for the RFC 6749 form (so plans without one keep their bytes).
    case oauth2ClientCredentials(tokenURL: String, clientID: String, clientSecret: String, clientAuth: String, scope: String?, audience: String?,
                                 tokenRequest: PlanTokenRequest? = nil)
    case oauth2RefreshToken(tokenURL: String, clientID: String, clientSecret: String?, clientAuth: String, refreshToken: String, rotates: Bool, scope: String?,
                            tokenRequest: PlanTokenRequest? = nil)
    case serviceAccount(key: String, scope: String, audience: String?, tokenURL: String?, lifetimeSeconds: Int, subject: String? = nil)
    /// AWS Signature Version 4 (`content_sha256`: send and sign `X-Amz-Content-Sha256`).
    case awsSigV4(accessKeyID: String, secretAccessKey: String, sessionToken: String?, region: String, service: String, contentSHA256: Bool)
    /// OAuth 1.0a (RFC 5849); `signatureMethod` is `HMAC-SHA1`.
    case oauth1(consumerKey: String, consumerSecret: String, token: String?, tokenSecret: String?, signatureMethod: String)
    /// Azure Shared Access Signature for `resource`, expiring `expirySeconds` after signing.
    case azureSAS(keyName: String, key: String, resource: String, expirySeconds: Int)

    /// The `type` word.
    public var typeName: String {
        switch self {
        case .none: return "none"
        case .bearer: return "bearer"
        case .basic: return "basic"
        case .apiKey: return "api_key"
        case .oauth2ClientCredentials: return "oauth2_client_credentials"
        case .oauth2RefreshToken: return "oauth2_refresh_token"
        case .serviceAccount: return "service_account"
        case .awsSigV4: return "aws_sigv4"
        case .oauth1: return "oauth1"
        case .azureSAS: return "azure_sas"
        }
    }

    /// True for kinds whose token is fetched at run time.
    public var isOAuth: Bool {
        switch self {
        case .oauth2ClientCredentials, .oauth2RefreshToken, .serviceAccount: return true
        default: return false
        }
    }
}

/// Payload construction.
public struct PlanPayload: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        case mapping(JSONValue)
        case template(String)
        case canonical
    }
    public var format: String
    public var contentType: String
    public var body: Body
    public var wrapper: JSONValue?
    public var partials: [String: String]
    /// "none" (bytes as built) or "javascript" (`JSON.stringify(JSON.parse(body))` form).
    public var normalize: String
    /// Per-event size limit on the encoded payload; nil: none (the key is then left out of
    /// the plan, so plans of specs without it keep their bytes).
    public var maxBytes: Int?
    public init(format: String, contentType: String, body: Body, wrapper: JSONValue?, partials: [String: String], normalize: String = "none", maxBytes: Int? = nil) {
        self.format = format; self.contentType = contentType; self.body = body; self.wrapper = wrapper; self.partials = partials
        self.normalize = normalize; self.maxBytes = maxBytes
    }
}

/// Batching; `enabled == false` means one event per request (the other fields are then 1/0).
public struct PlanBatching: Sendable, Equatable {
    public var enabled: Bool
    public var maxEvents: Int
    public var maxBytes: Int
    public var maxWaitMs: Int
    public var format: String
    public var envelope: JSONValue?
    /// Named arrays of the envelope, in declaration order; empty: one array (the key is then
    /// left out of the plan).
    public var arrays: [PlanBatchArray]
    public init(enabled: Bool, maxEvents: Int, maxBytes: Int, maxWaitMs: Int, format: String, envelope: JSONValue?, arrays: [PlanBatchArray] = []) {
        self.enabled = enabled; self.maxEvents = maxEvents; self.maxBytes = maxBytes; self.maxWaitMs = maxWaitMs; self.format = format; self.envelope = envelope
        self.arrays = arrays
    }
}

/// One named array of a batch envelope, every field explicit.
public struct PlanBatchArray: Sendable, Equatable {
    public var name: String
    /// Event types routed here; nil: every type.
    public var types: [String]?
    /// Event names routed here; nil: every name.
    public var names: [String]?
    /// A mapping-language condition the event must meet; nil: none.
    public var when: JSONValue?
    /// At most this many elements per request.
    public var maxEvents: Int
    /// How one element is built; nil: the event's payload.
    public var mapping: JSONValue?
    public init(name: String, types: [String]?, names: [String]?, when: JSONValue?, maxEvents: Int, mapping: JSONValue?) {
        self.name = name; self.types = types; self.names = names; self.when = when; self.maxEvents = maxEvents; self.mapping = mapping
    }
}

/// Signing in its explicit (preset-expanded) form.
public struct PlanSigning: Sendable, Equatable {
    public var preset: String?
    public var algorithm: String
    public var secret: String
    public var keyEncoding: String
    public var content: String
    public var encoding: String
    public var header: String
    public var value: String
    public var headers: [PlanHeader]
    /// Secret templates that also sign each request during a key rotation (after `secret`).
    public var previousSecrets: [String]
    /// Text between the signatures in the `@signature` slot when several secrets sign; empty
    /// when the scheme carries one signature only.
    public var signatureJoiner: String
    public init(preset: String?, algorithm: String, secret: String, keyEncoding: String, content: String, encoding: String, header: String, value: String, headers: [PlanHeader],
                previousSecrets: [String] = [], signatureJoiner: String = "") {
        self.preset = preset; self.algorithm = algorithm; self.secret = secret; self.keyEncoding = keyEncoding; self.content = content
        self.encoding = encoding; self.header = header; self.value = value; self.headers = headers
        self.previousSecrets = previousSecrets; self.signatureJoiner = signatureJoiner
    }
}

/// Token bucket.
public struct PlanRateLimit: Sendable, Equatable {
    public var rps: Double
    public var burst: Double
    public init(rps: Double, burst: Double) { self.rps = rps; self.burst = burst }
}

/// One status rule; `status` holds inclusive ranges.
public struct PlanStatusRule: Sendable, Equatable {
    public var status: [ClosedRange<Int>]
    public var bodyContains: String?
    public var outcome: String
    /// "spec" or "default": where the rule came from.
    public var origin: String
    /// A JSON body condition: the value at `pointer` equals `equals`; nil: none (left out of
    /// the plan).
    public var bodyMatch: PlanBodyMatch?
    public init(status: [ClosedRange<Int>], bodyContains: String?, outcome: String, origin: String, bodyMatch: PlanBodyMatch? = nil) {
        self.status = status; self.bodyContains = bodyContains; self.outcome = outcome; self.origin = origin; self.bodyMatch = bodyMatch
    }
}

/// A status rule's JSON body condition (`body_pointer` + `body_equals`).
public struct PlanBodyMatch: Sendable, Equatable {
    /// RFC 6901 pointer into the response body.
    public var pointer: String
    /// The scalar value it must find (numbers compared by value).
    public var equals: JSONValue
    public init(pointer: String, equals: JSONValue) { self.pointer = pointer; self.equals = equals }
}

/// Response headers that announce an exhausted rate limit, every field explicit.
public struct PlanRateLimitHeaders: Sendable, Equatable {
    /// Read the IETF `RateLimit` / `RateLimit-Policy` fields.
    public var ietf: Bool
    /// Header with the requests left in the window, or nil.
    public var remaining: String?
    /// Header with the reset time, or nil.
    public var reset: String?
    /// `seconds`, `epoch_seconds` or `epoch_ms`.
    public var resetUnit: String
    /// Cap on one pause.
    public var maxMs: Int
    public init(ietf: Bool, remaining: String?, reset: String?, resetUnit: String, maxMs: Int) {
        self.ietf = ietf; self.remaining = remaining; self.reset = reset; self.resetUnit = resetUnit; self.maxMs = maxMs
    }
}

/// Retry policy, all explicit.
public struct PlanRetry: Sendable, Equatable {
    public var maxAttempts: Int
    public var initialBackoffMs: Int
    public var maxBackoffMs: Int
    public var multiplier: Double
    public var jitter: String
    public var maxElapsedMs: Int
    public var honourRetryAfter: Bool
    public var retryAfterMaxMs: Int
    public init(maxAttempts: Int, initialBackoffMs: Int, maxBackoffMs: Int, multiplier: Double, jitter: String, maxElapsedMs: Int, honourRetryAfter: Bool, retryAfterMaxMs: Int) {
        self.maxAttempts = maxAttempts; self.initialBackoffMs = initialBackoffMs; self.maxBackoffMs = maxBackoffMs; self.multiplier = multiplier
        self.jitter = jitter; self.maxElapsedMs = maxElapsedMs; self.honourRetryAfter = honourRetryAfter; self.retryAfterMaxMs = retryAfterMaxMs
    }
}

/// Per-event failures inside a success body.
public struct PlanPartialFailure: Sendable, Equatable {
    public var errors: String
    public var index: String
    public var message: String?
    public var outcome: String
    /// With `batching.arrays`: pointer, inside one error, to the array name its index counts
    /// in; nil: the index is the event's position in the request (left out of the plan).
    public var array: String?
    public init(errors: String, index: String, message: String?, outcome: String, array: String? = nil) {
        self.errors = errors; self.index = index; self.message = message; self.outcome = outcome; self.array = array
    }
}

/// Response handling.
public struct PlanResponse: Sendable, Equatable {
    /// Ordered rules: the spec's, then the defaults. The first match wins; no match means drop.
    public var rules: [PlanStatusRule]
    public var errorMessage: String?
    public var partialFailure: PlanPartialFailure?
    public var retry: PlanRetry
    public var idempotencyKeyHeader: String?
    /// Statuses that split a rejected batch in halves (inclusive ranges); empty: none (the
    /// key is then left out of the plan).
    public var isolateOn: [ClosedRange<Int>]
    /// Rate-limit headers to honour; nil: none (left out of the plan).
    public var rateLimitHeaders: PlanRateLimitHeaders?
    public init(rules: [PlanStatusRule], errorMessage: String?, partialFailure: PlanPartialFailure?, retry: PlanRetry, idempotencyKeyHeader: String?,
                isolateOn: [ClosedRange<Int>] = [], rateLimitHeaders: PlanRateLimitHeaders? = nil) {
        self.rules = rules; self.errorMessage = errorMessage; self.partialFailure = partialFailure; self.retry = retry; self.idempotencyKeyHeader = idempotencyKeyHeader
        self.isolateOn = isolateOn; self.rateLimitHeaders = rateLimitHeaders
    }
}

/// The `ordering` values.
public enum PlanOrdering {
    /// Requests of a partition start in input order and may finish out of order.
    public static let none = "none"
    /// A partition's requests go strictly one after another, retries included.
    public static let strict = "strict"
    /// Every value.
    public static let all = [none, strict]
}

/// A lookup table with its unmatched policy explicit: `unmatched` is `omit`, `default`
/// (then `defaultValue` is the value, `null` included) or `passthrough`.
public struct PlanLookupTable: Sendable, Equatable {
    public var name: String
    /// Key -> value, in declaration order.
    public var map: JSONObject
    public var unmatched: String
    /// The value for unmatched keys; nil unless `unmatched` is `default`.
    public var defaultValue: JSONValue?
    public init(name: String, map: JSONObject, unmatched: String, defaultValue: JSONValue?) {
        self.name = name; self.map = map; self.unmatched = unmatched; self.defaultValue = defaultValue
    }

    /// The table in the form renderers read (``DSTemplate/LookupTables``): `map`,
    /// `unmatched` and, with `unmatched: default`, `default`.
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("map", .object(map)), ("unmatched", .string(unmatched))]
        if unmatched == "default" { pairs.append(("default", defaultValue ?? .null)) }
        return .object(JSONObject(pairs))
    }
}
