import DSCore
import DSJSON

/// Reads `lookups`: an object of table name -> `{"map": {...}, "default": V, "unmatched": P,
/// "description": "..."}`.
enum LookupDecoder {
    static func read(_ top: ObjectReader) -> [LookupTableDeclaration] {
        guard let block = top.object("lookups", allowed: []) else { return [] }
        var out: [LookupTableDeclaration] = []
        for member in block.node.members {
            let name = Located(member.key, span: member.keySpan, pointer: block.path(member.key))
            guard let r = ObjectReader(member.value, pointer: name.location, allowed: ["map", "default", "unmatched", "description"],
                                       diagnostics: top.diagnostics, what: "lookup table \"\(member.key)\"") else { continue }
            r.reportUnknownKeys()
            var table = LookupTableDeclaration(name: name)
            if let m = r.raw("map") {
                if case .object(let o) = m.value {
                    table.map = Located(o, span: m.span, pointer: r.path("map"))
                } else {
                    r.wrongType("map", m, expected: "an object of key -> value")
                }
            } else {
                r.requireMissing("map", what: "lookup table \"\(member.key)\"")
            }
            if let d = r.raw("default") { table.defaultValue = Located(d.value, span: d.span, pointer: r.path("default")) }
            table.unmatched = r.enumeration("unmatched", LookupUnmatched.self)
            table.description = r.string("description")
            out.append(table)
        }
        return out
    }
}
