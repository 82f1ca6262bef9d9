import DSJSON
import DSPlan

/// Rewrites a plan's JSON into the shape diffs are computed on, so that a reorder that does
/// not change meaning is no change and every element has a stable pointer:
/// headers and query parameters keyed by lowercase name, settings by name, secrets and
/// event lists as sets, status rules as the effective outcome of every status code.
/// Fields that always differ between versions (`spec_digest`) are left out.
public enum PlanNormalizer {
    /// The normalized form of a plan.
    public static func normalize(_ plan: DeliveryPlan) -> JSONValue {
        guard case .object(var o) = plan.json else { return plan.json }
        o["spec_digest"] = nil
        o["headers"] = keyedByName(o["headers"])
        if case .object(var endpoint)? = o["endpoint"] {
            endpoint["query"] = keyedByName(endpoint["query"], lowercase: false)
            o["endpoint"] = .object(endpoint)
        }
        if case .object(var signing)? = o["signing"] {
            // The preset name is a label: the plan holds its expansion, compared field by
            // field, so a preset written out by hand is no change.
            signing["preset"] = nil
            signing["headers"] = keyedByName(signing["headers"])
            o["signing"] = .object(signing)
        }
        o["settings"] = keyed(o["settings"], by: "name")
        o["secrets"] = asSet(o["secrets"])
        if case .object(var events)? = o["events"] {
            events["types"] = asSet(events["types"])
            events["consent"] = asSet(events["consent"])
            if let names = events["names"], !names.isNull { events["names"] = asSet(names) }
            o["events"] = .object(events)
        }
        if case .object(var response)? = o["response"] {
            response["rules"] = nil
            response["outcomes"] = outcomesByStatus(plan.response.rules)
            o["response"] = .object(response)
        }
        return .object(o)
    }

    static func keyedByName(_ value: JSONValue?, lowercase: Bool = true) -> JSONValue {
        var out = JSONObject()
        for item in value?.arrayValue ?? [] {
            guard let name = item["name"]?.stringValue else { continue }
            out[lowercase ? name.lowercased() : name] = ["name": .string(name), "value": item["value"] ?? .null]
        }
        return .object(out)
    }

    static func keyed(_ value: JSONValue?, by key: String) -> JSONValue {
        var out = JSONObject()
        for item in value?.arrayValue ?? [] {
            guard let name = item[key]?.stringValue else { continue }
            out[name] = item
        }
        return .object(out)
    }

    /// A list of strings as an object of `name: true`, so set membership diffs by name.
    static func asSet(_ value: JSONValue?) -> JSONValue {
        var out = JSONObject()
        for item in value?.arrayValue ?? [] { if let s = item.stringValue { out[s] = true } }
        return .object(out)
    }

    /// The outcome each status class gets, computed from the ordered rules; rules with a
    /// body condition are listed separately since they depend on the response body.
    static func outcomesByStatus(_ rules: [PlanStatusRule]) -> JSONValue {
        var out = JSONObject()
        var code = 100
        // Effective outcome per code, first unconditional match wins.
        func outcome(_ c: Int) -> String {
            rules.first { $0.bodyContains == nil && $0.status.contains { $0.contains(c) } }?.outcome ?? "drop"
        }
        // Compress runs of equal outcomes into ranges for readable pointers.
        while code <= 599 {
            let o = outcome(code)
            var end = code
            while end + 1 <= 599, outcome(end + 1) == o, (end + 1) % 100 != 0 { end += 1 }
            for c in code...end { out[String(c)] = .string(o) }
            code = end + 1
        }
        var conditional = JSONObject()
        for r in rules where r.bodyContains != nil {
            let codes = r.status.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",")
            conditional[codes + " body_contains " + r.bodyContains!] = .string(r.outcome)
        }
        return ["by_status": .object(out), "conditional": .object(conditional)]
    }
}
