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
        func load<R: Sendable>(_ path: Located<String>, _ compilation: ContractCompilation<R>) -> R? {
            switch loader.loadCompiled(path.value, compilation) {
            case .compiled(let r): return r
            case .failed(let message):
                fail("cannot use \"\(path.value)\": \(message)", at: path)
                return nil
            }
        }
        if let planRef {
            var plan = TrackingPlan()
            var ok = true
            let eventSchema = ContractCompilation<Result<(JSONValue, JSONSchema), SchemaCompileError>>(kind: "events.schema") { value, base, resolver in
                do throws(SchemaCompileError) {
                    return .success((value, try JSONSchema.compileTyped(value, resolver: resolver, options: SchemaOptions(baseURI: base))))
                } catch {
                    return .failure(error)
                }
            }
            func compile(_ path: Located<String>) -> EventSchema? {
                guard let compiled = load(path, eventSchema) else { ok = false; return nil }
                switch compiled {
                case .success(let (value, schema)):
                    return EventSchema(path: path.value, value: value, schema: schema)
                case .failure(let error):
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
                let requestSchema = ContractCompilation<Result<RequestContract, SchemaCompileError>>(kind: "contract.schema") { value, base, resolver in
                    do throws(SchemaCompileError) {
                        return .success(try RequestContract.jsonSchema(value, resolver: resolver, baseURI: base))
                    } catch {
                        return .failure(error)
                    }
                }
                if let compiled = load(path, requestSchema) {
                    switch compiled {
                    case .success(let contract):
                        out.request = contract
                        out.request?.origin = "the request schema \(path.value)"
                    case .failure(let error):
                        fail("\"\(path.value)\" is not a valid JSON Schema: \(error.location.isEmpty ? "" : error.location + ": ")\(error.message)", at: path)
                    }
                }
            case .openAPI(let document, let operation):
                let at: Located<String>
                var id: String?, method: String?, route: String?
                switch operation {
                case .operationID(let o): id = o.value; at = o
                case .route(let m, let p): method = m.value; route = p.value; at = p
                }
                let (i, m, r) = (id, method, route)
                // The selector is part of the kind: another operation of the same document is another result.
                let kind = "contract.openapi\u{0}\(i ?? "\u{1}")\u{0}\(m ?? "\u{1}")\u{0}\(r ?? "\u{1}")"
                let openAPI = ContractCompilation<Result<RequestContract, SchemaCompileError>>(kind: kind) { value, base, resolver in
                    do throws(SchemaCompileError) {
                        return .success(try OpenAPIContract.contract(value, operationID: i, method: m, path: r, resolver: resolver, baseURI: base))
                    } catch {
                        return .failure(error)
                    }
                }
                if let compiled = load(document, openAPI) {
                    switch compiled {
                    case .success(var contract):
                        contract.origin = "\(document.value) \(contract.origin)"
                        out.request = contract
                    case .failure(let error):
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
