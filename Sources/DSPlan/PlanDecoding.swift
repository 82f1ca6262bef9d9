import DSCore
import DSJSON

/// A compiled plan file that cannot be read back.
public struct PlanDecodingError: Error, CustomStringConvertible, Sendable {
    /// Pointer of the offending value.
    public let pointer: String
    /// What is wrong.
    public let message: String
    public var description: String { "invalid plan at \(pointer.isEmpty ? "/" : pointer): \(message)" }
}

/// Typed access to a plan object, throwing with the pointer of what is wrong.
private struct PlanReader {
    let object: JSONObject
    let pointer: String

    init(_ value: JSONValue?, _ pointer: String) throws {
        guard case .object(let o)? = value else { throw PlanDecodingError(pointer: pointer, message: "expected an object") }
        object = o
        self.pointer = pointer
    }

    func fail(_ key: String, _ message: String) -> PlanDecodingError { PlanDecodingError(pointer: JSONPointer.appending(pointer, key), message: message) }
    func value(_ key: String) throws -> JSONValue {
        guard let v = object[key] else { throw fail(key, "missing") }
        return v
    }
    func string(_ key: String) throws -> String {
        guard case .string(let s) = try value(key) else { throw fail(key, "expected a string") }
        return s
    }
    func optionalString(_ key: String) throws -> String? {
        let v = try value(key)
        if v.isNull { return nil }
        guard case .string(let s) = v else { throw fail(key, "expected a string or null") }
        return s
    }
    func int(_ key: String) throws -> Int {
        guard case .number(let n) = try value(key), let i = n.intValue else { throw fail(key, "expected an integer") }
        return i
    }
    func double(_ key: String) throws -> Double {
        guard case .number(let n) = try value(key) else { throw fail(key, "expected a number") }
        return n.doubleValue
    }
    /// An integer within its documented range: a hand-edited or corrupt plan is refused here,
    /// before any of its numbers reaches the runtime's arithmetic.
    func int(_ key: String, _ range: NumericRange) throws -> Int {
        let v = try value(key)
        guard case .number(let n) = v, let i = n.intValue, range.contains(Double(i)) else {
            throw fail(key, "expected an integer within \(range.text) (\(range.field)), got \(JSONWriter.string(v))")
        }
        return i
    }
    /// A number within its documented range.
    func double(_ key: String, _ range: NumericRange) throws -> Double {
        let v = try value(key)
        guard case .number(let n) = v, range.contains(n.doubleValue) else {
            throw fail(key, "expected a number within \(range.text) (\(range.field)), got \(JSONWriter.string(v))")
        }
        return n.doubleValue
    }
    func bool(_ key: String) throws -> Bool {
        guard case .bool(let b) = try value(key) else { throw fail(key, "expected a boolean") }
        return b
    }
    func array(_ key: String) throws -> [JSONValue] {
        guard case .array(let a) = try value(key) else { throw fail(key, "expected an array") }
        return a
    }
    func strings(_ key: String) throws -> [String] {
        try array(key).enumerated().map { i, v in
            guard case .string(let s) = v else { throw PlanDecodingError(pointer: JSONPointer.appending(JSONPointer.appending(pointer, key), i), message: "expected a string") }
            return s
        }
    }
    func child(_ key: String) throws -> PlanReader { try PlanReader(object[key], JSONPointer.appending(pointer, key)) }
    func optionalChild(_ key: String) throws -> PlanReader? {
        guard let v = object[key], !v.isNull else { return nil }
        return try PlanReader(v, JSONPointer.appending(pointer, key))
    }
    func headers(_ key: String) throws -> [PlanHeader] {
        try array(key).enumerated().map { i, v in
            let r = try PlanReader(v, JSONPointer.appending(JSONPointer.appending(pointer, key), i))
            return PlanHeader(name: try r.string("name"), value: try r.string("value"))
        }
    }
}

extension DeliveryPlan {
    /// Reads a plan back from its JSON form (as written by `dspec compile`).
    public init(json: JSONValue) throws {
        let r = try PlanReader(json, "")
        let version = try r.int("plan_version")
        guard version == DeliveryPlan.currentVersion else {
            throw PlanDecodingError(pointer: "/plan_version", message: "unsupported plan version \(version); this dspec reads \(DeliveryPlan.currentVersion)")
        }
        let settings = try r.array("settings").enumerated().map { i, v -> PlanSetting in
            let s = try PlanReader(v, "/settings/\(i)")
            let d = try s.value("default")
            let e = try s.value("enum")
            return PlanSetting(name: try s.string("name"), type: try s.string("type"), required: try s.bool("required"),
                               defaultValue: d.isNull ? JSONValue?.none : d, allowed: e.arrayValue)
        }
        let ev = try r.child("events")
        let names = try ev.value("names")
        let events = PlanEvents(types: try ev.strings("types"), names: names.isNull ? nil : try ev.strings("names"), consent: try ev.strings("consent"))
        let ep = try r.child("endpoint")
        let endpoint = PlanEndpoint(method: try ep.string("method"), url: try ep.string("url"), query: try ep.headers("query"), timeoutMs: try ep.int("timeout_ms", NumericRanges.timeoutMs))
        let auth = try Self.decodeAuth(try r.child("auth"))
        let p = try r.child("payload")
        let body: PlanPayload.Body
        if let t = try p.optionalString("template") {
            body = .template(t)
        } else if let m = p.object["mapping"], !m.isNull {
            body = .mapping(m)
        } else {
            body = .canonical
        }
        var partials: [String: String] = [:]
        for (k, v) in try p.child("partials").object {
            guard case .string(let s) = v else { throw PlanDecodingError(pointer: "/payload/partials/\(k)", message: "expected a string") }
            partials[k] = s
        }
        let wrapper = try p.value("wrapper")
        let payload = PlanPayload(format: try p.string("format"), contentType: try p.string("content_type"), body: body,
                                  wrapper: wrapper.isNull ? JSONValue?.none : wrapper, partials: partials,
                                  normalize: p.object["normalize"] == nil ? "none" : try p.string("normalize"),
                                  maxBytes: p.object["max_bytes"] == nil ? nil : try p.int("max_bytes", NumericRanges.payloadMaxBytes))
        let b = try r.child("batching")
        let envelope = try b.value("envelope")
        let batching = PlanBatching(enabled: try b.bool("enabled"), maxEvents: try b.int("max_events", NumericRanges.batchMaxEvents),
                                    maxBytes: try b.int("max_bytes", NumericRanges.planBatchMaxBytes),
                                    maxWaitMs: try b.int("max_wait_ms", NumericRanges.batchMaxWaitMs), format: try b.string("format"), envelope: envelope.isNull ? JSONValue?.none : envelope,
                                    arrays: b.object["arrays"] == nil ? [] : try b.array("arrays").enumerated().map { i, v -> PlanBatchArray in
                                        let a = try PlanReader(v, "/batching/arrays/\(i)")
                                        let types = try a.value("types"), names = try a.value("names"), when = try a.value("when"), mapping = try a.value("mapping")
                                        return PlanBatchArray(name: try a.string("name"), types: types.isNull ? nil : try a.strings("types"),
                                                              names: names.isNull ? nil : try a.strings("names"), when: when.isNull ? nil : when,
                                                              maxEvents: try a.int("max_events", NumericRanges.batchMaxEvents), mapping: mapping.isNull ? nil : mapping)
                                    })
        var signing: PlanSigning?
        if let s = try r.optionalChild("signing") {
            signing = PlanSigning(preset: try s.optionalString("preset"), algorithm: try s.string("algorithm"), secret: try s.string("secret"),
                                  keyEncoding: try s.string("key_encoding"), content: try s.string("content"), encoding: try s.string("encoding"),
                                  header: try s.string("header"), value: try s.string("value"), headers: try s.headers("headers"),
                                  previousSecrets: s.object["previous_secrets"] == nil ? [] : try s.strings("previous_secrets"),
                                  signatureJoiner: s.object["signature_joiner"] == nil ? "" : try s.string("signature_joiner"))
        }
        var rateLimit: PlanRateLimit?
        if let rl = try r.optionalChild("rate_limit") { rateLimit = PlanRateLimit(rps: try rl.double("rps", NumericRanges.rateLimitRPS), burst: try rl.double("burst", NumericRanges.rateLimitBurst)) }
        let response = try Self.decodeResponse(try r.child("response"))
        self.init(name: try r.string("name"), description: try r.optionalString("description"), specDigest: try r.string("spec_digest"),
                  sourceForm: try r.string("source_form"), settings: settings, secrets: try r.strings("secrets"), events: events,
                  endpoint: endpoint, auth: auth, headers: try r.headers("headers"), payload: payload, batching: batching,
                  signing: signing, rateLimit: rateLimit, response: response)
        lookups = try Self.decodeLookups(r)
        if r.object["ordering"] != nil {
            let o = try r.string("ordering")
            guard PlanOrdering.all.contains(o) else { throw r.fail("ordering", "expected one of \(PlanOrdering.all.joined(separator: ", "))") }
            ordering = o
        }
    }

    /// `lookups` (absent in plans written before tables existed: none).
    private static func decodeLookups(_ r: PlanReader) throws -> [PlanLookupTable] {
        guard let value = r.object["lookups"] else { return [] }
        guard case .object(let all) = value else { throw r.fail("lookups", "expected an object of table name -> table") }
        var out: [PlanLookupTable] = []
        for (name, v) in all {
            let t = try PlanReader(v, JSONPointer.appending("/lookups", name))
            guard case .object(let map)? = t.object["map"] else { throw t.fail("map", "expected an object of key -> value") }
            let unmatched = try t.string("unmatched")
            guard ["omit", "default", "passthrough"].contains(unmatched) else { throw t.fail("unmatched", "expected omit, default or passthrough") }
            let d = t.object["default"]
            if unmatched == "default", d == nil { throw t.fail("default", "unmatched default needs a default value") }
            if unmatched != "default", d != nil { throw t.fail("default", "a default is only meaningful with unmatched default") }
            out.append(PlanLookupTable(name: name, map: map, unmatched: unmatched, defaultValue: d))
        }
        return out
    }

    private static func decodeTokenRequest(_ a: PlanReader) throws -> PlanTokenRequest? {
        guard let v = a.object["token_request"], !v.isNull else { return nil }
        let t = try PlanReader(v, JSONPointer.appending(a.pointer, "token_request"))
        let encoding = try t.string("encoding")
        guard encoding == "form" || encoding == "json" else { throw t.fail("encoding", "expected \"form\" or \"json\"") }
        guard case .object(let params) = try t.value("parameters") else { throw t.fail("parameters", "expected an object") }
        var parameters: [PlanHeader] = []
        for (name, value) in params {
            guard case .string(let s) = value else { throw t.fail("parameters", "parameter \"\(name)\" must be a string") }
            parameters.append(PlanHeader(name: name, value: s))
        }
        return PlanTokenRequest(encoding: encoding, grantType: try t.string("grant_type"), parameters: parameters)
    }

    private static func decodeAuth(_ a: PlanReader) throws -> PlanAuth {
        switch try a.string("type") {
        case "none": return .none
        case "bearer": return .bearer(token: try a.string("token"))
        case "basic": return .basic(username: try a.string("username"), password: try a.string("password"))
        case "api_key": return .apiKey(location: try a.string("in"), name: try a.string("name"), value: try a.string("value"), prefix: try a.string("prefix"))
        case "oauth2_client_credentials":
            return .oauth2ClientCredentials(tokenURL: try a.string("token_url"), clientID: try a.string("client_id"), clientSecret: try a.string("client_secret"),
                                            clientAuth: try a.string("client_auth"), scope: try a.optionalString("scope"), audience: try a.optionalString("audience"),
                                            tokenRequest: try decodeTokenRequest(a))
        case "oauth2_refresh_token":
            return .oauth2RefreshToken(tokenURL: try a.string("token_url"), clientID: try a.string("client_id"), clientSecret: try a.optionalString("client_secret"),
                                       clientAuth: try a.string("client_auth"), refreshToken: try a.string("refresh_token"), rotates: try a.bool("rotates"),
                                       scope: try a.optionalString("scope"), tokenRequest: try decodeTokenRequest(a))
        case "service_account":
            return .serviceAccount(key: try a.string("key"), scope: try a.string("scope"), audience: try a.optionalString("audience"),
                                   tokenURL: try a.optionalString("token_url"), lifetimeSeconds: try a.int("lifetime_seconds", NumericRanges.lifetimeSeconds),
                                   subject: a.object["subject"] == nil ? nil : try a.optionalString("subject"))
        case "aws_sigv4":
            return .awsSigV4(accessKeyID: try a.string("access_key_id"), secretAccessKey: try a.string("secret_access_key"),
                             sessionToken: try a.optionalString("session_token"), region: try a.string("region"), service: try a.string("service"),
                             contentSHA256: try a.bool("content_sha256"))
        case "oauth1":
            let method = try a.string("signature_method")
            guard method == "HMAC-SHA1" else { throw a.fail("signature_method", "expected \"HMAC-SHA1\"") }
            return .oauth1(consumerKey: try a.string("consumer_key"), consumerSecret: try a.string("consumer_secret"), token: try a.optionalString("token"),
                           tokenSecret: try a.optionalString("token_secret"), signatureMethod: method)
        case "azure_sas":
            return .azureSAS(keyName: try a.string("key_name"), key: try a.string("key"), resource: try a.string("resource"),
                             expirySeconds: try a.int("expiry_seconds", NumericRanges.sasExpirySeconds))
        case let other:
            throw PlanDecodingError(pointer: "/auth/type", message: "unknown auth type \"\(other)\"")
        }
    }

    private static func decodeResponse(_ r: PlanReader) throws -> PlanResponse {
        func statusRanges(_ values: [JSONValue], _ pointer: String) throws -> [ClosedRange<Int>] {
            try values.map { s -> ClosedRange<Int> in
                switch s {
                case .number(let n): if let c = n.intValue, NumericRanges.status.contains(Double(c)) { return c...c }
                case .string(let text):
                    let parts = text.split(separator: "-")
                    if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a <= b,
                       NumericRanges.status.contains(Double(a)), NumericRanges.status.contains(Double(b)) { return a...b }
                default: break
                }
                throw PlanDecodingError(pointer: pointer, message: "expected a code or \"a-b\" range within \(NumericRanges.status.text)")
            }
        }
        let rules = try r.array("rules").enumerated().map { i, v -> PlanStatusRule in
            let rr = try PlanReader(v, "/response/rules/\(i)")
            let status = try statusRanges(try rr.array("status"), "/response/rules/\(i)/status")
            var match: PlanBodyMatch?
            if rr.object["body_pointer"] != nil || rr.object["body_equals"] != nil {
                let equals = try rr.value("body_equals")
                if case .object = equals { throw rr.fail("body_equals", "expected a string, number, boolean or null") }
                if case .array = equals { throw rr.fail("body_equals", "expected a string, number, boolean or null") }
                match = PlanBodyMatch(pointer: try rr.string("body_pointer"), equals: equals)
            }
            return PlanStatusRule(status: status, bodyContains: try rr.optionalString("body_contains"), outcome: try rr.string("outcome"), origin: try rr.string("origin"),
                                  bodyMatch: match)
        }
        let isolateOn = r.object["isolate_on"] == nil ? [] : try statusRanges(try r.array("isolate_on"), "/response/isolate_on")
        var rateLimitHeaders: PlanRateLimitHeaders?
        if let h = try r.optionalChild("rate_limit_headers") {
            let unit = try h.string("reset_unit")
            guard ["seconds", "epoch_seconds", "epoch_ms"].contains(unit) else { throw h.fail("reset_unit", "expected seconds, epoch_seconds or epoch_ms") }
            rateLimitHeaders = PlanRateLimitHeaders(ietf: try h.bool("ietf"), remaining: try h.optionalString("remaining"), reset: try h.optionalString("reset"),
                                                    resetUnit: unit, maxMs: try h.int("max_ms", NumericRanges.rateLimitHeadersMaxMs))
        }
        let rt = try r.child("retry")
        let ra = try rt.child("retry_after")
        let retry = PlanRetry(maxAttempts: try rt.int("max_attempts", NumericRanges.maxAttempts), initialBackoffMs: try rt.int("initial_backoff_ms", NumericRanges.initialBackoffMs),
                              maxBackoffMs: try rt.int("max_backoff_ms", NumericRanges.maxBackoffMs), multiplier: try rt.double("multiplier", NumericRanges.multiplier),
                              jitter: try rt.string("jitter"), maxElapsedMs: try rt.int("max_elapsed_ms", NumericRanges.maxElapsedMs),
                              honourRetryAfter: try ra.bool("honour"), retryAfterMaxMs: try ra.int("max_ms", NumericRanges.retryAfterMaxMs))
        var partial: PlanPartialFailure?
        if let pf = try r.optionalChild("partial_failure") {
            partial = PlanPartialFailure(errors: try pf.string("errors"), index: try pf.string("index"), message: try pf.optionalString("message"), outcome: try pf.string("outcome"),
                                         array: pf.object["array"] == nil ? nil : try pf.string("array"))
        }
        let idem = try r.optionalChild("idempotency_key").map { try $0.string("header") }
        return PlanResponse(rules: rules, errorMessage: try r.optionalString("error_message"), partialFailure: partial, retry: retry, idempotencyKeyHeader: idem,
                            isolateOn: isolateOn, rateLimitHeaders: rateLimitHeaders)
    }
}
