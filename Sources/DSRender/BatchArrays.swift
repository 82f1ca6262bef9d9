import DSJSON
import DSMapping
import DSPlan

/// One event's element in one named batch array (`batching.arrays`).
public struct BatchArrayPart: Sendable {
    /// Position of the array in the plan's `batching.arrays`.
    public var array: Int
    /// The element.
    public var value: JSONValue

    /// Creates a part.
    public init(array: Int, value: JSONValue) {
        self.array = array
        self.value = value
    }
}

/// Routes events into the named arrays of a batch envelope (spec section 26.1): an event
/// adds one element to every array whose `types`, `names` and `when` it meets, built by the
/// array's own mapping or, without one, as the event's payload.
struct BatchArrayRouter: Sendable {
    struct Array_: Sendable {
        var name: String
        var types: Set<String>?
        var names: Set<String>?
        /// `{"routed": {"@value": true, "@when": CONDITION}}`: the condition evaluated by the
        /// mapping engine itself, so it means exactly what `@when` means in a mapping.
        var condition: CompiledMapping?
        var mapping: CompiledMapping?
        var maxEvents: Int
    }

    let arrays: [Array_]

    init(_ arrays: [PlanBatchArray], configuration: ResolvedConfiguration) throws(RenderError) {
        var compiled: [Array_] = []
        for a in arrays {
            var condition: CompiledMapping?
            if let when = a.when {
                let probe: JSONValue = .object(JSONObject([("routed", .object(JSONObject([("@value", .bool(true)), ("@when", when)])))]))
                condition = try PayloadBuilder.compileMapping(probe, "batch array \"\(a.name)\" condition", configuration)
            }
            let mapping = try a.mapping.map { m throws(RenderError) in try PayloadBuilder.compileMapping(m, "batch array \"\(a.name)\" mapping", configuration) }
            compiled.append(Array_(name: a.name, types: a.types.map(Set.init), names: a.names.map(Set.init), condition: condition, mapping: mapping,
                                   maxEvents: max(1, a.maxEvents)))
        }
        self.arrays = compiled
    }

    /// The arrays `event` is routed to, in plan order.
    func routes(_ event: JSONValue, configuration: ResolvedConfiguration, data: [String: JSONValue]? = nil) throws(RenderError) -> [Int] {
        var out: [Int] = []
        for (i, a) in arrays.enumerated() {
            if let types = a.types, !(event["type"]?.stringValue.map(types.contains) ?? false) { continue }
            if let names = a.names, !(event["event"]?.stringValue.map(names.contains) ?? false) { continue }
            if let condition = a.condition {
                let result = try PayloadBuilder.evaluate(condition, "batch array \"\(a.name)\" condition", root: event, data: data ?? configuration.data,
                                                         configuration: configuration)
                guard result["routed"] == .bool(true) else { continue }
            }
            out.append(i)
        }
        return out
    }

    /// The event's elements: one per array it is routed to. `payload` builds the event's own
    /// payload value (for arrays without a mapping), at most once.
    func parts(_ event: JSONValue, configuration: ResolvedConfiguration, data: [String: JSONValue],
               payload: () throws(RenderError) -> JSONValue) throws(RenderError) -> [BatchArrayPart] {
        var own: JSONValue?
        var parts: [BatchArrayPart] = []
        for i in try routes(event, configuration: configuration, data: data) {
            let value: JSONValue
            if let mapping = arrays[i].mapping {
                value = try PayloadBuilder.evaluate(mapping, "batch array \"\(arrays[i].name)\" mapping", root: event, data: data,
                                                    configuration: configuration)
            } else {
                if own == nil { own = try payload() }
                value = own!
            }
            parts.append(BatchArrayPart(array: i, value: value))
        }
        return parts
    }
}
