import DSCore
import DSJSON

/// Reads `events.schema` (the tracking plan) and `contract` (the vendor's request contract).
/// Only the shape is checked here; the files are loaded and compiled by the compiler through
/// the driver's loader (rule DS1001).
enum ContractDecoder {
    static func readTrackingPlan(_ r: ObjectReader) -> TrackingPlanReference? {
        guard let m = r.member("schema") else { return nil }
        let pointer = r.path("schema")
        var plan = TrackingPlanReference(node: Located((), span: m.value.span, pointer: pointer))
        if let s = m.value.stringValue {
            guard let path = nonEmptyPath(s, m.value, pointer, r.diagnostics) else { return nil }
            plan.all = path
            return plan
        }
        let members = m.value.members
        guard m.value.isObject else {
            r.wrongType("schema", m.value, expected: "a file path or an object of event name -> file path")
            return nil
        }
        if members.isEmpty {
            r.diagnostics.emit(DecodingRules.invalidValue, "\"schema\" names no event; give a file path, or at least one event name -> file path",
                               span: m.value.span, pointer: pointer.string)
            return nil
        }
        for member in members {
            let p = pointer.appending(member.key)
            guard let s = member.value.stringValue else {
                r.diagnostics.emit(DecodingRules.wrongType, "the schema of \"\(member.key)\" must be a file path (a string), not \(member.value.typeName)",
                                   span: member.value.span, pointer: p.string)
                continue
            }
            guard let path = nonEmptyPath(s, member.value, p, r.diagnostics) else { continue }
            plan.byEvent.append((Located(member.key, span: member.keySpan, pointer: p), path))
        }
        return plan
    }

    static func readContract(_ top: ObjectReader) -> RequestContractReference? {
        guard let r = top.object("contract", allowed: ["schema", "openapi", "operation", "method", "path", "description"]) else { return nil }
        r.reportUnknownKeys()
        var contract = RequestContractReference(node: r.located, source: nil)
        let schema = r.string("schema")
        let openapi = r.string("openapi")
        let operation = r.string("operation")
        let method = r.string("method")
        let path = r.string("path")
        switch (schema, openapi) {
        case (let s?, nil):
            for (key, v) in [("operation", operation), ("method", method), ("path", path)] where v != nil {
                r.diagnostics.emit(DecodingRules.conflictingFields, "\"\(key)\" names an OpenAPI operation; it needs \"openapi\", not \"schema\"",
                                   span: v!.span, pointer: v!.pointer)
            }
            if let p = nonEmptyPath(s.value, nil, s.location, r.diagnostics, span: s.span) { contract.source = .schema(p) }
        case (nil, let o?):
            guard let doc = nonEmptyPath(o.value, nil, o.location, r.diagnostics, span: o.span) else { break }
            if let operation {
                if let extra = method ?? path {
                    r.diagnostics.emit(DecodingRules.conflictingFields, "give the operation either as \"operation\" (its operationId) or as \"method\" and \"path\", not both",
                                       span: extra.span, pointer: extra.pointer)
                }
                contract.source = .openAPI(document: doc, operation: .operationID(operation))
            } else if let method, let path {
                contract.source = .openAPI(document: doc, operation: .route(method: method, path: path))
            } else {
                r.diagnostics.emit(DecodingRules.missingField, "\"contract\" with \"openapi\" needs the operation: \"operation\" (its operationId), or \"method\" and \"path\"",
                                   span: r.node.span, pointer: r.pointer)
            }
        case (let s?, let o?):
            r.diagnostics.emit(DecodingRules.conflictingFields, "\"contract\" takes either \"schema\" (a JSON Schema file) or \"openapi\" (an OpenAPI document), not both",
                               span: o.span, pointer: o.pointer)
            _ = s
        case (nil, nil):
            r.diagnostics.emit(DecodingRules.missingField, "\"contract\" needs \"schema\" (a JSON Schema file) or \"openapi\" (an OpenAPI document) with the operation",
                               span: r.node.span, pointer: r.pointer)
        }
        return contract
    }

    private static func nonEmptyPath(_ s: String, _ node: JSONNode?, _ pointer: SpecPointer, _ diagnostics: DiagnosticCollector, span: SourceSpan? = nil) -> Located<String>? {
        let span = span ?? node?.span ?? SourceSpan(start: 0, end: 1)
        guard !s.isEmpty else {
            diagnostics.emit(DecodingRules.invalidValue, "a schema file path must not be empty", span: span, pointer: pointer.string)
            return nil
        }
        return Located(s, span: span, pointer: pointer)
    }
}
