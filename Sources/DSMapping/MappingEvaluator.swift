import DSJSON
import DSTemplate

/// Evaluates a compiled mapping node tree; nil is a missing value.
struct MappingEvaluator {
    let eventRoot: JSONValue
    /// The mapping's node pointers, formed as text only for an error.
    let pointers: MappingPointerTable

    mutating func eval(_ node: MappingNode, root: JSONValue, data: [String: JSONValue]) throws(MappingError) -> JSONValue? {
        switch node {
        case .constant(let v):
            return v
        case .template(let t, let pointer, let dropEmpty):
            let value: JSONValue?
            do { value = try t.renderValue(root, data: data) } catch {
                let pointer = pointers.string(pointer)
                throw MappingError(message: "\(error.message) at \(pointer)", pointer: pointer)
            }
            if dropEmpty, let value, Self.isEmptyContainer(value) { return nil }
            return value
        case .array(let nodes, let dropEmpty):
            var out: [JSONValue] = []
            out.reserveCapacity(nodes.count)
            for n in nodes {
                if let v = try eval(n, root: root, data: data) { out.append(v) }
            }
            if dropEmpty, out.isEmpty { return nil }
            return .array(out)
        case .object(let object):
            for c in object.when where !holds(c, root: root, data: data) { return nil }
            var out = JSONObject()
            for m in object.members {
                if let v = try eval(m.node, root: root, data: data) { out[m.key] = v }
            }
            if object.dropEmpty, out.isEmpty { return nil }
            return .object(out)
        case .directive(let d):
            return try directive(d, root: root, data: data)
        }
    }

    /// `{}` or `[]`: what `@drop_empty` drops.
    @inline(__always)
    static func isEmptyContainer(_ v: JSONValue) -> Bool {
        switch v {
        case .object(let o): return o.isEmpty
        case .array(let a): return a.isEmpty
        default: return false
        }
    }

    private func lookup(_ table: String, _ value: JSONValue?, _ pointer: Int32, data: [String: JSONValue]) throws(MappingError) -> JSONValue? {
        switch LookupTables.resolve(data[LookupTables.dataName], table, value) {
        case .success(let v): return v
        case .failure:
            let at = JSONPointer.appending(pointers.string(pointer), "@lookup")
            throw MappingError(message: "unknown lookup table '\(table)' at \(at)", pointer: at)
        }
    }

    private func holds(_ c: Condition, root: JSONValue, data: [String: JSONValue]) -> Bool {
        let v = c.path.resolve(root: root, data: data)
        if let exists = c.exists, (v != nil) != exists { return false }
        if let e = c.equals, !TemplateValues.looselyEqual(v, e) { return false }
        if let ne = c.notEquals, TemplateValues.looselyEqual(v, ne) { return false }
        if let list = c.inList, !list.contains(where: { TemplateValues.looselyEqual(v, $0) }) { return false }
        return true
    }

    private mutating func directive(_ d: Directive, root: JSONValue, data: [String: JSONValue]) throws(MappingError) -> JSONValue? {
        for c in d.when where !holds(c, root: root, data: data) { return nil }
        var value: JSONValue?
        switch d.source {
        case .path(let p):
            value = p.resolve(root: root, data: data)
        case .value(let v):
            value = v
        case .template(let t):
            do { value = .string(try t.render(root, data: data)) } catch {
                let pointer = pointers.string(d.pointer)
                throw MappingError(message: "\(error.message) at \(pointer)", pointer: pointer)
            }
        case .each(let p, let map):
            switch p.resolve(root: root, data: data) {
            case nil: value = nil
            case .null?: value = .null
            case .array(let items)?:
                var scoped = data
                if scoped["root"] == nil { scoped["root"] = eventRoot }
                var out: [JSONValue] = []
                out.reserveCapacity(items.count)
                for (i, item) in items.enumerated() {
                    scoped["index"] = .int(i)
                    if let v = try eval(map, root: item, data: scoped) { out.append(v) }
                }
                value = .array(out)
            case let other?:
                let pointer = JSONPointer.appending(pointers.string(d.pointer), "@each")
                throw MappingError(message: "@each needs an array but \(p.source) is \(other.typeName == "object" ? "an" : "a") \(other.typeName) at \(pointer)", pointer: pointer)
            }
        }
        if value == nil || value == .null, let fallback = d.defaultValue {
            value = fallback
        } else if var v = value {
            for t in d.transforms { v = try Transforms.apply(t, v, MappingPointer(table: pointers, index: d.pointer)) }
            value = v
            if let table = d.lookup { value = try lookup(table, v, d.pointer, data: data) }
        }
        if let type = d.type, let v = value { value = try Transforms.coerce(v, type, MappingPointer(table: pointers, index: d.pointer)) }
        if d.dropEmpty, let v = value, Self.isEmptyContainer(v) { value = nil }
        if value == nil, d.keepNull { return .null }
        return value
    }
}
