import DSCore
import DSJSON
import DSSpec
import Foundation
import XCTest

/// Lets the test find every `Located` in a decoded spec, whatever its value type.
private protocol AnyLocated {
    var pointer: String { get }
    var span: SourceSpan { get }
}
extension Located: AnyLocated {}

/// Every pointer the decoder gives a located value resolves in the document to the node at
/// its span (a guard for any change to how the decoder forms pointers).
final class LocatedPointerTests: XCTestCase {
    /// Every `Located` in the IR of every Delivery Spec in `specs/`: its pointer resolves in
    /// the document, to the node at its span (or, for a member's name, the member whose key
    /// is at its span).
    func testEveryDecodedPointerResolves() throws {
        let root = RepositoryPaths.root.appendingPathComponent("specs")
        var dirs = [root]
        var checked = 0
        while let dir = dirs.popLast() {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
                let url = dir.appendingPathComponent(name)
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue { dirs.append(url); continue }
                guard RepositoryPaths.specs(in: dir).contains(url), let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                let source = SourceFile(path: url.path, text: text)
                let diagnostics = DiagnosticCollector(source: source)
                guard let node = JSONParser().parse(source, diagnostics: diagnostics),
                      let spec = SpecDecoder().decode(node, diagnostics: diagnostics), spec.form == .deliverySpec else { continue }
                func visit(_ value: Any) {
                    if value is JSONNode { return }
                    if let l = value as? AnyLocated {
                        checked += 1
                        let pointer = l.pointer
                        guard let target = node.resolve(pointer) else {
                            return XCTFail("\(name): pointer \(pointer) does not resolve")
                        }
                        let isKey = target.span.start > l.span.start && target.span.start <= l.span.end + 16
                        XCTAssertTrue(target.span == l.span || isKey || l.span.start == target.span.start,
                                      "\(name): \(pointer) names \(target.span), the value is at \(l.span)")
                    }
                    for child in Mirror(reflecting: value).children { visit(child.value) }
                }
                visit(spec)
            }
        }
        XCTAssertGreaterThan(checked, 1000, "located values checked")
    }
}
