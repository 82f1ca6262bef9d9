import DSCore
@testable import DSCompiler
import DSJSON
import XCTest

/// The contract walk asks for many keys of one object with `SchemaShape.childSchemas`, which
/// expands the object's schemas once and forms no candidate list. It must give
/// `child(_:key:).schemas`, the general path, for every schema and key: chosen schemas and
/// random ones with `$ref`s, combinators, `additionalProperties` / `unevaluatedProperties`
/// of every kind, boolean schemas and non-object `properties`.
final class SchemaShapeChildTests: XCTestCase {
    func assertSame(_ shape: SchemaShape, _ schemas: [JSONValue], _ keys: [String], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let expanded = schemas.flatMap { shape.expand($0) }
        for key in keys {
            XCTAssertEqual(shape.childSchemas(expanded: expanded, key: key), shape.child(schemas, key: key).schemas, "key \(key): \(label)", file: file, line: line)
        }
    }

    /// `lookup` as it was before it asked `childSchemas` first (the general path).
    func referenceLookup(_ shape: SchemaShape, _ segments: [String], from root: JSONValue) -> SchemaShape.Lookup {
        var current = [root]
        for (i, segment) in segments.enumerated() {
            if SchemaShape.arrayIndex(segment) != nil {
                current = shape.items(current, index: SchemaShape.arrayIndex(segment))
                if current.isEmpty { return .cannotTell }
                continue
            }
            let c = shape.child(current, key: segment)
            if !c.schemas.isEmpty { current = c.schemas; continue }
            if c.cannotTell || !c.definesAny { return .cannotTell }
            return .unknown(index: i, candidates: Array(Set(c.candidates)).sorted(), closed: c.closed)
        }
        return .defined(current)
    }

    func describe(_ l: SchemaShape.Lookup) -> String {
        switch l {
        case .defined(let s): return "defined \(s)"
        case .unknown(let i, let c, let closed): return "unknown \(i) \(c) \(closed)"
        case .cannotTell: return "cannot tell"
        }
    }

    func testChosenSchemas() {
        let document: JSONValue = [
            "$defs": ["a": ["properties": ["x": ["type": "string"], "y": true]], "open": ["additionalProperties": ["type": "number"]]],
            "properties": ["x": ["$ref": "#/$defs/a"]],
        ]
        let shape = SchemaShape(document: document)
        let cases: [JSONValue] = [
            ["properties": ["x": ["type": "string"]], "additionalProperties": false],
            ["properties": ["x": 1], "additionalProperties": ["type": "integer"]],
            ["properties": "not an object", "additionalProperties": ["type": "integer"]],
            ["unevaluatedProperties": ["type": "integer"], "allOf": [["$ref": "#/$defs/a"], ["$ref": "#/$defs/open"]]],
            ["anyOf": [["properties": ["x": true]], ["properties": ["x": false]]], "additionalProperties": true],
            ["$ref": "#/$defs/missing"], true, false, ["if": ["properties": ["x": 1]], "then": ["properties": ["y": 2]], "else": ["additionalProperties": ["a": 1]]],
            ["oneOf": [["$ref": "#"], ["$ref": "#/$defs/a"]]],
        ]
        for c in cases { assertSame(shape, [c], ["x", "y", "z", ""], "\(c)") }
        assertSame(shape, cases, ["x", "y", "z"], "all together")
    }

    func testRandomSchemas() {
        var rng = SplitMix64(seed: 0x5348_4150)
        let keys = ["x", "y", "z", "a"]
        func schema(_ depth: Int) -> JSONValue {
            let roll = Int.random(in: 0..<12, using: &rng)
            if depth > 3 || roll < 2 { return .bool(Bool.random(using: &rng)) }
            var o = JSONObject()
            if Bool.random(using: &rng) {
                var props = JSONObject()
                for k in keys where Int.random(in: 0..<3, using: &rng) == 0 { props[k] = schema(depth + 1) }
                o["properties"] = Int.random(in: 0..<8, using: &rng) == 0 ? .string("odd") : .object(props)
            }
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: o["additionalProperties"] = .bool(Bool.random(using: &rng))
            case 1: o["additionalProperties"] = schema(depth + 1)
            case 2: o["unevaluatedProperties"] = schema(depth + 1)
            default: break
            }
            if Int.random(in: 0..<4, using: &rng) == 0 {
                o[["allOf", "anyOf", "oneOf"].randomElement(using: &rng)!] = .array((0..<Int.random(in: 1...3, using: &rng)).map { _ in schema(depth + 1) })
            }
            if Int.random(in: 0..<5, using: &rng) == 0 { o["$ref"] = .string(["#/$defs/d0", "#/$defs/d1", "#", "#/nope", "other.json"].randomElement(using: &rng)!) }
            if Int.random(in: 0..<8, using: &rng) == 0 { o["then"] = schema(depth + 1) }
            if Int.random(in: 0..<10, using: &rng) == 0 { o["patternProperties"] = ["^x": true] }
            return .object(o)
        }
        for i in 0..<2000 {
            var defs = JSONObject()
            defs["d0"] = schema(1)
            defs["d1"] = schema(2)
            var root = JSONObject()
            root["$defs"] = .object(defs)
            let shape = SchemaShape(document: .object(root))
            let schemas = (0..<Int.random(in: 1...3, using: &rng)).map { _ in schema(0) }
            assertSame(shape, schemas, keys + ["w"], "random #\(i): \(schemas)")
            let path = (0..<Int.random(in: 1...3, using: &rng)).map { _ in (keys + ["w", "0", "[1]"]).randomElement(using: &rng)! }
            XCTAssertEqual(describe(shape.lookup(path, from: schemas[0])), describe(referenceLookup(shape, path, from: schemas[0])), "lookup \(path) #\(i): \(schemas[0])")
        }
    }
}
