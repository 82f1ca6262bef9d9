import DSCore
import DSJSON

/// Reads the seed's Custom Webhook config and lowers it to the same IR a full Delivery
/// Spec produces, keeping each field's position so diagnostics point at the config key
/// the user actually wrote.
struct CustomWebhookDecoder {
    static let topLevelKeys = ["dspec", "integration", "name", "description", "settings", "secrets", "config", "lint"]
    static let configKeys = [
        "url", "method", "auth", "auth_token", "auth_username", "auth_password", "hmac_secret", "hmac_header", "headers",
        "payload_format", "payload_template", "batch_enabled", "batch_size", "batch_interval_ms", "rate_limit_rps",
        "timeout_ms", "consent",
    ]

    enum WebhookAuth: String, CaseIterable, Sendable {
        case noAuth = "none", bearer, basic, hmac
    }

    enum WebhookPayloadFormat: String, CaseIterable, Sendable {
        case canonical, custom
    }

    func decode(_ root: JSONNode, diagnostics: DiagnosticCollector) -> SpecDocument? {
        guard let top = ObjectReader(root, pointer: .documentRoot(), allowed: Self.topLevelKeys, diagnostics: diagnostics, what: "the spec") else { return nil }
        top.reportUnknownKeys()
        var spec = SpecDocument(form: .customWebhook, root: root)
        if top.has("dspec") { spec.version = SpecDecoder.readVersion(top, diagnostics: diagnostics) }
        if let integration = top.string("integration"), integration.value != "custom_webhook" {
            diagnostics.emit(DecodingRules.invalidValue, "unknown integration \"\(integration.value)\"; the only built-in integration form is \"custom_webhook\"", span: integration.span, pointer: integration.pointer)
        }
        spec.name = top.string("name", required: true, what: "the spec")
        spec.description = top.string("description")
        let base = SpecDecoder()
        spec.settings = base.readSettings(top)
        spec.secrets = base.readSecrets(top)
        spec.suppressions = base.readSuppressions(top)
        guard let c = top.object("config", allowed: Self.configKeys, required: true, what: "a Custom Webhook spec") else { return spec }
        c.reportUnknownKeys()

        var endpoint = Endpoint(node: c.located)
        endpoint.url = c.string("url", required: true, what: "\"config\"")
        endpoint.method = c.enumeration("method", HTTPMethod.self)
        endpoint.timeoutMs = c.int("timeout_ms", range: NumericRanges.timeoutMs)
        spec.endpoint = endpoint

        // The seed's "auth" word is optional: infer it from the credential fields given.
        var authWord = c.enumeration("auth", WebhookAuth.self)?.value
        if authWord == nil, !c.has("auth") {
            if c.has("auth_token") { authWord = .bearer } else if c.has("auth_username") { authWord = .basic } else if c.has("hmac_secret") { authWord = .hmac } else { authWord = .noAuth }
        }
        let what = "\"config\" with auth \(authWord?.rawValue ?? "?")"
        switch authWord {
        case .bearer: spec.auth = .bearer(node: c.located, token: c.string("auth_token", required: true, what: what))
        case .basic: spec.auth = .basic(node: c.located, username: c.string("auth_username", required: true, what: what), password: c.string("auth_password"))
        case .noAuth, .hmac, nil: spec.auth = .none(node: c.located)
        }
        if authWord == .hmac || (authWord != nil && c.has("hmac_secret")) {
            var signing = Signing(node: c.located)
            signing.preset = Located(.seed, span: c.node.span, at: c.location)
            signing.secret = c.string("hmac_secret", required: authWord == .hmac, what: what)
            signing.header = c.string("hmac_header")
            spec.signing = signing
        }
        spec.headers = base.readHeaders(c.raw("headers"), pointer: c.path("headers"), diagnostics: diagnostics)

        var payload = Payload(node: c.located)
        let format = c.enumeration("payload_format", WebhookPayloadFormat.self)
        if format?.value == .custom || (format == nil && c.has("payload_template")) {
            payload.format = Located(.json, span: format?.span ?? c.node.span, at: format?.location ?? c.location)
            payload.template = c.string("payload_template", required: true, what: "\"config\" with payload_format custom")
        } else {
            payload.format = Located(.canonical, span: format?.span ?? c.node.span, at: format?.location ?? c.location)
        }
        // The seed's Express receiver verifies JSON.stringify(req.body): send that form, so
        // raw-body and re-serialising receivers both reproduce the signed bytes.
        payload.normalize = Located(.javascript, span: c.node.span, at: c.location)
        spec.payload = payload

        let enabled = c.bool("batch_enabled")
        let size = c.int("batch_size", min: 0, max: NumericRanges.batchMaxEvents.maxInt)  // 0 is DS0403's to report
        let interval = c.int("batch_interval_ms", range: NumericRanges.batchMaxWaitMs)
        if enabled?.value == true || (enabled == nil && (size != nil || interval != nil)) {
            var batching = Batching(node: c.located)
            batching.enabled = enabled
            batching.maxEvents = size
            batching.maxWaitMs = interval
            batching.format = Located(.jsonArray, span: c.node.span, at: c.location)
            spec.batching = batching
        }
        if let rps = c.double("rate_limit_rps") {
            spec.rateLimit = RateLimit(node: Located((), span: rps.span, at: rps.location), rps: rps, burst: nil)
        }
        if let consent = c.stringList("consent") {
            spec.events = EventSelection(types: nil, names: nil, consent: consent)
        }
        return spec
    }
}
