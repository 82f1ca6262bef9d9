import DSCore
import DSJSON

/// Body encodings.
public enum PayloadFormat: String, Sendable, CaseIterable {
    /// `application/json`, built by a mapping or a JSON template.
    case json
    /// `application/x-www-form-urlencoded`, built by a mapping.
    case form
    /// The canonical event as-is, `application/json`.
    case canonical
}

/// How the encoded JSON body is normalized before it is sent (and signed).
public enum PayloadNormalization: String, Sendable, CaseIterable {
    /// Sent as built: mapping key order, numbers as written, the template's own text.
    case none
    /// Sent as `JSON.stringify(JSON.parse(body))` gives it, so a receiver that re-serialises
    /// the parsed body (Express: `JSON.stringify(req.body)`) reproduces the signed bytes.
    case javascript
}

/// How the request body is built.
public struct Payload: Sendable {
    public var node: Located<Void>
    /// Encoding (default json).
    public var format: Located<PayloadFormat>?
    /// Field mapping (mutually exclusive with `template`).
    public var mapping: JSONNode?
    /// Pointer of `mapping`.
    public var mappingPointer: String = "/payload/mapping"
    /// Handlebars JSON template (mutually exclusive with `mapping`).
    public var template: TemplateText?
    /// Per-event wrapper: a mapping in which `{"@payload": true}` marks where the payload goes.
    public var wrapper: JSONNode?
    /// Partials available to `template`.
    public var partials: [(name: Located<String>, text: TemplateText)] = []
    /// Body normalization (default none; the Custom Webhook form always uses javascript).
    public var normalize: Located<PayloadNormalization>?
    /// Per-event size limit: an event whose encoded payload is longer is dead-lettered.
    public var maxBytes: Located<Int>?
}

/// How a batch body is laid out.
public enum BatchFormat: String, Sendable, CaseIterable {
    /// `[p1, p2, ...]`
    case jsonArray = "json_array"
    /// An object holding the array, laid out by `envelope` (`{"@batch": true}` marks the array).
    case jsonObject = "json_object"
    /// One JSON payload per line, `application/x-ndjson`.
    case ndjson
}

/// Event accumulation. Present and enabled means requests carry many events.
public struct Batching: Sendable {
    public var node: Located<Void>
    /// Explicit switch (default true when the block is present).
    public var enabled: Located<Bool>?
    /// Flush at this many events.
    public var maxEvents: Located<Int>?
    /// Flush before the encoded body would exceed this many bytes.
    public var maxBytes: Located<Int>?
    /// Flush this long after the first buffered event.
    public var maxWaitMs: Located<Int>?
    /// Batch body layout (default json_array).
    public var format: Located<BatchFormat>?
    /// For json_object: mapping with a `{"@batch": true}` marker.
    public var envelope: JSONNode?
    /// Named arrays of one envelope, each fed by the events it selects (`batching.arrays`),
    /// in declaration order; empty when not written.
    public var arrays: [BatchArray] = []
    /// Where `arrays` was written.
    public var arraysNode: Located<Void>?
}

/// One named array of a batch envelope (`batching.arrays.NAME`): which events add an
/// element to it, how the element is built, and its own event limit.
public struct BatchArray: Sendable {
    /// The array's name, as the envelope marks it (`{"@batch": "NAME"}`).
    public var name: Located<String>
    public var node: Located<Void>
    /// Event types routed here (default: every type).
    public var types: Located<[Located<EventType>]>?
    /// Event names routed here (default: every name).
    public var names: Located<[Located<String>]>?
    /// A condition (mapping-language form, section 12.4) the event must meet.
    public var when: JSONNode?
    /// At most this many elements per request (default `batching.max_events`).
    public var maxEvents: Located<Int>?
    /// How one element is built (default: the event's payload).
    public var mapping: JSONNode?
}

/// Token bucket limits.
public struct RateLimit: Sendable {
    public var node: Located<Void>
    /// Sustained requests per second.
    public var rps: Located<Double>?
    /// Bucket size (default: max(1, ceil(rps))).
    public var burst: Located<Double>?
}
