import DSJSON
import DSRender

/// How a delivery run behaves, beyond what the plan says.
public struct DeliveryOptions: Sendable {
    /// Requests in flight at once (a request waiting for its backoff keeps its slot, which
    /// is what bounds memory during an outage).
    public var concurrency: Int
    /// Send the requests of a partition strictly one after another, in input order, retries
    /// included. Nil (the default) follows the plan's `ordering` (`strict` or `none`); true or
    /// false overrides it (the CLI's `--ordering strict|none`, `--ordered`). Without strict
    /// ordering requests are *started* in input order but may finish out of order.
    public var orderedPartitions: Bool?
    /// Render and print requests instead of sending them (no rate limit, no token fetch).
    public var dryRun: Bool
    /// Partitions kept open at once before every open batch is flushed and idle partitions
    /// are forgotten (bounds memory when the URL or headers vary per event).
    public var maxOpenPartitions: Int
    /// A check every selected event passes before it is rendered (the driver's tracking-plan
    /// validation): a non-nil reason dead-letters the event with that reason. The engine does
    /// not know what the check is; counting without dead-lettering is the check's business.
    public var eventCheck: (@Sendable (JSONValue) -> String?)?
    /// The fleet-wide rate limit (`--shared-rate-limit`): the plan's bucket and 429 pauses
    /// enforced across processes instead of in this one (see ``SharedAdmission``).
    public var sharedAdmission: (any SharedAdmission)?
    /// Told of every wait the engine schedules (``ScheduledWait``: retry backoff and
    /// `Retry-After`, partition pauses, rate-limit tokens, rate-limit header pauses), before
    /// it sleeps, on the requesting task. Nil (the default) costs one check per wait. Must be
    /// quick and do no I/O of its own (the conformance harness appends to a list).
    public var waitObserver: (@Sendable (ScheduledWait) -> Void)?

    /// Creates options.
    public init(concurrency: Int = 8, orderedPartitions: Bool? = nil, dryRun: Bool = false, maxOpenPartitions: Int = 10_000) {
        self.concurrency = max(1, concurrency)
        self.orderedPartitions = orderedPartitions
        self.dryRun = dryRun
        self.maxOpenPartitions = max(1, maxOpenPartitions)
    }
}

/// Receives the requests of a dry run.
public protocol DryRunSink: Sendable {
    /// Called once per request, in dispatch order per partition.
    func emit(_ request: RenderedRequest)
}

/// The events one request carries: a batch from the grouper, or a single event when the
/// plan does not batch (then `batch` is nil and, unless `payloadIsBody`, the payload's bytes
/// are unused: the renderer builds the request from the event).
struct DeliveryUnit: Sendable {
    /// The events, in body order; each payload's `tag` is its input line.
    var payloads: [EncodedPayload]
    /// The encoded batch, when the plan batches.
    var batch: PayloadBatch?
    /// A single event whose payload was written from its line
    /// (`RequestRenderer.payload(for:eventID:tag:)`): its bytes are the request's body, and
    /// the request is rendered with `RequestRenderer.render(single:environment:accessToken:)`.
    var payloadIsBody = false

    init(batch: PayloadBatch) {
        payloads = batch.payloads
        self.batch = batch
    }

    init(single payload: EncodedPayload) {
        payloads = [payload]
        batch = nil
    }

    /// A single event's payload written from its line, which is the request's body.
    init(lineBody payload: EncodedPayload) {
        payloads = [payload]
        batch = nil
        payloadIsBody = true
    }

    var eventIDs: [String] { payloads.map(\.eventID) }
}
