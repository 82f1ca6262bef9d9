import DSCrypto
import DSJSON
import DSPlan
import DSTemplate

/// A value that must not appear in shared fixtures: a secret, or a credential derived from
/// one (the Basic-auth base64, a rendered bearer token or API key).
public struct RedactableCredential: Sendable, Equatable {
    /// The name shown in its place: `<redacted:NAME>`.
    public var name: String
    /// The value as it would appear in a request.
    public var value: String
}

/// Executes a plan on events: the one implementation of "what goes on the wire", shared by
/// the runtime and by fixtures. Pure and deterministic: no I/O, and the clock and request
/// ids come from the ``RenderEnvironment`` passed in.
///
/// Everything is compiled once here (templates, mappings, header and auth values, the
/// signing key; templates that do not read the event are pre-rendered), so rendering a
/// request is a payload render, an HMAC and a few buffer copies. Immutable and `Sendable`:
/// one renderer serves every thread.
///
/// Requests are built as: URL from the `.url` template, then the plan's query parameters
/// (RFC 3986-encoded), then an `api_key` in the query; headers in order: the plan's headers
/// (`Content-Type` and `User-Agent` included), the auth header, the signing headers. URL
/// and header templates of a batched request see the batch's first event.
public final class RequestRenderer: Sendable {
    /// The plan being executed.
    public let plan: DeliveryPlan
    /// The plan's event selection.
    public let selector: EventSelector
    let configuration: ResolvedConfiguration
    private let method: String
    private let bodyless: Bool
    private let urlBuilder: URLBuilder
    private let headers: [SiteTemplate]
    private let headerNames: [String]
    private let constantHeaders: [HTTPHeaderField]?
    private let auth: AuthHeader
    private let payloads: PayloadBuilder
    private let batchEncoder: BatchBodyEncoder?
    /// `batching.arrays`: routes events into the envelope's named arrays.
    private let router: BatchArrayRouter?
    private let signer: RequestSigner?
    private let authSigning: AuthSigning?
    /// Where the plan reads `@sent_at` (``SendTime``): the body is then rebuilt per attempt.
    private let sendTimeUse: (body: Bool, any: Bool)
    /// `payload.max_bytes` and `response.idempotency_key_header`, read per request (copied out
    /// of the plan once: reading them through `plan` copies the enclosing structs).
    private let maxPayloadBytes: Int?
    private let idempotencyKeyHeader: String?
    /// Headers added after the plan's and the auth header (OAuth, idempotency key, signing), at
    /// most; less the signature header when ``signsIntoFinalHeader``.
    private let extraHeaderCount: Int
    /// The plan signs with one header and nothing follows it (no auth signing): the request
    /// holds that header as its final one (``RenderedRequest/headerParts``), so a request with
    /// constant headers and no other added header allocates no header list.
    private let signsIntoFinalHeader: Bool
    /// The signing string may read `@path` (the URL's path is then made per request).
    private let signerReadsPath: Bool
    /// Values to hide with `--redact`, longest first.
    public let credentials: [RedactableCredential]
    /// False when no part of a request reads its (first) event: a constant URL, constant
    /// headers, no signing. A batch from event lines then never parses its first event.
    private let requestReadsEvent: Bool

    /// Compiles `plan` with `configuration`. Fails if a required setting or a referenced
    /// secret is missing (the error names it), or if part of the plan cannot be executed.
    public init(plan: DeliveryPlan, configuration: RenderConfiguration) throws(RenderError) {
        self.plan = plan
        selector = EventSelector(plan.events)
        let endpointOverride = configuration.endpointOverride
        let configuration = try ResolvedConfiguration(plan: plan, configuration: configuration, referencedSecrets: Self.referencedSecrets(plan))
        self.configuration = configuration
        let data = configuration.data
        method = plan.endpoint.method
        // GET/HEAD never carry a body; DELETE only when the spec declared one.
        bodyless = ["GET", "HEAD"].contains(method) || (method == "DELETE" && plan.payload.body == .canonical)
        auth = try AuthHeader(plan.auth, data: data, configuration: configuration)
        urlBuilder = try URLBuilder(plan.endpoint, auth: plan.auth, data: data, configuration: configuration, endpointOverride: endpointOverride)
        var compiled: [SiteTemplate] = []
        for h in plan.headers {
            compiled.append(try SiteTemplate(h.value, mode: .header, site: "header \"\(h.name)\"", isHeader: true, data: data, configuration: configuration))
        }
        headers = compiled
        headerNames = plan.headers.map(\.name)
        // The usual case: every plan header and the auth header are the same for every
        // request, so the list is built once and only signing headers are added per request.
        if compiled.allSatisfy(\.isConstant) && (!auth.rendersHeader || auth.constantField != nil) {
            var fixed = zip(headerNames, compiled).map { HTTPHeaderField(name: $0, value: $1.constantText!) }
            if let authField = auth.constantField { fixed.append(authField) }
            constantHeaders = fixed
        } else {
            constantHeaders = nil
        }
        let batching = plan.batching
        batchEncoder = batching.enabled
            ? try BatchBodyEncoder(batching, configuration: configuration, normalizesForJavaScript: try PayloadBuilder.normalization(plan.payload)) : nil
        if batching.enabled && plan.payload.format == "form" {
            throw RenderError(.plan, "batching: form bodies cannot be batched (there is no form encoding of a list of payloads)")
        }
        payloads = try PayloadBuilder(plan.payload, needsValue: batchEncoder?.format == .jsonObject, configuration: configuration)
        if batching.enabled, !batching.arrays.isEmpty {
            guard batchEncoder?.format == .jsonObject else { throw RenderError(.plan, "batching: arrays need format json_object") }
            router = try BatchArrayRouter(batching.arrays, configuration: configuration)
        } else {
            router = nil
        }
        sendTimeUse = SendTime.uses(plan)
        signer = try plan.signing.map { signing throws(RenderError) in try RequestSigner(signing, configuration: configuration) }
        authSigning = try AuthSigning(plan.auth, data: data, configuration: configuration)
        signsIntoFinalHeader = signer?.signsOneHeader == true && authSigning == nil
        extraHeaderCount = (auth.isOAuth ? 1 : 0) + (plan.response.idempotencyKeyHeader == nil ? 0 : 1)
            + (signsIntoFinalHeader ? 0 : signer?.headerCount ?? 0) + (authSigning == nil ? 0 : 4)
        requestReadsEvent = !(urlBuilder.isConstant && constantHeaders != nil && signer == nil && authSigning == nil)
        signerReadsPath = signer?.readsPath ?? false
        maxPayloadBytes = plan.payload.maxBytes
        idempotencyKeyHeader = plan.response.idempotencyKeyHeader
        var credentials = configuration.secretValues.map { RedactableCredential(name: $0.name, value: $0.value) }
        credentials += auth.derivedCredentials
        credentials += urlBuilder.derivedCredentials
        self.credentials = credentials.sorted { $0.value.utf8.count > $1.value.utf8.count }
    }

    /// Secret names referenced by the parts of the plan a renderer executes.
    static func referencedSecrets(_ plan: DeliveryPlan) -> [String] {
        var sources = [plan.endpoint.url] + plan.endpoint.query.map(\.value) + plan.headers.map(\.value)
        switch plan.auth {
        case .bearer(let token): sources.append(token)
        case .basic(let user, let password): sources += [user, password]
        case .apiKey(_, _, let value, _): sources.append(value)
        case .awsSigV4(let keyID, let secret, let session, let region, _, _): sources += [keyID, secret, region] + [session].compactMap { $0 }
        case .oauth1(let key, let secret, let token, let tokenSecret, _): sources += [key, secret] + [token, tokenSecret].compactMap { $0 }
        case .azureSAS(let keyName, let key, let resource, _): sources += [keyName, key, resource]
        default: break
        }
        if let s = plan.signing { sources += [s.secret, s.content, s.value] + s.headers.map(\.value) + s.previousSecrets }
        var mappings: [JSONValue] = []
        switch plan.payload.body {
        case .mapping(let m): mappings.append(m)
        case .template(let t): sources.append(t); sources += plan.payload.partials.values
        case .canonical: break
        }
        if let w = plan.payload.wrapper { mappings.append(w) }
        if plan.batching.enabled, let e = plan.batching.envelope { mappings.append(e) }
        var names = sources.flatMap(SecretReferenceScanner.names(inTemplate:)) + mappings.flatMap(SecretReferenceScanner.names(inMapping:))
        var seen = Set<String>()
        names = names.filter { seen.insert($0).inserted }
        return names.sorted()
    }

    /// Whether the plan delivers `event` (see ``EventSelector``).
    public func select(_ event: JSONValue) -> EventSelection {
        let selection = selector.select(event)
        guard selection == .selected, let router else { return selection }
        // An event no batch array takes has no place in the request. A condition that fails
        // to evaluate is left to payload(for:), which reports the error for that event.
        if let routes = try? router.routes(event, configuration: configuration), routes.isEmpty {
            return .filtered(reason: "no batching.arrays entry selects it (arrays: \(router.arrays.map(\.name).joined(separator: ", ")))")
        }
        return selection
    }

    /// The payload of one event, for batching.
    public func payload(for event: JSONValue) throws(RenderError) -> EncodedPayload {
        try checkedPayload(event)
    }

    /// True when ``payload(for:eventID:tag:)`` can build payloads straight from event lines
    /// (a plain mapping, see `DirectMapping`): the input can then skip building event trees.
    public var buildsPayloadsFromLines: Bool { router == nil && !sendTimeUse.body && payloads.direct != nil }

    /// The payload of one event held as its line, written straight from its bytes; nil when
    /// this plan or this event needs the general path (``payload(for:)`` on the parsed
    /// event). The bytes are those ``payload(for:)`` gives, byte for byte.
    public func payload(for line: EventLine, eventID: String, tag: Int) throws(RenderError) -> EncodedPayload? {
        // Optional chaining reads the mapping in place (a binding would copy it: a retain per array).
        guard router == nil, let bytes = payloads.direct?.bytes(line) else { return nil }
        try checkPayloadSize(bytes.count)
        return EncodedPayload(eventID: eventID, line: line, bytes: bytes, tag: tag)
    }

    /// One event's payload, refused when it exceeds `payload.max_bytes` (the per-event limit:
    /// that event is dead-lettered with the reason, the others go on).
    /// - Parameter data: the data variables, when they differ from the configuration's (a
    ///   body rebuilt with the real `@sent_at`).
    private func checkedPayload(_ event: JSONValue, data: [String: JSONValue]? = nil) throws(RenderError) -> EncodedPayload {
        var payload: EncodedPayload
        if let router {
            let builder = payloads, configuration = self.configuration
            let parts = try router.parts(event, configuration: configuration, data: data ?? configuration.data) { () throws(RenderError) -> JSONValue in
                try builder.build(event, configuration: configuration, sizeHint: 512, data: data).value ?? .null
            }
            guard !parts.isEmpty else { throw RenderError(.render, "no batching.arrays entry selects the event") }
            var bytes: [UInt8] = []
            for (i, part) in parts.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONWriter.write(part.value, style: .compact, into: &bytes)
            }
            payload = EncodedPayload(eventID: event["event_id"]?.stringValue ?? "", event: event, value: nil, bytes: bytes)
            payload.parts = parts
        } else {
            payload = try payloads.build(event, configuration: configuration, sizeHint: 512, data: data)
        }
        try checkPayloadSize(payload.bytes.count)
        return payload
    }

    /// Refuses a payload larger than `payload.max_bytes`.
    @inline(__always)
    private func checkPayloadSize(_ count: Int) throws(RenderError) {
        if let limit = maxPayloadBytes, count > limit {
            throw RenderError(.tooLarge, "the event's encoded payload is \(count) bytes, more than payload.max_bytes (\(limit)) allows")
        }
    }

    /// A grouper with the plan's batch limits, or nil when the plan sends one event per
    /// request.
    public func makeBatchGrouper() -> BatchGrouper? {
        guard let batchEncoder else { return nil }
        return BatchGrouper(maxEvents: plan.batching.maxEvents, maxBytes: plan.batching.maxBytes, encoder: batchEncoder)
    }

    /// Renders the request for one event (a batch of one when the plan batches). Selection
    /// is not applied here; see ``select(_:)`` and ``renderAll(_:environment:accessToken:)``.
    ///
    /// - Parameter accessToken: the current OAuth access token; required for OAuth plans.
    public func render(_ event: JSONValue, environment: some RenderEnvironment, accessToken: String? = nil) throws(RenderError) -> RenderedRequest {
        if bodyless {
            let id = event.stringMember("event_id") ?? ""
            return try finish(body: [], first: event, eventIDs: .single(id), environment: environment, accessToken: accessToken)
        }
        if sendTimeUse.body { return try finish(rebuilding: [event], environment: environment, accessToken: accessToken) }
        if router == nil && batchEncoder == nil {
            // One event, one body: the payload's bytes only (no EncodedPayload to build and copy).
            let body = try payloads.encode(event, configuration: configuration, sizeHint: 512).bytes
            try checkPayloadSize(body.count)
            return try finish(body: body, first: event, eventIDs: .single(event.stringMember("event_id") ?? ""), environment: environment,
                              accessToken: accessToken)
        }
        let payload = try checkedPayload(event)
        if let batchEncoder {
            let body = try batchEncoder.encode([payload][...])
            if plan.batching.maxBytes > 0 && body.count > plan.batching.maxBytes {
                throw RenderError(.tooLarge, "the event's encoded body is \(body.count) bytes, more than batching.max_bytes (\(plan.batching.maxBytes)) allows even alone")
            }
            return try finish(body: body, first: event, eventIDs: .single(payload.eventID), environment: environment, accessToken: accessToken)
        }
        return try finish(body: payload.bytes, first: event, eventIDs: .single(payload.eventID), environment: environment, accessToken: accessToken)
    }

    /// Renders the request carrying a batch from ``makeBatchGrouper()``.
    public func render(batch: PayloadBatch, environment: some RenderEnvironment, accessToken: String? = nil) throws(RenderError) -> RenderedRequest {
        if sendTimeUse.body && !bodyless {
            return try finish(rebuilding: batch.payloads.map(\.event), environment: environment, accessToken: accessToken)
        }
        // The first event is read (and, for a payload held as its line, parsed) only when
        // the URL, a header or the signature uses it: finish(body:first:...) reads nothing else of it.
        let first = requestReadsEvent ? (batch.payloads.first?.event ?? .null) : .null
        return try finish(body: batch.body, first: first, eventIDs: RenderedEventIDs(batch.payloads.map(\.eventID)),
                   environment: environment, accessToken: accessToken)
    }

    /// True when ``render(single:environment:accessToken:)`` renders this plan's requests: one
    /// event per request (no batching), a body that is the event's payload as
    /// ``payload(for:eventID:tag:)`` writes it from its line, and not rebuilt per attempt.
    public var rendersSingleRequestsFromLines: Bool { batchEncoder == nil && !bodyless && !sendTimeUse.body && buildsPayloadsFromLines }

    /// The request of an unbatched plan (``rendersSingleRequestsFromLines``) carrying one payload
    /// from ``payload(for:eventID:tag:)``: byte for byte the request ``render(_:environment:accessToken:)``
    /// gives for its event, without encoding the payload again, and without parsing the event
    /// unless the URL, a header or the signature reads it.
    /// For any other plan it renders the payload's event as ``render(_:environment:accessToken:)`` does.
    public func render(single payload: EncodedPayload, environment: some RenderEnvironment, accessToken: String? = nil) throws(RenderError) -> RenderedRequest {
        guard rendersSingleRequestsFromLines else { return try render(payload.event, environment: environment, accessToken: accessToken) }
        let first = requestReadsEvent ? payload.event : .null
        return try finish(body: payload.bytes, first: first, eventIDs: .single(payload.eventID), environment: environment, accessToken: accessToken)
    }

    /// Builds the body of `events` for this attempt's `@sent_at`, then the request: the
    /// body is rebuilt on every attempt, so it carries that attempt's send time and the
    /// signature covers exactly those bytes.
    private func finish(rebuilding events: [JSONValue], environment: some RenderEnvironment, accessToken: String?) throws(RenderError) -> RenderedRequest {
        let ms = environment.unixTimeMilliseconds()
        var data = configuration.data
        data[SendTime.dataName] = SendTime.value(milliseconds: ms)
        var payloads: [EncodedPayload] = []
        payloads.reserveCapacity(events.count)
        for e in events { payloads.append(try checkedPayload(e, data: data)) }
        let body: [UInt8]
        if let batchEncoder {
            body = try batchEncoder.encode(payloads[...], data: data)
            if plan.batching.maxBytes > 0 && body.count > plan.batching.maxBytes {
                throw RenderError(.tooLarge, "the encoded body is \(body.count) bytes with its send time, more than batching.max_bytes (\(plan.batching.maxBytes))")
            }
        } else {
            body = payloads.first?.bytes ?? []
        }
        return try finish(body: body, first: events.first ?? .null, eventIDs: RenderedEventIDs(payloads.map(\.eventID)), environment: environment,
                          accessToken: accessToken, sendTimeMilliseconds: ms)
    }

    /// Wraps a finished body into the request: URL, headers, auth, signature.
    ///
    /// - Parameter sendTimeMilliseconds: the attempt's send time when the body was rebuilt
    ///   with it; otherwise read here if headers or signing use `@sent_at`.
    /// The body and the event ids are taken (`consuming`): the request holds them without a
    /// copy (a retain and a release each per request otherwise).
    private func finish(body: consuming [UInt8], first event: JSONValue, eventIDs: consuming RenderedEventIDs, environment: some RenderEnvironment,
                        accessToken: String?, sendTimeMilliseconds: Int64? = nil) throws(RenderError) -> RenderedRequest {
        if bodyless { body = [] }
        let sendTime: Int64? = sendTimeMilliseconds ?? (sendTimeUse.any ? environment.unixTimeMilliseconds() : nil)
        let sentAt = sendTime.map { SendTime.value(milliseconds: $0) }
        // The path is read only for a signing string that uses `@path`.
        let (url, path) = try urlBuilder.build(event, configuration: configuration, needsPath: signerReadsPath)
        // The constant headers are the renderer's own list, shared by every request (held, not
        // copied); the request's own headers (rendered ones, signature, key) follow them.
        let shared: [HTTPHeaderField]
        var fields: [HTTPHeaderField] = []
        if let constantHeaders {
            shared = constantHeaders
            if extraHeaderCount > 0 { fields.reserveCapacity(extraHeaderCount) }
        } else {
            shared = []
            var data = configuration.data
            if let sentAt { data[SendTime.dataName] = sentAt }
            fields.reserveCapacity(headers.count + 1 + extraHeaderCount)
            for (name, template) in zip(headerNames, headers) {
                fields.append(HTTPHeaderField(name: name, value: try template.string(event, data: data, configuration: configuration)))
            }
            if let field = try auth.field(event, configuration: configuration) { fields.append(field) }
        }
        if auth.isOAuth {
            guard let accessToken, !accessToken.isEmpty else {
                throw RenderError(.accessToken, "auth \(plan.auth.typeName) needs the current access token to render a request")
            }
            guard !containsHeaderBreak(accessToken) else {
                throw RenderError(.headerInjection, "header \"Authorization\": the access token contains CR, LF, NUL or another control character")
            }
            fields.append(HTTPHeaderField(name: "Authorization", value: "Bearer " + accessToken))
        }
        // One clock reading: with a send time, @timestamp is its whole seconds.
        let timestamp = sendTime.map { $0 >= 0 ? $0 / 1000 : -((-$0 + 999) / 1000) } ?? environment.unixTime()
        // The id is read here only when the wire bytes hold it; otherwise a request whose id
        // the environment derives from the event ids leaves it to be derived when read.
        let idOnWire = idempotencyKeyHeader != nil || signer != nil || authSigning != nil
        let derives: Bool
        switch eventIDs {
        case .single(let id): derives = environment.derivesRequestIDFromEventID(id)
        case .list(let ids): derives = environment.derivesRequestIDFromEventIDs(ids)
        }
        if !idOnWire && derives {
            return RenderedRequest(method: method, url: url, sharedHeaders: shared, ownHeaders: fields, finalHeaderName: nil, finalHeaderValue: InlineHeaderValue(), body: body, signing: .none,
                                   eventIDs: eventIDs, timestamp: timestamp, requestID: nil)
        }
        // An environment that derives the id gives RequestIdentity's: the one event's id itself
        // (non-empty), held by the request as that id.
        let requestID: String
        var heldAsEventID = false
        switch eventIDs {
        case .single(let id):
            if derives {
                requestID = id
                heldAsEventID = true
            } else {
                requestID = environment.requestID(forEventID: id)
            }
        case .list(let ids): requestID = environment.requestID(forEventIDs: ids)
        }
        // The idempotency key is part of what goes on the wire, so it is rendered here (and
        // recorded in fixtures), not added by the runtime.
        // The key is an event id for a single event: event data, checked like every header value.
        if let header = idempotencyKeyHeader {
            guard !containsHeaderBreak(requestID) else {
                throw RenderError(.headerInjection, "header \"\(header)\": the idempotency key (the event id) contains CR, LF, NUL or another control character")
            }
            fields.append(HTTPHeaderField(name: header, value: requestID))
        }
        var signingString: [UInt8]?
        if signsIntoFinalHeader, signer != nil {
            // The signer is used in place (a binding would retain and release it per request).
            var value = InlineHeaderValue()
            let signed = try signer.unsafelyUnwrapped.signatureHeader(body: body, timestamp: timestamp, requestID: requestID, method: method, path: path,
                                                    url: url, event: event, sentAt: sentAt, into: &value)
            // The signed bytes are the body itself (nil) or their own.
            let signing: RenderedSigning = signed.signingString.map { .bytes($0) } ?? .body
            if let text = signed.text {
                // A value longer than an inline one: the last header of the request's own list.
                fields.append(text)
                return RenderedRequest(method: method, url: url, sharedHeaders: shared, ownHeaders: fields, finalHeaderName: nil, finalHeaderValue: InlineHeaderValue(),
                                       body: body, signing: signing, eventIDs: eventIDs, timestamp: timestamp, requestID: requestID)
            }
            return RenderedRequest(method: method, url: url, sharedHeaders: shared, ownHeaders: fields, finalHeaderName: signer.unsafelyUnwrapped.signatureHeaderName,
                                   finalHeaderValue: value, body: body, signing: signing, eventIDs: eventIDs, timestamp: timestamp,
                                   requestID: heldAsEventID ? .eventID : .stored(requestID))
        }
        if let signer {
            signingString = try signer.appendSignature(body: body, timestamp: timestamp, requestID: requestID, method: method, path: path,
                                                       url: url, event: event, sentAt: sentAt, to: &fields)
        }
        if let authSigning {
            let nonce = authSigning.needsNonce ? environment.nonce(forRequestID: requestID, timestamp: timestamp) : ""
            let signed = try authSigning.sign(method: method, url: url, headers: shared.isEmpty ? fields : shared + fields, body: body, timestamp: timestamp, nonce: nonce,
                                              event: event, configuration: configuration)
            fields.append(contentsOf: signed.headers)
            // An HMAC `signing` block keeps its own signing string in the record.
            if signingString == nil { signingString = signed.signingString }
        }
        return RenderedRequest(method: method, url: url, sharedHeaders: shared, ownHeaders: fields, finalHeaderName: nil, finalHeaderValue: InlineHeaderValue(), body: body, signing: RenderedSigning(signingString, body: body),
                               eventIDs: eventIDs, timestamp: timestamp, requestID: requestID)
    }
}
