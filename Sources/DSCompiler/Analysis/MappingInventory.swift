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
    /// The mapping after marker lowering (`{"@payload": true}` -> `{"@path": "@payload"}`),
    /// as a node (what is compiled; spans of lowered markers are the marker object's).
    public var loweredNode: JSONNode
    /// The mapping after marker lowering, as a value (formed when asked for).
    public var lowered: JSONValue { loweredNode.value }
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
            // Compiled from the node itself (no conversion to a value).
            let lowered = marker == nil ? node : lowerMarkers(node, marker: marker, count: &count)
            // Templates compiled for analysis (no render-only forms): lint evaluates a mapping
            // at most a few times. Compile first: the common case is a valid mapping, and the full check (which
            // collects every error, not just the first) is only needed when it fails.
            let compiled = try? CompiledMapping.compile(lowered, templateOptions: .analysis)
            let errors = compiled == nil ? CompiledMapping.check(lowered) : []
            out.append(AnalyzedMapping(site: site, node: node, pointer: pointer, loweredNode: lowered,
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

    /// `lowerMarkers` on a parsed node: the same lowering, node for node (`lowerMarkers(node,
    /// ...).value == lowerMarkers(node.value, ...)` with the same count). A repeated key keeps
    /// only its first member, as `value` does, so a marker in a dropped repeat is not counted.
    static func lowerMarkers(_ node: JSONNode, marker: String?, count: inout Int) -> JSONNode {
        switch node.kind {
        case .object(let members):
            // One distinct key (`o.count == 1` on the value): every member has the first's key.
            let single = !members.isEmpty && members.allSatisfy { $0.key == members[0].key }
            if single, let marker, members[0].key == "@" + marker, members[0].value.boolValue == true {
                count += 1
                return pathObject("@" + marker, like: node, members[0])
            }
            if single, marker == "batch", members[0].key == "@batch", let name = members[0].value.stringValue {
                return pathObject("@batch." + name, like: node, members[0])
            }
            var lowered: [JSONMember] = []
            lowered.reserveCapacity(members.count)
            var seen = Set<String>()
            for m in members where members.count <= 16 ? !lowered.contains(where: { $0.key == m.key }) : seen.insert(m.key).inserted {
                lowered.append(JSONMember(key: m.key, keySpan: m.keySpan, value: lowerMarkers(m.value, marker: marker, count: &count)))
            }
            return JSONNode(kind: .object(lowered), span: node.span)
        case .array(let a):
            return JSONNode(kind: .array(a.map { lowerMarkers($0, marker: marker, count: &count) }), span: node.span)
        default:
            return node
        }
    }

    /// `{"@path": path}` in place of a marker object (spans of the marker).
    private static func pathObject(_ path: String, like node: JSONNode, _ member: JSONMember) -> JSONNode {
        JSONNode(kind: .object([JSONMember(key: "@path", keySpan: member.keySpan, value: JSONNode(kind: .string(path), span: member.value.span))]), span: node.span)
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
