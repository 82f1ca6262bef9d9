import DSJSON

extension DeliveryPlan {
    /// The plan as a JSON value. Optional fields are written as explicit `null`, so a
    /// reader of the plan sees every field and every default.
    public var json: JSONValue {
        .object(JSONObject([
            ("plan_version", .int(planVersion)),
            ("name", .string(name)),
            ("description", description.map { .string($0) } ?? .null),
            ("spec_digest", .string(specDigest)),
            ("source_form", .string(sourceForm)),
            ("settings", .array(settings.map(\.json))),
            ("secrets", .array(secrets.map { .string($0) })),
            ("events", events.json),
            ("endpoint", endpoint.json),
            ("auth", auth.json),
            ("headers", .array(headers.map(\.json))),
            ("payload", payload.json),
            ("batching", batching.json),
            ("signing", signing?.json ?? .null),
            ("rate_limit", rateLimit?.json ?? .null),
            ("response", response.json),
            ("lookups", .object(JSONObject(lookups.map { ($0.name, $0.json) }))),
            ("ordering", .string(ordering)),
        ]))
    }

    /// Subtrees whose key order is meaning (the order fields go on the wire) and is kept
    /// as declared; every other object in a plan has sorted keys.
    public static let orderPreservingPointers: Set<String> = ["/payload/mapping", "/payload/wrapper", "/batching/envelope", "/lookups"]

    /// Order-preserving subtrees of this plan: the fixed ones and each batch array's mapping.
    var orderPreserving: Set<String> {
        var set = Self.orderPreservingPointers
        for i in batching.arrays.indices { set.insert("/batching/arrays/\(i)/mapping") }
        return set
    }

    /// Canonical bytes: sorted keys (except inside mappings, which keep their declared
    /// order), two-space indent, trailing newline.
    public var canonicalJSON: [UInt8] {
        var out = JSONWriter.prettyBytes(json, sortedExceptUnder: orderPreserving)
        out.append(0x0A)
        return out
    }
}

func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }

extension PlanSetting {
    var json: JSONValue {
        .object(JSONObject([
            ("name", .string(name)), ("type", .string(type)), ("required", .bool(required)),
            ("default", defaultValue ?? .null), ("enum", allowed.map { .array($0) } ?? .null),
        ]))
    }
}

extension PlanEvents {
    var json: JSONValue {
        .object(JSONObject([
            ("types", .array(types.map { .string($0) })),
            ("names", names.map { .array($0.map { .string($0) }) } ?? .null),
            ("consent", .array(consent.map { .string($0) })),
        ]))
    }
}

extension PlanHeader {
    var json: JSONValue { .object(JSONObject([("name", .string(name)), ("value", .string(value))])) }
}

extension PlanEndpoint {
    var json: JSONValue {
        .object(JSONObject([
            ("method", .string(method)), ("url", .string(url)),
            ("query", .array(query.map(\.json))), ("timeout_ms", .int(timeoutMs)),
        ]))
    }
}

extension PlanAuth {
    var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("type", .string(typeName))]
        switch self {
        case .none: break
        case .bearer(let token): pairs.append(("token", .string(token)))
        case .basic(let u, let p): pairs += [("username", .string(u)), ("password", .string(p))]
        case .apiKey(let location, let name, let value, let prefix):
            pairs += [("in", .string(location)), ("name", .string(name)), ("value", .string(value)), ("prefix", .string(prefix))]
        case .oauth2ClientCredentials(let url, let id, let secret, let clientAuth, let scope, let audience, let tokenRequest):
            pairs += [("token_url", .string(url)), ("client_id", .string(id)), ("client_secret", .string(secret)),
                      ("client_auth", .string(clientAuth)), ("scope", opt(scope)), ("audience", opt(audience))]
            if let tokenRequest { pairs.append(("token_request", tokenRequest.json)) }
        case .oauth2RefreshToken(let url, let id, let secret, let clientAuth, let refresh, let rotates, let scope, let tokenRequest):
            pairs += [("token_url", .string(url)), ("client_id", .string(id)), ("client_secret", opt(secret)),
                      ("client_auth", .string(clientAuth)), ("refresh_token", .string(refresh)), ("rotates", .bool(rotates)), ("scope", opt(scope))]
            if let tokenRequest { pairs.append(("token_request", tokenRequest.json)) }
        case .serviceAccount(let key, let scope, let audience, let url, let lifetime, let subject):
            pairs += [("key", .string(key)), ("scope", .string(scope)), ("audience", opt(audience)), ("token_url", opt(url)),
                      ("lifetime_seconds", .int(lifetime)), ("subject", opt(subject))]
        case .awsSigV4(let keyID, let secret, let session, let region, let service, let contentSHA256):
            pairs += [("access_key_id", .string(keyID)), ("secret_access_key", .string(secret)), ("session_token", opt(session)),
                      ("region", .string(region)), ("service", .string(service)), ("content_sha256", .bool(contentSHA256))]
        case .oauth1(let consumerKey, let consumerSecret, let token, let tokenSecret, let method):
            pairs += [("consumer_key", .string(consumerKey)), ("consumer_secret", .string(consumerSecret)), ("token", opt(token)),
                      ("token_secret", opt(tokenSecret)), ("signature_method", .string(method))]
        case .azureSAS(let keyName, let key, let resource, let expiry):
            pairs += [("key_name", .string(keyName)), ("key", .string(key)), ("resource", .string(resource)), ("expiry_seconds", .int(expiry))]
        }
        return .object(JSONObject(pairs))
    }
}

extension PlanPayload {
    var json: JSONValue {
        var mapping: JSONValue = .null
        var template: JSONValue = .null
        switch body {
        case .mapping(let m): mapping = m
        case .template(let t): template = .string(t)
        case .canonical: break
        }
        let partialsObject = JSONObject(partials.keys.sorted().map { ($0, .string(partials[$0]!)) })
        var pairs: [(String, JSONValue)] = [
            ("format", .string(format)), ("content_type", .string(contentType)), ("mapping", mapping),
            ("template", template), ("wrapper", wrapper ?? .null), ("partials", .object(partialsObject)),
            ("normalize", .string(normalize)),
        ]
        if let maxBytes { pairs.append(("max_bytes", .int(maxBytes))) }
        return .object(JSONObject(pairs))
    }
}

extension PlanBatching {
    var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("enabled", .bool(enabled)), ("max_events", .int(maxEvents)), ("max_bytes", .int(maxBytes)),
            ("max_wait_ms", .int(maxWaitMs)), ("format", .string(format)), ("envelope", envelope ?? .null),
        ]
        if !arrays.isEmpty { pairs.append(("arrays", .array(arrays.map(\.json)))) }
        return .object(JSONObject(pairs))
    }
}

extension PlanBatchArray {
    var json: JSONValue {
        .object(JSONObject([
            ("name", .string(name)), ("types", types.map { .array($0.map { .string($0) }) } ?? .null),
            ("names", names.map { .array($0.map { .string($0) }) } ?? .null), ("when", when ?? .null),
            ("max_events", .int(maxEvents)), ("mapping", mapping ?? .null),
        ]))
    }
}

extension PlanSigning {
    var json: JSONValue {
        .object(JSONObject([
            ("preset", opt(preset)), ("algorithm", .string(algorithm)), ("secret", .string(secret)),
            ("key_encoding", .string(keyEncoding)), ("content", .string(content)), ("encoding", .string(encoding)),
            ("header", .string(header)), ("value", .string(value)), ("headers", .array(headers.map(\.json))),
            ("previous_secrets", .array(previousSecrets.map { .string($0) })), ("signature_joiner", .string(signatureJoiner)),
        ]))
    }
}

extension PlanRateLimit {
    var json: JSONValue { .object(JSONObject([("rps", .double(rps)), ("burst", .double(burst))])) }
}

/// Status ranges as a plan writes them: a code, or `"a-b"`.
func statusJSON(_ ranges: [ClosedRange<Int>]) -> JSONValue {
    .array(ranges.map { r in r.lowerBound == r.upperBound ? .int(r.lowerBound) : .string("\(r.lowerBound)-\(r.upperBound)") })
}

extension PlanStatusRule {
    var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("status", statusJSON(status)),
            ("body_contains", opt(bodyContains)), ("outcome", .string(outcome)), ("origin", .string(origin)),
        ]
        if let bodyMatch { pairs += [("body_pointer", .string(bodyMatch.pointer)), ("body_equals", bodyMatch.equals)] }
        return .object(JSONObject(pairs))
    }
}

extension PlanRateLimitHeaders {
    var json: JSONValue {
        .object(JSONObject([
            ("ietf", .bool(ietf)), ("remaining", opt(remaining)), ("reset", opt(reset)), ("reset_unit", .string(resetUnit)), ("max_ms", .int(maxMs)),
        ]))
    }
}

extension PlanRetry {
    var json: JSONValue {
        .object(JSONObject([
            ("max_attempts", .int(maxAttempts)), ("initial_backoff_ms", .int(initialBackoffMs)), ("max_backoff_ms", .int(maxBackoffMs)),
            ("multiplier", .double(multiplier)), ("jitter", .string(jitter)), ("max_elapsed_ms", .int(maxElapsedMs)),
            ("retry_after", .object(JSONObject([("honour", .bool(honourRetryAfter)), ("max_ms", .int(retryAfterMaxMs))]))),
        ]))
    }
}

extension PlanResponse {
    var json: JSONValue {
        .object(JSONObject([
            ("rules", .array(rules.map(\.json))), ("error_message", opt(errorMessage)),
            ("partial_failure", partialFailure.map { p in
                .object(JSONObject([("errors", .string(p.errors)), ("index", .string(p.index)), ("message", opt(p.message)), ("outcome", .string(p.outcome))]
                                   + (p.array.map { [("array", JSONValue.string($0))] } ?? [])))
            } ?? .null),
            ("retry", retry.json), ("idempotency_key", idempotencyKeyHeader.map { .object(JSONObject([("header", .string($0))])) } ?? .null),
        ] + (isolateOn.isEmpty ? [] : [("isolate_on", statusJSON(isolateOn))])
          + (rateLimitHeaders.map { [("rate_limit_headers", $0.json)] } ?? [])))
    }
}

extension PlanTokenRequest {
    var json: JSONValue {
        .object(JSONObject([("encoding", .string(encoding)), ("grant_type", .string(grantType)),
                            ("parameters", .object(JSONObject(parameters.map { ($0.name, JSONValue.string($0.value)) })))]))
    }
}
