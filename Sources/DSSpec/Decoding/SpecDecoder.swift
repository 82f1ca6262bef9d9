import DSCore
import DSJSON

/// Stage 2: reads a parsed JSON document into the typed IR, reporting shape problems.
/// It recognises both input forms: the full Delivery Spec and the seed's Custom Webhook.
public struct SpecDecoder {
    /// Top-level keys of the Delivery Spec form.
    public static let topLevelKeys = [
        "dspec", "name", "description", "settings", "secrets", "events", "endpoint", "auth", "headers",
        "payload", "batching", "signing", "rate_limit", "response", "lint", "contract", "lookups", "ordering",
    ]

    /// Creates a decoder.
    public init() {}

    /// Decodes a document. Returns nil only if the root is not an object or the form is
    /// unrecognisable; otherwise returns a (possibly partial) IR with problems reported.
    public func decode(_ root: JSONNode, diagnostics: DiagnosticCollector) -> SpecDocument? {
        guard root.isObject else {
            diagnostics.emit(DecodingRules.wrongType, "a spec must be a JSON object, not \(root.typeName)", span: root.span, pointer: "/")
            return nil
        }
        if root["integration"] != nil || root["config"] != nil {
            return CustomWebhookDecoder().decode(root, diagnostics: diagnostics)
        }
        guard let top = ObjectReader(root, pointer: .documentRoot(), allowed: Self.topLevelKeys, diagnostics: diagnostics, what: "the spec") else { return nil }
        var spec = SpecDocument(form: .deliverySpec, root: root)
        spec.version = Self.readVersion(top, diagnostics: diagnostics)
        top.reportUnknownKeys()
        spec.name = top.string("name", required: true, what: "the spec")
        spec.description = top.string("description")
        spec.settings = readSettings(top)
        spec.secrets = readSecrets(top)
        spec.events = readEvents(top)
        spec.endpoint = readEndpoint(top)
        if let auth = top.object("auth", allowed: []) { spec.auth = AuthDecoder.read(auth) }
        spec.headers = readHeaders(top.raw("headers"), pointer: top.path("headers"), diagnostics: diagnostics)
        spec.payload = PayloadDecoder.readPayload(top)
        spec.batching = PayloadDecoder.readBatching(top)
        spec.signing = SigningDecoder.read(top)
        spec.rateLimit = readRateLimit(top)
        spec.response = ResponseDecoder.read(top)
        spec.suppressions = readSuppressions(top)
        spec.contract = ContractDecoder.readContract(top)
        spec.lookups = LookupDecoder.read(top)
        spec.ordering = top.enumeration("ordering", OrderingMode.self)
        return spec
    }

    static func readVersion(_ top: ObjectReader, diagnostics: DiagnosticCollector) -> Located<Int>? {
        guard let m = top.member("dspec") else {
            diagnostics.emit(DecodingRules.unsupportedVersion, "the spec has no \"dspec\" version field", span: SourceSpan(start: top.node.span.start, end: top.node.span.start + 1), pointer: "/")
            return nil
        }
        guard let n = m.value.numberValue, let v = n.intValue, n.isIntegerLiteral else {
            top.wrongType("dspec", m.value, expected: "the integer 1")
            return nil
        }
        guard v == 1 else {
            diagnostics.emit(DecodingRules.unsupportedVersion, "unsupported format version \(v); this dspec reads version 1", span: m.value.span, pointer: "/dspec")
            return nil
        }
        return Located(v, span: m.value.span, pointer: "/dspec")
    }

    func readSettings(_ top: ObjectReader) -> [SettingDeclaration] {
        guard let block = top.object("settings", allowed: []) else { return [] }
        var out: [SettingDeclaration] = []
        for member in block.node.members {
            let name = Located(member.key, span: member.keySpan, pointer: block.path(member.key))
            guard let r = ObjectReader(member.value, pointer: name.location, allowed: ["type", "required", "default", "enum", "description"], diagnostics: top.diagnostics, what: "setting \"\(member.key)\"") else { continue }
            r.reportUnknownKeys()
            var decl = SettingDeclaration(name: name)
            decl.type = r.enumeration("type", SettingType.self)
            decl.required = r.bool("required")
            if let d = r.raw("default") { decl.defaultValue = Located(d.value, span: d.span, pointer: r.path("default")) }
            if let e = r.array("enum") { decl.allowed = Located(e.elements.map { $0.value }, span: e.node.span, pointer: r.path("enum")) }
            decl.description = r.string("description")
            out.append(decl)
        }
        return out
    }

    func readSecrets(_ top: ObjectReader) -> [SecretDeclaration] {
        guard let m = top.member("secrets") else { return [] }
        var out: [SecretDeclaration] = []
        // Accept both {"name": {...}} and ["name", ...].
        if let elements = m.value.elements {
            let list = top.path("secrets")
            for (i, e) in elements.enumerated() {
                let p = list.appending(i)
                guard let s = e.stringValue else {
                    top.diagnostics.emit(DecodingRules.wrongType, "secret names must be strings, not \(e.typeName)", span: e.span, pointer: p.string)
                    continue
                }
                out.append(SecretDeclaration(name: Located(s, span: e.span, pointer: p)))
            }
            return out
        }
        guard let block = ObjectReader(m.value, pointer: top.path("secrets"), allowed: [], diagnostics: top.diagnostics, what: "\"secrets\"") else { return [] }
        for member in block.node.members {
            let name = Located(member.key, span: member.keySpan, pointer: block.path(member.key))
            guard let r = ObjectReader(member.value, pointer: name.location, allowed: ["description"], diagnostics: top.diagnostics, what: "secret \"\(member.key)\"") else { continue }
            r.reportUnknownKeys()
            out.append(SecretDeclaration(name: name, description: r.string("description")))
        }
        return out
    }

    func readEvents(_ top: ObjectReader) -> EventSelection? {
        guard let r = top.object("events", allowed: ["types", "names", "consent", "schema"]) else { return nil }
        r.reportUnknownKeys()
        var selection = EventSelection()
        if let types = r.stringList("types") {
            let parsed = types.value.compactMap { ObjectReader.enumeration($0, EventType.self, diagnostics: r.diagnostics, field: "event type") }
            selection.types = Located(parsed, span: types.span, at: types.location)
        }
        selection.names = r.stringList("names")
        selection.consent = r.stringList("consent")
        selection.schema = ContractDecoder.readTrackingPlan(r)
        return selection
    }

    func readEndpoint(_ top: ObjectReader) -> Endpoint? {
        guard let r = top.object("endpoint", allowed: ["method", "url", "query", "timeout_ms"], required: true, what: "the spec") else { return nil }
        r.reportUnknownKeys()
        var endpoint = Endpoint(node: r.located)
        endpoint.method = r.enumeration("method", HTTPMethod.self)
        endpoint.url = r.string("url", required: true, what: "\"endpoint\"")
        endpoint.timeoutMs = r.int("timeout_ms", range: NumericRanges.timeoutMs)
        if let q = r.object("query", allowed: []) {
            for member in q.node.members {
                let p = q.path(member.key)
                guard let v = Self.scalarTemplate(member.value) else {
                    q.wrongType(member.key, member.value, expected: "a string, number or boolean")
                    continue
                }
                endpoint.query.append(QueryParameter(name: Located(member.key, span: member.keySpan, pointer: p), value: Located(v, span: member.value.span, pointer: p)))
            }
        }
        return endpoint
    }

    /// Scalars written where a template is expected (`"X-Api-Version": 2`) become their text.
    static func scalarTemplate(_ node: JSONNode) -> String? {
        switch node.kind {
        case .string(let s): return s
        case .number(let n): return n.text
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    func readHeaders(_ node: JSONNode?, pointer: @autoclosure () -> SpecPointer, diagnostics: DiagnosticCollector) -> [HeaderDeclaration] {
        guard let node, let r = ObjectReader(node, pointer: pointer(), allowed: [], diagnostics: diagnostics, what: "\"headers\"") else { return [] }
        var out: [HeaderDeclaration] = []
        for member in r.node.members {
            let p = r.path(member.key)
            guard let v = Self.scalarTemplate(member.value) else {
                r.wrongType(member.key, member.value, expected: "a string")
                continue
            }
            out.append(HeaderDeclaration(name: Located(member.key, span: member.keySpan, pointer: p), value: Located(v, span: member.value.span, pointer: p)))
        }
        return out
    }

    func readRateLimit(_ top: ObjectReader) -> RateLimit? {
        guard let r = top.object("rate_limit", allowed: ["rps", "burst"]) else { return nil }
        r.reportUnknownKeys()
        var limit = RateLimit(node: r.located)
        limit.rps = r.double("rps")
        limit.burst = r.double("burst")
        if limit.rps == nil, !r.has("rps") { r.requireMissing("rps", what: "\"rate_limit\"") }
        return limit
    }

    func readSuppressions(_ top: ObjectReader) -> [Suppression] {
        guard let lint = top.object("lint", allowed: ["suppress"]) else { return [] }
        lint.reportUnknownKeys()
        guard let list = lint.array("suppress") else { return [] }
        var out: [Suppression] = []
        let suppressNode = lint.path("suppress")
        for (i, e) in list.elements.enumerated() {
            guard let r = ObjectReader(e, pointer: suppressNode.appending(i), allowed: ["rule", "pointer", "reason"], diagnostics: top.diagnostics, what: "a suppression") else { continue }
            r.reportUnknownKeys()
            guard let rule = r.string("rule", required: true, what: "a suppression") else { continue }
            out.append(Suppression(rule: rule, pointer: r.string("pointer"), reason: r.string("reason", required: true, what: "a suppression")))
        }
        return out
    }
}
