import DSCore
import DSJSON

/// Reads `payload` and `batching`.
enum PayloadDecoder {
    static func readPayload(_ top: ObjectReader) -> Payload? {
        guard let r = top.object("payload", allowed: ["format", "mapping", "template", "wrapper", "partials", "normalize", "max_bytes"]) else { return nil }
        r.reportUnknownKeys()
        var payload = Payload(node: r.located)
        payload.format = r.enumeration("format", PayloadFormat.self)
        payload.normalize = r.enumeration("normalize", PayloadNormalization.self)
        payload.maxBytes = r.int("max_bytes", range: NumericRanges.payloadMaxBytes)
        if let m = r.raw("mapping") {
            if case .object = m.kind {
                payload.mapping = m
            } else {
                r.wrongType("mapping", m, expected: "an object")
            }
        }
        payload.template = r.string("template")
        if let w = r.raw("wrapper") {
            if w.isObject { payload.wrapper = w } else { r.wrongType("wrapper", w, expected: "an object") }
        }
        if let partials = r.object("partials", allowed: []) {
            for member in partials.node.members {
                let p = partials.path(member.key)
                guard let s = member.value.stringValue else {
                    partials.wrongType(member.key, member.value, expected: "a template string")
                    continue
                }
                payload.partials.append((Located(member.key, span: member.keySpan, pointer: p), Located(s, span: member.value.span, pointer: p)))
            }
        }
        if r.has("mapping"), let template = r.member("template") {
            r.diagnostics.emit(DecodingRules.conflictingFields, "\"payload\" has both \"mapping\" and \"template\"; use one", span: template.keySpan, pointer: r.path("template").string)
        }
        return payload
    }

    static func readBatching(_ top: ObjectReader) -> Batching? {
        guard let r = top.object("batching", allowed: ["enabled", "max_events", "max_bytes", "max_wait_ms", "format", "envelope", "arrays"]) else { return nil }
        r.reportUnknownKeys()
        var b = Batching(node: r.located)
        b.enabled = r.bool("enabled")
        b.maxEvents = r.int("max_events", min: 0, max: NumericRanges.batchMaxEvents.maxInt)  // 0 is DS0403's to report
        b.maxBytes = r.int("max_bytes", min: 0, max: NumericRanges.batchMaxBytes.maxInt)  // too small is DS0401's to report
        b.maxWaitMs = r.int("max_wait_ms", range: NumericRanges.batchMaxWaitMs)
        b.format = r.enumeration("format", BatchFormat.self)
        if let e = r.raw("envelope") {
            if e.isObject { b.envelope = e } else { r.wrongType("envelope", e, expected: "an object") }
        }
        if let arrays = r.object("arrays", allowed: []) {
            b.arraysNode = arrays.located
            for member in arrays.node.members {
                guard let a = ObjectReader(member.value, pointer: arrays.path(member.key), allowed: ["types", "names", "when", "max_events", "mapping"],
                                           diagnostics: r.diagnostics, what: "a batch array") else { continue }
                a.reportUnknownKeys()
                var array = BatchArray(name: Located(member.key, span: member.keySpan, pointer: arrays.path(member.key)), node: a.located)
                if let types = a.stringList("types") {
                    let parsed = types.value.compactMap { ObjectReader.enumeration($0, EventType.self, diagnostics: a.diagnostics, field: "event type") }
                    array.types = Located(parsed, span: types.span, at: types.location)
                }
                array.names = a.stringList("names")
                if let w = a.raw("when") {
                    if w.isObject || w.elements != nil { array.when = w } else { a.wrongType("when", w, expected: "a condition object or an array of them") }
                }
                array.maxEvents = a.int("max_events", range: NumericRanges.batchMaxEvents)
                if let m = a.raw("mapping") {
                    if m.isObject { array.mapping = m } else { a.wrongType("mapping", m, expected: "an object") }
                }
                b.arrays.append(array)
            }
        }
        return b
    }
}

/// Reads `signing`.
enum SigningDecoder {
    static let keys = ["preset", "algorithm", "secret", "key_encoding", "content", "encoding", "header", "value", "headers",
                       "previous_secrets", "signature_joiner"]

    static func read(_ top: ObjectReader) -> Signing? {
        guard let r = top.object("signing", allowed: keys) else { return nil }
        r.reportUnknownKeys()
        var s = Signing(node: r.located)
        s.preset = r.enumeration("preset", SigningPreset.self)
        s.algorithm = r.enumeration("algorithm", SigningAlgorithm.self)
        s.secret = r.string("secret")
        s.keyEncoding = r.enumeration("key_encoding", SigningKeyEncoding.self)
        s.content = r.string("content")
        s.encoding = r.enumeration("encoding", SignatureEncoding.self)
        s.header = r.string("header")
        s.value = r.string("value")
        if let h = r.raw("headers") {
            s.extraHeaders = SpecDecoder().readHeaders(h, pointer: r.path("headers"), diagnostics: r.diagnostics)
        }
        if let list = r.array("previous_secrets") {
            s.previousSecretsNode = Located((), span: list.node.span, pointer: r.path("previous_secrets"))
            let listNode = r.path("previous_secrets")
            for (i, e) in list.elements.enumerated() {
                if let text = e.stringValue {
                    s.previousSecrets.append(Located(text, span: e.span, pointer: listNode.appending(i)))
                } else {
                    r.wrongType("previous_secrets", e, expected: "an array of secret templates")
                }
            }
        }
        s.signatureJoiner = r.string("signature_joiner")
        return s
    }
}

/// Reads `response`.
enum ResponseDecoder {
    static func read(_ top: ObjectReader) -> ResponseHandling? {
        guard let r = top.object("response", allowed: ["rules", "defaults", "error_message", "partial_failure", "retry", "idempotency_key",
                                                                 "isolate_on", "rate_limit_headers"]) else { return nil }
        r.reportUnknownKeys()
        var h = ResponseHandling(node: r.located)
        h.includeDefaults = r.bool("defaults")
        h.errorMessage = r.string("error_message")
        if let rules = r.array("rules") {
            let rulesNode = r.path("rules")
            for (i, e) in rules.elements.enumerated() {
                guard let rr = ObjectReader(e, pointer: rulesNode.appending(i), allowed: ["status", "body_contains", "body_pointer", "body_equals", "outcome"], diagnostics: r.diagnostics, what: "a response rule") else { continue }
                rr.reportUnknownKeys()
                var rule = StatusRule(node: rr.located)
                if let status = rr.raw("status") {
                    rule.status = statusPatterns(status, pointer: rr.path("status"), diagnostics: r.diagnostics)
                } else {
                    rr.requireMissing("status", what: "a response rule")
                }
                rule.bodyContains = rr.string("body_contains")
                rule.bodyPointer = rr.string("body_pointer")
                if let m = rr.member("body_equals") {
                    switch m.value.kind {
                    case .object, .array: rr.wrongType("body_equals", m.value, expected: "a string, number, boolean or null")
                    default: rule.bodyEquals = Located(m.value.value, span: m.value.span, pointer: rr.path("body_equals"))
                    }
                }
                rule.outcome = rr.enumeration("outcome", ResponseOutcome.self, required: true, what: "a response rule")
                h.rules.append(rule)
            }
        }
        if let p = r.object("partial_failure", allowed: ["errors", "index", "message", "outcome", "array"]) {
            p.reportUnknownKeys()
            h.partialFailure = PartialFailure(node: p.located, errors: p.string("errors", required: true, what: "\"partial_failure\""),
                                              index: p.string("index", required: true, what: "\"partial_failure\""), message: p.string("message"),
                                              outcome: p.enumeration("outcome", ResponseOutcome.self), array: p.string("array"))
        }
        if let rt = r.object("retry", allowed: ["max_attempts", "initial_backoff_ms", "max_backoff_ms", "multiplier", "jitter", "max_elapsed_ms", "retry_after"]) {
            rt.reportUnknownKeys()
            var policy = RetryPolicy(node: rt.located)
            policy.maxAttempts = rt.int("max_attempts", range: NumericRanges.maxAttempts)
            policy.initialBackoffMs = rt.int("initial_backoff_ms", range: NumericRanges.initialBackoffMs)
            policy.maxBackoffMs = rt.int("max_backoff_ms", range: NumericRanges.maxBackoffMs)
            policy.multiplier = rt.double("multiplier")
            policy.jitter = rt.enumeration("jitter", JitterKind.self)
            policy.maxElapsedMs = rt.int("max_elapsed_ms", range: NumericRanges.maxElapsedMs)
            if let ra = rt.object("retry_after", allowed: ["honour", "max_ms"]) {
                ra.reportUnknownKeys()
                policy.honourRetryAfter = ra.bool("honour")
                policy.retryAfterMaxMs = ra.int("max_ms", range: NumericRanges.retryAfterMaxMs)
            }
            h.retry = policy
        }
        if let iso = r.raw("isolate_on") {
            let patterns = statusPatterns(iso, pointer: r.path("isolate_on"), diagnostics: r.diagnostics)
            h.isolateOn = Located(patterns, span: iso.span, pointer: r.path("isolate_on"))
        }
        if let rl = r.object("rate_limit_headers", allowed: ["ietf", "remaining", "reset", "reset_unit", "max_ms"]) {
            rl.reportUnknownKeys()
            h.rateLimitHeaders = RateLimitHeaders(node: rl.located, ietf: rl.bool("ietf"), remaining: rl.string("remaining"), reset: rl.string("reset"),
                                                  resetUnit: rl.enumeration("reset_unit", RateLimitResetUnit.self),
                                                  maxMs: rl.int("max_ms", range: NumericRanges.rateLimitHeadersMaxMs))
        }
        if let ik = r.object("idempotency_key", allowed: ["header"]) {
            ik.reportUnknownKeys()
            h.idempotencyKey = IdempotencyKey(node: ik.located, header: ik.string("header", required: true, what: "\"idempotency_key\""))
        }
        return h
    }

    /// A status pattern or an array of them (`404`, `"4xx"`, `"500-504"`), each reported
    /// when invalid.
    static func statusPatterns(_ status: JSONNode, pointer: SpecPointer, diagnostics: DiagnosticCollector) -> [Located<StatusPattern>] {
        let items: [(JSONNode, SpecPointer)]
        if let elements = status.elements {
            let parent = pointer
            items = elements.enumerated().map { ($0.element, parent.appending($0.offset)) }
        } else {
            items = [(status, pointer)]
        }
        var out: [Located<StatusPattern>] = []
        for (node, pointer) in items {
            if let pattern = StatusPattern.parse(node.value) {
                out.append(Located(pattern, span: node.span, pointer: pointer))
            } else {
                diagnostics.emit(DecodingRules.invalidValue, "invalid status pattern \(JSONWriter.string(node.value)); use a code (404), a class (\"4xx\") or a range (\"500-504\") within 100-599", span: node.span, pointer: pointer.string)
            }
        }
        return out
    }
}
