import DSJSON
import DSPlan

/// Whether an event is delivered, and if not, why. Filtering is an outcome, never a silent
/// drop: whoever renders or delivers reports the reason.
public enum EventSelection: Sendable, Equatable {
    /// The event passes the plan's selection.
    case selected
    /// The event is not for this destination; the reason names the rule it failed.
    case filtered(reason: String)
}

/// Applies a plan's `events` block to one event.
///
/// The rule, in order:
/// 1. **Type**: the event's `type` must be one of `events.types`.
/// 2. **Name**: if `events.names` is set and the event is a `track` event, its `event` name
///    must be in the list exactly (case-sensitive). Names do not apply to other types: a page
///    or identify event has no event name to compare.
/// 3. **Consent**: every category in `events.consent` must be granted by the event. A
///    category is granted when it appears in `context.consent.categories` (an array of
///    strings), maps to `true` in `context.consent.categoryPreferences` (an object of
///    booleans), or is itself `true` directly under `context.consent` (`{"analytics": true}`,
///    the shape Datafly's event schema uses). Anything else (missing consent context, `false`, a non-boolean) is not
///    consent: when in doubt the event is not delivered.
///
/// A class (immutable): read through ``RequestRenderer/selector`` once per event, a struct
/// was copied out field by field (a retain and a release of each) on every call.
public final class EventSelector: Sendable {
    private let types: Set<String>
    private let typeList: String
    /// `events.types` as UTF-8, for ``select(_:)`` on event lines.
    private let typeBytes: [[UInt8]]
    private let names: Set<String>?
    private let consent: [String]

    /// Creates the selector for a plan's event selection.
    public init(_ events: PlanEvents) {
        types = Set(events.types)
        typeBytes = events.types.map { Array($0.utf8) }
        typeList = events.types.joined(separator: ", ")
        names = events.names.map(Set.init)
        consent = events.consent
    }

    /// The top-level members ``select(_:)`` reads: nothing else of an event matters to it.
    var readKeys: [String] { ["type"] + (names == nil ? [] : ["event"]) + (consent.isEmpty ? [] : ["context"]) }

    /// Decides one event held as its line: the same decision as ``select(_:)`` on the parsed
    /// event, made on an object of only the members it reads.
    public func select(_ line: EventLine) -> EventSelection {
        // The usual selection reads only the type: decide on its bytes when it is a plain string.
        if names == nil, consent.isEmpty, let i = ("type" as StaticString).withUTF8Buffer({ line.member($0) }), line.members[i].canonical,
           line.bytes[Int(line.members[i].valueStart)] == UInt8(ascii: "\"") {
            let m = line.members[i]
            let start = Int(m.valueStart) + 1, count = Int(m.valueEnd - m.valueStart) - 2
            var found = false
            line.bytes.withUnsafeBufferPointer { b in
                for t in typeBytes.indices where typeBytes[t].count == count {
                    if typeBytes[t].withUnsafeBufferPointer({ EventLine.equal(b.baseAddress! + start, $0.baseAddress, count) }) { found = true; return }
                }
            }
            if found { return .selected }
            return select(.object(JSONObject([("type", .string(String(decoding: line.bytes[Int(m.valueStart) + 1..<Int(m.valueEnd) - 1], as: UTF8.self)))])))
        }
        var pairs: [(String, JSONValue)] = []
        for key in readKeys {
            if let s = line.string(of: key) { pairs.append((key, .string(s))) } else if let v = line.value(of: key) { pairs.append((key, v)) }
        }
        return select(.object(JSONObject(pairs)))
    }

    /// Decides one event.
    public func select(_ event: JSONValue) -> EventSelection {
        guard let type = event["type"]?.stringValue else {
            return .filtered(reason: "the event has no \"type\" string")
        }
        guard types.contains(type) else {
            return .filtered(reason: "type \"\(type)\" is not selected (events.types: \(typeList))")
        }
        if type == "track", let names {
            guard let name = event["event"]?.stringValue else {
                return .filtered(reason: "the track event has no \"event\" name and events.names is set")
            }
            guard names.contains(name) else {
                return .filtered(reason: "event name \"\(name)\" is not in events.names")
            }
        }
        if !consent.isEmpty {
            let given = event["context"]?["consent"]
            for category in consent where !Self.grants(given, category) {
                return .filtered(reason: "consent category \"\(category)\" is not granted by context.consent")
            }
        }
        return .selected
    }

    /// True if the event's `context.consent` grants `category` (see the type's rule).
    static func grants(_ consent: JSONValue?, _ category: String) -> Bool {
        guard let consent else { return false }
        if let list = consent["categories"]?.arrayValue, list.contains(.string(category)) { return true }
        if let preferences = consent["categoryPreferences"]?.objectValue, preferences[category] == .bool(true) { return true }
        if consent[category] == .bool(true) { return true }
        return false
    }
}
