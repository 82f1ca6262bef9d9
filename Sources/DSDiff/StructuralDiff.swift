import DSJSON

/// Structural difference of two JSON values: objects by key (order ignored), arrays by
/// index, scalars by value. Directive objects of the mapping language (all keys start
/// with `@`) are compared as units so a changed `@path` is one change of that field.
public enum StructuralDiff {
    /// All differences, in pointer order.
    public static func diff(_ old: JSONValue, _ new: JSONValue, at pointer: String = "") -> [PlanDelta] {
        var out: [PlanDelta] = []
        walk(old, new, pointer, &out)
        return out
    }

    static func isDirective(_ value: JSONValue) -> Bool {
        guard case .object(let o) = value, !o.isEmpty else { return false }
        return o.keys.allSatisfy { $0.hasPrefix("@") && !$0.hasPrefix("@@") }
    }

    private static func walk(_ old: JSONValue, _ new: JSONValue, _ pointer: String, _ out: inout [PlanDelta]) {
        if old == new { return }
        switch (old, new) {
        case (.object(let a), .object(let b)) where !(isDirective(old) && isDirective(new) && pointer.contains("/mapping")):
            for key in a.keys {
                let p = JSONPointer.appending(pointer, key)
                if let nb = b[key] { walk(a[key]!, nb, p, &out) } else { out.append(PlanDelta(pointer: p, kind: .removed, old: a[key], new: nil)) }
            }
            for key in b.keys where a[key] == nil {
                out.append(PlanDelta(pointer: JSONPointer.appending(pointer, key), kind: .added, old: nil, new: b[key]))
            }
        case (.array(let a), .array(let b)):
            for i in 0..<max(a.count, b.count) {
                let p = JSONPointer.appending(pointer, i)
                if i >= a.count { out.append(PlanDelta(pointer: p, kind: .added, old: nil, new: b[i])) }
                else if i >= b.count { out.append(PlanDelta(pointer: p, kind: .removed, old: a[i], new: nil)) }
                else { walk(a[i], b[i], p, &out) }
            }
        case (.null, _):
            out.append(PlanDelta(pointer: pointer, kind: .added, old: nil, new: new))
        case (_, .null):
            out.append(PlanDelta(pointer: pointer, kind: .removed, old: old, new: nil))
        default:
            out.append(PlanDelta(pointer: pointer, kind: .changed, old: old, new: new))
        }
    }
}
