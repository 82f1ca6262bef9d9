import DSJSON
import Foundation
import DSRender

/// The requests that share a rendered URL and header set (spec section 13: batches are
/// partitioned by them). A partition is the unit of ordering and of back-pressure: a 429
/// on any of its requests pauses all of them, since the vendor is telling that endpoint
/// and credential to slow down, not one request.
public final class Partition: Sendable {
    /// The partition key (URL and headers, see ``PartitionKeyer``).
    public let key: String
    private let pausedUntil = Locked<RuntimeInstant?>(nil)
    private let lastRequest = Locked<CompletionSignal?>(nil)

    /// Creates a partition.
    public init(key: String) { self.key = key }

    /// Pauses every request of the partition until `instant` (a later pause wins).
    public func pause(until instant: RuntimeInstant) {
        pausedUntil.withLock { p in if p.map({ $0 < instant }) ?? true { p = instant } }
    }

    /// When the current pause ends, or nil.
    public var pauseEnd: RuntimeInstant? { pausedUntil.withLock { $0 } }

    /// Waits until no pause is in force. Each sleep is reported to the wait observer of the
    /// request, if any (``ScheduledWait/Kind/partitionPause``).
    nonisolated(nonsending) public func waitWhilePaused(on clock: any RuntimeClock) async throws {
        while let end = pauseEnd, end > clock.now() {
            WaitReporting.current?.report(.partitionPause, start: clock.now(), end: end)
            try await clock.sleep(until: end)
        }
    }

    /// Registers a new request in dispatch order: returns the signal of the request before
    /// it (nil for the first) and the signal this request must fire when done.
    func chain() -> (previous: CompletionSignal?, own: CompletionSignal) {
        let own = CompletionSignal()
        let previous = lastRequest.withLock { last -> CompletionSignal? in
            defer { last = own }
            return last
        }
        return (previous, own)
    }
}

/// Computes an event's partition key: the URL and the plan's headers as rendered for it.
///
/// When the URL, query and header templates read nothing but settings and secrets (the
/// usual case), every event has the same key and nothing is rendered. Otherwise the event
/// is rendered once on its own and the key taken from that request. The render stage has
/// no "URL and headers only" entry point; ``RequestRenderer`` could expose one (it already
/// knows which templates are constant) to save that render.
public struct PartitionKeyer: Sendable {
    private let renderer: RequestRenderer
    private let planHeaderNames: Set<String>
    /// True when every event shares one partition.
    public let isConstant: Bool

    /// Creates the keyer for the plan `renderer` executes.
    public init(renderer: RequestRenderer) {
        self.renderer = renderer
        let plan = renderer.plan
        planHeaderNames = Set(plan.headers.map { $0.name.lowercased() })
        var templates = [plan.endpoint.url] + plan.endpoint.query.map(\.value) + plan.headers.map(\.value)
        switch plan.auth {
        case .bearer(let t): templates.append(t)
        case .basic(let u, let p): templates += [u, p]
        case .apiKey(_, _, let v, _): templates.append(v)
        default: break
        }
        isConstant = templates.allSatisfy(Self.readsOnlyConfiguration)
    }

    /// The key of `event` ("" when constant).
    public func key(for event: JSONValue) -> String {
        guard !isConstant else { return "" }
        guard let request = try? renderer.render(event, environment: FixedRenderEnvironment(), accessToken: "partition-key") else { return "" }
        var key = request.method + " " + request.url
        for h in request.headers where planHeaderNames.contains(h.name.lowercased()) { key += "\n\(h.name): \(h.value)" }
        return key
    }

    /// True if every `{{...}}` tag of `template` is a plain `@settings` / `@secrets`
    /// reference (conservative: any helper, block or event path counts as event-dependent).
    static func readsOnlyConfiguration(_ template: String) -> Bool {
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { return false }
            var tag = rest[open.upperBound..<close.lowerBound]
            while tag.first == "{" || tag.first == "&" || tag.first == " " { tag = tag.dropFirst() }
            while tag.last == " " { tag = tag.dropLast() }
            // One path expression and nothing else: no helper call, no block, no event path.
            guard tag.hasPrefix("@settings.") || tag.hasPrefix("@secrets."), !tag.contains(" ") else { return false }
            rest = rest[close.upperBound...]
        }
        return true
    }
}
