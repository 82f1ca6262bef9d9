import DSCrypto
import DSJSON
import DSPlan
import DSTemplate

/// The signature headers of one request and the bytes they sign.
public struct RequestSignature: Sendable, Equatable {
    /// The exact signing string that was HMAC'd.
    public var signingString: [UInt8]
    /// The raw MAC bytes (under `secret`).
    public var mac: [UInt8]
    /// The MACs under `previous_secrets`, in order, during a key rotation.
    public var previousMACs: [[UInt8]] = []
    /// True if the plan encodes the MAC as hex, false for base64.
    public var isHex: Bool
    /// Headers to add: the scheme's extra headers in plan order, then the signature header.
    public var headers: [HTTPHeaderField]

    /// The encoded MAC (hex or base64), before the header value template is applied.
    /// Computed on demand: the hot path writes the encoding straight into the header.
    public var signature: String { isHex ? Hex.encode(mac) : Base64.encode(mac) }
}

/// Executes a plan's `signing` block: HMAC-SHA1/256/512 over the `content` template, keyed by
/// the `secret` template decoded per `key_encoding`, encoded as hex or base64 and placed by
/// the `value` template into the signature header, plus the scheme's extra headers.
///
/// Signing-string variables: `@body` (the exact body bytes as UTF-8), `@timestamp` (Unix
/// seconds), `@request_id`, `@method`, `@path` (the URL path, percent-encoded as sent, no
/// query) and `@url` (the full URL); header templates see `@signature`, `@timestamp` and
/// `@request_id`. Presets arrive expanded in the plan, so there is one code path for all.
///
/// The key is derived once when the secret does not depend on the event (always, for
/// compiled plans). Key bytes are never part of any message.
public final class RequestSigner: Sendable {
    private let algorithm: HashAlgorithm
    private let hexEncoding: Bool
    private let keyEncoding: String
    /// The key prepared once (inner/outer hash states) when the secret does not depend on the event.
    private let fixedKey: HMACKey?
    private let keyTemplate: SiteTemplate
    /// Keys of `previous_secrets` (each derived once when constant).
    private let previousKeys: [(fixed: HMACKey?, template: SiteTemplate)]
    /// Bytes between two signatures in the `@signature` slot.
    private let joiner: [UInt8]
    private let content: SlotTemplate?
    private let contentTemplate: CompiledTemplate?
    /// The signing string is exactly `{{@body}}`.
    private let signsBody: Bool
    private let header: HeaderTemplate
    private let extraHeaders: [HeaderTemplate]
    private let configuration: ResolvedConfiguration
    /// Every signing header value is of the slot form (see ``appendSignature(body:timestamp:requestID:method:path:url:event:sentAt:to:)``).
    private let slotHeadersOnly: Bool

    /// A signature header template: the fast slot form, or the engine in `.header` mode.
    private struct HeaderTemplate: Sendable {
        let name: String
        let slots: SlotTemplate?
        let template: CompiledTemplate?
        /// The literal text before the signature when the value is exactly that text and
        /// `{{@signature}}` (`sha256={{@signature}}`, `v1,{{@signature}}`, or the signature
        /// alone): the value is then written with one copy and the MAC encoding
        /// (``RequestSigner/prefixedSignature(_:_:mac:)``).
        let signaturePrefix: [UInt8]?

        init(name: String, slots: SlotTemplate?, template: CompiledTemplate?) {
            self.name = name
            self.slots = slots
            self.template = template
            switch slots?.parts {
            case [.slot(.signature)]?: signaturePrefix = []
            case let parts? where parts.count == 2 && parts[1] == .slot(.signature):
                if case .literal(let prefix) = parts[0] { signaturePrefix = prefix } else { signaturePrefix = nil }
            default: signaturePrefix = nil
            }
        }
    }

    /// Creates a signer from a plan's signing block with explicit settings and secrets (for
    /// tools and tests that sign without a whole plan).
    public convenience init(_ signing: PlanSigning, settings: JSONObject = JSONObject(), secrets: JSONObject) throws(RenderError) {
        let values = secrets.compactMap { entry in entry.value.stringValue.map { (name: entry.key, value: $0) } }
        try self.init(signing, configuration: ResolvedConfiguration(data: ["settings": .object(settings), "secrets": .object(secrets)], secretValues: values))
    }

    init(_ signing: PlanSigning, configuration: ResolvedConfiguration) throws(RenderError) {
        self.configuration = configuration
        switch signing.algorithm {
        case "hmac-sha1": algorithm = .sha1
        case "hmac-sha256": algorithm = .sha256
        case "hmac-sha384": algorithm = .sha384
        case "hmac-sha512": algorithm = .sha512
        default: throw RenderError(.plan, "signing: unknown algorithm \"\(signing.algorithm)\" (expected hmac-sha1, hmac-sha256, hmac-sha384 or hmac-sha512)")
        }
        switch signing.encoding {
        case "hex": hexEncoding = true
        case "base64": hexEncoding = false
        default: throw RenderError(.plan, "signing: unknown encoding \"\(signing.encoding)\" (expected hex or base64)")
        }
        guard ["utf8", "whsec_base64", "base64", "hex"].contains(signing.keyEncoding) else {
            throw RenderError(.plan, "signing: unknown key_encoding \"\(signing.keyEncoding)\" (expected utf8, whsec_base64, base64 or hex)")
        }
        if !signing.previousSecrets.isEmpty && signing.signatureJoiner.isEmpty {
            throw RenderError(.plan, "signing: previous_secrets needs a signature_joiner (the text between two signatures in the header)")
        }
        joiner = Array(signing.signatureJoiner.utf8)
        guard !SiteTemplate.hasHeaderBreak(joiner) else {
            throw RenderError(.headerInjection, "signing: the signature_joiner contains CR, LF or NUL")
        }
        keyEncoding = signing.keyEncoding
        guard !signing.header.isEmpty else { throw RenderError(.plan, "signing: no header name") }
        let data = configuration.data
        keyTemplate = try SiteTemplate(signing.secret, mode: .plain, site: "signing secret", isHeader: false, data: data, configuration: configuration)
        let algorithm = self.algorithm
        if let text = keyTemplate.constantText {
            fixedKey = HMACKey(algorithm, key: try Self.keyBytes(text, encoding: signing.keyEncoding))
        } else {
            fixedKey = nil
        }
        var previous: [(fixed: HMACKey?, template: SiteTemplate)] = []
        for (i, source) in signing.previousSecrets.enumerated() {
            let t = try SiteTemplate(source, mode: .plain, site: "signing previous secret \(i + 1)", isHeader: false, data: data, configuration: configuration)
            previous.append((try t.constantText.map { text throws(RenderError) in HMACKey(algorithm, key: try Self.keyBytes(text, encoding: signing.keyEncoding)) }, t))
        }
        previousKeys = previous
        content = SlotTemplate.parse(signing.content, allowed: [.body, .timestamp, .requestID, .method, .path, .url, .formSorted])
        contentTemplate = content == nil ? try Self.compile(signing.content, .plain, "signing content", configuration) : nil
        signsBody = content?.isExactly(.body) ?? false
        func headerTemplate(_ name: String, _ source: String) throws(RenderError) -> HeaderTemplate {
            if let slots = SlotTemplate.parse(source, allowed: [.signature, .timestamp, .requestID]) {
                // Slot values are hex, base64, digits or the checked request id, so checking
                // the literal text once here makes the per-request scan unnecessary.
                for case .literal(let bytes) in slots.parts where SiteTemplate.hasHeaderBreak(bytes) {
                    throw RenderError(.headerInjection, "signing header \"\(name)\": the value template contains CR, LF, NUL or another control character")
                }
                return HeaderTemplate(name: name, slots: slots, template: nil)
            }
            return HeaderTemplate(name: name, slots: nil, template: try Self.compile(source, .header, "signing header \"\(name)\"", configuration))
        }
        header = try headerTemplate(signing.header, signing.value)
        var extras: [HeaderTemplate] = []
        for h in signing.headers { extras.append(try headerTemplate(h.name, h.value)) }
        extraHeaders = extras
        slotHeadersOnly = header.slots != nil && extras.allSatisfy { $0.slots != nil }
    }

    private static func compile(_ source: String, _ mode: TemplateMode, _ site: String, _ configuration: ResolvedConfiguration) throws(RenderError) -> CompiledTemplate {
        do {
            return try CompiledTemplate.compile(source, mode: mode)
        } catch {
            throw RenderError(.plan, "\(site): the template does not compile: \(configuration.scrub(error.message))")
        }
    }

    /// Turns the rendered secret into key bytes per `key_encoding`.
    static func keyBytes(_ secret: String, encoding: String) throws(RenderError) -> [UInt8] {
        switch encoding {
        case "whsec_base64":
            let text = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
            guard let key = Base64.decode(text) else {
                throw RenderError(.secret, "signing secret is not valid base64 after removing the whsec_ prefix (key_encoding whsec_base64)")
            }
            return key
        case "base64":
            guard let key = Base64.decode(secret) else { throw RenderError(.secret, "signing secret is not valid base64 (key_encoding base64)") }
            return key
        case "hex":
            guard secret.utf8.count % 2 == 0, let key = Hex.decode(secret) else {
                throw RenderError(.secret, "signing secret is not valid hex (key_encoding hex)")
            }
            return key
        default:
            return Array(secret.utf8)
        }
    }

    /// Signs one request.
    ///
    /// - Parameters:
    ///   - body: the exact body bytes.
    ///   - event: the (first) event of the request, for templates that read event fields.
    public func sign(body: [UInt8], timestamp: Int64, requestID: String, method: String, path: String, url: String,
                     event: JSONValue = .null, sentAt: JSONValue? = nil) throws(RenderError) -> RequestSignature {
        var headers: [HTTPHeaderField] = []
        headers.reserveCapacity(extraHeaders.count + 1)
        let (signingString, mac, previousMACs) = try sign(body: body, timestamp: timestamp, requestID: requestID, method: method, path: path,
                                                          url: url, event: event, sentAt: sentAt, appendingHeadersTo: &headers)
        return RequestSignature(signingString: signingString, mac: mac, previousMACs: previousMACs, isHex: hexEncoding, headers: headers)
    }

    /// ``sign(body:timestamp:requestID:method:path:url:event:sentAt:)`` for the renderer: the
    /// headers are appended to the request's own list (no intermediate array).
    func sign(body: [UInt8], timestamp: Int64, requestID: String, method: String, path: String, url: String,
              event: JSONValue, sentAt: JSONValue?, appendingHeadersTo headers: inout [HTTPHeaderField])
        throws(RenderError) -> (signingString: [UInt8], mac: [UInt8], previousMACs: [[UInt8]]) {
        let key: HMACKey
        if let fixedKey {
            key = fixedKey
        } else {
            key = HMACKey(algorithm, key: try Self.keyBytes(try keyTemplate.string(event, data: configuration.data, configuration: configuration), encoding: keyEncoding))
        }
        let signingString = try self.signingString(body: body, timestamp: timestamp, requestID: requestID, method: method, path: path,
                                                   url: url, event: event, sentAt: sentAt)
        if containsHeaderBreak(requestID) {
            throw RenderError(.headerInjection, "the request id contains CR, LF, NUL or another control character")
        }
        let mac = key.authenticationCode(signingString)
        var previousMACs: [[UInt8]] = []
        for p in previousKeys {
            let k: HMACKey
            if let fixed = p.fixed {
                k = fixed
            } else {
                k = HMACKey(algorithm, key: try Self.keyBytes(try p.template.string(event, data: configuration.data, configuration: configuration), encoding: keyEncoding))
            }
            previousMACs.append(k.authenticationCode(signingString))
        }
        var macs = [mac]
        if !previousMACs.isEmpty { macs += previousMACs }
        for h in extraHeaders { headers.append(try value(h, macs: macs, timestamp: timestamp, requestID: requestID, event: event, sentAt: sentAt)) }
        headers.append(try value(header, macs: macs, timestamp: timestamp, requestID: requestID, event: event, sentAt: sentAt))
        return (signingString, mac, previousMACs)
    }

    /// The renderer's signing: appends the signing headers to `headers` and returns the signed
    /// bytes. With a fixed key, no previous secrets and every header value of the slot form
    /// (the usual case: `sha256={{@signature}}`, `t={{@timestamp}},v1={{@signature}}`), the MAC
    /// stays in a stack buffer and each header value is written once, straight into its
    /// `String`; anything else goes through the general path
    /// (``sign(body:timestamp:requestID:method:path:url:event:sentAt:appendingHeadersTo:)``).
    /// Both give the same headers and errors (`RequestSignerFastPathTests`).
    func appendSignature(body: [UInt8], timestamp: Int64, requestID: String, method: String, path: String, url: String,
                         event: JSONValue, sentAt: JSONValue?, to headers: inout [HTTPHeaderField]) throws(RenderError) -> [UInt8] {
        guard let key = fixedKey, previousKeys.isEmpty, slotHeadersOnly else {
            return try sign(body: body, timestamp: timestamp, requestID: requestID, method: method, path: path, url: url,
                            event: event, sentAt: sentAt, appendingHeadersTo: &headers).signingString
        }
        let signingString = try self.signingString(body: body, timestamp: timestamp, requestID: requestID, method: method, path: path,
                                                   url: url, event: event, sentAt: sentAt)
        if containsHeaderBreak(requestID) {
            throw RenderError(.headerInjection, "the request id contains CR, LF, NUL or another control character")
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            let count = signingString.withUnsafeBytes { key.authenticationCode(messageBytes: $0, into: UnsafeMutableRawPointer(buffer.baseAddress!)) }
            let mac = UnsafeBufferPointer(rebasing: buffer[..<count])
            for h in extraHeaders { headers.append(slotValue(h, mac: mac, timestamp: timestamp, requestID: requestID)) }
            if let prefix = header.signaturePrefix {
                headers.append(prefixedSignature(header.name, prefix, mac: mac))
            } else {
                headers.append(slotValue(header, mac: mac, timestamp: timestamp, requestID: requestID))
            }
            // The MAC is not key material, but the buffer is reused stack: clear it anyway.
            buffer.update(repeating: 0)
        }
        return signingString
    }

    /// True when a request's signing headers are one header written by the fast path of
    /// ``appendSignature(body:timestamp:requestID:method:path:url:event:sentAt:to:)`` (a fixed
    /// key, no previous secrets, one header of the slot form): ``signatureHeader(body:timestamp:requestID:method:path:url:event:sentAt:)``
    /// then gives that header without a list.
    var signsOneHeader: Bool { fixedKey != nil && previousKeys.isEmpty && slotHeadersOnly && extraHeaders.isEmpty }

    /// When ``signsOneHeader``: the one header ``appendSignature(body:timestamp:requestID:method:path:url:event:sentAt:to:)``
    /// appends, and the signed bytes (the same values and errors; `RenderedRequestPartsTests`).
    /// The header is named ``signatureHeaderName``; its value is written straight into `value`
    /// (no `String`) when it fits (``InlineHeaderValue/capacity``), and `text` is then nil;
    /// otherwise `text` is the whole header and `value` is left as it was. The signed bytes
    /// are nil when they are `body` itself (a plan signing `{{@body}}`: no copy to count).
    func signatureHeader(body: [UInt8], timestamp: Int64, requestID: String, method: String, path: String, url: String,
                         event: JSONValue, sentAt: JSONValue?, into value: inout InlineHeaderValue)
        throws(RenderError) -> (text: HTTPHeaderField?, signingString: [UInt8]?) {
        // The key and the prefix are read in place (borrowed from this signer, not bound to new
        // names: a binding retains and releases a shared object per request).
        guard fixedKey != nil, signsOneHeader else {
            // Not reached by the renderer (it asks only when signsOneHeader); the general path, for safety.
            var headers: [HTTPHeaderField] = []
            let signed = try appendSignature(body: body, timestamp: timestamp, requestID: requestID, method: method, path: path, url: url,
                                             event: event, sentAt: sentAt, to: &headers)
            guard headers.count == 1 else { throw RenderError(.plan, "signing: the plan signs with \(headers.count) headers, not one") }
            return (headers[0], signed)
        }
        // The usual signing string is the body itself: signed where it is, not copied.
        let signingString = signsBody ? nil : try self.signingString(body: body, timestamp: timestamp, requestID: requestID, method: method, path: path,
                                                                     url: url, event: event, sentAt: sentAt)
        if containsHeaderBreak(requestID) {
            throw RenderError(.headerInjection, "the request id contains CR, LF, NUL or another control character")
        }
        var text: HTTPHeaderField?
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            let out = UnsafeMutableRawPointer(buffer.baseAddress!)
            let count = if let signingString {
                signingString.withUnsafeBytes { fixedKey.unsafelyUnwrapped.authenticationCode(messageBytes: $0, into: out) }
            } else {
                body.withUnsafeBytes { fixedKey.unsafelyUnwrapped.authenticationCode(messageBytes: $0, into: out) }
            }
            let mac = UnsafeBufferPointer(rebasing: buffer[..<count])
            if header.signaturePrefix != nil {
                let size = header.signaturePrefix.unsafelyUnwrapped.count + encodedCount(mac.count)
                if size <= InlineHeaderValue.capacity {
                    value.overwrite(atMost: size) { out in
                        writePrefixedSignature(header.signaturePrefix.unsafelyUnwrapped, mac: mac, to: UnsafeMutableBufferPointer(start: out, count: size))
                    }
                } else {
                    text = prefixedSignature(header.name, header.signaturePrefix.unsafelyUnwrapped, mac: mac)
                }
            } else {
                let size = slotCapacity(header, mac: mac, requestID: requestID)
                if size <= InlineHeaderValue.capacity {
                    value.overwrite(atMost: size) { out in
                        writeSlotValue(header, mac: mac, timestamp: timestamp, requestID: requestID, to: UnsafeMutableBufferPointer(start: out, count: size))
                    }
                } else {
                    text = slotValue(header, mac: mac, timestamp: timestamp, requestID: requestID)
                }
            }
            // The MAC is not key material, but the buffer is reused stack: clear it anyway.
            buffer.update(repeating: 0)
        }
        return (text, signingString)
    }

    /// True when the signing string may read `@path` (a slot, or a general template).
    var readsPath: Bool {
        guard let content else { return true }
        return content.uses(.path)
    }

    /// The name of the header ``signatureHeader(body:timestamp:requestID:method:path:url:event:sentAt:into:)`` writes.
    var signatureHeaderName: String { header.name }

    /// The length of one MAC of `count` bytes encoded (hex or base64).
    @inline(__always)
    private func encodedCount(_ count: Int) -> Int { hexEncoding ? 2 * count : (count + 2) / 3 * 4 }

    /// A header whose value is `prefix` then the encoded MAC, written straight into a `String`
    /// of exact size (``writePrefixedSignature(_:mac:to:)``). The same text as ``slotValue(_:mac:timestamp:requestID:)``.
    private func prefixedSignature(_ name: String, _ prefix: [UInt8], mac: UnsafeBufferPointer<UInt8>) -> HTTPHeaderField {
        let text = String(unsafeUninitializedCapacity: prefix.count + encodedCount(mac.count)) { out in
            writePrefixedSignature(prefix, mac: mac, to: out)
        }
        return HTTPHeaderField(name: name, value: text)
    }

    /// Writes `prefix` then the encoded MAC at the start of `out` (room for both): one copy
    /// of the prefix and the encoding (hex two digits per byte from a pair table), without
    /// walking the template's parts. Returns the count written.
    @inline(__always)
    private func writePrefixedSignature(_ prefix: [UInt8], mac: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        prefix.withUnsafeBufferPointer { p in
            if let base = p.baseAddress { out.baseAddress!.update(from: base, count: p.count) }
            return p.count + (hexEncoding ? writeHexPairs(mac, to: out, at: p.count) : writeBase64(mac, to: out, at: p.count))
        }
    }

    /// A slot-form header value for one MAC, written straight into the `String`
    /// (``writeSlotValue(_:mac:timestamp:requestID:to:)``): the general path's
    /// ``value(_:macs:timestamp:requestID:event:sentAt:)`` text.
    private func slotValue(_ h: HeaderTemplate, mac: UnsafeBufferPointer<UInt8>, timestamp: Int64, requestID: String) -> HTTPHeaderField {
        let text = String(unsafeUninitializedCapacity: slotCapacity(h, mac: mac, requestID: requestID)) { out in
            writeSlotValue(h, mac: mac, timestamp: timestamp, requestID: requestID, to: out)
        }
        return HTTPHeaderField(name: h.name, value: text)
    }

    /// The most bytes ``writeSlotValue(_:mac:timestamp:requestID:to:)`` writes (a timestamp counts 20).
    private func slotCapacity(_ h: HeaderTemplate, mac: UnsafeBufferPointer<UInt8>, requestID: String) -> Int {
        var capacity = 0
        for part in h.slots!.parts {
            switch part {
            case .literal(let bytes): capacity += bytes.count
            case .slot(.signature): capacity += encodedCount(mac.count)
            case .slot(.timestamp): capacity += 20
            case .slot(.requestID): capacity += requestID.utf8.count
            default: break
            }
        }
        return capacity
    }

    /// Writes a slot-form header value for one MAC at the start of `out` (room for
    /// ``slotCapacity(_:mac:requestID:)`` bytes); returns the count written.
    private func writeSlotValue(_ h: HeaderTemplate, mac: UnsafeBufferPointer<UInt8>, timestamp: Int64, requestID: String,
                                to out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var o = 0
        for part in h.slots!.parts {
            switch part {
            case .literal(let bytes):
                bytes.withUnsafeBufferPointer { b in if let base = b.baseAddress { (out.baseAddress! + o).update(from: base, count: b.count) } }
                o += bytes.count
            case .slot(.signature):
                o += hexEncoding ? writeHex(mac, to: out, at: o) : writeBase64(mac, to: out, at: o)
            case .slot(.timestamp):
                o += writeDecimal(timestamp, to: out, at: o)
            case .slot(.requestID):
                for b in requestID.utf8 { out[o] = b; o += 1 }
            default: break
            }
        }
        return o
    }

    /// The bytes to sign: the `content` template with the request's values.
    private func signingString(body: [UInt8], timestamp: Int64, requestID: String, method: String, path: String, url: String,
                               event: JSONValue, sentAt: JSONValue?) throws(RenderError) -> [UInt8] {
        if let content {
            if signsBody {
                return body
            } else {
                var out: [UInt8] = []
                out.reserveCapacity(body.count + 64)
                for part in content.parts {
                    switch part {
                    case .literal(let bytes): out.append(contentsOf: bytes)
                    case .slot(.body): out.append(contentsOf: body)
                    case .slot(.timestamp): appendDecimal(timestamp, into: &out)
                    case .slot(.requestID): out.append(contentsOf: requestID.utf8)
                    case .slot(.method): out.append(contentsOf: method.utf8)
                    case .slot(.path): out.append(contentsOf: path.utf8)
                    case .slot(.url): out.append(contentsOf: url.utf8)
                    case .slot(.formSorted): out.append(contentsOf: SortedFormParameters.concatenation(body))
                    case .slot(.signature): break
                    }
                }
                return out
            }
        } else {
            var data = configuration.data
            data["body"] = .string(String(decoding: body, as: UTF8.self))
            data["timestamp"] = .number(JSONNumber(text: String(timestamp)))
            data["request_id"] = .string(requestID)
            data["method"] = .string(method)
            data["path"] = .string(path)
            data["url"] = .string(url)
            data["form_sorted"] = .string(String(decoding: SortedFormParameters.concatenation(body), as: UTF8.self))
            if let sentAt { data[SendTime.dataName] = sentAt }
            var out: [UInt8] = []
            do {
                try contentTemplate!.render(event, data: data, into: &out)
            } catch {
                throw RenderError(.render, "signing content: \(configuration.scrub(error.message))")
            }
            return out
        }
    }

    /// The number of headers signing adds.
    var headerCount: Int { extraHeaders.count + 1 }

    /// The `@signature` slot: each MAC encoded, joined by the scheme's joiner.
    private func appendSignatures(_ macs: [[UInt8]], into out: inout [UInt8]) {
        for (i, mac) in macs.enumerated() {
            if i > 0 { out.append(contentsOf: joiner) }
            if hexEncoding {
                appendHex(mac, into: &out)
            } else {
                out.append(contentsOf: Base64.encode(mac).utf8)
            }
        }
    }

    private func value(_ h: HeaderTemplate, macs: [[UInt8]], timestamp: Int64, requestID: String, event: JSONValue, sentAt: JSONValue?) throws(RenderError) -> HTTPHeaderField {
        if let slots = h.slots {
            if hexEncoding, macs.count == 1, slots.parts.count == 2, case .literal(let prefix) = slots.parts[0], case .slot(.signature) = slots.parts[1] {
                // The usual shape (`sha256={{@signature}}`): the string is written in place, one allocation.
                let mac = macs[0], count = prefix.count + 2 * mac.count
                let text = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
                    _ = buffer.initialize(from: prefix)
                    writeHex(mac, into: UnsafeMutableBufferPointer(rebasing: buffer[prefix.count...]))
                    return String(decoding: UnsafeBufferPointer(buffer), as: UTF8.self)
                }
                return HTTPHeaderField(name: h.name, value: text)
            }
            var out: [UInt8] = []
            out.reserveCapacity(160)
            for part in slots.parts {
                switch part {
                case .literal(let bytes): out.append(contentsOf: bytes)
                case .slot(.signature):
                    appendSignatures(macs, into: &out)
                case .slot(.timestamp): appendDecimal(timestamp, into: &out)
                case .slot(.requestID): out.append(contentsOf: requestID.utf8)
                default: break
                }
            }
            return HTTPHeaderField(name: h.name, value: String(decoding: out, as: UTF8.self))
        }
        var out: [UInt8] = []
        do {
            var data: [String: JSONValue] = ["settings": configuration.data["settings"] ?? .null]
            if let tables = configuration.data[LookupTables.dataName] { data[LookupTables.dataName] = tables }
            var signatures: [UInt8] = []
            appendSignatures(macs, into: &signatures)
            data["signature"] = .string(String(decoding: signatures, as: UTF8.self))
            data["timestamp"] = .number(JSONNumber(text: String(timestamp)))
            data["request_id"] = .string(requestID)
            if let sentAt { data[SendTime.dataName] = sentAt }
            try h.template!.render(event, data: data, into: &out)
        } catch {
            throw RenderError(.headerInjection, "signing header \"\(h.name)\": the value would contain CR, LF, NUL or another control character (header injection)")
        }
        if SiteTemplate.hasHeaderBreak(out) {
            throw RenderError(.headerInjection, "signing header \"\(h.name)\": the value would contain CR, LF, NUL or another control character (header injection)")
        }
        return HTTPHeaderField(name: h.name, value: String(decoding: out, as: UTF8.self))
    }
}

/// Appends the lowercase hex form of `bytes` in one bulk copy.
@inline(__always)
func appendHex(_ bytes: [UInt8], into out: inout [UInt8]) {
    let digits: StaticString = "0123456789abcdef"
    let table = digits.utf8Start
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count * 2) { buffer in
        var o = 0
        for b in bytes {
            buffer[o] = table[Int(b >> 4)]
            buffer[o + 1] = table[Int(b & 0x0F)]
            o += 2
        }
        out.append(contentsOf: UnsafeBufferPointer(buffer))
    }
}

/// Writes the lowercase hex form of `bytes` to the start of `out` (at least twice as long).
@inline(__always)
func writeHex(_ bytes: [UInt8], into out: UnsafeMutableBufferPointer<UInt8>) {
    let digits: StaticString = "0123456789abcdef"
    let table = digits.utf8Start
    var o = 0
    for b in bytes {
        out[o] = table[Int(b >> 4)]
        out[o + 1] = table[Int(b & 0x0F)]
        o += 2
    }
}

/// True if `text` holds a byte a header value must not (CR, LF, NUL, other controls but HTAB, DEL), scanned in place.
@inline(__always)
func containsHeaderBreak(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { buffer in buffer.contains(where: SiteTemplate.isHeaderBreak) }
}

/// Writes the lowercase hex form of `bytes` at `out[at...]`; returns the count written.
@inline(__always)
func writeHex(_ bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
    let digits: StaticString = "0123456789abcdef"
    let table = digits.utf8Start
    let o = out.baseAddress! + start
    for i in 0..<bytes.count {
        let b = bytes[i]
        o[2 &* i] = table[Int(b &>> 4)]
        o[2 &* i &+ 1] = table[Int(b & 0x0F)]
    }
    return 2 * bytes.count
}

/// Writes the lowercase hex form of `bytes` at `out[at...]` two digits at a time from a pair
/// table; returns the count written. The same text as ``writeHex(_:to:at:)``.
@inline(__always)
func writeHexPairs(_ bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
    let pairs: StaticString = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
    let table = UnsafeRawPointer(pairs.utf8Start)
    let o = UnsafeMutableRawPointer(out.baseAddress! + start)
    for i in 0..<bytes.count {
        o.storeBytes(of: table.loadUnaligned(fromByteOffset: 2 &* Int(bytes[i]), as: UInt16.self), toByteOffset: 2 &* i, as: UInt16.self)
    }
    return 2 * bytes.count
}

/// Writes the standard base64 form (with `=` padding) of `bytes` at `out[at...]`; returns the
/// count written. The same text as `Base64.encode`.
func writeBase64(_ bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
    let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    let table = alphabet.utf8Start
    var o = start, i = 0
    let n = bytes.count
    while i + 3 <= n {
        let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
        out[o] = table[Int(v >> 18 & 63)]; out[o + 1] = table[Int(v >> 12 & 63)]
        out[o + 2] = table[Int(v >> 6 & 63)]; out[o + 3] = table[Int(v & 63)]
        i += 3; o += 4
    }
    if i < n {
        let v = UInt32(bytes[i]) << 16 | (i + 1 < n ? UInt32(bytes[i + 1]) << 8 : 0)
        out[o] = table[Int(v >> 18 & 63)]; out[o + 1] = table[Int(v >> 12 & 63)]
        out[o + 2] = i + 1 < n ? table[Int(v >> 6 & 63)] : UInt8(ascii: "=")
        out[o + 3] = UInt8(ascii: "=")
        o += 4
    }
    return o - start
}

/// Writes `value` in decimal at `out[at...]` (at most 20 bytes); returns the count written.
func writeDecimal(_ value: Int64, to out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
    var o = start
    var magnitude = value.magnitude
    if value < 0 { out[o] = UInt8(ascii: "-"); o += 1 }
    let first = o
    repeat {
        out[o] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
        o += 1
    } while magnitude > 0
    // Digits were written least significant first.
    var a = first, b = o - 1
    while a < b { out.swapAt(a, b); a += 1; b -= 1 }
    return o - start
}
