import DSCore
import DSJSON
import DSMapping
import DSSpec

/// A mapping found in the spec (payload mapping, event wrapper or batch envelope).
public struct AnalyzedMapping {
    /// Where it sits ("payload mapping", ...).
    public var site: String
    /// The mapping as written.
    public var node: JSONNode
    /// Pointer of the mapping in the spec.
    public var pointer: String
    /// The mapping after marker lowering (`{"@payload": true}` -> `{"@path": "@payload"}`).
    public var lowered: JSONValue
    /// Data variables meaningful here besides the built-in frames.
    public var allowedData: Set<String>
    /// Static problems found by the mapping checker.
    public var errors: [MappingError]
    /// The compiled mapping, when it has no errors.
    public var compiled: CompiledMapping?
    /// How many marker objects (`@payload` / `@batch`) it contains.
    public var markerCount: Int
}

/// Lists and checks the mappings of a spec.
enum MappingInventory {
    static func collect(spec: SpecDocument) -> [AnalyzedMapping] {
        var out: [AnalyzedMapping] = []
        func add(_ site: String, _ node: JSONNode?, _ pointer: String, marker: String?, data: Set<String>) {
            guard let node else { return }
            var count = 0
            let lowered = marker == nil ? node.value : lowerMarkers(node.value, marker: marker, count: &count)
            // Compile first: the common case is a valid mapping, and the full check (which
            // collects every error, not just the first) is only needed when it fails.
            let compiled = try? CompiledMapping.compile(lowered)
            let errors = compiled == nil ? CompiledMapping.check(lowered) : []
            out.append(AnalyzedMapping(site: site, node: node, pointer: pointer, lowered: lowered,
                                       allowedData: data, errors: errors, compiled: compiled, markerCount: count))
        }
        if let payload = spec.payload {
            add("payload mapping", payload.mapping, "/payload/mapping", marker: nil, data: Self.mappingData)
            add("payload wrapper", payload.wrapper, "/payload/wrapper", marker: "payload", data: Self.wrapperData)
        }
        if let batching = spec.batching {
            add("batch envelope", batching.envelope, "/batching/envelope", marker: "batch", data: Self.envelopeData)
            for array in batching.arrays {
                add("batch array \"\(array.name.value)\" mapping", array.mapping, JSONPointer.appending(array.name.pointer, "mapping"), marker: nil, data: Self.mappingData)
            }
        }
        return out
    }

    // The data variables of each kind of mapping, built-in frames included (formed once).
    static let mappingData = TemplateInventory.bodySiteData
    static let wrapperData = TemplateInventory.bodySiteData.union(["payload"])
    static let envelopeData = TemplateInventory.bodySiteData.union(["batch"])

    /// The names of `{"@batch": "NAME"}` markers in an envelope, in document order (a name
    /// as often as it is marked).
    static func namedBatchMarkers(_ value: JSONValue) -> [String] {
        switch value {
        case .object(let o):
            if o.count == 1, case .string(let name)? = o["@batch"] { return [name] }
            return o.flatMap { namedBatchMarkers($0.1) }
        case .array(let a):
            return a.flatMap(namedBatchMarkers)
        default:
            return []
        }
    }

    /// Replaces `{"@NAME": true}` markers with `{"@path": "@NAME"}`, so the payload (or the
    /// batch array) is an ordinary data variable to the mapping engine.
    static func lowerMarkers(_ value: JSONValue, marker: String?, count: inout Int) -> JSONValue {
        switch value {
        case .object(let o):
            if let marker, o.count == 1, o["@" + marker] == .bool(true) {
                count += 1
                return ["@path": .string("@" + marker)]
            }
            // A named batch array (`batching.arrays`): `{"@batch": "NAME"}`.
            if marker == "batch", o.count == 1, case .string(let name)? = o["@batch"] {
                return ["@path": .string("@batch." + name)]
            }
            var copy = JSONObject()
            for (k, v) in o { copy[k] = lowerMarkers(v, marker: marker, count: &count) }
            return .object(copy)
        case .array(let a):
            return .array(a.map { lowerMarkers($0, marker: marker, count: &count) })
        default:
            return value
        }
    }
}
