import DSJSON
import DSMapping
import DSPlan
import DSTemplate

/// One event's payload, encoded as it appears in a request body, ready to be sent alone or
/// grouped into a batch (``BatchGrouper``).
public struct EncodedPayload: Sendable {
    /// The event's `event_id` (empty if it has none).
    public var eventID: String
    /// The event itself: the root for URL and header templates of the request carrying it.
    /// A payload built from an ``EventLine`` holds the line and parses it only when asked.
    public var event: JSONValue {
        get {
            // The line was validated when scanned, so the parse cannot fail.
            if let line { return (try? line.materialize()) ?? .null }
            return rest?.event ?? .null
        }
        set {
            line = nil
            rest = Rest(event: newValue, value: rest?.value, parts: rest?.parts ?? [])
        }
    }
    /// The payload as a value, when the batch format needs one (a `json_object` envelope) or
    /// it was computed anyway (mappings, canonical); nil for a template payload sent as bytes.
    public var value: JSONValue? {
        get { rest?.value }
        set { rest = Rest(event: rest?.event ?? .null, value: newValue, parts: rest?.parts ?? []) }
    }
    /// The payload's encoding in the body format: compact JSON (mapping key order kept) or
    /// the form encoding.
    public var bytes: [UInt8]
    /// A number the caller attaches and batching carries through untouched, to match
    /// batches and rejections back to its own records (``RequestRenderer/renderAll(_:environment:accessToken:)``
    /// uses the event's input position).
    public var tag: Int
    /// With `batching.arrays`: the event's element in each array it is routed to (then
    /// `bytes` holds the elements' compact JSON, comma-separated, for size accounting).
    public var parts: [BatchArrayPart] {
        get { rest?.parts ?? [] }
        set { rest = Rest(event: rest?.event ?? .null, value: rest?.value, parts: newValue) }
    }
    /// The event as its line (then ``event`` parses it when read), or nil.
    private var line: EventLine?
    /// The event tree, the value and the parts, when the payload has any of them: nil for a
    /// payload written from its line, which then holds only its id, line, bytes and tag (a
    /// hundred of them wait in each open batch; copying and destroying them is per event).
    private var rest: Rest?

    /// Immutable: a setter above replaces it, so copies of a payload never share a change.
    private final class Rest: Sendable {
        let event: JSONValue
        let value: JSONValue?
        let parts: [BatchArrayPart]
        init(event: JSONValue, value: JSONValue?, parts: [BatchArrayPart]) {
            self.event = event
            self.value = value
            self.parts = parts
        }
    }

    /// Creates an encoded payload.
    public init(eventID: String, event: JSONValue, value: JSONValue?, bytes: [UInt8], tag: Int = 0) {
        self.eventID = eventID
        self.line = nil
        self.rest = Rest(event: event, value: value, parts: [])
        self.bytes = bytes
        self.tag = tag
    }

    /// A payload of an event held as its line (``event`` parses it on demand).
    public init(eventID: String, line: EventLine, bytes: [UInt8], tag: Int = 0) {
        self.eventID = eventID
        self.line = line
        self.rest = nil
        self.bytes = bytes
        self.tag = tag
    }
}

/// Builds payloads from events: the plan's body source (mapping, `.json` template or the
/// canonical event), then the event wrapper, then the body encoding (JSON or form).
final class PayloadBuilder: Sendable {
    enum Source: Sendable {
        case mapping(CompiledMapping)
        case template(CompiledTemplate)
        case canonical
    }

    let source: Source
    /// The mapping written straight from event bytes, when the whole payload is that
    /// mapping's compact JSON (no wrapper, no form, no normalization, no value needed).
    let direct: DirectMapping?
    let wrapper: CompiledMapping?
    let isForm: Bool
    /// True if payloads must carry `value` (a json_object envelope embeds them as values).
    let needsValue: Bool
    /// True if the encoded JSON is rewritten to `JSON.stringify(JSON.parse(bytes))` form.
    let normalizesForJavaScript: Bool
    /// With `normalizesForJavaScript`, a template body sent as it renders: the template
    /// without the whitespace `JSON.parse` ignores (``CompactJSONTemplate``), whose output the
    /// normalization usually only has to scan. Nil when the template cannot be compacted.
    let compactTemplate: CompiledTemplate?
    /// `compactTemplate`'s proof that a render whose holes all wrote normal values is
    /// normalized already (``CompiledTemplate/javaScriptFormSkeleton``): such a body is not
    /// scanned again. Nil when it cannot prove it.
    let compactSkeleton: JavaScriptFormSkeleton?

    /// - Parameter compacting: false keeps the original template only (the general path, for
    ///   tests that compare it with ``compactTemplate``'s).
    init(_ payload: PlanPayload, needsValue: Bool, configuration: ResolvedConfiguration, compacting: Bool = true) throws(RenderError) {
        switch payload.format {
        case "json", "canonical": isForm = false
        case "form": isForm = true
        default: throw RenderError(.plan, "payload: unknown format \"\(payload.format)\" (expected json, form or canonical)")
        }
        normalizesForJavaScript = try Self.normalization(payload)
        switch payload.body {
        case .mapping(let spec):
            source = .mapping(try Self.compileMapping(spec, "payload mapping", configuration))
            compactTemplate = nil
        case .template(let text):
            if isForm { throw RenderError(.plan, "payload: format form is built from a mapping; a JSON template cannot be form-encoded") }
            let template: CompiledTemplate
            do {
                template = try CompiledTemplate.compile(text, mode: .json, partials: payload.partials)
            } catch {
                throw RenderError(.plan, "payload template: does not compile: \(configuration.scrub(error.message))")
            }
            try configuration.checkLookupTables(template.lookupTables.map(\.name), site: "payload template")
            source = .template(template)
            if compacting && normalizesForJavaScript && payload.wrapper == nil && !needsValue, let compact = CompactJSONTemplate.compact(text),
               let t = try? CompiledTemplate.compile(compact, mode: .json, partials: payload.partials),
               t.references.map(\.segments) == template.references.map(\.segments),
               t.references.map(\.isData) == template.references.map(\.isData), t.helpersUsed == template.helpersUsed {
                compactTemplate = t
            } else {
                compactTemplate = nil
            }
        case .canonical:
            source = .canonical
            compactTemplate = nil
        }
        compactSkeleton = compacting ? compactTemplate?.javaScriptFormSkeleton : nil
        wrapper = try payload.wrapper.map { spec throws(RenderError) in try Self.compileMapping(spec, "payload wrapper", configuration) }
        self.needsValue = needsValue
        if case .mapping(let m) = source, wrapper == nil, !isForm, !normalizesForJavaScript, !needsValue {
            direct = m.direct
        } else {
            direct = nil
        }
    }

    /// Whether `payload.normalize` asks for the JavaScript form; only JSON bodies have one.
    static func normalization(_ payload: PlanPayload) throws(RenderError) -> Bool {
        switch payload.normalize {
        case "none": return false
        case "javascript":
            if payload.format == "form" { throw RenderError(.plan, "payload: normalize javascript applies to JSON bodies, not to format form") }
            return true
        default: throw RenderError(.plan, "payload: unknown normalize \"\(payload.normalize)\" (expected none or javascript)")
        }
    }

    /// `JSON.stringify(JSON.parse(bytes))`, or a payload error naming the position.
    static func javaScriptForm(_ bytes: [UInt8], _ site: String) throws(RenderError) -> [UInt8] {
        do {
            return try JavaScriptJSON.normalize(bytes)
        } catch {
            throw RenderError(.payload, "\(site): the body is not JSON that JSON.parse accepts (\(error.description))")
        }
    }

    static func compileMapping(_ spec: JSONValue, _ site: String, _ configuration: ResolvedConfiguration) throws(RenderError) -> CompiledMapping {
        let mapping: CompiledMapping
        do {
            mapping = try CompiledMapping.compile(spec)
        } catch {
            throw RenderError(.plan, "\(site): does not compile: \(configuration.scrub(String(describing: error)))")
        }
        try configuration.checkLookupTables(mapping.lookupTables.map(\.name), site: site)
        return mapping
    }

    static func evaluate(_ mapping: CompiledMapping, _ site: String, root: JSONValue, data: [String: JSONValue],
                         configuration: ResolvedConfiguration) throws(RenderError) -> JSONValue {
        do {
            return try mapping.evaluate(root, data: data)
        } catch {
            throw RenderError(.render, "\(site): \(configuration.scrub(String(describing: error)))")
        }
    }

    /// Builds the payload of `event`.
    /// - Parameter data: the data variables, when they differ from the configuration's (a
    ///   body rebuilt with the real `@sent_at`).
    func build(_ event: JSONValue, configuration: ResolvedConfiguration, sizeHint: Int = 256,
               data override: [String: JSONValue]? = nil) throws(RenderError) -> EncodedPayload {
        let eventID = event.stringMember("event_id") ?? ""
        let (value, bytes) = try encode(event, configuration: configuration, sizeHint: sizeHint, data: override)
        return EncodedPayload(eventID: eventID, event: event, value: value, bytes: bytes)
    }

    /// The payload of `event` as a value (when computed, see ``EncodedPayload/value``) and as body bytes.
    func encode(_ event: JSONValue, configuration: ResolvedConfiguration, sizeHint: Int = 256,
                data override: [String: JSONValue]? = nil) throws(RenderError) -> (value: JSONValue?, bytes: [UInt8]) {
        // Two calls rather than `override ?? configuration.data`, which makes an owned copy
        // of the dictionary (a retain and a release on every request).
        if let override { return try encode(event, configuration: configuration, sizeHint: sizeHint, using: override) }
        return try encode(event, configuration: configuration, sizeHint: sizeHint, using: configuration.data)
    }

    private func encode(_ event: JSONValue, configuration: ResolvedConfiguration, sizeHint: Int,
                        using data: [String: JSONValue]) throws(RenderError) -> (value: JSONValue?, bytes: [UInt8]) {
        var value: JSONValue?
        var bytes: [UInt8] = []
        if compactTemplate != nil {
            // The same body as the general path below (see CompactJSONTemplate); any error is
            // left to it, which reports it as the original template gives it. The body is
            // appended to an empty array: one allocation of its own size.
            // Optional chaining reads the skeleton in place (binding it with `if let` copies
            // it: a retain and a release per request), and the skeleton renders the compact
            // template by itself, through plain pointers: no reference count is touched.
            if compactSkeleton != nil {
                if let proven = try? compactSkeleton?.render(event, data: data, into: &bytes) {
                    // Proven already normalized: `JavaScriptJSON.normalize` would return it as is.
                    if proven { return (nil, bytes) }
                    if let normal = try? JavaScriptJSON.normalize(bytes) { return (nil, normal) }
                }
            } else if (try? compactTemplate?.render(event, data: data, into: &bytes)) != nil,
                      let normal = try? JavaScriptJSON.normalize(bytes) {
                return (nil, normal)
            }
            bytes.removeAll(keepingCapacity: true)
        }
        switch source {
        case .template(let template):
            bytes.reserveCapacity(sizeHint)
            do {
                try template.render(event, data: data, into: &bytes)
            } catch {
                throw RenderError(.render, "payload template: \(configuration.scrub(error.message))")
            }
            if wrapper == nil && !needsValue {
                if normalizesForJavaScript { bytes = try Self.javaScriptForm(bytes, "payload template") }
                return (nil, bytes)
            }
            do {
                value = try JSONParser().parseValue(bytes)
            } catch {
                throw RenderError(.payload, "payload template: the rendered payload is not valid JSON (\(error.message) at byte \(error.offset))")
            }
        case .mapping(let mapping):
            value = try Self.evaluate(mapping, "payload mapping", root: event, data: data, configuration: configuration)
        case .canonical:
            value = event
        }
        if let wrapper {
            var wrapperData = data
            wrapperData["payload"] = value
            value = try Self.evaluate(wrapper, "payload wrapper", root: event, data: wrapperData, configuration: configuration)
        }
        bytes.removeAll(keepingCapacity: true)
        if isForm {
            do {
                try FormBodyEncoder.encode(value!, into: &bytes)
            } catch {
                throw RenderError(.payload, "payload: \(error.description)")
            }
        } else {
            JSONWriter.write(value!, style: .compact, into: &bytes)
            if normalizesForJavaScript { bytes = try Self.javaScriptForm(bytes, "payload") }
        }
        return (value, bytes)
    }
}
