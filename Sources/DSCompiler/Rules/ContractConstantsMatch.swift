import DSCore
import DSJSON
import DSSpec

/// A constant in the body mapping that the vendor's request contract does not accept (the
/// wrong type, or outside an `enum` / `const`) fails every request.
public struct ContractConstantsMatch: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS1004", name: "contract-constants-match", severity: .error,
        summary: "A constant the body mapping writes must have the type (and enum or const value) the vendor's request contract declares for that field.",
        hint: "Write the constant with the contract's type: \"1\" and 1 are different JSON values.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard let (sites, shape, contract) = context.contractSites else { return }
        for (i, site) in sites.all.enumerated() {
            guard let value = ContractMappingWalk.constant(of: site.node) else { continue }
            // Every alternative must reject the value; within one, every conjunct is checked.
            var reasons: [String] = []
            for alternative in site.schemas {
                guard let reason = shape.conjunction(alternative).lazy.compactMap({ Self.rejects($0, value) }).first else { reasons = []; break }
                reasons.append(reason)
            }
            guard let reason = reasons.first else { continue }
            let at = sites.instancePath(i).isEmpty ? "/" : sites.instancePath(i)
            context.report(Self.self, "the constant \(JSONWriter.string(value)) at \(at) of the body \(reason) (vendor contract \(contract.origin))",
                           span: site.node.span, pointer: sites.pointer(i))
        }
    }

    static func rejects(_ schema: JSONValue, _ value: JSONValue) -> String? {
        if let types = schema["type"].map({ $0.stringValue.map { [$0] } ?? ($0.arrayValue ?? []).compactMap(\.stringValue) }), !types.isEmpty {
            let ok = types.contains { t in
                switch (t, value) {
                case ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number), ("object", .object), ("array", .array): return true
                case ("integer", .number(let n)): return n.isIntegerLiteral || n.doubleValue == n.doubleValue.rounded()
                default: return false
                }
            }
            if !ok { return "is \(Self.typeName(value)), but the contract wants \(types.joined(separator: " or "))" }
        }
        if let c = schema["const"], !Self.equal(c, value) { return "is not the contract's const \(JSONWriter.string(c))" }
        if let e = schema["enum"]?.arrayValue, !e.contains(where: { Self.equal($0, value) }) {
            return "is not one of the contract's values \(e.prefix(8).map { JSONWriter.string($0) }.joined(separator: ", "))\(e.count > 8 ? ", ..." : "")"
        }
        return nil
    }

    static func typeName(_ v: JSONValue) -> String {
        switch v {
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if case .number(let x) = a, case .number(let y) = b { return x.text == y.text || x.doubleValue == y.doubleValue }
        return a == b
    }
}
