@testable import DSCompiler
import DSCore
import DSJSON
import XCTest

/// Marker lowering on the parsed node (what lint compiles) against the value version (what
/// plans use): the same lowered mapping and the same marker count, on chosen and random trees.
final class MarkerLoweringTests: XCTestCase {
    func assertSame(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let source = SourceFile(path: "t.json", text: text)
        guard let node = JSONParser().parse(source, diagnostics: DiagnosticCollector(source: source)) else {
            return XCTFail("parse failed: \(text)", file: file, line: line)
        }
        for marker in [nil, "payload", "batch"] as [String?] {
            var nodeCount = 0, valueCount = 0
            let fromNode = MappingInventory.lowerMarkers(node, marker: marker, count: &nodeCount)
            let fromValue = MappingInventory.lowerMarkers(node.value, marker: marker, count: &valueCount)
            XCTAssertEqual(fromNode.value, fromValue, "\(marker ?? "nil"): \(text)", file: file, line: line)
            XCTAssertEqual(nodeCount, valueCount, "count, \(marker ?? "nil"): \(text)", file: file, line: line)
        }
    }

    func testChosen() {
        assertSame(#"{"data": {"@payload": true}, "meta": {"x": {"@path": "a"}}}"#)
        assertSame(#"{"data": {"@payload": true, "@payload": false}}"#)  // one distinct key, first value
        assertSame(#"{"data": {"@payload": false, "@payload": true}}"#)
        assertSame(#"{"k": 1, "k": {"@payload": true}}"#)  // a marker in a dropped repeat is not counted
        assertSame(#"{"events": {"@batch": true}, "named": {"@batch": "purchases"}, "n": {"@batch": 3}, "both": {"@batch": "x", "y": 1}}"#)
        assertSame(#"[{"@batch": true}, [{"@payload": true}], {"@payload": "yes"}]"#)
    }

    func testRandom() {
        var rng = SplitMix64(seed: 0x6c6f_7765)
        let keys = ["@payload", "@batch", "@path", "a", "b"]
        func tree(_ depth: Int) -> String {
            let roll = Int.random(in: 0..<10, using: &rng)
            if depth > 3 || roll < 3 { return ["true", "false", "1", "\"s\"", "\"purchases\"", "null"].randomElement(using: &rng)! }
            if roll < 5 { return "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in tree(depth + 1) }.joined(separator: ",") + "]" }
            return "{" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in "\"\(keys.randomElement(using: &rng)!)\":\(tree(depth + 1))" }.joined(separator: ",") + "}"
        }
        for _ in 0..<3000 { assertSame(tree(0)) }
    }
}
