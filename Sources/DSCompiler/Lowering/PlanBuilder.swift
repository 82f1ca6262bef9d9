import DSCore
import DSCrypto
import DSJSON
import DSPlan
import DSSpec

/// Lowers a validated IR to the plan: fills every default, expands signing presets,
/// appends the default status rules, and hoists literal credentials out into secret
/// references so that no secret value can reach a plan.
struct PlanBuilder {
    let spec: SpecDocument
    let sourceBytes: [UInt8]
    private(set) var hoisted: [String] = []

    init(spec: SpecDocument, sourceBytes: [UInt8]) {
        self.spec = spec
        self.sourceBytes = sourceBytes
    }

    /// A secret-bearing field: kept if it references a secret, otherwise replaced by a
    /// reference to a secret named after the field (which the user then supplies).
    mutating func credential(_ text: TemplateText?, hoistAs name: String) -> String {
        guard let text else { return "" }
        if text.value.contains("@secrets.") { return text.value }
        if text.value.isEmpty { return "" }
        if !hoisted.contains(name) { hoisted.append(name) }
        return "{{@secrets.\(name)}}"
    }

    mutating func build() -> DeliveryPlan {
        let webhook = spec.form == .customWebhook
        let auth = lowerAuth(webhook: webhook)
        let signing = lowerSigning(webhook: webhook)
        let payload = lowerPayload()
        var headers = spec.headers.map { PlanHeader(name: $0.name.value, value: $0.value.value) }
        let names = Set(headers.map { $0.name.lowercased() })
        if !names.contains("content-type") { headers.insert(PlanHeader(name: "Content-Type", value: payload.contentType), at: 0) }
        if !names.contains("user-agent") { headers.append(PlanHeader(name: "User-Agent", value: PlanDefaults.userAgent)) }
        let secrets = Set(spec.secrets.map(\.name.value)).union(hoisted).sorted()
        let endpoint = PlanEndpoint(
            method: spec.endpoint?.method?.value.rawValue ?? PlanDefaults.method, url: spec.endpoint?.url?.value ?? "",
            query: spec.endpoint?.query.map { PlanHeader(name: $0.name.value, value: $0.value.value) } ?? [],
            timeoutMs: spec.endpoint?.timeoutMs?.value ?? PlanDefaults.timeoutMs)
        let events = PlanEvents(
            types: spec.events?.types?.value.map(\.value.rawValue) ?? EventType.allCases.map(\.rawValue),
            names: spec.events?.names?.value.map(\.value),
            consent: spec.events?.consent?.value.map(\.value) ?? [])
        let settings = spec.settings.map {
            PlanSetting(name: $0.name.value, type: $0.type?.value.rawValue ?? "string", required: $0.required?.value ?? false,
                        defaultValue: $0.defaultValue?.value, allowed: $0.allowed?.value)
        }
        var rateLimit: PlanRateLimit?
        if let r = spec.rateLimit, let rps = r.rps?.value {
            rateLimit = PlanRateLimit(rps: rps, burst: r.burst?.value ?? max(1, rps.rounded(.up)))
        }
        let digest = "sha256:" + Hex.encode(Digest.hash(.sha256, sourceBytes))
        var plan = DeliveryPlan(
            name: spec.name?.value ?? "", description: spec.description?.value, specDigest: digest, sourceForm: spec.form.rawValue,
            settings: settings, secrets: secrets, events: events, endpoint: endpoint, auth: auth, headers: headers, payload: payload,
            batching: lowerBatching(), signing: signing, rateLimit: rateLimit, response: lowerResponse(oauth: auth.isOAuth))
        plan.lookups = spec.lookups.map { t in
            let unmatched = t.effectiveUnmatched
            return PlanLookupTable(name: t.name.value, map: t.map?.value ?? JSONObject(), unmatched: unmatched.rawValue,
                                   defaultValue: unmatched == .default ? (t.defaultValue?.value ?? .null) : nil)
        }
        plan.ordering = spec.ordering?.value.rawValue ?? PlanOrdering.none
        return plan
    }

    mutating func lowerAuth(webhook: Bool) -> PlanAuth {
        switch spec.auth {
        case nil, .none?: return .none
        case .bearer(_, let token)?:
            return .bearer(token: credential(token, hoistAs: webhook ? "auth_token" : "auth_token"))
        case .basic(_, let user, let password)?:
            return .basic(username: user?.value ?? "", password: credential(password, hoistAs: webhook ? "auth_password" : "auth_password"))
        case .apiKey(_, let location, let name, let value, let prefix)?:
            return .apiKey(location: location?.value.rawValue ?? "header", name: name?.value ?? "", value: credential(value, hoistAs: "api_key"), prefix: prefix?.value ?? "")
        case .oauth2ClientCredentials(let o)?:
            return .oauth2ClientCredentials(tokenURL: o.tokenURL?.value ?? "", clientID: o.clientID?.value ?? "",
                                            clientSecret: credential(o.clientSecret, hoistAs: "client_secret"),
                                            clientAuth: o.clientAuth?.value.rawValue ?? PlanDefaults.oauthClientAuth, scope: o.scope?.value, audience: o.audience?.value,
                                            tokenRequest: lowerTokenRequest(o.tokenRequest, grantType: "client_credentials"))
        case .oauth2RefreshToken(let o)?:
            let secret = o.clientSecret.map { _ in credential(o.clientSecret, hoistAs: "client_secret") }
            return .oauth2RefreshToken(tokenURL: o.tokenURL?.value ?? "", clientID: o.clientID?.value ?? "", clientSecret: secret,
                                       clientAuth: o.clientAuth?.value.rawValue ?? PlanDefaults.oauthClientAuth,
                                       refreshToken: credential(o.refreshToken, hoistAs: "refresh_token"), rotates: o.rotates?.value ?? false, scope: o.scope?.value,
                                       tokenRequest: lowerTokenRequest(o.tokenRequest, grantType: "refresh_token"))
        case .serviceAccount(let s)?:
            return .serviceAccount(key: credential(s.key, hoistAs: "service_account"), scope: s.scope?.value ?? "", audience: s.audience?.value,
                                   tokenURL: s.tokenURL?.value, lifetimeSeconds: s.lifetimeSeconds?.value ?? PlanDefaults.serviceAccountLifetimeSeconds,
                                   subject: s.subject?.value)
        case .awsSigV4(let a)?:
            return .awsSigV4(accessKeyID: a.accessKeyID?.value ?? "", secretAccessKey: credential(a.secretAccessKey, hoistAs: "aws_secret_access_key"),
                             sessionToken: a.sessionToken.map { _ in credential(a.sessionToken, hoistAs: "aws_session_token") },
                             region: a.region?.value ?? "", service: a.service?.value ?? "", contentSHA256: a.contentSHA256?.value ?? false)
        case .oauth1(let o)?:
            return .oauth1(consumerKey: o.consumerKey?.value ?? "", consumerSecret: credential(o.consumerSecret, hoistAs: "consumer_secret"),
                           token: o.token?.value, tokenSecret: o.tokenSecret.map { _ in credential(o.tokenSecret, hoistAs: "token_secret") },
                           signatureMethod: PlanDefaults.oauth1SignatureMethod)
        case .azureSAS(let a)?:
            return .azureSAS(keyName: a.keyName?.value ?? "", key: credential(a.key, hoistAs: "sas_key"), resource: a.resource?.value ?? "",
                             expirySeconds: a.expirySeconds?.value ?? PlanDefaults.sasExpirySeconds)
        }
    }

    /// `token_request` with every default explicit; nil when the spec has none.
    func lowerTokenRequest(_ t: TokenRequestOptions?, grantType: String) -> PlanTokenRequest? {
        guard let t else { return nil }
        return PlanTokenRequest(encoding: t.encoding?.value.rawValue ?? "form", grantType: t.grantType?.value ?? grantType,
                                parameters: t.parameters.map { PlanHeader(name: $0.name.value, value: $0.value.value) }
                                    .sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) })
    }

    mutating func lowerSigning(webhook: Bool) -> PlanSigning? {
        guard let s = spec.signing else { return nil }
        var plan = s.preset.map { SigningPresets.expansion($0.value) }
            ?? PlanSigning(preset: nil, algorithm: "hmac-sha256", secret: "", keyEncoding: "utf8", content: "{{@body}}", encoding: "hex",
                           header: "", value: "{{@signature}}", headers: [])
        if let v = s.algorithm?.value.rawValue { plan.algorithm = v }
        plan.secret = credential(s.secret, hoistAs: webhook ? "hmac_secret" : "signing_secret")
        if let v = s.keyEncoding?.value.rawValue { plan.keyEncoding = v }
        if let v = s.content?.value { plan.content = v }
        if let v = s.encoding?.value.rawValue { plan.encoding = v }
        if let v = s.header?.value { plan.header = v }
        if let v = s.value?.value { plan.value = v }
        if !s.extraHeaders.isEmpty { plan.headers = s.extraHeaders.map { PlanHeader(name: $0.name.value, value: $0.value.value) } }
        for (i, previous) in s.previousSecrets.enumerated() {
            plan.previousSecrets.append(credential(previous, hoistAs: "previous_signing_secret_\(i + 1)"))
        }
        if let v = s.signatureJoiner?.value { plan.signatureJoiner = v }
        return plan
    }

    func lowerPayload() -> PlanPayload {
        let format = spec.payload?.format?.value ?? (spec.payload == nil ? .canonical : .json)
        var contentType = format == .form ? "application/x-www-form-urlencoded" : "application/json"
        if batchingEnabled, (spec.batching?.format?.value ?? .jsonArray) == .ndjson { contentType = "application/x-ndjson" }
        let body: PlanPayload.Body
        if let t = spec.payload?.template?.value {
            body = .template(t)
        } else if let m = spec.payload?.mapping, format != .canonical {
            body = .mapping(m.value)
        } else {
            body = .canonical
        }
        var count = 0
        let wrapper = spec.payload?.wrapper.map { MappingInventory.lowerMarkers($0.value, marker: "payload", count: &count) }
        var partials: [String: String] = [:]
        for p in spec.payload?.partials ?? [] { partials[p.name.value] = p.text.value }
        return PlanPayload(format: format.rawValue, contentType: contentType, body: body, wrapper: wrapper, partials: partials,
                           normalize: spec.payload?.normalize?.value.rawValue ?? PayloadNormalization.none.rawValue,
                           maxBytes: spec.payload?.maxBytes?.value)
    }

    var batchingEnabled: Bool {
        guard let b = spec.batching else { return false }
        return b.enabled?.value ?? true
    }

    func lowerBatching() -> PlanBatching {
        guard batchingEnabled, let b = spec.batching else {
            return PlanBatching(enabled: false, maxEvents: 1, maxBytes: 0, maxWaitMs: 0, format: PlanDefaults.batchFormat, envelope: nil)
        }
        var count = 0
        return PlanBatching(
            enabled: true, maxEvents: b.maxEvents?.value ?? PlanDefaults.batchMaxEvents, maxBytes: b.maxBytes?.value ?? PlanDefaults.batchMaxBytes,
            maxWaitMs: b.maxWaitMs?.value ?? PlanDefaults.batchMaxWaitMs, format: b.format?.value.rawValue ?? PlanDefaults.batchFormat,
            envelope: b.envelope.map { MappingInventory.lowerMarkers($0.value, marker: "batch", count: &count) },
            arrays: b.arrays.map { a in
                PlanBatchArray(name: a.name.value, types: a.types.map { $0.value.map(\.value.rawValue) }, names: a.names.map { $0.value.map(\.value) },
                               when: a.when?.value, maxEvents: a.maxEvents?.value ?? b.maxEvents?.value ?? PlanDefaults.batchMaxEvents, mapping: a.mapping?.value)
            })
    }

    func lowerResponse(oauth: Bool) -> PlanResponse {
        let r = spec.response
        var rules = (r?.rules ?? []).map { rule in
            PlanStatusRule(status: rule.status.map(\.value.codes), bodyContains: rule.bodyContains?.value,
                           outcome: rule.outcome?.value.rawValue ?? "drop", origin: "spec",
                           bodyMatch: rule.bodyPointer.map { PlanBodyMatch(pointer: $0.value, equals: rule.bodyEquals?.value ?? .null) })
        }
        if r?.includeDefaults?.value ?? true { rules += PlanDefaults.responseRules(oauth: oauth) }
        let d = PlanDefaults.retry
        let t = r?.retry
        let retry = PlanRetry(
            maxAttempts: t?.maxAttempts?.value ?? d.maxAttempts, initialBackoffMs: t?.initialBackoffMs?.value ?? d.initialBackoffMs,
            maxBackoffMs: t?.maxBackoffMs?.value ?? d.maxBackoffMs, multiplier: t?.multiplier?.value ?? d.multiplier,
            jitter: t?.jitter?.value.rawValue ?? d.jitter, maxElapsedMs: t?.maxElapsedMs?.value ?? d.maxElapsedMs,
            honourRetryAfter: t?.honourRetryAfter?.value ?? d.honourRetryAfter, retryAfterMaxMs: t?.retryAfterMaxMs?.value ?? d.retryAfterMaxMs)
        let partial = r?.partialFailure.map {
            PlanPartialFailure(errors: $0.errors?.value ?? "", index: $0.index?.value ?? "", message: $0.message?.value, outcome: $0.outcome?.value.rawValue ?? "drop", array: $0.array?.value)
        }
        let headers = r?.rateLimitHeaders.map {
            PlanRateLimitHeaders(ietf: $0.ietf?.value ?? false, remaining: $0.remaining?.value, reset: $0.reset?.value,
                                 resetUnit: $0.resetUnit?.value.rawValue ?? PlanDefaults.rateLimitResetUnit, maxMs: $0.maxMs?.value ?? PlanDefaults.rateLimitHeadersMaxMs)
        }
        return PlanResponse(rules: rules, errorMessage: r?.errorMessage?.value, partialFailure: partial, retry: retry,
                            idempotencyKeyHeader: r?.idempotencyKey?.header?.value,
                            isolateOn: (r?.isolateOn?.value ?? []).map(\.value.codes), rateLimitHeaders: headers)
    }
}
