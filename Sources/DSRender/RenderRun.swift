import DSJSON

/// What happened to an event that did not go out in a request.
public struct EventOutcome: Sendable, Equatable {
    /// Why the event is not in any request.
    public enum Status: String, Sendable, Equatable {
        /// The plan's event selection excludes it (type, name or consent).
        case filtered
        /// Rendering failed (header injection, a mapping error, too large for a batch, ...).
        case failed
    }

    /// Position of the event in the input (0-based).
    public var index: Int
    /// The event's `event_id` (empty if it has none).
    public var eventID: String
    /// Filtered or failed.
    public var status: Status
    /// Why, in one secret-free line.
    public var reason: String

    /// Creates an outcome.
    public init(index: Int, eventID: String, status: Status, reason: String) {
        self.index = index
        self.eventID = eventID
        self.status = status
        self.reason = reason
    }
}

/// The result of rendering a list of events: the requests, in order, and every event that
/// is not in one of them, with the reason.
public struct RenderRun: Sendable {
    /// The requests, in the order of their first event.
    public var requests: [RenderedRequest]
    /// Filtered and failed events, in input order.
    public var outcomes: [EventOutcome]
}

extension RequestRenderer {
    /// Renders a list of events the way the runtime would deliver them: selection, then
    /// payloads, then batches (grouped in order within the plan's limits), then requests.
    /// Nothing is dropped silently: each event is either in a request or in `outcomes`.
    public func renderAll(_ events: [JSONValue], environment: some RenderEnvironment, accessToken: String? = nil) -> RenderRun {
        var requests: [RenderedRequest] = []
        var outcomes: [EventOutcome] = []
        func fail(_ index: Int, _ reason: String) {
            outcomes.append(EventOutcome(index: index, eventID: events[index]["event_id"]?.stringValue ?? "", status: .failed, reason: reason))
        }
        var grouper = makeBatchGrouper()
        func handle(_ steps: [BatchGroupingEvent]) {
            for step in steps {
                switch step {
                case .batch(let batch):
                    do {
                        requests.append(try render(batch: batch, environment: environment, accessToken: accessToken))
                    } catch {
                        for p in batch.payloads { fail(p.tag, error.message) }
                    }
                case .rejected(let payload, let error):
                    fail(payload.tag, error.message)
                }
            }
        }
        for (index, event) in events.enumerated() {
            if case .filtered(let reason) = select(event) {
                outcomes.append(EventOutcome(index: index, eventID: event["event_id"]?.stringValue ?? "", status: .filtered, reason: reason))
                continue
            }
            do {
                if grouper == nil {
                    requests.append(try render(event, environment: environment, accessToken: accessToken))
                } else {
                    var payload = try self.payload(for: event)
                    payload.tag = index
                    handle(try grouper!.append(payload))
                }
            } catch {
                fail(index, error.message)
            }
        }
        if grouper != nil { handle(grouper!.flush()) }
        outcomes.sort { $0.index < $1.index }
        return RenderRun(requests: requests, outcomes: outcomes)
    }
}
