import DSCore
import Foundation
import XCTest

/// `SourceFile` and `DiagnosticCollector` are shared across threads (rules may report
/// concurrently; one source serves every reporter): both are safe without `@unchecked`.
/// Run under the thread sanitizer by `scripts/tsan`, which reports the unguarded versions.
final class SharedStateTests: XCTestCase {
    func testConcurrentReportsAreAllKept() {
        let source = SourceFile(path: "x.json", text: String(repeating: "{\"a\": 1}\n", count: 2000))
        let collector = DiagnosticCollector(source: source)
        let rule = RuleDescriptor(code: "DS9999", name: "test-rule", severity: .warning, summary: "test")
        // 8 x 120 = 960 reports: within the 1,000 findings per collector that get a line and column.
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<120 {
                collector.emit(rule, "report \(worker)-\(i)", span: SourceSpan.at((worker * 120 + i) * 9 % source.bytes.count), pointer: nil)
            }
        }
        XCTAssertEqual(collector.diagnostics.count, 960)
        XCTAssertEqual(Set(collector.diagnostics.map(\.message)).count, 960)
        XCTAssertEqual(collector.sorted.first?.location?.line, 1)
    }

    func testConcurrentAppendsAreNotLost() {
        let collector = DiagnosticCollector()
        let diagnostic = Diagnostic(code: "DS9999", severity: .warning, message: "m", path: nil, location: nil, endLocation: nil, pointer: nil,
                                    hint: nil, suggestion: nil)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<20_000 { collector.emit(diagnostic) }
        }
        XCTAssertEqual(collector.diagnostics.count, 160_000)
    }

    func testTheLineTableIsBuiltOnceForConcurrentReaders() {
        for _ in 0..<20 {
            let source = SourceFile(path: "x.json", text: String(repeating: "line\n", count: 5000))
            let lines = Locked<[Int]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { worker in
                let line = source.location(ofOffset: worker * 5 * 600).line
                lines.withLock { $0.append(line) }
            }
            XCTAssertEqual(lines.withLock { $0.sorted() }, (0..<8).map { $0 * 600 + 1 })
        }
    }
}
