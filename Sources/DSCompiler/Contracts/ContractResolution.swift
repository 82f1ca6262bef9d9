import DSCore
import DSJSON
import DSSchema
import DSSpec

/// Loads and compiles the contracts a spec names, through the driver's ``ContractLoader``;
/// every failure is a DS1001 diagnostic at the field that names the file.
enum ContractResolution {
    static func resolve(_ spec: SpecDocument, loader: (any ContractLoader)?, diagnostics: DiagnosticCollector) -> SpecContracts {
        var out = SpecContracts()
        let planRef = spec.events?.schema
        let contractRef = spec.contract
        guard planRef != nil || contractRef?.source != nil else { return out }
        guard let loader else {
            // In-memory compilation with no driver: nothing to load the files with.
            return out
        }
        func fail(_ message: String, at located: Located<String>) {
            diagnostics.emit(ContractFilesLoad.descriptor, message, span: located.span, pointer: located.pointer)
            out.failed = true
        }
        func load(_ path: Located<String>) -> (JSONValue, String)? {
            switch loader.load(path.value) {
            case .loaded(let value, let base): return (value, base)
            case .failed(let message):
                fail("cannot use \"\(path.value)\": \(message)", at: path)
                return nil
            }
        }
        if let planRef {
            var plan = TrackingPlan()
            var ok = true
            func compile(_ path: Located<String>) -> EventSchema? {
                guard let (value, base) = load(path) else { ok = false; return nil }
                do {
                    let schema = try JSONSchema.compileTyped(value, resolver: loader, options: SchemaOptions(baseURI: base))
                    return EventSchema(path: path.value, value: value, schema: schema)
                } catch {
                    fail("\"\(path.value)\" is not a valid JSON Schema: \(error.location.isEmpty ? "" : error.location + ": ")\(error.message)", at: path)
                    ok = false
                    return nil
                }
            }
            if let all = planRef.all {
                plan.all = compile(all)
            } else {
                for (name, path) in planRef.byEvent {
                    guard let s = compile(path) else { continue }
                    if name.value == "*" { plan.fallback = s } else { plan.byEvent.append((name.value, s)) }
                }
            }
            if ok { out.trackingPlan = plan }
        }
        if let source = contractRef?.source {
            switch source {
            case .schema(let path):
                if let (value, base) = load(path) {
                    do {
                        out.request = try RequestContract.jsonSchema(value, resolver: loader, baseURI: base)
                        out.request?.origin = "the request schema \(path.value)"
                    } catch {
                        fail("\"\(path.value)\" is not a valid JSON Schema: \(error.location.isEmpty ? "" : error.location + ": ")\(error.message)", at: path)
                    }
                }
            case .openAPI(let document, let operation):
                if let (value, base) = load(document) {
                    let at: Located<String>
                    var id: String?, method: String?, route: String?
                    switch operation {
                    case .operationID(let o): id = o.value; at = o
                    case .route(let m, let p): method = m.value; route = p.value; at = p
                    }
                    do {
                        var contract = try OpenAPIContract.contract(value, operationID: id, method: method, path: route, resolver: loader, baseURI: base)
                        contract.origin = "\(document.value) \(contract.origin)"
                        out.request = contract
                    } catch {
                        let where_ = error.location.isEmpty || error.location == "/" || error.location.hasPrefix("/paths") ? "" : " (at \(error.location))"
                        // A missing operation is the operation field's fault; anything else the document's.
                        fail("\(document.value): \(error.message)\(where_)", at: error.location.hasPrefix("/paths") ? at : document)
                    }
                }
            }
        }
        return out
    }
}
