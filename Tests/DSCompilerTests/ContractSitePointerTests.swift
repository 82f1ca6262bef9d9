import DSCore
@testable import DSCompiler
import DSJSON
import DSSpec
import Foundation
import XCTest

/// `ContractMappingWalk.sites` forms a site's spec pointer and instance path only when a rule
/// reports it (`ContractSites.pointer(_:)`, `instancePath(_:)`); both must equal what the eager
/// walk (`reference` below: the walk as it was, forming both strings at every site) gives, on
/// the repository's specs and on random mappings, batch envelopes and wrappers with escaped keys.
final class ContractSitePointerTests: XCTestCase {
    struct Eager: Equatable {
        var span: SourceSpan
        var pointer: String
        var instance: String
        var required: Bool
        var schemas: Int
    }

    /// The eager walk (the general form): every pointer and instance path formed as it goes.
    static func reference(_ context: ValidationContext) -> [Eager]? {
        guard let contract = context.contracts.request, let root = contract.bodySchema, let document = contract.document else { return nil }
        let spec = context.spec
        guard let payload = spec.payload, (payload.format?.value ?? .json) == .json, let mapping = payload.mapping else { return nil }
        let shape = SchemaShape(document: document)
        var out: [Eager] = []
        let element: (JSONNode, String) = payload.wrapper.map { ($0, "/payload/wrapper") } ?? (mapping, payload.mappingPointer)
        func walk(_ node: JSONNode, _ pointer: String, _ schemas: [JSONValue], _ instance: String, required: Bool, depth: Int) {
            guard depth < 64, !schemas.isEmpty else { return }
            out.append(Eager(span: node.span, pointer: pointer, instance: instance, required: required, schemas: schemas.count))
            guard node.isObject else {
                if let elements = node.elements {
                    for (i, e) in elements.enumerated() {
                        walk(e, JSONPointer.appending(pointer, i), shape.items(schemas, index: i), JSONPointer.appending(instance, i), required: false, depth: depth + 1)
                    }
                }
                return
            }
            let members = node.members
            if members.count == 1, members[0].key == "@batch", members[0].value.boolValue == true {
                walk(element.0, element.1, shape.items(schemas, index: nil), instance + "/-", required: false, depth: depth + 1)
                return
            }
            if members.count == 1, members[0].key == "@payload", members[0].value.boolValue == true {
                walk(mapping, payload.mappingPointer, schemas, instance, required: required, depth: depth + 1)
                return
            }
            if !members.isEmpty, members.allSatisfy({ $0.key.hasPrefix("@") && !$0.key.hasPrefix("@@") }) {
                if let each = node.member("@map") {
                    walk(each.value, JSONPointer.appending(pointer, "@map"), shape.items(schemas, index: nil), instance + "/-", required: false, depth: depth + 1)
                }
                return
            }
            let requiredKeys = ContractMappingWalk.requiredByAll(schemas, shape)
            let expanded = schemas.flatMap { shape.expand($0) }
            for m in members where !ContractMappingWalk.objectModifiers.contains(m.key) {
                let name = m.key.hasPrefix("@@") ? String(m.key.dropFirst()) : m.key
                let c = shape.childSchemas(expanded: expanded, key: name)
                walk(m.value, JSONPointer.appending(pointer, m.key), c, JSONPointer.appending(instance, name), required: requiredKeys.contains(name), depth: depth + 1)
            }
        }
        let format = spec.batching?.format?.value ?? .jsonArray
        if context.batchingEnabled {
            switch format {
            case .jsonObject:
                guard let envelope = spec.batching?.envelope else { return nil }
                walk(envelope, "/batching/envelope", [root], "", required: true, depth: 0)
            case .jsonArray:
                walk(element.0, element.1, shape.items([root], index: nil), "/-", required: false, depth: 0)
            case .ndjson:
                return nil
            }
        } else {
            walk(element.0, element.1, [root], "", required: true, depth: 0)
        }
        return out
    }

    /// The lazy sites in the same form.
    static func lazy(_ context: ValidationContext) -> [Eager]? {
        guard let (sites, _, _) = ContractMappingWalk.sites(context) else { return nil }
        return sites.all.indices.map { i in
            let s = sites.all[i]
            return Eager(span: s.node.span, pointer: sites.pointer(i), instance: sites.instancePath(i), required: s.required, schemas: s.schemas.count)
        }
    }

    /// Compares both walks on one spec; returns the number of sites (nil: not walked).
    @discardableResult
    func compare(_ source: SourceFile, loader: any ContractLoader, _ label: String) -> Int? {
        let diagnostics = DiagnosticCollector(source: source)
        guard let root = JSONParser().parse(source, diagnostics: diagnostics),
              let spec = SpecDecoder().decode(root, diagnostics: diagnostics) else { return nil }
        let a = Self.reference(ValidationContext(spec: spec, source: source, diagnostics: diagnostics, contractLoader: loader))
        let b = Self.lazy(ValidationContext(spec: spec, source: source, diagnostics: diagnostics, contractLoader: loader))
        XCTAssertEqual(a, b, label)
        return a?.count
    }

    func testRepositorySpecs() throws {
        var walked = 0
        for dir in [RepositoryPaths.invalid, RepositoryPaths.catalog, RepositoryPaths.examples] {
            for url in RepositoryPaths.specs(in: dir) {
                let source = SourceFile(path: url.lastPathComponent, bytes: [UInt8](try Data(contentsOf: url)))
                if let n = compare(source, loader: DirectoryContractLoader(directory: url.deletingLastPathComponent()), url.lastPathComponent), n > 0 { walked += 1 }
            }
        }
        XCTAssertGreaterThanOrEqual(walked, 3, "specs with a contract walked")
    }

    /// A contract whose every object, array and member has a schema, so random mappings are
    /// walked to the bottom.
    struct MemoryLoader: ContractLoader {
        static let schema = #"""
        {"$defs": {"n": {"type": ["object", "array", "string", "number"], "required": ["a", "a/b", "~x"],
                         "properties": {"a": {"$ref": "#/$defs/n"}}, "additionalProperties": {"$ref": "#/$defs/n"},
                         "items": {"$ref": "#/$defs/n"}}},
         "$ref": "#/$defs/n"}
        """#
        func load(_ path: String) -> ContractFile {
            guard let v = try? JSONParser().parseValue(Array(Self.schema.utf8)) else { return .failed("bad fixture") }
            return .loaded(v, baseURI: "mem:///body.json")
        }
        func schemaDocument(for uri: String) -> JSONValue? { nil }
    }

    func testRandomMappings() {
        var rng = SplitMix64(seed: 0x7074_7273)
        let keys = ["a", "b", "a/b", "~x", "~0", "@@a", "@@a/b", "@@~1", "@when", "@drop_empty", "é", "\u{212A}", "", "x y"]
        func value(_ depth: Int) -> String {
            let r = Int.random(in: 0..<(depth > 3 ? 3 : 9), using: &rng)
            switch r {
            case 0: return #"{"@path": "properties.a"}"#
            case 1: return #""lit""#
            case 2: return "1"
            case 3, 4, 5:
                let n = Int.random(in: 0...3, using: &rng)
                return "{" + (0..<n).map { _ in
                    let k = keys.randomElement(using: &rng)!.replacingOccurrences(of: "\"", with: "")
                    return "\"\(k)\": \(k == "@when" ? "{\"@path\": \"x\"}" : value(depth + 1))"
                }.joined(separator: ",") + "}"
            case 6: return "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in value(depth + 1) }.joined(separator: ",") + "]"
            case 7: return #"{"@path": "properties.list", "@map": "# + value(depth + 1) + "}"
            default: return #"{"@payload": true}"#
            }
        }
        var sites = 0
        for round in 0..<250 {
            let mapping = value(0)
            let shape = Int.random(in: 0..<4, using: &rng)
            var extra = ""
            switch shape {
            case 0: break
            case 1: extra = #", "batching": {"max_events": 10, "format": "json_array"}"#
            case 2: extra = #", "batching": {"max_events": 10, "format": "json_object", "envelope": {"a/b": {"@batch": true}, "~x": "# + value(1) + "}}"
            default: extra = #", "batching": {"max_events": 10, "format": "json_object", "envelope": [{"@batch": true}]}"#
            }
            let wrapper = Bool.random(using: &rng) ? #", "wrapper": {"~x": [{"@payload": true}], "a": "# + value(1) + "}" : ""
            let text = """
            {"dspec": 1, "name": "r", "endpoint": {"method": "POST", "url": "https://x.example/e"},
             "contract": {"schema": "body.json"}\(extra),
             "payload": {"format": "json", "mapping": \(mapping)\(wrapper)}}
            """
            if let n = compare(SourceFile(path: "r\(round).json", text: text), loader: MemoryLoader(), text) { sites += n }
        }
        XCTAssertGreaterThan(sites, 2_000, "random mappings walked")
    }
}
