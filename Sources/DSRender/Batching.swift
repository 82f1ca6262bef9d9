import DSJSON
import DSMapping
import DSPlan

/// Encodes a group of payloads as one request body, per `batching.format`:
/// `json_array` gives `[p1,p2]`, `json_object` evaluates the envelope mapping with the array
/// as `@batch`, `ndjson` writes each payload on its own line, each line ending in `\n`.
public struct BatchBodyEncoder: Sendable {
    /// The body layouts.
    public enum Format: String, Sendable {
        case jsonArray = "json_array"
        case jsonObject = "json_object"
        case ndjson
    }

    /// The layout.
    public let format: Format
    private let envelope: CompiledMapping?
    private let configuration: ResolvedConfiguration
    /// True if a json_object body is rewritten to `JSON.stringify(JSON.parse(body))` form
    /// (json_array and ndjson bodies are made of payloads already in that form).
    private let normalizesForJavaScript: Bool
    /// Names of the envelope's arrays (`batching.arrays`), in plan order; empty: one array.
    let arrayNames: [String]
    /// Each array's element limit per request, in plan order.
    public let arrayLimits: [Int]

    init(_ batching: PlanBatching, configuration: ResolvedConfiguration, normalizesForJavaScript: Bool = false) throws(RenderError) {
        self.normalizesForJavaScript = normalizesForJavaScript
        arrayNames = batching.arrays.map(\.name)
        arrayLimits = batching.arrays.map { max(1, $0.maxEvents) }
        guard let format = Format(rawValue: batching.format) else {
            throw RenderError(.plan, "batching: unknown format \"\(batching.format)\" (expected json_array, json_object or ndjson)")
        }
        self.format = format
        self.configuration = configuration
        if format == .jsonObject {
            guard let spec = batching.envelope else { throw RenderError(.plan, "batching: format json_object needs an envelope") }
            envelope = try PayloadBuilder.compileMapping(spec, "batch envelope", configuration)
        } else {
            envelope = nil
        }
    }

    /// The body for `payloads` (at least one).
    public func encode(_ payloads: ArraySlice<EncodedPayload>) throws(RenderError) -> [UInt8] {
        try encode(payloads, data: nil)
    }

    /// The body for `payloads`, the envelope evaluated with `data` (nil: the configuration's).
    func encode(_ payloads: ArraySlice<EncodedPayload>, data: [String: JSONValue]?) throws(RenderError) -> [UInt8] {
        var out: [UInt8] = []
        // Payloads are read in place (`payloads[i].bytes`): a `for p in payloads` loop copies
        // each payload out (a retain and a release of every field, per event).
        var size = 16
        for i in payloads.indices { size += payloads[i].bytes.count + 1 }
        out.reserveCapacity(size)
        switch format {
        case .jsonArray:
            out.append(UInt8(ascii: "["))
            for i in payloads.indices {
                if i > payloads.startIndex { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: payloads[i].bytes)
            }
            out.append(UInt8(ascii: "]"))
        case .ndjson:
            for i in payloads.indices {
                out.append(contentsOf: payloads[i].bytes)
                out.append(0x0A)
            }
        case .jsonObject:
            let batch: JSONValue
            if arrayNames.isEmpty {
                batch = .array(payloads.map { $0.value ?? .null })
            } else {
                var lists = [[JSONValue]](repeating: [], count: arrayNames.count)
                for p in payloads { for part in p.parts where lists.indices.contains(part.array) { lists[part.array].append(part.value) } }
                batch = .object(JSONObject(zip(arrayNames, lists).map { ($0, JSONValue.array($1)) }))
            }
            let body = try envelopeValue(root: payloads.first?.event ?? .null, batch: batch, data: data)
            JSONWriter.write(body, style: .compact, into: &out)
            if normalizesForJavaScript { out = try PayloadBuilder.javaScriptForm(out, "batch envelope") }
        }
        return out
    }

    /// The envelope evaluated with `batch` as `@batch` and the batch's first event as root.
    private func envelopeValue(root: JSONValue, batch: JSONValue, data override: [String: JSONValue]? = nil) throws(RenderError) -> JSONValue {
        var data = override ?? configuration.data
        data["batch"] = batch
        return try PayloadBuilder.evaluate(envelope!, "batch envelope", root: root, data: data, configuration: configuration)
    }

    /// Bytes the body adds around the payloads' own bytes for a batch starting with `first`:
    /// brackets, separators and the envelope. Exact for json_array and ndjson; for
    /// json_object it assumes the envelope's other members do not depend on the array, and
    /// ``BatchGrouper`` verifies the real size before it emits a batch.
    func framingBytes(count: Int, first: EncodedPayload) throws(RenderError) -> Int {
        switch format {
        case .jsonArray: return 1 + count
        case .ndjson: return count
        case .jsonObject:
            // The envelope with an empty array already holds the brackets.
            let emptyBatch: JSONValue = arrayNames.isEmpty ? .array([]) : .object(JSONObject(arrayNames.map { ($0, JSONValue.array([])) }))
            var emptyBody = JSONWriter.bytes(try envelopeValue(root: first.event, batch: emptyBatch))
            if normalizesForJavaScript { emptyBody = try PayloadBuilder.javaScriptForm(emptyBody, "batch envelope") }
            let empty = emptyBody.count
            return empty + (count - 1)
        }
    }
}

/// A group of payloads and its encoded body.
public struct PayloadBatch: Sendable {
    /// The payloads, in arrival order.
    public var payloads: [EncodedPayload]
    /// The encoded body (at most `max_bytes` long).
    public var body: [UInt8]
}

/// What happened to payloads offered to a ``BatchGrouper``.
public enum BatchGroupingEvent: Sendable {
    /// A batch is complete and ready to send.
    case batch(PayloadBatch)
    /// A payload cannot be sent: its body alone exceeds `max_bytes`. Reported, never dropped silently.
    case rejected(EncodedPayload, RenderError)
}

/// Groups payloads, in order, into batches that respect `batching.max_events` and
/// `batching.max_bytes`, measured on the encoded body (brackets, separators, newlines and the
/// envelope included), so a batch that fits here is one the vendor accepts.
///
/// It is incremental so the runtime can feed it events as they arrive and flush on its
/// timer (`max_wait_ms`); `dspec render` feeds it a whole events file and flushes once.
/// `maxBytes == 0` means no byte limit.
public struct BatchGrouper: Sendable {
    /// At most this many payloads per batch.
    public let maxEvents: Int
    /// At most this many body bytes per batch (0: unlimited).
    public let maxBytes: Int
    /// The body encoder.
    public let encoder: BatchBodyEncoder
    private var pending: [EncodedPayload] = []
    private var pendingPayloadBytes = 0
    private var pendingFrameBase = 0
    /// Elements pending in each named array (`batching.arrays`).
    private var pendingPerArray: [Int]

    /// Creates a grouper.
    public init(maxEvents: Int, maxBytes: Int, encoder: BatchBodyEncoder) {
        self.maxEvents = max(1, maxEvents)
        self.maxBytes = max(0, maxBytes)
        self.encoder = encoder
        pendingPerArray = [Int](repeating: 0, count: encoder.arrayLimits.count)
    }

    /// True if adding `payload` would take a named array past its limit.
    private func overflowsAnArray(_ payload: EncodedPayload) -> Bool {
        payload.parts.contains { pendingPerArray.indices.contains($0.array) && pendingPerArray[$0.array] + 1 > encoder.arrayLimits[$0.array] }
    }

    /// True if a named array is full.
    private var anArrayIsFull: Bool {
        pendingPerArray.indices.contains { pendingPerArray[$0] >= encoder.arrayLimits[$0] }
    }

    /// Number of payloads waiting for the next batch.
    public var pendingCount: Int { pending.count }

    /// Offers a payload; returns the batches (and rejections) this completes. Throws only if
    /// the batch envelope cannot be evaluated for this payload, in which case nothing changes.
    public mutating func append(_ payload: consuming EncodedPayload) throws(RenderError) -> [BatchGroupingEvent] {
        // Every format adds one byte per event (a comma or a newline) on top of a fixed part,
        // which for an envelope depends on the batch's first event.
        let framingAlone = try encoder.framingBytes(count: 1, first: payload)
        var events: [BatchGroupingEvent] = []
        if maxBytes > 0, framingAlone + payload.bytes.count > maxBytes {
            events.append(.rejected(payload, tooLarge(framingAlone + payload.bytes.count)))
            return events
        }
        if !pending.isEmpty && (pending.count >= maxEvents || (maxBytes > 0 && projectedSize(adding: payload) > maxBytes) || overflowsAnArray(payload)) {
            events += flush()
        }
        if pending.isEmpty {
            pendingFrameBase = framingAlone - 1
            // A fresh batch grows to max_events (usually): one allocation instead of a
            // doubling series (capped, so a huge max_events reserves nothing absurd).
            pending.reserveCapacity(min(maxEvents, 1024))
        }
        pendingPayloadBytes += payload.bytes.count
        if !payload.parts.isEmpty {
            for part in payload.parts where pendingPerArray.indices.contains(part.array) { pendingPerArray[part.array] += 1 }
        }
        // The payload moves into the batch (no copy of its fields).
        pending.append(payload)
        if pending.count >= maxEvents || anArrayIsFull { events += flush() }
        return events
    }

    /// Emits whatever is pending as batches (none if nothing is pending). Payloads whose body
    /// cannot be built are returned as rejections, so none is lost.
    public mutating func flush() -> [BatchGroupingEvent] {
        guard !pending.isEmpty else { return [] }
        let group = pending
        pending = []
        pendingPayloadBytes = 0
        for i in pendingPerArray.indices { pendingPerArray[i] = 0 }
        // The usual case: the whole group fits in one body, and the batch takes the group's
        // array as it is (no copy of a hundred payloads).
        if maxBytes == 0 || encoder.format != .jsonObject {
            do {
                let body = try encoder.encode(group[...])
                if maxBytes == 0 || body.count <= maxBytes { return [.batch(PayloadBatch(payloads: group, body: body))] }
            } catch {
                // close() below reports it, payload by payload.
            }
        }
        return close(group[...])
    }

    private func projectedSize(adding payload: EncodedPayload) -> Int {
        pendingFrameBase + (pending.count + 1) + pendingPayloadBytes + payload.bytes.count
    }

    private func tooLarge(_ size: Int) -> RenderError {
        RenderError(.tooLarge, "the event's encoded body is \(size) bytes, more than batching.max_bytes (\(maxBytes)) allows even alone")
    }

    /// Encodes a group; if the real body is over the limit (an envelope that grows with the
    /// batch), moves payloads from the end into a following batch until each fits.
    private func close(_ group: ArraySlice<EncodedPayload>) -> [BatchGroupingEvent] {
        var events: [BatchGroupingEvent] = []
        var rest = group
        while !rest.isEmpty {
            var take = rest.count
            while true {
                let body: [UInt8]
                do {
                    body = try encoder.encode(rest.prefix(take))
                } catch {
                    for p in rest.prefix(take) { events.append(.rejected(p, error)) }
                    break
                }
                if maxBytes == 0 || body.count <= maxBytes {
                    events.append(.batch(PayloadBatch(payloads: Array(rest.prefix(take)), body: body)))
                    break
                }
                if take == 1 {
                    events.append(.rejected(rest.first!, tooLarge(body.count)))
                    break
                }
                take -= 1
            }
            rest = rest.dropFirst(take)
        }
        return events
    }
}
