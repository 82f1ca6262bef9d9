import DSCore
import DSJSON
import DSSchema

/// Input: an OpenAPI 3.0 / 3.1 document (JSON), then optionally NUL and the bytes of a request
/// body. Every operation the document names (by operationId, and by method and path) is
/// extracted with `OpenAPIContract.contract` (the `contract` of a spec, docs/contracts.md):
/// extraction either builds a contract or throws a `SchemaCompileError`, never traps, even on
/// cyclic or deeply nested `$ref`s. Each contract then checks a request carrying the body:
/// the check is deterministic, and every violation has a part and a message.
enum OpenAPITarget {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
    static let contentTypes = ["application/json", "application/x-ndjson", "application/x-www-form-urlencoded", "text/plain"]

    static func run(_ data: [UInt8], _ violations: inout [String]) {
        let (documentBytes, bodyBytes) = splitAtNUL(data)
        guard let document = try? JSONParser().parseValue(documentBytes) else { return }
        let body = bodyBytes ?? Array(#"{"event":"Order Completed","properties":{"total":12.5}}"#.utf8)
        let show = String(decoding: data.prefix(80), as: UTF8.self).debugDescription
        var contracts: [RequestContract] = []
        var operations: [(path: String, method: String, id: String?)] = []
        if let paths = document.objectValue?["paths"]?.objectValue {
            for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
                guard let item = item.objectValue else { continue }
                for m in methods where item[m] != nil { operations.append((path, m, item[m]?.objectValue?["operationId"]?.stringValue)) }
            }
        }
        let ids = operations.compactMap(\.id)
        for op in operations.prefix(16) {
            let byPath = try? OpenAPIContract.contract(document, operationID: nil, method: op.method, path: op.path, baseURI: "urn:fuzz:openapi")
            if let byPath { contracts.append(byPath) }
            // An operationId names one operation: extracting by it gives what method + path gives.
            guard let id = op.id, ids.filter({ $0 == id }).count == 1 else { continue }
            let byID = try? OpenAPIContract.contract(document, operationID: id, method: nil, path: nil, baseURI: "urn:fuzz:openapi")
            if (byID == nil) != (byPath == nil) || byID?.origin != byPath?.origin {
                violations.append("\(op.method.uppercased()) \(op.path) and operationId \(id.debugDescription) extract differently: \(show)")
            }
        }
        // A name the document does not have is an error, never a contract.
        if (try? OpenAPIContract.contract(document, operationID: "\u{0}not-an-operation", method: nil, path: nil, baseURI: "urn:fuzz:openapi")) != nil {
            violations.append("an operationId the document does not have gave a contract: \(show)")
        }
        for contract in contracts {
            for type in contentTypes {
                let headers = [(name: "Content-Type", value: type), (name: "X-Api-Key", value: "k")]
                let first = contract.check(headers: headers, target: "/v1/events?api_key=k&n=1", body: body)
                let second = contract.check(headers: headers, target: "/v1/events?api_key=k&n=1", body: body)
                if first != second { violations.append("two checks of the same request disagree (\(type)): \(show)") }
                for v in first where v.part.isEmpty || v.message.isEmpty {
                    violations.append("a violation without a part or message (\(type)): \(v) for \(show)")
                }
            }
        }
    }
}
